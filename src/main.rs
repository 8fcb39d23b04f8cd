//! The `textanalysis` binary: parses the command line and runs the server
//! (until SIGTERM or SIGINT, reloading models on SIGHUP) or a tool command.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use prometheus_client::metrics::counter::Counter;
use textanalysis::classify::registry::{ModelSources, ModelStore};
use textanalysis::config::{Cli, Command, EncoderArgs, EvalCommand, ModelChoice, ServeArgs};
use textanalysis::deadline::Deadline;
use textanalysis::encoder::{Encoder, STATIC_FILE, StaticEmbedder};
use textanalysis::semantic::Embedder;
use textanalysis::server::{self, ServerConfig, Tls};
use textanalysis::telemetry::export::Traces;

fn main() -> ExitCode {
    return_large_buffers_to_the_system();
    match Cli::parse().into_command() {
        Command::Serve(args) => {
            bound_encoder_threads(args.encoder.threads(args.concurrency.in_flight()));
            serve(args)
        }
        Command::Train(args) => {
            let encoder = match tool_encoder(args.semantic_model.as_deref()) {
                Ok(encoder) => encoder,
                Err(code) => return code,
            };
            textanalysis::commands::train(&args, encoder.as_ref().map(|e| e as &dyn Embedder))
        }
        Command::Eval(EvalCommand::Classify(args)) => {
            let encoder = match tool_encoder(args.semantic_model.as_deref()) {
                Ok(encoder) => encoder,
                Err(code) => return code,
            };
            textanalysis::commands::eval_classify(
                &args,
                encoder.as_ref().map(|e| e as &dyn Embedder),
            )
        }
        Command::DistillStatic(args) => textanalysis::commands::distill_static(&args),
    }
}

/// The sentence encoder a tool command (`train`, `eval classify`) was
/// given with `--semantic-model DIR`, if any; a failure to load it is told
/// and ends the command.
fn tool_encoder(dir: Option<&std::path::Path>) -> Result<Option<Encoder>, ExitCode> {
    let Some(dir) = dir else {
        return Ok(None);
    };
    Encoder::load(dir).map(Some).map_err(|e| {
        eprintln!(
            "textanalysis: cannot load the sentence encoder in {}: {e}",
            dir.display()
        );
        ExitCode::from(2)
    })
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

/// Sizes the thread pool the encoder's matrix products run on (rayon's
/// global pool, which candle also asks how finely to split a product).
/// Every analysis worker's products go to that one pool, so the encoder
/// never runs more threads than this whatever the load; left alone, rayon
/// would size it by the host's cores, which in a container limited to two
/// cores of a large node means dozens of threads. A RAYON_NUM_THREADS set
/// by the operator is kept.
fn bound_encoder_threads(threads: usize) {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        // SAFETY: runs in `main` before the runtime or any other thread
        // exists, so nothing reads the environment concurrently.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("RAYON_NUM_THREADS", threads.to_string());
        }
    }
}

/// The sentence encoder and the static table distilled from it.
type Embedders = (Option<Arc<dyn Embedder>>, Option<Arc<dyn Embedder>>);

/// Loads the sentence encoder `args` name, if any, and embeds a sentence
/// with it, so that a model that loads but cannot run (a tokenizer of
/// another model) stops the server at start-up, not at its first call; and
/// the static table beside it, when there is one.
fn load_encoder(args: &EncoderArgs) -> Result<Embedders, String> {
    let dir = match args.model() {
        ModelChoice::None => {
            tracing::info!("lexical mode: no sentence encoder (--semantic-model none)");
            return Ok((None, None));
        }
        ModelChoice::IfPresent(dir) if !dir.exists() => {
            tracing::info!(
                dir = %dir.display(),
                "lexical mode: no sentence encoder there; scripts/fetch-encoder.sh fetches it, \
                 --semantic-model DIR names another place"
            );
            return Ok((None, None));
        }
        ModelChoice::IfPresent(dir) | ModelChoice::Required(dir) => dir,
    };
    let started = std::time::Instant::now();
    let encoder = Encoder::load(&dir)
        .map_err(|e| format!("cannot load the sentence encoder in {}: {e}", dir.display()))?;
    encoder
        .embed(&["The service starts."], Deadline::NONE)
        .map_err(|e| {
            format!(
                "the sentence encoder in {} fails on a test sentence ({e}): are tokenizer.json \
                 and model.safetensors of the same model?",
                dir.display()
            )
        })?;
    let info = encoder.info();
    tracing::info!(
        model = %info.name,
        dir = %dir.display(),
        dimensions = info.dim,
        threads = std::env::var("RAYON_NUM_THREADS").unwrap_or_default(),
        load_ms = started.elapsed().as_millis() as u64,
        "sentence encoder loaded"
    );
    Ok((Some(Arc::new(encoder)), load_static(&dir)?))
}

/// Loads the static table in the encoder's directory, if it is there (a
/// table: loading it takes a fraction of a second, distilling it is
/// `textanalysis distill-static`'s work); one that is there but cannot be
/// read stops the server.
fn load_static(dir: &std::path::Path) -> Result<Option<Arc<dyn Embedder>>, String> {
    if !dir.join(STATIC_FILE).exists() {
        tracing::info!(
            dir = %dir.display(),
            "no static table ({STATIC_FILE}): Embed's EMBEDDING_MODEL_STATIC is refused; \
             `textanalysis distill-static --semantic-model DIR` writes it"
        );
        return Ok(None);
    }
    let started = std::time::Instant::now();
    let table = StaticEmbedder::load(dir).map_err(|e| {
        format!(
            "cannot load the static table in {} ({e}); `textanalysis distill-static --force \
             --semantic-model DIR` writes it again",
            dir.display()
        )
    })?;
    let info = table.info();
    tracing::info!(
        model = %info.name,
        dimensions = info.dim,
        load_ms = started.elapsed().as_millis() as u64,
        "static table loaded"
    );
    Ok(Some(Arc::new(table)))
}

#[tokio::main]
async fn serve(args: ServeArgs) -> ExitCode {
    let spans_dropped = Counter::default();
    let traces = match Traces::start(&args.tracing, spans_dropped.clone()) {
        Ok(traces) => traces,
        Err(e) => {
            eprintln!("textanalysis: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) =
        textanalysis::telemetry::init(args.log_format, args.log.as_deref(), traces.tracer())
    {
        eprintln!("textanalysis: {e}");
        return ExitCode::from(2);
    }
    if let Some(endpoint) = &args.tracing.otlp_endpoint {
        tracing::info!(
            %endpoint,
            sample_ratio = args.tracing.trace_sample_ratio,
            queue = args.tracing.trace_queue,
            "exporting spans over OTLP"
        );
    }
    // The encoder first: the models trained with semantic features are
    // checked against it.
    let (embedder, static_embedder) = match load_encoder(&args.encoder) {
        Ok(embedders) => embedders,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("textanalysis: {message}");
            return ExitCode::from(2);
        }
    };
    let sources = ModelSources {
        dir: args.models_dir.clone(),
        files: args.models.clone(),
        default: args.default_model.clone(),
        encoder: embedder.as_ref().map(|e| e.info().clone()),
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
    reload_on_sighup(models.clone());
    let shutdown = shutdown_signal();
    let config = ServerConfig {
        limits: args.limits,
        default_language: args.default_language,
        concurrency: args.concurrency,
        callers: args.callers,
        connections: args.connections,
        shutdown_grace: args.shutdown_grace,
        request_timeout: args.request_timeout,
        tls,
        models,
        embedder,
        spans_dropped,
        static_embedder,
    };
    let served = server::run_with_metrics(listener, metrics_listener, config, shutdown).await;
    // The last calls' spans, within a little of Kubernetes' grace period.
    traces.shutdown(SPANS_AT_EXIT).await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "server stopped");
            ExitCode::FAILURE
        }
    }
}

/// Longest wait at exit for the last spans to reach the collector.
const SPANS_AT_EXIT: std::time::Duration = std::time::Duration::from_secs(2);

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
///
/// The handler is installed here, before the server says it is serving:
/// a SIGHUP's default action ends the process, so a watcher installed only
/// when a spawned task first runs would leave a window in which a reload
/// kills the server.
fn reload_on_sighup(models: Arc<ModelStore>) {
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
        tokio::spawn(async move {
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
        });
    }
    #[cfg(not(unix))]
    let _ = models;
}

/// Completes on the first SIGTERM (Kubernetes) or SIGINT (Ctrl-C).
///
/// The handlers are installed when this is called, not when the future is
/// first polled: the server polls it only once serving, and a signal that
/// came in between would take its default action and kill the process
/// instead of draining it.
fn shutdown_signal() -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut term), Ok(mut int)) => Box::pin(async move {
                tokio::select! {
                    _ = term.recv() => tracing::info!("SIGTERM received"),
                    _ = int.recv() => tracing::info!("SIGINT received"),
                }
            }),
            (Err(e), _) | (_, Err(e)) => {
                tracing::warn!(error = %e, "cannot watch SIGTERM and SIGINT; stopping on Ctrl-C only");
                Box::pin(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
            }
        }
    }
    #[cfg(not(unix))]
    {
        Box::pin(async {
            let _ = tokio::signal::ctrl_c().await;
        })
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
