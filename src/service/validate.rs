//! Checks shared by every handler. Each pushes a violation naming the
//! field and goes on, so that a response lists every bad field at once.

use crate::config::Limits;
use crate::deadline::Deadline;
use crate::error::{Error, Violation};
use crate::offsets::OffsetUnit;
use crate::proto::v1 as pb;
use crate::text::language::{LanguageRequest, LanguageSource};
use crate::text::{Document, Language, Lexicon};

/// Texts are limited far below 4 GiB, so every count fits; saturate rather
/// than wrap if a limit is ever raised past that.
pub fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub fn unknown_enum(field: &str, value: i32) -> Violation {
    Violation::new(field, format!("unknown enum value {value}"))
}

/// Checks a document text: present, not blank, within the size limit.
pub fn check_text(field: &str, text: &str, limits: &Limits, violations: &mut Vec<Violation>) {
    if text.len() > limits.max_text_bytes {
        violations.push(Violation::new(
            field,
            format!(
                "is {} bytes, over the limit of {} bytes",
                text.len(),
                limits.max_text_bytes
            ),
        ));
    } else if text.trim().is_empty() {
        violations.push(Violation::new(
            field,
            "must contain text, not only white space",
        ));
    }
}

/// Analyses the request's `text` once, as every single-document call does
/// before its analyses run. An analysis cut short by `deadline` is
/// answered DEADLINE_EXCEEDED (analysing what there is would only keep the
/// core busy for nobody), and a document over the sentence limit is
/// refused as its `text` field.
pub fn analyze_text<'t>(
    text: &'t str,
    language: LanguageRequest,
    limits: &Limits,
    deadline: Deadline,
    lexicon: &mut Lexicon,
) -> Result<Document<'t>, Error> {
    let doc = Document::analyze_with(text, language, lexicon, deadline);
    if deadline.expired() {
        return Err(Error::DeadlineExceeded);
    }
    check_sentence_count("text", &doc, limits)?;
    Ok(doc)
}

/// Checks the number of sentences, which is known only after segmentation.
pub fn check_sentence_count(field: &str, doc: &Document<'_>, limits: &Limits) -> Result<(), Error> {
    if doc.sentences.len() > limits.max_document_sentences {
        return Err(Error::InvalidArgument(vec![Violation::new(
            field,
            format!(
                "has {} sentences, over the limit of {}",
                doc.sentences.len(),
                limits.max_document_sentences
            ),
        )]));
    }
    Ok(())
}

pub fn offset_unit(field: &str, value: i32, violations: &mut Vec<Violation>) -> OffsetUnit {
    match pb::OffsetUnit::try_from(value) {
        Ok(pb::OffsetUnit::Unspecified | pb::OffsetUnit::Utf8Byte) => OffsetUnit::Utf8Byte,
        Ok(pb::OffsetUnit::CodePoint) => OffsetUnit::CodePoint,
        Ok(pb::OffsetUnit::Utf16CodeUnit) => OffsetUnit::Utf16CodeUnit,
        Err(_) => {
            violations.push(unknown_enum(field, value));
            OffsetUnit::Utf8Byte
        }
    }
}

/// An empty code means "detect", with `fallback` where detection is
/// unsure; anything else must be a supported code.
pub fn language(
    field: &str,
    code: &str,
    fallback: Language,
    violations: &mut Vec<Violation>,
) -> LanguageRequest {
    if code.is_empty() {
        return LanguageRequest::Detect { fallback };
    }
    let language = Language::from_code(code);
    if language.is_none() {
        // Echo at most a few characters of what the client sent.
        let shown: String = code.chars().take(16).collect();
        violations.push(Violation::new(
            field,
            format!(
                "`{shown}` is not a supported ISO 639-1 code; supported: {}",
                crate::text::language::supported_codes().join(", ")
            ),
        ));
    }
    LanguageRequest::given_or_detect(language, fallback)
}

/// The proto form of where a document's language came from.
pub fn language_source(source: LanguageSource) -> pb::LanguageSource {
    match source {
        LanguageSource::Requested => pb::LanguageSource::Requested,
        LanguageSource::Detected => pb::LanguageSource::Detected,
        LanguageSource::Default => pb::LanguageSource::Default,
    }
}
