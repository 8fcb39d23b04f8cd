//! What a comparison reads from the sentence encoder: the embeddings of
//! both documents as compared and of each of their compared sentences, all
//! made in one call of the [`Embedder`], and the sentence alignment by
//! meaning that completes the lexical one.
//!
//! # One call
//!
//! The texts sent are each document as the lexical measures see it (its
//! compared sentences, furniture removed, joined by a space), then each
//! compared sentence of A and of B. A text sent twice is embedded once:
//! a single-sentence document is its sentence, and a republished story
//! repeats most of its sentences word for word.
//!
//! # Alignment by meaning
//!
//! The lexical alignment ([`super::align`]) finds sentences that share
//! their rarer words; a sentence reworded throughout ("the physician told
//! him to stop at once" / "the doctor said he must quit immediately")
//! shares too few and is left unaligned. [`align_by_meaning`] pairs the
//! sentences the lexical alignment leaves unaligned on both sides by the
//! cosine of their embeddings: pairs at or above
//! [`MIN_MEANING_SIMILARITY`], taken greedily, best first, each sentence
//! once. It only adds pairs: what the lexical alignment aligned stays
//! aligned, so splits and merges come from the lexical alignment alone.
//!
//! The work is bounded whatever the documents' lengths: when the
//! unaligned sentences of both sides make at most [`MAX_ALL_PAIRS`] pairs,
//! every pair is scored (two reordered, rewritten paragraphs still find
//! each other); beyond that, each unaligned A sentence is scored against
//! the unaligned B sentences within [`WINDOW`] places of where its lexical
//! neighbours put it, so the cost is linear in the number of sentences.

use std::collections::HashMap;

use super::align::{AlignResult, Group};
use super::prepare::Prepared;
use super::vectors::JointVectors;
use crate::deadline::Deadline;
use crate::semantic::{EmbedError, Embedder, Embedding, cosine};

/// Smallest cosine of two sentences' embeddings for them to be aligned by
/// meaning. Measured with all-MiniLM-L6-v2 on the STS-B training pairs
/// that the lexical alignment leaves apart (`eval_compare -- --fit`): the
/// smallest threshold, in steps of 0.05, at which the pairs it aligns that
/// people judged (nearly) equivalent (gold ≥ 4) outnumber those they
/// judged not close (gold < 3); it aligns half of the former. Below it,
/// sentences on one subject that say different things ("a man plays a
/// guitar" / "a woman plays a violin") align too.
pub const MIN_MEANING_SIMILARITY: f64 = 0.75;

/// Most pairs of unaligned sentences scored all against all; beyond it,
/// each A sentence is scored within a [`WINDOW`]. A dot product of two
/// 384-dimension vectors is some 100 ns, so the whole is a few
/// milliseconds, small beside embedding the sentences.
pub const MAX_ALL_PAIRS: usize = 1 << 16;

/// How far from its expected place (after the B side of the nearest
/// lexically aligned A sentence before it, shifted by the distance to it)
/// an unaligned A sentence looks for its counterpart, in B sentences on
/// either side, once there are too many pairs to score them all.
pub const WINDOW: usize = 16;

/// The embeddings of a pair of prepared documents.
#[derive(Debug, Clone)]
pub struct PairEmbeddings {
    /// One embedding per distinct text sent.
    vectors: Vec<Embedding>,
    /// Index in `vectors` of A as compared, and of B.
    documents: [usize; 2],
    /// Index in `vectors` of each compared sentence of A.
    sentences_a: Vec<usize>,
    /// The same for B.
    sentences_b: Vec<usize>,
}

impl PairEmbeddings {
    /// Embeds both documents as compared and each of their compared
    /// sentences in one call of `embedder` (see the module docs). Fails
    /// with the embedder's error, among them
    /// [`EmbedError::DeadlineExceeded`] once `deadline` has passed.
    pub fn new(
        a: &Prepared<'_, '_>,
        b: &Prepared<'_, '_>,
        embedder: &dyn Embedder,
        deadline: Deadline,
    ) -> Result<Self, EmbedError> {
        let (doc_a, doc_b) = (compared_text(a), compared_text(b));
        let mut texts: Vec<&str> = Vec::with_capacity(2 + a.len() + b.len());
        let mut seen: HashMap<&str, usize> = HashMap::with_capacity(2 + a.len() + b.len());
        let documents = [
            intern(&doc_a, &mut texts, &mut seen),
            intern(&doc_b, &mut texts, &mut seen),
        ];
        let sentences_a = intern_sentences(a, &mut texts, &mut seen);
        let sentences_b = intern_sentences(b, &mut texts, &mut seen);
        let vectors = embedder.embed(&texts, deadline)?;
        if vectors.len() != texts.len() {
            return Err(EmbedError::Model(format!(
                "{} embeddings returned for {} texts",
                vectors.len(),
                texts.len()
            )));
        }
        Ok(Self {
            vectors,
            documents,
            sentences_a,
            sentences_b,
        })
    }

    /// The cosine of the two documents' embeddings, clamped to `[0, 1]`.
    pub fn document_cosine(&self) -> f64 {
        match (
            self.vectors.get(self.documents[0]),
            self.vectors.get(self.documents[1]),
        ) {
            (Some(x), Some(y)) => unit(cosine(x, y)),
            _ => 0.0,
        }
    }

    /// The embedding of compared sentence `i` of A (`b` false) or B.
    fn sentence(&self, b: bool, i: usize) -> Option<&Embedding> {
        let side = if b {
            &self.sentences_b
        } else {
            &self.sentences_a
        };
        side.get(i).and_then(|&k| self.vectors.get(k))
    }

    /// The cosine of sentence `i` of A and sentence `j` of B, clamped to
    /// `[0, 1]`.
    pub fn sentence_cosine(&self, i: usize, j: usize) -> f64 {
        match (self.sentence(false, i), self.sentence(true, j)) {
            (Some(x), Some(y)) => unit(cosine(x, y)),
            _ => 0.0,
        }
    }

    /// The cosine of the two sides of `group`, clamped to `[0, 1]`; a side
    /// of two sentences (a split or a merge) is their mean, weighted by
    /// their words, as the encoder pools a text of several chunks.
    pub fn group_cosine(&self, a: &Prepared<'_, '_>, b: &Prepared<'_, '_>, group: &Group) -> f64 {
        if let ([i], [j]) = (&group.a[..], &group.b[..]) {
            return self.sentence_cosine(*i, *j);
        }
        let side = |p: &Prepared<'_, '_>, is_b: bool, indexes: &[usize]| -> Option<Embedding> {
            let dim = self.sentence(is_b, *indexes.first()?)?.dim();
            let parts: Option<Vec<(&Embedding, f32)>> = indexes
                .iter()
                .map(|&i| Some((self.sentence(is_b, i)?, p.sentence_len(i) as f32)))
                .collect();
            Some(Embedding::weighted_mean(dim, parts?))
        };
        match (side(a, false, &group.a), side(b, true, &group.b)) {
            (Some(x), Some(y)) => unit(cosine(&x, &y)),
            _ => 0.0,
        }
    }
}

/// Completes the lexical alignment `aligned` of `pa` and `pb` (sentence
/// vectors `va` and `vb`) by meaning (see the module docs), and makes each
/// group's similarity the larger of its tf-idf cosine and its embeddings'
/// cosine. Past `deadline` no more candidates are scored (the answer is
/// discarded anyway).
pub fn align_by_meaning(
    aligned: &mut AlignResult,
    embeddings: &PairEmbeddings,
    (pa, va): (&Prepared<'_, '_>, &JointVectors),
    (pb, vb): (&Prepared<'_, '_>, &JointVectors),
    deadline: Deadline,
) {
    for group in &mut aligned.groups {
        group.similarity = group.similarity.max(embeddings.group_cosine(pa, pb, group));
    }
    let (na, nb) = (pa.len(), pb.len());
    let mut used_a = vec![false; na];
    let mut used_b = vec![false; nb];
    for group in &aligned.groups {
        for &i in &group.a {
            if let Some(u) = used_a.get_mut(i) {
                *u = true;
            }
        }
        for &j in &group.b {
            if let Some(u) = used_b.get_mut(j) {
                *u = true;
            }
        }
    }
    let unaligned_a: Vec<usize> = (0..na).filter(|&i| !used_a[i]).collect();
    let unaligned_b: Vec<usize> = (0..nb).filter(|&j| !used_b[j]).collect();
    let all_pairs = unaligned_a.len().saturating_mul(unaligned_b.len()) <= MAX_ALL_PAIRS;

    // Candidates: (embeddings' cosine, i, j), at or above the threshold.
    let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
    for (round, &i) in unaligned_a.iter().enumerate() {
        if deadline.expired_at_round(round) {
            break;
        }
        let window = if all_pairs {
            &unaligned_b[..]
        } else {
            let expected = expected_place(&aligned.groups, i, na, nb);
            let lo = unaligned_b.partition_point(|&j| j + WINDOW < expected);
            let hi = unaligned_b.partition_point(|&j| j <= expected.saturating_add(WINDOW));
            unaligned_b.get(lo..hi).unwrap_or_default()
        };
        aligned.pairs_evaluated += window.len();
        candidates.extend(
            window
                .iter()
                .map(|&j| (embeddings.sentence_cosine(i, j), i, j))
                .filter(|&(s, _, _)| s >= MIN_MEANING_SIMILARITY),
        );
    }
    candidates.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    for (s, i, j) in candidates {
        if used_a[i] || used_b[j] {
            continue;
        }
        used_a[i] = true;
        used_b[j] = true;
        aligned.groups.push(Group {
            a: vec![i],
            b: vec![j],
            similarity: s.max(va.cosine(i, vb, j)),
        });
    }
    aligned
        .groups
        .sort_by(|x, y| x.a.cmp(&y.a).then_with(|| x.b.cmp(&y.b)));
}

/// Where in B the counterpart of A sentence `i` is expected: as far after
/// the B side of the nearest aligned A sentence before it as `i` is after
/// that sentence, or at the same relative place when none is aligned before
/// it. `groups` are sorted by their A side.
fn expected_place(groups: &[Group], i: usize, na: usize, nb: usize) -> usize {
    let before = groups.partition_point(|g| g.a.first().is_some_and(|&a| a < i));
    match before.checked_sub(1).and_then(|k| groups.get(k)) {
        Some(g) => {
            let (last_a, last_b) = (
                g.a.last().copied().unwrap_or(0),
                g.b.last().copied().unwrap_or(0),
            );
            last_b.saturating_add(i.saturating_sub(last_a))
        }
        None => (i as f64 / na.max(1) as f64 * nb as f64) as usize,
    }
}

/// The id of `text` among `texts`, adding it when it is new.
fn intern<'t>(
    text: &'t str,
    texts: &mut Vec<&'t str>,
    seen: &mut HashMap<&'t str, usize>,
) -> usize {
    *seen.entry(text).or_insert_with(|| {
        texts.push(text);
        texts.len() - 1
    })
}

/// The ids of `p`'s compared sentences among `texts`, added when new.
fn intern_sentences<'t>(
    p: &Prepared<'_, 't>,
    texts: &mut Vec<&'t str>,
    seen: &mut HashMap<&'t str, usize>,
) -> Vec<usize> {
    let text: &'t str = p.doc.text;
    p.sentences()
        .iter()
        .map(|s| intern(text.get(s.span.clone()).unwrap_or_default(), texts, seen))
        .collect()
}

/// A cosine as a similarity in `[0, 1]`: negative (opposed) is 0.
fn unit(cosine: f32) -> f64 {
    if cosine.is_finite() {
        f64::from(cosine).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// The compared sentences of `p`, joined by a space: the document as the
/// lexical measures see it.
fn compared_text(p: &Prepared<'_, '_>) -> String {
    let mut out = String::new();
    for s in p.sentences() {
        if let Some(text) = p.doc.text.get(s.span.clone()) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(text);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::compare::{CompareOptions, Verdict, compare, compare_detailed};
    use crate::semantic::EmbedderInfo;
    use crate::semantic::fake::FakeEmbedder;
    use crate::text::{Document, Language};

    /// A story in three sentences. The middle one is written with words the
    /// fake embedder takes for synonyms of [`REWORDED`]'s (physician /
    /// doctor, purchase / buy, …): the two share no word at all.
    const STORY: &str = "Harbour workers in Port Selene walked off the job on Tuesday.\n\n\
        Physician rapidly purchase inexpensive car.\n\n\
        The government has so far refused to intervene in the dispute.";

    /// [`STORY`] with its middle sentence in other words.
    const REWORDED: &str = "Harbour workers in Port Selene walked off the job on Tuesday.\n\n\
        Doctor quickly buy cheap automobile.\n\n\
        The government has so far refused to intervene in the dispute.";

    fn en(text: &str) -> Document<'_> {
        Document::analyze(text, Language::from_code("en"))
    }

    fn with_alignment() -> CompareOptions {
        CompareOptions {
            alignment: true,
            ..CompareOptions::default()
        }
    }

    fn pairs(c: &crate::compare::Comparison) -> Vec<(Vec<usize>, Vec<usize>)> {
        c.alignments
            .iter()
            .map(|al| (al.a.clone(), al.b.clone()))
            .collect()
    }

    /// The fake embedder, counting its calls and the texts it was sent;
    /// with `late`, it reports the deadline passed while embedding.
    #[derive(Debug)]
    struct Counting {
        fake: FakeEmbedder,
        calls: AtomicUsize,
        texts: AtomicUsize,
        late: bool,
    }

    impl Counting {
        fn new(late: bool) -> Self {
            Self {
                fake: FakeEmbedder::new(),
                calls: AtomicUsize::new(0),
                texts: AtomicUsize::new(0),
                late,
            }
        }
    }

    impl Embedder for Counting {
        fn info(&self) -> &EmbedderInfo {
            self.fake.info()
        }

        fn embed(&self, texts: &[&str], deadline: Deadline) -> Result<Vec<Embedding>, EmbedError> {
            self.calls.fetch_add(1, Ordering::Relaxed);
            self.texts.fetch_add(texts.len(), Ordering::Relaxed);
            if self.late {
                return Err(EmbedError::DeadlineExceeded);
            }
            self.fake.embed(texts, deadline)
        }
    }

    #[test]
    fn paraphrases_without_a_shared_word_align_only_with_an_embedder() {
        let (a, b) = (en(STORY), en(REWORDED));
        let lexical = compare(&a, &b, &with_alignment(), None).unwrap();
        assert_eq!(
            pairs(&lexical),
            vec![(vec![0], vec![0]), (vec![2], vec![2])]
        );
        assert_eq!(
            (lexical.unique_a.clone(), lexical.unique_b.clone()),
            (vec![1], vec![1])
        );
        assert_eq!(lexical.similarity.semantic, None);

        let fake = FakeEmbedder::new();
        let semantic = compare(&a, &b, &with_alignment(), Some(&fake)).unwrap();
        assert_eq!(
            pairs(&semantic),
            vec![(vec![0], vec![0]), (vec![1], vec![1]), (vec![2], vec![2])]
        );
        assert!(semantic.unique_a.is_empty() && semantic.unique_b.is_empty());
        // The fake embeds the two middle sentences, and so the two
        // documents, alike; the lexical measures are unchanged.
        assert!(semantic.alignments[1].similarity > 0.999);
        let s = semantic.similarity.semantic.expect("semantic is set");
        assert!(s > 0.999 && s <= 1.0, "{s}");
        assert_eq!(semantic.similarity.cosine, lexical.similarity.cosine);
        assert_eq!(semantic.similarity.jaccard, lexical.similarity.jaccard);
        // The near-duplicate verdict reads the lexical alignment alone.
        assert_eq!(semantic.verdict, lexical.verdict);
        assert!(semantic.similarity.score > lexical.similarity.score);
    }

    #[test]
    fn sentences_that_say_different_things_stay_unaligned() {
        let other = STORY.replace(
            "Physician rapidly purchase inexpensive car.",
            "Snow closed the mountain passes.",
        );
        let (a, b) = (en(STORY), en(&other));
        let c = compare(&a, &b, &with_alignment(), Some(&FakeEmbedder::new())).unwrap();
        assert_eq!(pairs(&c), vec![(vec![0], vec![0]), (vec![2], vec![2])]);
        assert_eq!((c.unique_a, c.unique_b), (vec![1], vec![1]));
    }

    #[test]
    fn a_comparison_embeds_in_one_call_each_distinct_text_once() {
        let counting = Counting::new(false);
        let (a, b) = (en(STORY), en(REWORDED));
        compare(&a, &b, &CompareOptions::default(), Some(&counting)).unwrap();
        assert_eq!(counting.calls.load(Ordering::Relaxed), 1);
        // Two documents, A's three sentences, and the one of B's that A
        // does not have word for word.
        assert_eq!(counting.texts.load(Ordering::Relaxed), 6);
        // A one-sentence document is its sentence.
        let counting = Counting::new(false);
        let (x, y) = (en("Doctor quickly buy cheap automobile."), en("Rain."));
        compare(&x, &y, &CompareOptions::default(), Some(&counting)).unwrap();
        assert_eq!(counting.texts.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn deadlines_stop_the_comparison_before_or_while_embedding() {
        // Past its deadline before embedding: cut short, nothing embedded.
        let counting = Counting::new(false);
        let mut a = en(STORY);
        a.deadline = Deadline::at(std::time::Instant::now());
        let c = compare(&a, &en(REWORDED), &with_alignment(), Some(&counting)).unwrap();
        assert_eq!(c.verdict, Verdict::Unrelated);
        assert_eq!(c.similarity.semantic, None);
        assert_eq!(counting.calls.load(Ordering::Relaxed), 0);
        // The deadline passing while embedding is the comparison's error.
        let late = Counting::new(true);
        let result = compare(&en(STORY), &en(REWORDED), &with_alignment(), Some(&late));
        assert_eq!(result, Err(EmbedError::DeadlineExceeded));
    }

    #[test]
    fn long_documents_are_not_compared_by_meaning_pair_by_pair() {
        // 2,000 sentences a side, none sharing a word with the other side:
        // the lexical alignment leaves every one unaligned.
        let (mut a, mut b) = (String::new(), String::new());
        for k in 0..2000usize {
            a.push_str(&format!("Zorvak{k}x inspected cranes. "));
            b.push_str(&format!("Quelmor{k}y painted boats. "));
        }
        let (da, db) = (en(&a), en(&b));
        let (c, details) =
            compare_detailed(&da, &db, &with_alignment(), Some(&FakeEmbedder::new())).unwrap();
        let (na, nb) = (da.sentences.len(), db.sentences.len());
        assert_eq!((na, nb), (2000, 2000));
        assert!(
            details.pairs_evaluated <= na * (2 * WINDOW + 1),
            "{}",
            details.pairs_evaluated
        );
        assert!(c.alignments.is_empty(), "{:?}", &c.alignments[..1]);
    }

    #[test]
    fn the_expected_place_follows_the_nearest_aligned_sentence_before() {
        let group = |a: usize, b: usize| Group {
            a: vec![a],
            b: vec![b],
            similarity: 1.0,
        };
        let groups = [group(2, 10), group(5, 20)];
        assert_eq!(expected_place(&groups, 0, 10, 100), 0);
        assert_eq!(expected_place(&groups, 1, 10, 100), 10);
        assert_eq!(expected_place(&groups, 3, 10, 100), 11);
        assert_eq!(expected_place(&groups, 9, 10, 100), 24);
    }
}
