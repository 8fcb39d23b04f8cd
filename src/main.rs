//! The `textanalysis` binary: parses the command line and runs the server
//! (until SIGTERM or SIGINT, reloading models on SIGHUP) or a tool command.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use textanalysis::classify::registry::{ModelSources, ModelStore};
use textanalysis::config::{Cli, Command, EvalCommand, ServeArgs};
use textanalysis::server::{self, ServerConfig, Tls};

fn main() -> ExitCode {
    return_large_buffers_to_the_system();
    match Cli::parse().into_command() {
        Command::Serve(args) => serve(args),
        Command::Train(args) => textanalysis::commands::train(&args),
        Command::Eval(EvalCommand::Classify(args)) => textanalysis::commands::eval_classify(&args),
    }
}

/// Has glibc's malloc give every buffer of 128 KiB or more (request
/// bodies, a large document's tables) a mapping of its own, unmapped when
/// freed. By default glibc raises that threshold each time such a buffer is
/// freed, up to 32 MiB, after which the buffers of a burst of 1 MiB
/// requests stay in the heap, and the process several times its idle size,
/// long after the burst. A fixed threshold returns them, for a system call
/// per large buffer, which the analysis of a large text dwarfs.
fn return_large_buffers_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of the allocator, and this
    // runs first in `main`, before any other thread exists.
    #[allow(unsafe_code)]
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[tokio::main]
async fn serve(args: ServeArgs) -> ExitCode {
    if let Err(e) = textanalysis::telemetry::init(args.log_format, args.log.as_deref()) {
        eprintln!("textanalysis: {e}");
        return ExitCode::from(2);
    }
    let sources = ModelSources {
        dir: args.models_dir.clone(),
        files: args.models.clone(),
        default: args.default_model.clone(),
    };
    let models = match ModelStore::load(sources) {
        Ok(store) => Arc::new(store),
        Err(e) => {
            tracing::error!(error = %e, "cannot load the models");
            eprintln!("textanalysis: cannot load the models: {e}");
            return ExitCode::from(2);
        }
    };
    let listener = match bind(args.listen, "--listen (TEXTANALYSIS_LISTEN)").await {
        Ok(l) => l,
        Err(()) => return ExitCode::FAILURE,
    };
    let metrics_listener = match args.metrics_listen {
        None => None,
        Some(addr) => match bind(addr, "--metrics-listen (TEXTANALYSIS_METRICS_LISTEN)").await {
            Ok(l) => Some(l),
            Err(()) => return ExitCode::FAILURE,
        },
    };
    let tls = match load_tls(&args) {
        Ok(tls) => tls,
        Err(message) => {
            tracing::error!("{message}");
            return ExitCode::from(2);
        }
    };
    tokio::spawn(reload_on_sighup(models.clone()));
    let config = ServerConfig {
        limits: args.limits,
        default_language: args.default_language,
        concurrency: args.concurrency,
        connections: args.connections,
        shutdown_grace: args.shutdown_grace,
        request_timeout: args.request_timeout,
        tls,
        models,
    };
    match server::run_with_metrics(listener, metrics_listener, config, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "server stopped");
            ExitCode::FAILURE
        }
    }
}

/// Listens on `addr`; a failure is logged and told on standard error,
/// with the `flag` that picks another address.
async fn bind(addr: std::net::SocketAddr, flag: &str) -> Result<tokio::net::TcpListener, ()> {
    tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        let hint = match e.kind() {
            std::io::ErrorKind::AddrInUse => {
                format!("another process listens there: pick another address with {flag}")
            }
            _ => format!("set another address with {flag}"),
        };
        tracing::error!(%addr, error = %e, "cannot listen; {hint}");
        eprintln!("textanalysis: cannot listen on {addr}: {e}; {hint}");
    })
}

/// Reloads the models on each SIGHUP; a failed reload keeps the old set.
async fn reload_on_sighup(models: Arc<ModelStore>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut hup = match signal(SignalKind::hangup()) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "cannot watch SIGHUP; models will not reload");
                return;
            }
        };
        while hup.recv().await.is_some() {
            let store = models.clone();
            // Loading reads and checks files: keep it off the reactor.
            match tokio::task::spawn_blocking(move || store.reload()).await {
                Ok(Ok(count)) => tracing::info!(models = count, "models reloaded"),
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "model reload failed; keeping the old models")
                }
                Err(e) => tracing::error!(error = %e, "model reload task failed"),
            }
        }
    }
    #[cfg(not(unix))]
    let _ = models;
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

/// Reads and checks the TLS files the flags name; a file that cannot be
/// used stops start-up with a message naming it.
fn load_tls(args: &ServeArgs) -> Result<Option<Tls>, String> {
    let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) else {
        return Ok(None);
    };
    Tls::from_files(cert, key, args.tls_client_ca.as_deref()).map(Some)
}
