//! Why the encoder cannot be loaded. The error names the
//! file and what is wrong with it: the usual cause is a models directory
//! that was never fetched or only half unpacked, and the message must say
//! which file to look at.

use std::path::PathBuf;

/// Why [`Encoder::load`](super::Encoder::load) failed.
#[derive(Debug, thiserror::Error)]
pub enum EncoderError {
    /// A file of the model directory cannot be read (missing, unreadable).
    #[error(
        "cannot read {} ({source}); scripts/fetch-encoder.sh fetches the model",
        path.display()
    )]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file of the model directory was read but is not what the encoder
    /// needs: malformed, another architecture, tensors missing.
    #[error("{}: {reason}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}
