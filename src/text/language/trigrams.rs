//! `whatlang`'s part of detection, for the texts the stopword vote leaves
//! undecided: the languages it knows, which are the supported ones, mapped
//! to ISO 639-1 codes; each with the bit of its stopword list, so that
//! the vote can narrow its candidates to the languages of the stopwords
//! met; and its verdict on a prefix.

use std::sync::OnceLock;

use super::Language;
use super::stopwords::stopword_profiles;

/// Every ISO 639-1 code the service accepts, sorted.
pub fn supported_codes() -> &'static [&'static str] {
    static CODES: OnceLock<Vec<&'static str>> = OnceLock::new();
    CODES.get_or_init(|| {
        let mut codes: Vec<&'static str> = whatlang::Lang::all()
            .iter()
            .filter_map(|lang| iso_639_1(lang.code()))
            .collect();
        codes.sort_unstable();
        codes.dedup();
        codes
    })
}

/// ISO 639-1 code of a whatlang (ISO 639-3) code. whatlang names two
/// languages by individual codes that have no 639-1 code of their own; they
/// map to their macrolanguage's, which is what clients send.
pub(super) fn iso_639_1(iso_639_3: &str) -> Option<&'static str> {
    match iso_639_3 {
        "cmn" => Some("zh"),
        "pes" => Some("fa"),
        code => isolang::Language::from_639_3(code).and_then(|l| l.to_639_1()),
    }
}

/// The [`Language`] of one of `whatlang`'s, if the service supports it.
pub(super) fn whatlang_language(lang: whatlang::Lang) -> Option<Language> {
    iso_639_1(lang.code()).and_then(Language::from_code)
}

/// Every language `whatlang` knows, with the bit of its stopword list in
/// the stopword profiles, `None` if it has none.
pub(super) fn whatlang_candidates() -> &'static [(whatlang::Lang, Option<usize>)] {
    static CANDIDATES: OnceLock<Vec<(whatlang::Lang, Option<usize>)>> = OnceLock::new();
    CANDIDATES.get_or_init(|| {
        let codes = &stopword_profiles().codes;
        whatlang::Lang::all()
            .iter()
            .map(|&lang| {
                let bit = iso_639_1(lang.code()).and_then(|c| codes.iter().position(|&x| x == c));
                (lang, bit)
            })
            .collect()
    })
}
