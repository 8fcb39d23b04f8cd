//! The real sentence encoder, for the tests that read meaning.
//!
//! The model is not in the repository. It is loaded from
//! `TEXTANALYSIS_SEMANTIC_MODEL` or from `models/encoder/all-MiniLM-L6-v2`,
//! where `scripts/fetch-encoder.sh` puts it (the test command runs the
//! script first); without it these tests fail and say so, rather than pass
//! without having run.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use textanalysis::encoder::Encoder;
use textanalysis::semantic::Embedder;
use textanalysis::server::ServerConfig;

/// Where the model is.
pub fn model_dir() -> PathBuf {
    std::env::var_os("TEXTANALYSIS_SEMANTIC_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/encoder/all-MiniLM-L6-v2")
        })
}

/// The encoder, loaded once for the whole test binary: loading reads 90 MB.
pub fn encoder() -> &'static Arc<Encoder> {
    static ENCODER: OnceLock<Arc<Encoder>> = OnceLock::new();
    ENCODER.get_or_init(|| {
        let dir = model_dir();
        let encoder = Encoder::load(&dir).unwrap_or_else(|e| {
            panic!(
                "this test needs the sentence encoder's model in {}: run \
                 scripts/fetch-encoder.sh (or set TEXTANALYSIS_SEMANTIC_MODEL): {e}",
                dir.display()
            )
        });
        Arc::new(encoder)
    })
}

/// The encoder as the server takes it.
pub fn embedder() -> Arc<dyn Embedder> {
    encoder().clone()
}

/// The default configuration with the encoder loaded.
pub fn semantic_config() -> ServerConfig {
    ServerConfig {
        embedder: Some(embedder()),
        ..ServerConfig::default()
    }
}

/// The model directory with its static table (`static.safetensors`). The
/// test command writes the table after fetching the model; when it is
/// missing (a bare `cargo test`), it is distilled here, once per test run:
/// some 30,000 three-token inputs through the encoder, about 100 seconds
/// of CPU (some 50 s on two idle cores).
pub fn static_model_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        use textanalysis::deadline::Deadline;
        use textanalysis::encoder::STATIC_FILE;
        use textanalysis::encoder::distill::{self, Recipe};

        let dir = model_dir();
        let table = dir.join(STATIC_FILE);
        if !table.exists() {
            let raw = distill::raw(encoder(), Deadline::NONE, &mut |_, _| {}).expect("distil");
            let partial = dir.join(format!("{STATIC_FILE}.{}.partial", std::process::id()));
            distill::build(&raw, &Recipe::DEFAULT)
                .save(&partial)
                .expect("write the static table");
            std::fs::rename(&partial, &table).expect("move the static table in place");
        }
        dir
    })
}
