//! Analyze: several analyses of one document, read once.
//!
//! The request's text, language and offset unit are checked as every
//! handler checks them, and a fault there fails the whole call. Each part
//! is then checked by its own RPC's validation, on the part's own message,
//! and a part that fails (a bad option, an unknown model, an encoder the
//! server does not have) fails alone: its status goes into the response's
//! `errors`, with field violations named from the Analyze request
//! ("classify.model"), and the other parts still answer.
//!
//! The document is analysed once (segmented, tokenized, its language
//! detected) and each part runs on that analysis: that is what makes one
//! Analyze cheaper than the calls it replaces.

use prost::Message;

use super::classify::ClassifyPart;
use super::embed::{EmbedPart, Embedders};
use super::summarize::{DEFAULT_KEYPHRASES, SummarizePart, keyphrases_to_proto};
use super::validate::{analyze_text, check_text, language, language_source, offset_unit, to_u32};
use crate::classify::Input;
use crate::classify::registry::Registry;
use crate::compare::{self, Fingerprint};
use crate::config::Limits;
use crate::deadline::Deadline;
use crate::error::{Error, Violation};
use crate::offsets::{OffsetIndex, OffsetUnit};
use crate::proto::v1 as pb;
use crate::semantic::Embedder;
use crate::summarize::keyphrases;
use crate::text::language::LanguageRequest;
use crate::text::{Document, Language, Lexicon, View};

/// An Analyze request that passed validation: the parts that will run, and
/// the errors of those that will not.
pub struct AnalyzeCall {
    text: String,
    language: LanguageRequest,
    summarize: Option<SummarizePart>,
    classify: Option<ClassifyPart>,
    keyphrases: Option<KeyphrasesPart>,
    signature: Option<SignaturePart>,
    embed: Option<EmbedPart>,
    errors: Vec<pb::AnalyzePartError>,
    /// Take the document's fingerprint for dedup, with furniture when true.
    fingerprint: Option<bool>,
}

/// An Analyze request's answer, and the document's fingerprint when it
/// was asked for (a stream item's dedup).
pub struct Analyzed {
    pub response: pb::AnalyzeResponse,
    pub fingerprint: Option<Fingerprint>,
}

/// How many key phrases, and whether furniture counts.
struct KeyphrasesPart {
    limit: usize,
    keep_boilerplate: bool,
    offset_unit: OffsetUnit,
}

/// Whether furniture is sketched.
struct SignaturePart {
    keep_boilerplate: bool,
}

/// What the parts are checked against: the server's state.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub limits: &'a Limits,
    pub default_language: Language,
    pub models: &'a Registry,
    pub embedders: Embedders<'a>,
}

impl AnalyzeCall {
    /// Checks the request's own fields (a fault fails the call), then each
    /// part (a fault fails the part). `parts_optional` lets a request ask
    /// for no part at all, as a stream item that only asks for dedup may.
    pub fn validate(
        mut request: pb::AnalyzeRequest,
        context: Context<'_>,
        parts_optional: bool,
    ) -> Result<Self, Error> {
        let limits = context.limits;
        let mut violations = Vec::new();
        check_text("text", &request.text, limits, &mut violations);
        let unit = offset_unit("offset_unit", request.offset_unit, &mut violations);
        let language = language(
            "language",
            &request.language,
            context.default_language,
            &mut violations,
        );
        let asked = request.summarize.is_some()
            || request.classify.is_some()
            || request.keyphrases.is_some()
            || request.signature.is_some()
            || request.embed.is_some();
        if !asked && !parts_optional {
            violations.push(Violation::new(
                "summarize",
                "ask for at least one part: summarize, classify, keyphrases, signature or embed",
            ));
        }
        if !violations.is_empty() {
            return Err(Error::InvalidArgument(violations));
        }
        let text = std::mem::take(&mut request.text);
        let shared = Shared {
            language: &request.language,
            offset_unit: request.offset_unit,
        };
        let mut errors = Vec::new();
        let summarize = request.summarize.map(|r| {
            let v = shared.check(&r.text, &r.language, r.offset_unit);
            let embedder = context.embedders.transformer;
            checked(
                &mut errors,
                pb::AnalyzePart::Summarize,
                SummarizePart::validate(r, &text, unit, limits, embedder, v),
            )
        });
        let classify = request.classify.map(|r| {
            // Classify's answers carry no offsets: its unit is not checked.
            let v = shared.check(&r.text, &r.language, 0);
            checked(
                &mut errors,
                pb::AnalyzePart::Classify,
                ClassifyPart::validate(r, &text, limits, context.models, v),
            )
        });
        let keyphrases = request.keyphrases.map(|r| {
            checked(
                &mut errors,
                pb::AnalyzePart::Keyphrases,
                KeyphrasesPart::validate(&r, unit, limits),
            )
        });
        let signature = request.signature.map(|r| SignaturePart {
            keep_boilerplate: r.keep_boilerplate,
        });
        let embed = request.embed.map(|r| {
            let v = shared.check(&r.text, &r.language, r.offset_unit);
            checked(
                &mut errors,
                pb::AnalyzePart::Embed,
                EmbedPart::validate(&r, &text, unit, limits, context.embedders, v),
            )
        });
        Ok(Self {
            text,
            language,
            summarize: summarize.flatten(),
            classify: classify.flatten(),
            keyphrases: keyphrases.flatten(),
            signature,
            embed: embed.flatten(),
            errors,
            fingerprint: None,
        })
    }

    /// The call, also taking the document's fingerprint (with furniture
    /// when `keep_boilerplate`).
    pub fn with_fingerprint(self, keep_boilerplate: bool) -> Self {
        Self {
            fingerprint: Some(keep_boilerplate),
            ..self
        }
    }

    /// The text's length in bytes.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Analyses the text once and runs each part on it. Only a passed
    /// deadline or a text over the sentence limit fails the whole call;
    /// anything else fails its part.
    pub fn run(
        self,
        server: Server<'_>,
        deadline: Deadline,
        lexicon: &mut Lexicon,
    ) -> Result<Analyzed, Error> {
        let doc = analyze_text(&self.text, self.language, server.limits, deadline, lexicon)?;
        let mut errors = self.errors;
        let summarize = match &self.summarize {
            Some(part) => outcome(&mut errors, pb::AnalyzePart::Summarize, part.run(&doc))?,
            None => None,
        };
        let classify = match &self.classify {
            Some(part) => {
                let result = part.run(
                    Input::Document(&doc),
                    self.language,
                    (server.models, server.embedder),
                    server.limits,
                    deadline,
                    lexicon,
                );
                outcome(&mut errors, pb::AnalyzePart::Classify, result)?
            }
            None => None,
        };
        let keyphrases = self.keyphrases.as_ref().map(|part| part.run(&doc));
        let signature = self
            .signature
            .as_ref()
            .map(|part| signature(&doc, part.keep_boilerplate));
        let embed = match &self.embed {
            Some(part) => outcome(&mut errors, pb::AnalyzePart::Embed, part.run(&doc))?,
            None => None,
        };
        let fingerprint = self
            .fingerprint
            .map(|keep_boilerplate| compare::fingerprint(&doc, keep_boilerplate));
        let response = pb::AnalyzeResponse {
            language: doc.language.code().to_owned(),
            language_source: language_source(doc.language_source).into(),
            summarize,
            classify,
            keyphrases,
            signature,
            embed,
            errors,
        };
        Ok(Analyzed {
            response,
            fingerprint,
        })
    }
}

/// What an analysis of a call needs from the server.
#[derive(Clone, Copy)]
pub struct Server<'a> {
    pub limits: &'a Limits,
    pub models: &'a Registry,
    pub embedder: Option<&'a dyn Embedder>,
}

/// The request's language and offset unit, which a part's own fields may
/// repeat but not contradict.
struct Shared<'a> {
    language: &'a str,
    offset_unit: i32,
}

impl Shared<'_> {
    /// Violations of a part's text, language and offset unit (named
    /// without the part's prefix, which [`in_part`] adds).
    fn check(&self, text: &str, language: &str, unit: i32) -> Vec<Violation> {
        let mut violations = Vec::new();
        if !text.is_empty() {
            violations.push(Violation::new(
                "text",
                "must be empty: the document is the Analyze request's text",
            ));
        }
        if !language.is_empty() && language != self.language {
            violations.push(Violation::new(
                "language",
                "must be empty or the Analyze request's language",
            ));
        }
        if unit != 0 && unit != self.offset_unit {
            violations.push(Violation::new(
                "offset_unit",
                "must be unspecified or the Analyze request's offset_unit",
            ));
        }
        violations
    }
}

impl KeyphrasesPart {
    fn validate(
        request: &pb::KeyphrasesRequest,
        offset_unit: OffsetUnit,
        limits: &Limits,
    ) -> Result<Self, Error> {
        let limit = match request.max_keyphrases as usize {
            0 => DEFAULT_KEYPHRASES.min(limits.max_keyphrases),
            n if n > limits.max_keyphrases => {
                return Err(Error::InvalidArgument(vec![Violation::new(
                    "max_keyphrases",
                    format!("must be at most {}", limits.max_keyphrases),
                )]));
            }
            n => n,
        };
        Ok(Self {
            limit,
            keep_boilerplate: request.keep_boilerplate,
            offset_unit,
        })
    }

    fn run(&self, doc: &Document<'_>) -> pb::KeyphrasesResponse {
        let found = keyphrases::extract(&View::new(doc, self.keep_boilerplate), self.limit);
        let mut starts: Vec<usize> = found
            .iter()
            .flat_map(|k| k.occurrences.iter().map(|o| o.start))
            .collect();
        starts.sort_unstable();
        let offsets = OffsetIndex::new(doc.text, self.offset_unit, starts);
        pb::KeyphrasesResponse {
            keyphrases: keyphrases_to_proto(doc.text, &found, &offsets),
        }
    }
}

/// The MinHash signature of `doc`, as Compare sketches it.
fn signature(doc: &Document<'_>, keep_boilerplate: bool) -> pb::MinHashSignature {
    let s = compare::fingerprint(doc, keep_boilerplate).into_signature();
    pb::MinHashSignature {
        values: s.values,
        seed: s.seed,
        shingle_size: to_u32(s.shingle_size),
        shingle_count: to_u32(s.shingle_count),
    }
}

/// A part's validation: the part, or none with its error noted (field
/// violations named from the Analyze request).
fn checked<T>(
    errors: &mut Vec<pb::AnalyzePartError>,
    part: pb::AnalyzePart,
    validation: Result<T, Error>,
) -> Option<T> {
    validation
        .map_err(|e| errors.push(part_error(part, in_part(part, e))))
        .ok()
}

/// A part's answer, or none with its error noted; a passed deadline fails
/// the whole call, whose answer nobody waits for any more.
fn outcome<T>(
    errors: &mut Vec<pb::AnalyzePartError>,
    part: pb::AnalyzePart,
    result: Result<T, Error>,
) -> Result<Option<T>, Error> {
    match result {
        Err(Error::DeadlineExceeded) => Err(Error::DeadlineExceeded),
        Err(e) => {
            errors.push(part_error(part, e));
            Ok(None)
        }
        Ok(answer) => Ok(Some(answer)),
    }
}

/// `error` with its field violations named from the Analyze request: the
/// part's own fields under the part's name.
fn in_part(part: pb::AnalyzePart, error: Error) -> Error {
    let part = match part {
        pb::AnalyzePart::Unspecified => "",
        pb::AnalyzePart::Summarize => "summarize",
        pb::AnalyzePart::Classify => "classify",
        pb::AnalyzePart::Keyphrases => "keyphrases",
        pb::AnalyzePart::Signature => "signature",
        pb::AnalyzePart::Embed => "embed",
    };
    match error {
        Error::InvalidArgument(violations) => Error::InvalidArgument(
            violations
                .into_iter()
                .map(|v| Violation::new(format!("{part}.{}", v.field), v.description))
                .collect(),
        ),
        other => other,
    }
}

fn part_error(part: pb::AnalyzePart, error: Error) -> pb::AnalyzePartError {
    pb::AnalyzePartError {
        part: part.into(),
        status: Some(rpc_status(tonic::Status::from(error))),
    }
}

/// The `google.rpc.Status` message of `status`, with its details (field
/// violations, retry hints) when it has some.
pub fn rpc_status(status: tonic::Status) -> tonic_types::pb::Status {
    tonic_types::pb::Status::decode(status.details())
        .ok()
        .filter(|s| s.code == status.code() as i32)
        .unwrap_or_else(|| tonic_types::pb::Status {
            code: status.code() as i32,
            message: status.message().to_owned(),
            details: Vec::new(),
        })
}
