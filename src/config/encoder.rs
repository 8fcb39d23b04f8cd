//! The sentence encoder's settings: where its model is and how many threads
//! its matrix products may use.

use std::path::{Path, PathBuf};

use clap::Args;

/// Where `scripts/fetch-encoder.sh` puts the model, relative to the
/// working directory: a server started from a checkout where the test
/// command ran finds it without a flag.
pub const DEFAULT_MODEL_DIR: &str = "models/encoder/all-MiniLM-L6-v2";

/// The encoder's settings.
#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
pub struct EncoderArgs {
    /// Directory of the sentence encoder's model (config.json,
    /// tokenizer.json, model.safetensors), fetched by
    /// scripts/fetch-encoder.sh; `none` runs in lexical mode. Unset: the
    /// model in models/encoder/all-MiniLM-L6-v2 when that directory
    /// exists, else lexical mode. A model that is named but cannot be
    /// loaded stops the server.
    #[arg(long, env = "TEXTANALYSIS_SEMANTIC_MODEL")]
    pub semantic_model: Option<PathBuf>,

    /// Threads the encoder's matrix products run on, one pool shared by
    /// every analysis worker [default: --max-in-flight, the number of
    /// cores]. Sets RAYON_NUM_THREADS, which is taken instead when set.
    #[arg(long, env = "TEXTANALYSIS_ENCODER_THREADS")]
    pub encoder_threads: Option<usize>,
}

/// Which model to load, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelChoice {
    /// Lexical mode: no encoder.
    None,
    /// The model in this directory, which must load.
    Required(PathBuf),
    /// The model in this directory if it exists (the default location).
    IfPresent(PathBuf),
}

impl EncoderArgs {
    /// What `--semantic-model` asks for.
    pub fn model(&self) -> ModelChoice {
        match &self.semantic_model {
            Some(dir) if dir == Path::new("none") => ModelChoice::None,
            Some(dir) => ModelChoice::Required(dir.clone()),
            None => ModelChoice::IfPresent(PathBuf::from(DEFAULT_MODEL_DIR)),
        }
    }

    /// The encoder's threads, given the analyses in flight.
    pub fn threads(&self, in_flight: usize) -> usize {
        self.encoder_threads.unwrap_or(in_flight).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_is_lexical_mode_and_unset_looks_in_the_default_place() {
        let args = |dir: Option<&str>| EncoderArgs {
            semantic_model: dir.map(PathBuf::from),
            encoder_threads: None,
        };
        assert_eq!(args(Some("none")).model(), ModelChoice::None);
        assert_eq!(
            args(Some("/m")).model(),
            ModelChoice::Required(PathBuf::from("/m"))
        );
        assert_eq!(
            args(None).model(),
            ModelChoice::IfPresent(PathBuf::from(DEFAULT_MODEL_DIR))
        );
        assert_eq!(args(None).threads(3), 3);
        assert_eq!(args(None).threads(0), 1);
    }
}
