//! The stopword vote: the count, over the words of a detection prefix, of
//! the languages whose stopwords they are, and the rules that decide a
//! language from it (on raw counts, by a landslide, or on the stopwords
//! only one of two languages lists), falling back on `whatlang` where they
//! do not (see the module documentation of [`language`](super)).
//! [`StopwordVote`] is the count itself; [`PrefixVote`] feeds it a text's
//! words as a caller that looks them up in the lexicon anyway meets them.

use super::stopwords::{StopwordLanguages, stopword_languages, stopword_profiles};
use super::trigrams::{iso_639_1, whatlang_candidates, whatlang_language};
use super::{Language, LanguageChoice, LanguageSource, prefix, tokenize};

/// Fewest words of the prefix for the stopword path to decide.
const STOPWORD_MIN_WORDS: usize = 20;

/// Least share of the prefix's words that must be the winner's stopwords.
const STOPWORD_MIN_SHARE: f64 = 0.2;

/// How many times the runner-up's count the winner's must be.
const STOPWORD_MARGIN: u32 = 2;

/// Every this many words, detection stops early when the leader has won
/// by a landslide: at least [`STOPWORD_LANDSLIDE_SHARE`] of the words and
/// [`STOPWORD_LANDSLIDE_MARGIN`] times the runner-up's count, far beyond
/// the rule for the whole prefix. English news mostly decides after the
/// first of these steps rather than at the end of the prefix.
const STOPWORD_LANDSLIDE_WORDS: usize = 64;

/// Least share of the words for an early decision.
const STOPWORD_LANDSLIDE_SHARE: f64 = 0.3;

/// How many times the runner-up's count the leader's must be for an early
/// decision.
const STOPWORD_LANDSLIDE_MARGIN: u32 = 4;

/// Fewest words of the prefix for the rule on own words
/// ([`winner_by_own_words`]), which decides where the rule on raw counts
/// does not.
const EXCLUSIVE_MIN_WORDS: usize = 10;

/// Least share of the prefix's words that must be the winner's stopwords
/// under the rule on own words.
const EXCLUSIVE_MIN_SHARE: f64 = 0.15;

/// Fewest stopwords the winner must have that another matched language
/// does not list.
const EXCLUSIVE_MIN_OWN: u32 = 3;

/// How many times the other language's own words the winner's own words
/// must be.
const EXCLUSIVE_MARGIN: u32 = 3;

/// How many leaders by raw count the rule on own words tries.
const EXCLUSIVE_CANDIDATES: usize = 3;

/// Fewest stopwords of its own, that the fallback does not list, for
/// another language than `whatlang`'s guess to override the fallback on a
/// text detection is unsure of: the longer lists of `stop-words` hold
/// words such as "local" (Portuguese) or "rare" (French), so one alone is
/// no evidence.
const AGAINST_MIN_OWN: usize = 2;

/// The language whose stopwords clearly dominate `words`, if one does (see
/// the module documentation): the stopword path alone, which the tests
/// check against `whatlang`.
#[cfg(test)]
pub(super) fn detect_by_stopwords<'t>(words: impl Iterator<Item = &'t str>) -> Option<Language> {
    StopwordVote::of_words(words).result()
}

/// The count of stopwords by language over the words of a detection
/// prefix, fed one word at a time (see the module documentation): it may
/// decide early, by a landslide, and otherwise decides (or not) at the end.
pub struct StopwordVote {
    /// Stopwords met by language (bits of a mask: at most 64 languages),
    /// on the stack: a vote runs for every text, and should not cost one
    /// of its allocations.
    hits: [u32; 64],
    /// The languages of each stopword of two letters or more met, for the
    /// rule on own words.
    masks: Vec<u64>,
    count: usize,
    landslide: Option<usize>,
}

impl StopwordVote {
    /// A vote over no word yet.
    pub fn new() -> Self {
        Self {
            hits: [0; 64],
            masks: Vec::with_capacity(STOPWORD_LANDSLIDE_WORDS),
            count: 0,
            landslide: None,
        }
    }

    /// The vote over `words` as they appear in a text, each folded here and
    /// looked up among the stopwords (for callers that do not look the
    /// words up in a lexicon anyway); it stops at a landslide.
    pub fn of_words<'t>(words: impl IntoIterator<Item = &'t str>) -> Self {
        let mut vote = Self::new();
        let mut folded = String::with_capacity(32);
        for word in words {
            tokenize::fold_into(word, &mut folded);
            if vote.add(stopword_languages(&folded)) {
                break;
            }
        }
        vote
    }

    /// Counts one more word; true once the vote is decided by a landslide,
    /// after which further words change nothing.
    pub fn add(&mut self, word: StopwordLanguages) -> bool {
        if self.landslide.is_some() {
            return true;
        }
        self.count += 1;
        if word.mask != 0 {
            if word.long {
                self.masks.push(word.mask);
            }
            count_languages(&mut self.hits, word.mask);
        }
        if self.count.is_multiple_of(STOPWORD_LANDSLIDE_WORDS) {
            let (winner, best, runner_up) = leader(&self.hits);
            if f64::from(best) >= STOPWORD_LANDSLIDE_SHARE * self.count as f64
                && best >= STOPWORD_LANDSLIDE_MARGIN * runner_up
            {
                self.landslide = Some(winner);
            }
        }
        self.landslide.is_some()
    }

    /// The language the stopwords decide, if they do.
    pub fn result(&self) -> Option<Language> {
        let codes = &stopword_profiles().codes;
        if let Some(winner) = self.landslide {
            return Some(Language::for_supported(codes[winner]));
        }
        let (winner, best, runner_up) = leader(&self.hits);
        let decisive = self.count >= STOPWORD_MIN_WORDS
            && best > 0
            && f64::from(best) >= STOPWORD_MIN_SHARE * self.count as f64
            && best >= STOPWORD_MARGIN * runner_up;
        if decisive {
            return Some(Language::for_supported(codes[winner]));
        }
        winner_by_own_words(codes.len(), &self.masks, self.count)
            .map(|i| Language::for_supported(codes[i]))
    }

    /// The language of the text whose detection prefix ([`prefix`]) the
    /// vote counted the words of: the stopwords' verdict, else `whatlang`'s
    /// on the prefix where it calls it reliable, else `fallback` unless the
    /// text speaks against it (see [`StopwordVote::against`]).
    ///
    /// Where the stopwords do not decide but some were met (a headline
    /// and a sentence: "for", "after"), `whatlang` chooses among the
    /// languages that list one of them and the languages it knows that
    /// have no stopword list here (Welsh, Bokmål, Serbian...), not among
    /// all of its languages: a text in a language with a list has its
    /// stopwords. `whatlang` compares the text's trigrams with every
    /// candidate's profile, so fewer candidates cost less, and on the
    /// texts that reach it it costs more than the rest of their
    /// classification.
    pub fn decide(&self, prefix: &str, fallback: Language) -> LanguageChoice {
        let detected = |language| LanguageChoice {
            language,
            source: LanguageSource::Detected,
        };
        if let Some(language) = self.result() {
            return detected(language);
        }
        let candidates = self.whatlang_candidates();
        let narrowed = candidates.is_some();
        let detector = match candidates {
            Some(candidates) => whatlang::Detector::with_allowlist(candidates),
            None => whatlang::Detector::new(),
        };
        let info = detector.detect(prefix);
        let guess = info
            .as_ref()
            .and_then(|info| whatlang_language(info.lang()));
        let language = match (info, guess) {
            (Some(info), Some(guess)) if info.is_reliable() => Some(guess),
            (Some(info), Some(guess)) if !written_in(fallback, info.script()) => Some(guess),
            // Narrowed to the languages of the stopwords met, an unsure
            // guess only echoes them: one stray stopword ("local") would
            // then confirm itself. Among all languages it does not; that
            // second look costs as much as the first, so it is taken only
            // when one stopword is all there is to go on.
            _ if narrowed => self.against(fallback, guess, || {
                whatlang::Detector::new()
                    .detect_lang(prefix)
                    .and_then(whatlang_language)
            }),
            _ => self.against(fallback, guess, || guess),
        };
        match language {
            Some(language) => detected(language),
            None => LanguageChoice {
                language: fallback,
                source: LanguageSource::Default,
            },
        }
    }

    /// The language whose stopwords speak against `fallback` in a text the
    /// vote could not decide and `whatlang` reads unreliably (as `guess`):
    /// the one with the most stopwords (of two letters or more) that
    /// `fallback` does not list, ties going to `guess`, if it has more of
    /// them than the text has of `fallback`'s own against it, and at least
    /// [`AGAINST_MIN_OWN`] of them, or one where `whatlang`, asked among all
    /// its languages (`open_guess`), picks it too. One word of the
    /// fallback's own ("my" in "I forgot my password") outweighs
    /// `whatlang`'s trigrams on a few words, which are noise; a short
    /// Spanish text ("en", "mi") keeps its language even when `whatlang`
    /// guesses Portuguese.
    fn against(
        &self,
        fallback: Language,
        guess: Option<Language>,
        open_guess: impl FnOnce() -> Option<Language>,
    ) -> Option<Language> {
        let codes = &stopword_profiles().codes;
        let bit = |language: Language| codes.iter().position(|&code| code == language.code());
        let fallback_mask = bit(fallback).map_or(0, |b| 1u64 << b);
        // Each language's stopwords that the fallback does not list: the
        // words the fallback lists count for no language.
        let mut counts = vec![0u32; codes.len()];
        for &mask in self.masks.iter().filter(|&&m| m & fallback_mask == 0) {
            count_languages(&mut counts, mask);
        }
        let most = counts.iter().copied().max().filter(|&n| n > 0)?;
        let leaders = || (0..codes.len()).filter(|&l| counts[l] == most);
        let best = if most as usize >= AGAINST_MIN_OWN {
            let guess = guess.and_then(bit);
            leaders()
                .find(|&l| Some(l) == guess)
                .or_else(|| leaders().next())?
        } else {
            let open = open_guess().and_then(bit)?;
            leaders().find(|&l| l == open)?
        };
        // The fallback's own words against the winner's.
        let theirs = self
            .masks
            .iter()
            .filter(|&&m| m & fallback_mask != 0 && m & (1 << best) == 0)
            .count();
        (most as usize > theirs).then(|| Language::for_supported(codes[best]))
    }
}

/// Whether `language` is written in `script`.
fn written_in(language: Language, script: whatlang::Script) -> bool {
    script
        .langs()
        .iter()
        .any(|lang| iso_639_1(lang.code()) == Some(language.code()))
}

impl StopwordVote {
    /// The languages `whatlang` may choose among (see
    /// [`StopwordVote::decide`]): `None`, all of them, when no stopword was
    /// met.
    pub(super) fn whatlang_candidates(&self) -> Option<Vec<whatlang::Lang>> {
        self.hits.iter().any(|&h| h > 0).then(|| {
            whatlang_candidates()
                .iter()
                .filter(|(_, bit)| bit.is_none_or(|b| self.hits[b] > 0))
                .map(|&(lang, _)| lang)
                .collect()
        })
    }
}

impl Default for StopwordVote {
    fn default() -> Self {
        Self::new()
    }
}

/// Detection while a caller looks a text's words up anyway, in the lexicon
/// of the language it guesses: the [`StopwordVote`] over the words that end
/// within the text's detection [`prefix`], fed each word's
/// [`StopwordLanguages`] as the lexicon knows them, and its verdict once it
/// has one, the one [`Language::detect_with_words`] gives on the same words.
pub struct PrefixVote<'t> {
    prefix: &'t str,
    fallback: Language,
    vote: StopwordVote,
    decided: Option<LanguageChoice>,
}

impl<'t> PrefixVote<'t> {
    /// A vote on the language of `text`, `fallback` where it is unsure.
    pub fn new(text: &'t str, fallback: Language) -> Self {
        Self {
            prefix: prefix(text),
            fallback,
            vote: StopwordVote::new(),
            decided: None,
        }
    }

    /// Counts the word that ends at byte `end` of the text; the language
    /// at the word where the vote decides (by a landslide, or at the first
    /// word past the prefix), `None` before and after it, so that a caller
    /// compares languages (their codes) once a text, not once a word.
    #[inline]
    pub fn add(&mut self, end: usize, stopwords: StopwordLanguages) -> Option<Language> {
        if self.decided.is_some() || (end <= self.prefix.len() && !self.vote.add(stopwords)) {
            return None;
        }
        let choice = self.vote.decide(self.prefix, self.fallback);
        self.decided = Some(choice);
        Some(choice.language)
    }

    /// The language decided, deciding now if the text ended within the
    /// prefix.
    pub fn finish(&mut self) -> LanguageChoice {
        *self
            .decided
            .get_or_insert_with(|| self.vote.decide(self.prefix, self.fallback))
    }
}

/// The language that the stopwords only it has, of all the languages
/// matched, single out (see [`EXCLUSIVE_MIN_WORDS`]), if one does: for
/// each of the leaders by raw count in turn, every other matched language
/// is compared with it on the words one of the two lists has and the other
/// has not.
///
/// Short words such as "a", "in", "to" and "de" are stopwords of a dozen
/// languages, so in a short text (a headline and a sentence) the raw
/// counts of English and, say, Slovenian or Spanish are close, and the
/// rule on raw counts leaves the text to `whatlang`, which then costs more
/// than all the rest of its classification (and on such short texts is
/// wrong on some English ones). The words only one of two languages lists
/// ("the", "of", "and" against "el", "los", "y") tell them apart.
fn winner_by_own_words(languages: usize, masks: &[u64], count: usize) -> Option<usize> {
    if count < EXCLUSIVE_MIN_WORDS {
        return None;
    }
    let mut hits = vec![0u32; languages];
    for &mask in masks {
        count_languages(&mut hits, mask);
    }
    let mut leaders: Vec<usize> = (0..hits.len()).filter(|&i| hits[i] > 0).collect();
    leaders.sort_unstable_by_key(|&i| std::cmp::Reverse(hits[i]));
    leaders.truncate(EXCLUSIVE_CANDIDATES);
    leaders.into_iter().find(|&x| {
        if f64::from(hits[x]) < EXCLUSIVE_MIN_SHARE * count as f64 {
            return false;
        }
        // Words of both x's list and language l's.
        let mut shared = [0u32; u64::BITS as usize];
        for &mask in masks.iter().filter(|&&m| m & (1 << x) != 0) {
            count_languages(&mut shared, mask & !(1 << x));
        }
        (0..hits.len()).all(|l| {
            let own = hits[x] - shared[l];
            let theirs = hits[l] - shared[l];
            l == x || hits[l] == 0 || (own >= EXCLUSIVE_MIN_OWN && own >= EXCLUSIVE_MARGIN * theirs)
        })
    })
}

/// Adds one to the count of every language in `mask` (bit `i`: language
/// `i`).
fn count_languages(counts: &mut [u32], mut mask: u64) {
    while mask != 0 {
        counts[mask.trailing_zeros() as usize] += 1;
        mask &= mask - 1;
    }
}

/// The index with the most hits, its count and the runner-up's count.
fn leader(hits: &[u32]) -> (usize, u32, u32) {
    let (mut winner, mut best, mut runner_up) = (0, 0, 0);
    for (i, &h) in hits.iter().enumerate() {
        if h > best {
            (winner, best, runner_up) = (i, h, best);
        } else if h > runner_up {
            runner_up = h;
        }
    }
    (winner, best, runner_up)
}
