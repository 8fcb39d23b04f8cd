//! Key phrases: the names and noun phrases a document keeps coming back to,
//! with every place they occur.
//!
//! # Candidates
//!
//! As in RAKE (Rose et al. 2010), stopwords and punctuation cut each
//! sentence into runs of content words ("Islamic State group", "unity
//! government", "Sirte"); a hyphen or white space joins two words of a run.
//! A capitalised stopword next to a capitalised word is part of a name and
//! joins the run ("Islamic State", "New Zealand": the stopword lists hold
//! "state" and "new"), unless it is a function word ("The", "In"); a
//! stopword in capitals is an acronym ("IS", "US"), unless the whole
//! sentence is in capitals.
//! Every sequence of one to [`MAX_PHRASE_WORDS`] consecutive words of a run
//! is a candidate, keyed by its terms (stemmed, case-folded), so "militia"
//! and "Militias" are one phrase. A candidate needs a word with a letter:
//! "2016" alone is no key phrase.
//!
//! # Scores
//!
//! A phrase of `k` words scores `count · √k · mean w(t)` over its terms `t`,
//! with `w(t) = ln(1 + tf(t)) · (1 + named(t) / tf(t))`: how often it
//! occurs, times how much its words recur in the document (`tf`: a term's
//! occurrences in the summarized sentences), with names weighing up to
//! double (`named`: occurrences written capitalised other than as a
//! sentence's first word, or as an acronym), as YAKE (Campos et al. 2020)
//! weighs casing. A single document has no corpus to weigh words against;
//! recurrence is what marks its topic, stopwords already took out the words
//! every text recurs, and the people, places and organisations a story is
//! about are written as names. A longer phrase that always occurs whole
//! outscores its parts (by `√k`), one that occurs whole only now and then
//! loses to them, and a phrase found once loses to its recurring words.
//! Phrases are taken best
//! first, leaving out any that contains or is contained in a phrase already
//! taken, and scores are divided by the best, so the first scores 1.
//!
//! Removed furniture takes no part: a caption or comment box does not make
//! a phrase key. The cost is linear in the number of words: each is folded
//! once more, and each candidate is one hash map entry.

use std::ops::Range;

use foldhash::HashMap;

use crate::text::{TermId, View, tokenize};

/// Longest key phrase, in words.
pub const MAX_PHRASE_WORDS: usize = 3;

/// Most occurrences listed per phrase; [`Keyphrase::count`] gives them all.
pub const MAX_OCCURRENCES: usize = 100;

/// One key phrase.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyphrase {
    /// Byte range of its first occurrence, whose text is the phrase as the
    /// document first writes it.
    pub first: Range<usize>,
    /// In (0, 1]: 1 for the best phrase of the document.
    pub score: f64,
    /// Byte ranges of its occurrences in document order, at most
    /// [`MAX_OCCURRENCES`].
    pub occurrences: Vec<Range<usize>>,
    /// Number of occurrences.
    pub count: usize,
}

/// A phrase's terms: the number of words and the term ids.
type Key = (usize, [TermId; MAX_PHRASE_WORDS]);

/// What is known of a candidate.
#[derive(Debug, Clone)]
struct Candidate {
    count: usize,
    first: Range<usize>,
}

/// The `limit` best key phrases of the sentences of `view`.
pub fn extract(view: &View<'_, '_>, limit: usize) -> Vec<Keyphrase> {
    if limit == 0 {
        return Vec::new();
    }
    let vocabulary = &view.doc.vocabulary;
    let (runs, stats) = runs(view);
    let mut candidates: HashMap<Key, Candidate> = HashMap::default();
    for_each_phrase(&runs, |key, span| {
        candidates
            .entry(key)
            .and_modify(|c| c.count += 1)
            .or_insert(Candidate {
                count: 1,
                first: span,
            });
    });
    // Names' stopword parts ("State") have ids above the vocabulary, and
    // letters.
    let has_letter = |t: TermId| {
        vocabulary
            .get(t as usize)
            .is_none_or(|w| w.chars().any(char::is_alphabetic))
    };
    let mut scored: Vec<(Key, Candidate, f64)> = candidates
        .into_iter()
        .filter(|((len, terms), _)| terms[..*len].iter().any(|&t| has_letter(t)))
        .map(|(key, c)| {
            let words = &key.1[..key.0];
            let weight: f64 = words
                .iter()
                .map(|t| {
                    let s = stats.get(t).copied().unwrap_or_default();
                    let tf = s.tf.max(1) as f64;
                    (1.0 + tf).ln() * (1.0 + s.named as f64 / tf)
                })
                .sum::<f64>()
                / words.len() as f64;
            let score = c.count as f64 * weight * (words.len() as f64).sqrt();
            (key, c, score)
        })
        .collect();
    // Best first; ties to the phrase the document names first.
    scored.sort_by(|a, b| {
        b.2.total_cmp(&a.2)
            .then(a.1.first.start.cmp(&b.1.first.start))
    });

    let mut taken: Vec<(Key, Candidate, f64)> = Vec::with_capacity(limit);
    for candidate in scored {
        if taken.len() == limit {
            break;
        }
        let overlaps = taken
            .iter()
            .any(|(key, _, _)| contains(key, &candidate.0) || contains(&candidate.0, key));
        if !overlaps {
            taken.push(candidate);
        }
    }

    // Where the phrases occur.
    let index: HashMap<Key, usize> = taken
        .iter()
        .enumerate()
        .map(|(k, (key, _, _))| (*key, k))
        .collect();
    let mut occurrences: Vec<Vec<Range<usize>>> = vec![Vec::new(); taken.len()];
    for_each_phrase(&runs, |key, span| {
        if let Some(&k) = index.get(&key)
            && occurrences[k].len() < MAX_OCCURRENCES
        {
            occurrences[k].push(span);
        }
    });
    let best = taken.first().map_or(1.0, |(_, _, s)| *s);
    taken
        .into_iter()
        .zip(occurrences)
        .map(|((_, candidate, score), occurrences)| Keyphrase {
            first: candidate.first,
            score: if best > 0.0 { score / best } else { 1.0 },
            occurrences,
            count: candidate.count,
        })
        .collect()
}

/// Whether phrase `outer` contains phrase `inner` as consecutive words.
fn contains(outer: &Key, inner: &Key) -> bool {
    let (outer, inner) = (&outer.1[..outer.0], &inner.1[..inner.0]);
    inner.len() <= outer.len() && outer.windows(inner.len()).any(|w| w == inner)
}

/// Words that never join a name even when capitalised ("The", "In").
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "nor", "of", "in", "on", "at", "to", "for", "by", "with",
    "from", "as", "into", "about", "after", "before", "over", "under", "he", "she", "it", "they",
    "we", "i", "you", "his", "her", "its", "their", "our", "my", "your", "this", "that", "these",
    "those", "there", "here", "is", "was", "are", "were", "be", "been", "has", "have", "had", "do",
    "does", "did", "not", "no", "so", "if", "when", "while", "who", "what", "which", "where",
    "why", "how", "all", "some", "any",
];

/// How a phrase word is used in the document.
#[derive(Debug, Clone, Copy, Default)]
struct TermStats {
    /// Occurrences in runs.
    tf: usize,
    /// Occurrences written capitalised other than as a sentence's first
    /// word: names and acronyms.
    named: usize,
}

/// Runs of phrase words, `(term, byte range)`.
type Runs = Vec<Vec<(TermId, Range<usize>)>>;

/// The runs of phrase words of every sentence of `view`, with capitalised
/// stopwords inside names and acronyms ("IS", "US") given ids of their own
/// above the vocabulary, and how each term is used.
fn runs(view: &View<'_, '_>) -> (Runs, HashMap<TermId, TermStats>) {
    let doc = view.doc;
    let mut folded = String::new();
    let mut name_words: HashMap<String, TermId> = HashMap::default();
    let mut stats: HashMap<TermId, TermStats> = HashMap::default();
    let mut runs = Vec::new();
    let mut run: Vec<(TermId, Range<usize>)> = Vec::new();
    // The words of one sentence: byte range, term (content words), whether
    // it is a capitalised stopword that may join a name, whether it is
    // capitalised or an acronym, and whether only white space or a hyphen
    // separates it from the word before.
    struct Word {
        span: Range<usize>,
        term: Option<TermId>,
        name_part: bool,
        capitalised: bool,
        acronym: bool,
        joined: bool,
    }
    let mut words: Vec<Word> = Vec::new();
    for (round, sentence) in view.sentences.iter().enumerate() {
        if view.deadline().expired_at_round(round) {
            break;
        }
        let text = &doc.text[sentence.span.clone()];
        let mut terms = sentence.terms.iter();
        let mut previous_end = 0;
        words.clear();
        // The words the analysis found, those of the sentence's kept part.
        let analysed = doc
            .sentences
            .get(sentence.index)
            .and_then(|s| doc.words.get(s.words.clone()))
            .unwrap_or_default()
            .iter()
            .filter(|w| w.start >= sentence.span.start);
        for analysed in analysed {
            let Some(word) = doc.text.get(analysed.start..analysed.end) else {
                continue;
            };
            let offset = analysed.start - sentence.span.start;
            let content = analysed.content;
            let capitalised = word.chars().next().is_some_and(char::is_uppercase);
            let term = if content { terms.next().copied() } else { None };
            let name_part = !content && capitalised && {
                tokenize::fold_into(word, &mut folded);
                folded.chars().any(char::is_alphabetic)
                    && !FUNCTION_WORDS.contains(&folded.as_str())
            };
            let acronym =
                (2..=6).contains(&word.len()) && word.bytes().all(|b| b.is_ascii_uppercase());
            let gap = text[previous_end..offset].trim_matches(char::is_whitespace);
            let start = sentence.span.start + offset;
            words.push(Word {
                span: start..start + word.len(),
                term,
                name_part,
                capitalised,
                acronym,
                joined: gap.is_empty() || matches!(gap, "-" | "‐" | "‑"),
            });
            previous_end = offset + word.len();
        }
        // In a sentence written in capitals, capitals say nothing.
        let shouting = 2 * words.iter().filter(|w| w.acronym).count() > words.len();
        for k in 0..words.len() {
            let word = &words[k];
            // A capitalised stopword ("State", "New") is part of a name
            // when a capitalised word joins it on either side; a stopword in
            // capitals ("IS", "US") is an acronym.
            let in_name = word.term.is_none()
                && ((word.acronym && !shouting)
                    || (word.name_part
                        && ((k > 0
                            && word.joined
                            && words[k - 1].capitalised
                            && words[k - 1].term.is_some())
                            || words.get(k + 1).is_some_and(|next| {
                                next.joined && next.capitalised && next.term.is_some()
                            }))));
            let term = match word.term {
                Some(t) => Some(t),
                None if in_name => {
                    let next = (doc.vocabulary.len() + name_words.len()) as TermId;
                    tokenize::fold_into(&doc.text[word.span.clone()], &mut folded);
                    Some(*name_words.entry(folded.clone()).or_insert(next))
                }
                None => None,
            };
            if (!word.joined || term.is_none()) && !run.is_empty() {
                runs.push(std::mem::take(&mut run));
            }
            if let Some(t) = term {
                let entry = stats.entry(t).or_default();
                entry.tf += 1;
                if k > 0 && !shouting && (word.capitalised || word.acronym) {
                    entry.named += 1;
                }
                run.push((t, word.span.clone()));
            }
        }
        if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
    }
    (runs, stats)
}

/// Calls `f(key, byte range)` for every candidate phrase occurrence in
/// `runs`, in document order.
fn for_each_phrase(runs: &[Vec<(TermId, Range<usize>)>], mut f: impl FnMut(Key, Range<usize>)) {
    for run in runs {
        for start in 0..run.len() {
            for len in 1..=MAX_PHRASE_WORDS.min(run.len() - start) {
                let mut terms = [0; MAX_PHRASE_WORDS];
                for (slot, (t, _)) in terms.iter_mut().zip(&run[start..start + len]) {
                    *slot = *t;
                }
                f((len, terms), run[start].1.start..run[start + len - 1].1.end);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Document, Language};

    const TEXT: &str = "The Islamic State group holds Sirte. \
        Forces of the unity government want Sirte back. \
        The unity government asked for help against the Islamic State. \
        Islamic State fighters dug in around Sirte in 2016. \
        The weather in Sirte was mild.";

    fn phrases(text: &str, limit: usize) -> (Document<'_>, Vec<Keyphrase>) {
        let doc = Document::analyze(text, Language::from_code("en"));
        let phrases = extract(&View::all(&doc), limit);
        (doc, phrases)
    }

    #[test]
    fn recurring_names_and_phrases_come_first_with_every_occurrence() {
        let (doc, found) = phrases(TEXT, 4);
        let texts: Vec<&str> = found.iter().map(|k| &doc.text[k.first.clone()]).collect();
        // Names count double when capitalised mid-sentence: "Sirte" 4 · ln 5
        // · 2 = 12.9; "Islamic State" 3 · √2 · ln 4 · (5/3 + 2) / 2 = 10.8
        // ("Islamic" opens sentence 4); "unity government" 2 · √2 · ln 3 =
        // 3.1.
        assert_eq!(
            texts[..3],
            ["Sirte", "Islamic State", "unity government"],
            "{found:?}"
        );
        assert_eq!(found[0].score, 1.0);
        let state = 3.0 * 2f64.sqrt() * 4f64.ln() * (5.0 / 3.0 + 2.0) / 2.0;
        assert!(
            (found[1].score - state / (4.0 * 2.0 * 5f64.ln())).abs() < 1e-12,
            "{found:?}"
        );
        assert!(found.windows(2).all(|w| w[0].score >= w[1].score));
        let sirte = &found[0];
        assert_eq!(sirte.count, 4);
        assert_eq!(sirte.occurrences.len(), 4);
        assert!(
            sirte
                .occurrences
                .iter()
                .all(|o| &doc.text[o.clone()] == "Sirte")
        );
        let state = &found[1];
        assert_eq!(state.count, 3);
        assert!(
            state
                .occurrences
                .iter()
                .all(|o| &doc.text[o.clone()] == "Islamic State")
        );
        // Parts of a phrase taken are not listed again, nor is a number.
        assert!(!texts.contains(&"State") && !texts.contains(&"Islamic"));
        assert!(!texts.contains(&"2016"));
    }

    #[test]
    fn punctuation_and_stopwords_end_phrases() {
        let (doc, found) = phrases("Rain, wind and snow hit Oslo. Rain hit Oslo again.", 10);
        let texts: Vec<&str> = found.iter().map(|k| &doc.text[k.first.clone()]).collect();
        assert!(
            !texts.iter().any(|t| t.contains(',') || t.contains(" and ")),
            "{texts:?}"
        );
        // Twice as a unit: it outscores its parts and the longer phrase
        // found once.
        assert_eq!(texts[0], "hit Oslo", "{texts:?}");
        assert!(!texts.contains(&"Oslo") && !texts.contains(&"Rain hit Oslo"));
    }

    #[test]
    fn acronyms_that_fold_to_stopwords_are_names() {
        let text = "IS fighters left Sirte. Officials say IS is weaker. IS lost ground.";
        let (doc, found) = phrases(text, 3);
        let texts: Vec<&str> = found.iter().map(|k| &doc.text[k.first.clone()]).collect();
        assert_eq!(texts[0], "IS", "{texts:?}");
        assert_eq!(found[0].count, 3, "the lowercase verb is no acronym");
        // A sentence in capitals has no acronyms.
        let (doc, found) = phrases("WE ARE ALL IN THIS TOGETHER. Rain fell.", 5);
        let texts: Vec<&str> = found.iter().map(|k| &doc.text[k.first.clone()]).collect();
        assert!(
            !texts
                .iter()
                .any(|t| ["WE", "ARE", "ALL", "IN", "THIS"].contains(t)),
            "{texts:?}"
        );
    }

    #[test]
    fn limits_are_kept() {
        assert!(phrases(TEXT, 0).1.is_empty());
        assert_eq!(phrases(TEXT, 2).1.len(), 2);
        assert!(phrases("", 5).1.is_empty());
        assert!(phrases("It is what it is.", 5).1.is_empty());
    }
}
