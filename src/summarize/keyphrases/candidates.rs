//! The candidate phrases of a view's sentences: names and noun phrases, each
//! a whole unit, with every place they occur.
//!
//! # Names
//!
//! A name is a run of capitalised words the document writes together
//! ("Bayern Munich", "Islamic State", "Robin van Persie"): words joined by
//! white space or a hyphen, each capitalised or an acronym, with
//! [`CONNECTORS`] allowed inside ("Bank of England") and [`PARTICLES`] also
//! at the start ("van Gaal", "al-Qaeda"). A word that opens its sentence (or
//! a quotation) is capitalised by position, not because it is a name: it
//! takes part in one when the document also writes it capitalised
//! elsewhere ("Bayern" opening a sentence), or when a name follows it and
//! the document never writes it in lowercase ("Sebastian Rode scored",
//! "Coach Carlo Marino"; not "Police said", nor "Former Liverpool striker"
//! where "former" is a stopword). Courtesy titles ("Mr", "Dr") are left out
//! of the name they precede. A possessive
//! ends a name, without its "'s" ("Alliance Defending Freedom's Kristen
//! Waggoner" holds two). A name is one candidate, never cut into pieces: a
//! piece of it is a candidate only where the document writes it alone.
//!
//! # Noun phrases
//!
//! Without a part-of-speech tagger, as in RAKE (Rose et al. 2010), the
//! document's stopwords and punctuation cut what is left of each sentence
//! into runs of content words ("unity government", "gas field"), so that no
//! phrase starts or ends with a stopword, in every language with a stopword
//! list. Every sequence of one to [`MAX_PHRASE_WORDS`] words of a run is a
//! candidate, and scoring chooses among them.
//!
//! Candidates are keyed by their terms (stemmed, case-folded), so "militia"
//! and "Militias" are one phrase. Stopwords inside names ("State", "of")
//! have ids of their own above the vocabulary's.

use std::ops::Range;

use foldhash::HashMap;

use crate::text::{TermId, View, tokenize};

/// Longest noun phrase, in words.
pub const MAX_PHRASE_WORDS: usize = 3;

/// Longest name, in words: longer runs of capitals are titles or headlines
/// written in title case, not names, and give no candidate.
pub const MAX_NAME_WORDS: usize = 6;

/// Words that join the parts of a name ("Bank of England", "Banque de
/// France", "Robin van Persie"), lowercase or not.
pub(super) const CONNECTORS: &[&str] = &[
    "of", "de", "du", "des", "del", "della", "di", "da", "do", "dos", "das", "van", "von", "der",
    "den", "ter", "la", "le", "al", "el", "bin", "ibn", "ben", "abu", "y",
];

/// Longest [`CONNECTORS`] and [`HONORIFICS`] word, in bytes, with room for
/// a trailing full stop.
pub(super) const MAX_SHORT_WORD_BYTES: usize = 6;

/// Connectors that may also start a name in lowercase ("van Gaal",
/// "al-Qaeda"); the others are a preposition or article of some language
/// ("de Paris", "la France"), and start a name only when capitalised.
const PARTICLES: &[&str] = &["van", "von", "al", "bin", "ibn", "abu"];

/// Courtesy titles: "Mr Docherty" is the name "Docherty", written as
/// "John Docherty" before. Other titles ("Lord", "President") are part of
/// how names are written, and stay.
pub(super) const HONORIFICS: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "mme", "mlle", "herr", "frau", "sr", "sra",
];

/// Words that are never part of a name even when capitalised ("The", "In").
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "nor", "in", "on", "at", "to", "for", "by", "with",
    "from", "as", "into", "about", "after", "before", "over", "under", "he", "she", "it", "they",
    "we", "i", "you", "his", "her", "its", "their", "our", "my", "your", "this", "that", "these",
    "those", "there", "here", "is", "was", "are", "were", "be", "been", "has", "have", "had", "do",
    "does", "did", "not", "no", "so", "if", "when", "while", "who", "what", "which", "where",
    "why", "how", "all", "some", "any",
];

/// A phrase's terms: the number of words and the term ids.
pub type Key = (u8, [TermId; MAX_NAME_WORDS]);

/// The words of a key.
pub fn terms(key: &Key) -> &[TermId] {
    &key.1[..key.0 as usize]
}

/// One place a candidate occurs.
#[derive(Debug, Clone)]
pub struct Occurrence {
    /// Index into [`Candidates::keys`].
    pub candidate: usize,
    /// Byte range in the document's text.
    pub span: Range<usize>,
    /// Index of its sentence in the view.
    pub sentence: usize,
    /// Whether it is a whole name (a run of capitals), not a noun phrase.
    pub name: bool,
}

/// How a term is used in the document.
#[derive(Debug, Clone, Copy, Default)]
pub struct TermStats {
    /// Occurrences in runs.
    pub tf: usize,
    /// Occurrences written capitalised other than where a sentence or a
    /// quotation opens: names and acronyms.
    pub named: usize,
    /// Occurrences that do not start with a capital.
    pub lower: usize,
}

/// Every candidate of a view, in document order.
#[derive(Debug, Default)]
pub struct Candidates {
    /// Each candidate's terms.
    pub keys: Vec<Key>,
    /// Candidate index by key.
    index: HashMap<Key, usize>,
    /// Every occurrence, in document order.
    pub occurrences: Vec<Occurrence>,
    /// How each term is used, by term id (the vocabulary's ids, then the
    /// stopwords' that may be part of names).
    pub stats: Vec<TermStats>,
}

/// A word of a sentence, as candidates see it.
#[derive(Debug, Clone)]
struct Word {
    /// Byte range, without a possessive "'s".
    span: Range<usize>,
    /// Its term: a content word's, or an id of its own for a stopword that
    /// may be part of a name (capitalised, or a connector).
    term: Option<TermId>,
    /// Whether it is a content word (not a stopword).
    content: bool,
    capitalised: bool,
    acronym: bool,
    /// Only white space or a hyphen separates it from the word before.
    joined: bool,
    /// It opens its sentence or a quotation.
    opens: bool,
    /// It ends with a possessive "'s".
    possessive: bool,
    connector: bool,
    particle: bool,
    /// "Mr", "Dr": a courtesy title, never part of the name it precedes.
    honorific: bool,
}

impl Candidates {
    /// The candidates of the sentences of `view`.
    pub fn of(view: &View<'_, '_>) -> Self {
        // Most words start a candidate or three: sized once, the key index
        // is not rehashed as it grows.
        let words_read = view.sentences.iter().map(|s| s.words.len()).sum::<usize>();
        let mut reader = Reader {
            candidates: Candidates {
                index: HashMap::with_capacity_and_hasher(words_read, Default::default()),
                occurrences: Vec::with_capacity(2 * words_read),
                stats: vec![TermStats::default(); view.doc.vocabulary.len()],
                ..Candidates::default()
            },
            stopword_ids: HashMap::default(),
            folded: String::new(),
            vocabulary_len: view.doc.vocabulary.len(),
        };
        let mut words: Vec<Word> = Vec::new();
        let mut sentences: Vec<(Range<usize>, bool)> = Vec::with_capacity(view.sentences.len());
        for (round, sentence) in view.sentences.iter().enumerate() {
            if view.deadline().expired_at_round(round) {
                break;
            }
            let start = words.len();
            reader.read(view, sentence, &mut words);
            let read = &words[start..];
            // In a sentence written in capitals, capitals say nothing.
            let shouting = 2 * read.iter().filter(|w| w.acronym).count() > read.len();
            for word in read {
                if let Some(t) = word.term {
                    let all = &mut reader.candidates.stats;
                    if all.len() <= t as usize {
                        all.resize(t as usize + 1, TermStats::default());
                    }
                    let stats = &mut all[t as usize];
                    stats.tf += 1;
                    if !shouting && !word.opens && (word.capitalised || word.acronym) {
                        stats.named += 1;
                    }
                    if !word.capitalised {
                        stats.lower += 1;
                    }
                }
            }
            sentences.push((start..words.len(), shouting));
        }
        for (k, (range, shouting)) in sentences.into_iter().enumerate() {
            reader.phrases(&words[range], k, shouting);
        }
        reader.candidates
    }
}

/// What reading a view's sentences keeps between them.
struct Reader {
    candidates: Candidates,
    /// Ids of the stopwords that take part in names, by folded form.
    stopword_ids: HashMap<String, TermId>,
    folded: String,
    vocabulary_len: usize,
}

impl Reader {
    /// Appends the words of `sentence` to `words`.
    fn read(
        &mut self,
        view: &View<'_, '_>,
        sentence: &crate::text::ViewSentence<'_>,
        words: &mut Vec<Word>,
    ) {
        let doc = view.doc;
        let mut terms = sentence.terms.iter();
        let mut previous_end = sentence.span.start;
        let first = words.len();
        for analysed in doc.words.get(sentence.words.clone()).unwrap_or_default() {
            let Some(text) = doc.text.get(analysed.start..analysed.end) else {
                continue;
            };
            let gap = doc
                .text
                .get(previous_end..analysed.start)
                .unwrap_or_default();
            previous_end = analysed.end;
            let gap = gap.trim_matches(char::is_whitespace);
            let content = analysed.content;
            let term = if content { terms.next().copied() } else { None };
            let capitalised = text.chars().next().is_some_and(char::is_uppercase);
            let acronym =
                (2..=6).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_uppercase());
            let possessive = ["'s", "’s", "'S", "’S"]
                .iter()
                .find(|s| text.len() > s.len() && text.ends_with(*s));
            let end = analysed.end - possessive.map_or(0, |s| s.len());
            // Folding copies the word, so only the words it can tell
            // something of are folded: those short enough to be a
            // connector (some are content words: "van") or a title, and
            // capitalised stopwords, which may take part in names.
            let (mut connector, mut particle, mut honorific) = (false, false, false);
            let fold = text.len() <= MAX_SHORT_WORD_BYTES
                || (term.is_none() && (capitalised || acronym) && text.len() <= 9);
            if fold {
                tokenize::fold_into(text, &mut self.folded);
                let folded = self.folded.trim_end_matches('.');
                connector = CONNECTORS.contains(&folded);
                particle = PARTICLES.contains(&folded);
                honorific = capitalised && HONORIFICS.contains(&folded);
            }
            let term = match term {
                Some(t) => Some(t),
                // A stopword gets an id only where it may join a name:
                // capitalised ("State", "New"), or a connector.
                None if fold => {
                    let folded = self.folded.as_str();
                    let may_name = acronym
                        || (capitalised
                            && folded.chars().any(char::is_alphabetic)
                            && !FUNCTION_WORDS.contains(&folded));
                    (connector || may_name).then(|| self.stopword_id())
                }
                None => None,
            };
            words.push(Word {
                span: analysed.start..end,
                term,
                content,
                capitalised,
                acronym,
                joined: gap.is_empty() || matches!(gap, "-" | "‐" | "‑"),
                opens: words.len() == first || gap.ends_with(['"', '“', '‘', '\'', ':', '(']),
                possessive: possessive.is_some(),
                connector,
                particle,
                honorific,
            });
        }
    }

    /// The id of the stopword in `self.folded`.
    fn stopword_id(&mut self) -> TermId {
        let next = (self.vocabulary_len + self.stopword_ids.len()) as TermId;
        if let Some(&id) = self.stopword_ids.get(self.folded.as_str()) {
            return id;
        }
        self.stopword_ids.insert(self.folded.clone(), next);
        next
    }

    /// Records the names and noun phrases of one sentence's `words`, the
    /// `k`th of the view.
    fn phrases(&mut self, words: &[Word], k: usize, shouting: bool) {
        let stats = &self.candidates.stats;
        // Whether word `i` is a capitalised part of a name.
        let name_word = |w: &Word| {
            !shouting
                && w.term.is_some()
                && !w.connector
                && (w.acronym
                    || (w.capitalised
                        && (!w.opens
                            || w.term
                                .and_then(|t| stats.get(t as usize))
                                .is_some_and(|s| s.named > 0))))
        };
        let mut is_name: Vec<bool> = words.iter().map(name_word).collect();
        // Whether word `i` continues a run that word `i - 1` is in.
        let continues = |i: usize| i > 0 && words[i].joined && !words[i - 1].possessive;
        // A word capitalised because it opens the sentence starts the name
        // that follows it, unless the document writes it in lowercase too:
        // "Sebastian Rode scored", "Robin van Persie" and "Coach Carlo
        // Marino", but not "Police Scotland" where "police" recurs, nor
        // "Former Liverpool" ("former" is a stopword).
        for i in 0..words.len().saturating_sub(1) {
            let w = &words[i];
            if !is_name[i]
                && !shouting
                && w.opens
                && w.content
                && w.capitalised
                && !w.connector
                && continues(i + 1)
                && (is_name[i + 1]
                    || (words[i + 1].particle
                        && is_name.get(i + 2).copied().unwrap_or(false)
                        && continues(i + 2)))
                && w.term
                    .and_then(|t| stats.get(t as usize))
                    .is_some_and(|s| s.lower == 0)
            {
                is_name[i] = true;
            }
        }
        let mut in_name = vec![false; words.len()];
        let mut i = 0;
        while i < words.len() {
            // A particle may open a name ("van Gaal"), and so may a
            // capitalised connector where capitals mean a name ("the La Liga
            // table", not "La France" opening a French sentence).
            let w = &words[i];
            let opener = w.particle || (w.connector && w.capitalised && !w.opens);
            let starts = is_name[i]
                || (opener && is_name.get(i + 1).copied().unwrap_or(false) && continues(i + 1));
            if !starts {
                i += 1;
                continue;
            }
            let mut end = i + 1;
            while end < words.len() && continues(end) {
                let next_is_name =
                    is_name.get(end + 1).copied().unwrap_or(false) && continues(end + 1);
                if is_name[end] || (words[end].connector && next_is_name) {
                    end += 1;
                } else {
                    break;
                }
            }
            let mut run = &words[i..end];
            if run.len() > 1 && run[0].honorific {
                run = &run[1..];
            }
            let whole = run.len() <= MAX_NAME_WORDS
                // A capitalised stopword alone is no name ("New" opening a
                // sentence).
                && run.iter().any(|w| w.content || w.acronym);
            if whole {
                let mut key: Key = (run.len() as u8, [0; MAX_NAME_WORDS]);
                for (slot, w) in key.1.iter_mut().zip(run) {
                    *slot = w.term.unwrap_or_default();
                }
                self.push(key, run[0].span.start..run[run.len() - 1].span.end, k, true);
            }
            in_name[i..end].fill(true);
            i = end;
        }
        // Noun phrases: runs of content words outside names.
        let mut run_start: Option<usize> = None;
        for i in 0..words.len() {
            let noun = words[i].content && !in_name[i] && words[i].term.is_some();
            match run_start {
                Some(_) if noun && continues(i) => {}
                Some(start) => {
                    self.noun_phrases(&words[start..i], k);
                    run_start = noun.then_some(i);
                }
                None => run_start = noun.then_some(i),
            }
        }
        if let Some(start) = run_start {
            self.noun_phrases(&words[start..], k);
        }
    }

    /// Records every sequence of one to [`MAX_PHRASE_WORDS`] words of `run`.
    fn noun_phrases(&mut self, run: &[Word], k: usize) {
        for start in 0..run.len() {
            for len in 1..=MAX_PHRASE_WORDS.min(run.len() - start) {
                let words = &run[start..start + len];
                let mut key: Key = (len as u8, [0; MAX_NAME_WORDS]);
                for (slot, w) in key.1.iter_mut().zip(words) {
                    *slot = w.term.unwrap_or_default();
                }
                self.push(key, words[0].span.start..words[len - 1].span.end, k, false);
            }
        }
    }

    fn push(&mut self, key: Key, span: Range<usize>, sentence: usize, name: bool) {
        let keys = &mut self.candidates.keys;
        let candidate = *self.candidates.index.entry(key).or_insert_with(|| {
            keys.push(key);
            keys.len() - 1
        });
        self.candidates.occurrences.push(Occurrence {
            candidate,
            span,
            sentence,
            name,
        });
    }
}

impl Candidates {
    /// Counts each name's later short forms as the name: where a name
    /// ("Sebastian Rode", "Bayern Munich") comes before a piece of it
    /// written alone as a name ("Rode", "Bayern"), the piece's occurrences
    /// become the name's. A piece of several names goes to the one written
    /// most often (the first, on a tie); a piece the document writes before
    /// the longer name ("Liverpool", then "Liverpool Street") is a name of
    /// its own.
    pub fn absorb_short_forms(&mut self) {
        let n = self.keys.len();
        let mut count = vec![0usize; n];
        let mut first = vec![usize::MAX; n];
        for o in self.occurrences.iter().filter(|o| o.name) {
            count[o.candidate] += 1;
            first[o.candidate] = first[o.candidate].min(o.span.start);
        }
        // Longest first, so that a longer name's own absorber is known.
        let mut names: Vec<usize> = (0..n).filter(|&c| count[c] > 0).collect();
        names.sort_by_key(|&c| std::cmp::Reverse(self.keys[c].0));
        let mut absorber: Vec<Option<usize>> = vec![None; n];
        for &whole in &names {
            let len = self.keys[whole].0 as usize;
            for part_len in 1..len {
                for start in 0..=len - part_len {
                    let mut key: Key = (part_len as u8, [0; MAX_NAME_WORDS]);
                    key.1[..part_len].copy_from_slice(&self.keys[whole].1[start..start + part_len]);
                    let Some(&part) = self.index.get(&key) else {
                        continue;
                    };
                    if count[part] == 0 || first[part] < first[whole] {
                        continue;
                    }
                    let better = absorber[part].is_none_or(|b| {
                        (count[whole], std::cmp::Reverse(first[whole]))
                            > (count[b], std::cmp::Reverse(first[b]))
                    });
                    if better {
                        absorber[part] = Some(whole);
                    }
                }
            }
        }
        let mut root: Vec<usize> = (0..n).collect();
        for &name in &names {
            if let Some(whole) = absorber[name] {
                root[name] = root[whole];
            }
        }
        for o in self.occurrences.iter_mut().filter(|o| o.name) {
            o.candidate = root[o.candidate];
        }
    }
}
