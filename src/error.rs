//! The service's errors and their one mapping to gRPC statuses.
//!
//! Handlers validate first and report every bad field at once; the core
//! never fails on valid input. Each error kind maps to exactly one code here,
//! so a client's mistake can never surface as `INTERNAL`.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, FieldViolation};

/// The retry delay an overloaded server suggests (`google.rpc.RetryInfo`):
/// a news-sized analysis takes about a millisecond, so the queue has moved
/// on well before this.
pub const RETRY_AFTER: std::time::Duration = std::time::Duration::from_millis(50);

/// How the message of every INTERNAL status of ours begins, which tells
/// them from the INTERNAL tonic answers for a request it cannot decode
/// (see `crate::server`'s edge layer).
pub const INTERNAL_MESSAGE_PREFIX: &str = "internal error: ";

/// An error a request can end with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The request is malformed; one violation per bad field.
    #[error("invalid request: {}", describe(.0))]
    InvalidArgument(Vec<Violation>),
    /// A named thing (a model) does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// Every analysis slot is busy and the queue is full: try again later.
    #[error(
        "server busy: {in_flight} analyses running and {queued} waiting; retry after a short backoff"
    )]
    Overloaded {
        /// Analyses running (the limit).
        in_flight: usize,
        /// Requests waiting (the queue's limit).
        queued: usize,
    },
    /// The caller holds more than its share of the analysis slots while
    /// other callers wait (its request gave its slot to one of theirs), or
    /// holds its `--caller-max-slots`: try again later.
    #[error(
        "server busy: this caller holds its share of the analysis slots (its fair share while other callers wait, or its --caller-max-slots); retry after a short backoff"
    )]
    OverShare,
    /// The request's deadline (its `grpc-timeout`, or the server's
    /// `--request-timeout`) passed before its answer was ready: while its
    /// body was read, while it waited, or while it was analysed (the
    /// analysis was stopped).
    #[error(
        "deadline exceeded: no answer within the call's deadline (its grpc-timeout or the server's --request-timeout); any analysis was stopped"
    )]
    DeadlineExceeded,
    /// The call needs the sentence encoder and the server runs without it.
    #[error(
        "{0} needs the sentence encoder, and this server runs in lexical mode: fetch the model with scripts/fetch-encoder.sh and start the server with --semantic-model DIR (TEXTANALYSIS_SEMANTIC_MODEL)"
    )]
    EncoderMissing(String),
    /// Embed asked for the static table and the server has none.
    #[error(
        "Embed with EMBEDDING_MODEL_STATIC needs the static table distilled from the sentence encoder, and this server has none: write it with `textanalysis distill-static --semantic-model DIR` (static.safetensors beside the encoder's model) and restart the server, or ask for EMBEDDING_MODEL_TRANSFORMER"
    )]
    StaticTableMissing,
    /// A bug on the server's side (a panicked analysis task).
    #[error("internal error: {0}")]
    Internal(String),
}

/// One bad field of a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// The field's name as in the proto (`text`, `ratio`).
    pub field: String,
    /// What is wrong with it, and what is accepted.
    pub description: String,
}

impl Violation {
    /// A violation of `field`.
    pub fn new(field: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            description: description.into(),
        }
    }
}

fn describe(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(|v| format!("{}: {}", v.field, v.description))
        .collect::<Vec<_>>()
        .join("; ")
}

impl From<Error> for Status {
    fn from(error: Error) -> Self {
        let message = error.to_string();
        match error {
            Error::InvalidArgument(violations) => {
                let details = ErrorDetails::with_bad_request(
                    violations
                        .into_iter()
                        .map(|v| FieldViolation::new(v.field, v.description))
                        .collect::<Vec<_>>(),
                );
                use tonic_types::StatusExt;
                Status::with_error_details(Code::InvalidArgument, message, details)
            }
            Error::NotFound(_) => Status::not_found(message),
            Error::Overloaded { .. } | Error::OverShare => {
                let details = ErrorDetails::with_retry_info(Some(RETRY_AFTER));
                use tonic_types::StatusExt;
                Status::with_error_details(Code::ResourceExhausted, message, details)
            }
            Error::DeadlineExceeded => Status::deadline_exceeded(message),
            Error::EncoderMissing(_) | Error::StaticTableMissing => {
                Status::failed_precondition(message)
            }
            Error::Internal(_) => Status::internal(message),
        }
    }
}

/// A deadline that passed while embedding is the request's; anything else
/// the encoder reports is a fault of the server's, not of the text.
impl From<crate::semantic::EmbedError> for Error {
    fn from(error: crate::semantic::EmbedError) -> Self {
        match error {
            crate::semantic::EmbedError::DeadlineExceeded => Error::DeadlineExceeded,
            other => Error::Internal(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic_types::StatusExt;

    #[test]
    fn invalid_argument_carries_field_violations() {
        let status = Status::from(Error::InvalidArgument(vec![
            Violation::new("text", "must not be empty"),
            Violation::new("ratio", "must be in (0, 1]"),
        ]));
        assert_eq!(status.code(), Code::InvalidArgument);
        let details = status.get_error_details();
        let bad = details.bad_request().expect("bad request details");
        let fields: Vec<_> = bad
            .field_violations
            .iter()
            .map(|v| v.field.as_str())
            .collect();
        assert_eq!(fields, ["text", "ratio"]);
        assert!(status.message().contains("text: must not be empty"));
    }

    #[test]
    fn internal_messages_carry_the_prefix() {
        let status = Status::from(Error::Internal("a bug".into()));
        assert_eq!(status.code(), Code::Internal);
        assert!(status.message().starts_with(INTERNAL_MESSAGE_PREFIX));
    }

    #[test]
    fn not_found_maps_to_not_found() {
        let status = Status::from(Error::NotFound("no model named `x`".into()));
        assert_eq!(status.code(), Code::NotFound);
    }

    #[test]
    fn a_missing_encoder_is_a_failed_precondition_naming_the_flag() {
        let status = Status::from(Error::EncoderMissing("Embed".into()));
        assert_eq!(status.code(), Code::FailedPrecondition);
        assert!(
            status
                .message()
                .starts_with("Embed needs the sentence encoder")
        );
        assert!(status.message().contains("--semantic-model"));
        assert!(status.message().contains("scripts/fetch-encoder.sh"));
    }
}
