//! The `textanalysis` binary: parses the command line, sets up logs and runs
//! the server until SIGTERM or SIGINT.

use std::process::ExitCode;

use clap::Parser;
use textanalysis::config::Cli;
use textanalysis::server::{self, ServerConfig};

#[tokio::main]
async fn main() -> ExitCode {
    let args = Cli::parse().into_serve_args();
    if let Err(e) = textanalysis::telemetry::init(args.log_format, args.log.as_deref()) {
        eprintln!("textanalysis: {e}");
        return ExitCode::from(2);
    }
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(listen = %args.listen, error = %e, "cannot listen");
            return ExitCode::FAILURE;
        }
    };
    let config = ServerConfig {
        limits: args.limits,
        shutdown_grace: args.shutdown_grace,
    };
    match server::run(listener, config, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "server stopped");
            ExitCode::FAILURE
        }
    }
}

/// Completes on the first SIGTERM (Kubernetes) or SIGINT (Ctrl-C).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => tracing::info!("SIGTERM received"),
                    _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT received"),
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot watch SIGTERM; stopping on SIGINT only");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
