//! Near-duplicate groups: examples whose texts are (nearly) the same are
//! put in one group, and every split of the examples (the held-out part,
//! the cross-validation folds) keeps a group wholly on one side. A text
//! measured on while its near-copy was trained on measures memory, not
//! generalisation: a data set that repeats each text with a sign-off added
//! scored a perfect held-out accuracy that said nothing.
//!
//! # The rule
//!
//! Two texts are near-duplicates when their lowercased, whitespace-folded
//! texts are equal, or when their feature sets (the distinct hashed
//! unigrams and bigrams of stemmed content words the classifier reads, see
//! [`crate::classify::features`]) satisfy both:
//!
//! - at least [`CONTAINED`] (80 %) of the smaller set is in the larger one:
//!   the smaller text is the larger's content with at most a fifth
//!   changed. Containment rather than Jaccard similarity, because a short
//!   text with a sign-off added ("X." and "X. Thanks for your help.") has
//!   a low Jaccard similarity (the sign-off's words and the pairs joining
//!   them are new features, as many as a short text has) but is all there;
//! - the larger set has at most `max(EXTRA, shared)` features beyond the
//!   shared ones ([`EXTRA`] is 6, the unigrams and bigrams of about three
//!   added words): a short text merely quoted in a much longer one is not a
//!   copy of it, and grouping it with every longer text it occurs in would
//!   chain unrelated texts into one large group.
//!
//! Groups are the connected components of this relation (union-find).
//!
//! # Cost
//!
//! Candidates come from an inverted index of every feature; a text `A` is
//! compared only with the texts that hold one of its
//! `|A| − ⌈0.8·|A|⌉ + 1` rarest features (if 80 % of `A` is in `B`, then
//! `B` holds at least one of any `|A| − ⌈0.8·|A|⌉ + 1` of `A`'s features:
//! the prefix filter of all-pairs similarity search) and whose size the
//! rule allows. Rare features have short lists, so the comparisons grow
//! about linearly with the data, where all pairs of 20 Newsgroups' 11,000
//! texts would be 60 million.

use std::collections::HashMap;

use crate::classify::features::{BITS, Feature, FeatureCounts};
use crate::compare::similarity::intersection;

/// Share of the smaller text's features that the larger must hold.
pub(super) const CONTAINED: f64 = 0.8;

/// Features the larger text may have beyond the shared ones, however few
/// those are.
pub(super) const EXTRA: usize = 6;

/// The near-duplicate groups of the examples with `texts` and their
/// `features`: each group's example indices in increasing order, the
/// groups in the order of their first example. Every example is in
/// exactly one group.
pub(super) fn near_duplicate_groups(texts: &[&str], features: &[FeatureCounts]) -> Vec<Vec<usize>> {
    debug_assert_eq!(texts.len(), features.len());
    let n = texts.len();
    let mut sets = UnionFind::new(n);

    // Equal texts, whatever their features (a text may have none).
    let mut first: HashMap<String, usize> = HashMap::new();
    for (i, text) in texts.iter().enumerate() {
        let key = text
            .split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
            .join(" ");
        match first.get(&key) {
            Some(&j) => sets.union(i, j),
            None => {
                first.insert(key, i);
            }
        }
    }

    // Each text's distinct features: its counts' features, which are
    // sorted and distinct already.
    let mut df = vec![0u32; 1 << BITS];
    let distinct: Vec<Vec<Feature>> = features
        .iter()
        .map(|counts| {
            counts
                .iter()
                .filter(|&&(f, count)| count > 0.0 && (f as usize) < df.len())
                .map(|&(f, _)| f)
                .collect()
        })
        .collect();
    for set in &distinct {
        debug_assert!(
            set.windows(2).all(|w| w[0] < w[1]),
            "feature counts are sorted"
        );
        for &f in set {
            df[f as usize] += 1;
        }
    }
    // The inverted index, as compressed rows: the texts holding feature
    // `f` are `postings[start[f]..start[f + 1]]`, in increasing order.
    let mut start = Vec::with_capacity(df.len() + 1);
    start.push(0usize);
    for &d in &df {
        start.push(start[start.len() - 1] + d as usize);
    }
    let mut fill = start.clone();
    let mut postings = vec![0u32; start[start.len() - 1]];
    for (i, set) in distinct.iter().enumerate() {
        for &f in set {
            postings[fill[f as usize]] = i as u32;
            fill[f as usize] += 1;
        }
    }
    let by_rarity: Vec<Vec<Feature>> = distinct
        .iter()
        .map(|set| {
            let mut ordered = set.clone();
            ordered.sort_unstable_by_key(|&f| (df[f as usize], f));
            ordered
        })
        .collect();

    // `seen[j] == a + 1` when text `j` was already a candidate for `a`.
    let mut seen = vec![0usize; n];
    for (a, set) in distinct.iter().enumerate() {
        let size = set.len();
        if size == 0 {
            continue;
        }
        let needed = (CONTAINED * size as f64).ceil() as usize;
        let largest = size + EXTRA.max(size);
        for &f in &by_rarity[a][..size - needed + 1] {
            for &b in &postings[start[f as usize]..start[f as usize + 1]] {
                let b = b as usize;
                let other = distinct[b].len();
                // Each pair is looked at from its smaller text (the lower
                // index of two of a size).
                if b == a || other < size || (other == size && b < a) || other > largest {
                    continue;
                }
                if seen[b] == a + 1 {
                    continue;
                }
                seen[b] = a + 1;
                if near_duplicates(set, &distinct[b]) {
                    sets.union(a, b);
                }
            }
        }
    }

    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of_root = vec![usize::MAX; n];
    for i in 0..n {
        let root = sets.find(i);
        if group_of_root[root] == usize::MAX {
            group_of_root[root] = groups.len();
            groups.push(Vec::new());
        }
        groups[group_of_root[root]].push(i);
    }
    groups
}

/// The rule of the module documentation, for sorted distinct feature sets
/// with `small.len() <= large.len()`.
fn near_duplicates(small: &[Feature], large: &[Feature]) -> bool {
    let shared = intersection(small, large);
    shared > 0
        && shared as f64 >= CONTAINED * small.len() as f64
        && large.len() - shared <= EXTRA.max(shared)
}

/// Disjoint sets with path halving and union by size.
struct UnionFind {
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        Self {
            parent: (0..n).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a;
        self.size[a] += self.size[b];
    }
}
