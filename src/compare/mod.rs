//! Document comparison: how similar two analysed documents are, whether one
//! is a (near-)duplicate of the other, which sentences correspond, and what
//! changed in each corresponding pair, word by word.
//!
//! The caller analyses each text once ([`Document::analyze`]) and passes the
//! documents; nothing here re-segments them. [`compare`] removes web
//! furniture from each document, as Summarize does (unless
//! [`CompareOptions::keep_boilerplate`]; see [`View`]), prepares the
//! sentences left once (normalised words with offsets, shingles, character
//! trigrams: [`prepare`]), interns both vocabularies into one term space
//! ([`vectors`]), and from those computes:
//!
//! - the [`Similarity`] measures and the calibrated `score`
//!   ([`similarity`]);
//! - the sentence [`Alignment`]s, from an inverted index of terms rather than
//!   all pairs ([`align`]), and the sentences left unaligned;
//! - with an [`Embedder`] (the sentence encoder), what meaning adds
//!   ([`meaning`]): the documents' and sentences' embeddings, made in one
//!   call; `semantic`, the cosine of the two documents', which `score`
//!   then reads; and the alignment of sentences that say the same in other
//!   words;
//! - with [`CompareOptions::diff`], the word-level diff of each alignment
//!   ([`diff`]);
//! - with [`CompareOptions::signatures`], MinHash [`Signature`]s
//!   ([`minhash`]);
//! - the [`Verdict`].
//!
//! # Furniture
//!
//! A page's comment box, share lines, captions, bylines and headings are
//! not the story: left in, "Leave a comment" on one page is a sentence the
//! other page lacks, and a caption is a sentence of its own that shares the
//! story's words. So each document is compared without them: sentences
//! removed whole are in no measure, alignment or unique list (only their
//! number is reported, [`Comparison::removed_a`]), and a sentence that lost
//! a dateline or a caption at its start is compared by the rest
//! ([`Comparison::spans_a`]). A document that is nothing but furniture is
//! compared whole: it is all it says, and two such documents would
//! otherwise be two empty texts, duplicates of each other.
//!
//! # Verdict
//!
//! In order:
//!
//! 1. [`Verdict::Duplicate`]: the sequences of normalised words are equal
//!    (case, white space and punctuation ignored; two texts without any word
//!    are duplicates too).
//! 2. [`Verdict::NearDuplicate`]: the *resemblance* is at least
//!    [`Thresholds::near_duplicate`]. Resemblance is the larger of
//!    - `min(containment_a, containment_b)`: the share of shingles each text
//!      shares with the other, and
//!    - `min(coverage_a, coverage_b)`: the share of each text's words that
//!      lie in aligned sentences, each weighted by its alignment's
//!      similarity (an identical sentence counts fully, a reworded one
//!      partly);
//!    - `max(containment_a, containment_b)`, only when the shorter text is
//!      at least [`MIN_EXTENSION_RATIO`] of the longer one (in words): an
//!      extended version of a story.
//!
//!    The first two use the minimum of the two sides, and the third a length
//!    gate, so a sentence or paragraph quoted inside a long text (full
//!    containment one way, little the other way) is not "the same
//!    document", while a republication with a caption, a few added
//!    sentences and boilerplate is. Coverage is what catches heavily edited
//!    copies (reworded sentences break most shingles but still align).
//!
//!    Default 0.5: on BBC News with the furniture kept, 200 edited copies
//!    (1–2 sentences dropped, two swapped, three words changed, boilerplate
//!    added) have resemblance 0.77 to 1 (median 0.93) and 4,000 random
//!    pairs of different stories at most 0.11; the republished wire pair
//!    of the tests has 0.73 once its furniture is removed (0.69 kept).
//!    The resemblance reads the words alone, with an embedder too: the
//!    alignment by meaning is left out of the coverage, so that two
//!    different stories on one subject, whose sentences may mean much the
//!    same, never become near-duplicates more easily than by their words.
//!    A near-duplicate is a copy; a text that says the same in other words
//!    is related, with a high score.
//! 3. [`Verdict::Related`]: `score` is at least [`Thresholds::related`].
//!    Default 0.4, that is 2 on the STS 0–5 scale ("not equivalent, but
//!    share some details"); on BBC News, 95% of random different-story
//!    pairs of the same category score below 0.18 by their words. With an
//!    embedder, `score` reads meaning too (the semantic model of
//!    [`similarity`]), so paraphrases that share few words are related.
//! 4. [`Verdict::Unrelated`] otherwise.

pub mod align;
pub mod diff;
pub mod fingerprint;
pub mod meaning;
pub mod minhash;
pub mod prepare;
pub mod similarity;
pub mod vectors;

use std::ops::Range;

use crate::semantic::{EmbedError, Embedder};
use crate::text::{Document, View};

pub use fingerprint::{FINGERPRINT_VALUES, Fingerprint, fingerprint};
pub use minhash::{SIGNATURE_SEED, SIGNATURE_SIZE, estimate_jaccard};
pub use prepare::SHINGLE_SIZE;

/// Shortest length, relative to the longer text, at which the shorter text
/// being contained in the longer one counts as resemblance (an extended
/// version of a story is at least a third as long as the extension).
pub const MIN_EXTENSION_RATIO: f64 = 1.0 / 3.0;

/// Default [`Thresholds::near_duplicate`].
pub const DEFAULT_NEAR_DUPLICATE: f64 = 0.5;

/// Default [`Thresholds::related`].
pub const DEFAULT_RELATED: f64 = 0.4;

/// Where the verdicts change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Smallest resemblance (see the module docs) for
    /// [`Verdict::NearDuplicate`]. Default [`DEFAULT_NEAR_DUPLICATE`].
    pub near_duplicate: f64,
    /// Smallest `score` for [`Verdict::Related`]. Default
    /// [`DEFAULT_RELATED`].
    pub related: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            near_duplicate: DEFAULT_NEAR_DUPLICATE,
            related: DEFAULT_RELATED,
        }
    }
}

/// What to compute besides the similarity and the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CompareOptions {
    /// Return the sentence alignments (unique sentences are always
    /// returned: the verdict needs the alignment anyway).
    pub alignment: bool,
    /// Fill each alignment's word-level diff; implies `alignment`.
    pub diff: bool,
    /// Return the MinHash signatures of both documents.
    pub signatures: bool,
    /// Verdict thresholds.
    pub thresholds: Thresholds,
    /// Compare web furniture (datelines, captions, bylines, comment boxes,
    /// headings) with the rest; by default it is removed from both
    /// documents first, as Summarize removes it ([`View::new`]).
    pub keep_boilerplate: bool,
}

/// How the two documents relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Equal once case, white space and punctuation are normalised.
    Duplicate,
    /// The same document with edits.
    NearDuplicate,
    /// Similar: `score` at least the `related` threshold.
    Related,
    /// Anything else.
    Unrelated,
}

/// Similarity measures of two documents, all in `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    /// Overall similarity calibrated to human judgement (STS Benchmark
    /// gold / 5) and to paraphrase (MSRP); see [`similarity`].
    pub score: f64,
    /// tf-idf cosine over stemmed content words.
    pub cosine: f64,
    /// Jaccard index of the word shingle sets.
    pub jaccard: f64,
    /// Share of A's shingles found in B.
    pub containment_a: f64,
    /// Share of B's shingles found in A.
    pub containment_b: f64,
    /// Cosine of the two documents' embeddings, clamped to `[0, 1]`; `None`
    /// in lexical mode (no embedder). `score` reads it when it is set.
    pub semantic: Option<f64>,
}

/// A word-level diff operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiffOp {
    /// The words are in both texts.
    Equal,
    /// The words are only in B.
    Insert,
    /// The words are only in A.
    Delete,
}

/// One run of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffSpan {
    /// The operation.
    pub op: DiffOp,
    /// Byte range in text A (empty for an insert, where it would go).
    pub a: Range<usize>,
    /// Byte range in text B (empty for a delete, where it would go).
    pub b: Range<usize>,
}

/// Sentences of A and B that correspond.
#[derive(Debug, Clone, PartialEq)]
pub struct Alignment {
    /// Sentence indexes in A, increasing; two when two consecutive A
    /// sentences (consecutive once furniture is removed) were merged into
    /// one in B.
    pub a: Vec<usize>,
    /// Sentence indexes in B, increasing; two when an A sentence was split.
    pub b: Vec<usize>,
    /// How alike the two sides are, in `[0, 1]`: their tf-idf cosine, or
    /// with an embedder the larger of that and the cosine of their
    /// embeddings (a side of two sentences embedded as their word-weighted
    /// mean; see [`meaning`]).
    pub similarity: f64,
    /// Word-level diff (empty unless [`CompareOptions::diff`]).
    pub diff: Vec<DiffSpan>,
}

/// A MinHash signature of a document's word shingles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The minima, [`SIGNATURE_SIZE`] of them.
    pub values: Vec<u64>,
    /// The seed of the hash functions ([`SIGNATURE_SEED`]).
    pub seed: u64,
    /// Words per shingle ([`SHINGLE_SIZE`]).
    pub shingle_size: usize,
    /// Number of distinct shingles sketched: with the Jaccard estimate,
    /// it gives how much of each document the other contains.
    pub shingle_count: usize,
}

/// The result of [`compare`].
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The similarity measures.
    pub similarity: Similarity,
    /// The verdict.
    pub verdict: Verdict,
    /// Aligned sentences, by first A sentence (empty unless requested).
    pub alignments: Vec<Alignment>,
    /// A sentences aligned with nothing, increasing (furniture removed from
    /// the comparison is not among them).
    pub unique_a: Vec<usize>,
    /// B sentences aligned with nothing, increasing.
    pub unique_b: Vec<usize>,
    /// Sentences of A removed whole as furniture (0 with
    /// [`CompareOptions::keep_boilerplate`]); sentences that only lost a
    /// dateline or caption at their start are not counted.
    pub removed_a: usize,
    /// Sentences of B removed whole as furniture.
    pub removed_b: usize,
    /// Byte range of each sentence of A as compared, by index: the
    /// sentence's span, or its tail once furniture was cut off its start (a
    /// dateline, a caption run into it); empty, at the sentence's start, for
    /// a sentence removed whole. Empty for a comparison cut short.
    pub spans_a: Vec<Range<usize>>,
    /// The same for B.
    pub spans_b: Vec<Range<usize>>,
    /// A's signature, when requested.
    pub signature_a: Option<Signature>,
    /// B's signature, when requested.
    pub signature_b: Option<Signature>,
}

/// Compares two analysed documents, reading meaning too when `embedder` is
/// given (see [`meaning`]). Never panics; every number is finite. Fails
/// only with an embedder, with its error:
/// [`EmbedError::DeadlineExceeded`] once the deadline `a` carries has
/// passed while embedding.
pub fn compare(
    a: &Document<'_>,
    b: &Document<'_>,
    options: &CompareOptions,
    embedder: Option<&dyn Embedder>,
) -> Result<Comparison, EmbedError> {
    compare_detailed(a, b, options, embedder).map(|(comparison, _)| comparison)
}

/// What [`compare`] computes on the way, for evaluation and tests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Details {
    /// Every measure, including those not in [`Similarity`].
    pub measures: similarity::Measures,
    /// Similarity-weighted share of A's words in aligned sentences.
    pub coverage_a: f64,
    /// Similarity-weighted share of B's words in aligned sentences.
    pub coverage_b: f64,
    /// Sentence pairs whose similarity the alignment computed.
    pub pairs_evaluated: usize,
}

impl Details {
    /// The resemblance the near-duplicate verdict compares with its
    /// threshold (see the module docs).
    pub fn resemblance(&self) -> f64 {
        let m = &self.measures;
        let mut r =
            (m.containment_a.min(m.containment_b)).max(self.coverage_a.min(self.coverage_b));
        if m.length_ratio >= MIN_EXTENSION_RATIO {
            r = r.max(m.containment_a.max(m.containment_b));
        }
        r
    }
}

/// [`compare`], also returning the [`Details`].
pub fn compare_detailed(
    a: &Document<'_>,
    b: &Document<'_>,
    options: &CompareOptions,
    embedder: Option<&dyn Embedder>,
) -> Result<(Comparison, Details), EmbedError> {
    // The stages before the alignment read whole documents at a time, so
    // the deadline is looked at between them: past it, the answer is
    // discarded anyway.
    let pa = prepare::Prepared::new(compared_view(a, options.keep_boilerplate));
    let pb = prepare::Prepared::new(compared_view(b, options.keep_boilerplate));
    if a.deadline.expired() {
        return Ok(cut_short());
    }
    let space = vectors::TermSpace::new(&pa, &pb);
    let mut measures = similarity::Measures::new(&space, &pa, &pb);
    if a.deadline.expired() {
        return Ok(cut_short());
    }
    let embeddings = embedder
        .map(|e| meaning::PairEmbeddings::new(&pa, &pb, e, a.deadline))
        .transpose()?;
    measures.semantic = embeddings.as_ref().map(|e| e.document_cosine());
    let va = vectors::JointVectors::new(&pa, &space.a_ids, &space.idf);
    let vb = vectors::JointVectors::new(&pb, &space.b_ids, &space.idf);
    let mut aligned = {
        let _stage = tracing::info_span!("alignment").entered();
        align::align(&va, &vb, space.len(), a.deadline)
    };

    let words = |p: &prepare::Prepared<'_, '_>, s: &[usize]| -> usize {
        s.iter().map(|&i| p.sentence_len(i)).sum()
    };
    let coverage = |p: &prepare::Prepared<'_, '_>, side: fn(&align::Group) -> &[usize]| -> f64 {
        let covered: f64 = aligned
            .groups
            .iter()
            .map(|g| g.similarity * words(p, side(g)) as f64)
            .sum();
        vectors::ratio(covered, p.words().len() as f64)
    };
    // The resemblance reads the lexical alignment alone (see the module
    // docs), so coverage is taken before meaning completes it.
    let coverage_a = coverage(&pa, |g| &g.a);
    let coverage_b = coverage(&pb, |g| &g.b);
    if let Some(e) = &embeddings {
        meaning::align_by_meaning(&mut aligned, e, (&pa, &va), (&pb, &vb), a.deadline);
    }
    let details = Details {
        measures,
        coverage_a,
        coverage_b,
        pairs_evaluated: aligned.pairs_evaluated,
    };

    let duplicate = pa.words().len() == pb.words().len()
        && pa
            .words()
            .iter()
            .zip(pb.words())
            .all(|(x, y)| x.hash == y.hash);
    let mut score = measures.score();
    if duplicate {
        score = 1.0;
    }
    let t = &options.thresholds;
    let verdict = if duplicate {
        Verdict::Duplicate
    } else if details.resemblance() >= t.near_duplicate {
        Verdict::NearDuplicate
    } else if score >= t.related {
        Verdict::Related
    } else {
        Verdict::Unrelated
    };

    // Indexes among the compared sentences become the documents' own.
    let unique = |p: &prepare::Prepared<'_, '_>, side: fn(&align::Group) -> &[usize]| {
        let mut used = vec![false; p.len()];
        for g in &aligned.groups {
            for &i in side(g) {
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
            }
        }
        (0..p.len())
            .filter(|&i| !used[i])
            .map(|i| p.index(i))
            .collect::<Vec<usize>>()
    };
    let unique_a = unique(&pa, |g| &g.a);
    let unique_b = unique(&pb, |g| &g.b);
    let indexes = |p: &prepare::Prepared<'_, '_>, s: &[usize]| -> Vec<usize> {
        s.iter().map(|&i| p.index(i)).collect()
    };

    let alignments = if options.alignment || options.diff {
        aligned
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| {
                // Past the deadline the rest go without their diffs (the
                // answer is discarded anyway).
                let diff = if options.diff && !a.deadline.expired_at_round(i) {
                    diff::diff(group_words(&pa, &g.a), group_words(&pb, &g.b))
                } else {
                    Vec::new()
                };
                Alignment {
                    a: indexes(&pa, &g.a),
                    b: indexes(&pb, &g.b),
                    similarity: g.similarity,
                    diff,
                }
            })
            .collect()
    } else {
        Vec::new()
    };

    let (signature_a, signature_b) = if options.signatures {
        (
            Some(minhash::signature(&pa.shingles)),
            Some(minhash::signature(&pb.shingles)),
        )
    } else {
        (None, None)
    };

    let comparison = Comparison {
        similarity: Similarity {
            score,
            cosine: measures.cosine,
            jaccard: measures.jaccard,
            containment_a: measures.containment_a,
            containment_b: measures.containment_b,
            semantic: measures.semantic,
        },
        verdict,
        alignments,
        unique_a,
        unique_b,
        removed_a: pa.view.removed,
        removed_b: pb.view.removed,
        spans_a: compared_spans(&pa),
        spans_b: compared_spans(&pb),
        signature_a,
        signature_b,
    };
    Ok((comparison, details))
}

/// The sentences of `doc` a comparison reads: without furniture unless
/// `keep_boilerplate`, and every sentence of a document that is nothing
/// but furniture (see the module docs).
pub(crate) fn compared_view<'d, 'a>(doc: &'d Document<'a>, keep_boilerplate: bool) -> View<'d, 'a> {
    let view = View::new(doc, keep_boilerplate);
    if view.is_empty() {
        View::all(doc)
    } else {
        view
    }
}

/// What a comparison cut short by its deadline returns: well-formed, all
/// zero and empty.
fn cut_short() -> (Comparison, Details) {
    let measures = similarity::Measures::default();
    let comparison = Comparison {
        similarity: Similarity {
            score: 0.0,
            cosine: 0.0,
            jaccard: 0.0,
            containment_a: 0.0,
            containment_b: 0.0,
            semantic: None,
        },
        verdict: Verdict::Unrelated,
        alignments: Vec::new(),
        unique_a: Vec::new(),
        unique_b: Vec::new(),
        removed_a: 0,
        removed_b: 0,
        spans_a: Vec::new(),
        spans_b: Vec::new(),
        signature_a: None,
        signature_b: None,
    };
    let details = Details {
        measures,
        coverage_a: 0.0,
        coverage_b: 0.0,
        pairs_evaluated: 0,
    };
    (comparison, details)
}

/// [`Comparison::spans_a`] of `p`'s document.
fn compared_spans(p: &prepare::Prepared<'_, '_>) -> Vec<Range<usize>> {
    let mut spans: Vec<Range<usize>> = p
        .doc
        .sentences
        .iter()
        .map(|s| s.span.start..s.span.start)
        .collect();
    for s in p.sentences() {
        if let Some(span) = spans.get_mut(s.index) {
            span.clone_from(&s.span);
        }
    }
    spans
}

/// The words of consecutive sentences `sentences` of `p`, as one slice.
fn group_words<'p>(p: &'p prepare::Prepared<'_, '_>, sentences: &[usize]) -> &'p [prepare::Word] {
    let (Some(&first), Some(&last)) = (sentences.first(), sentences.last()) else {
        return &[];
    };
    let (f, l) = (p.sentence_range(first), p.sentence_range(last));
    if f.start <= l.end {
        p.words().get(f.start..l.end).unwrap_or_default()
    } else {
        &[]
    }
}

#[cfg(test)]
mod tests;
