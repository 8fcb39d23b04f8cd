//! Scoring: a document's decision values under a model (the sums the file
//! format defines, see [`super::format`]) and the calibrated probabilities
//! of its labels, a softmax with the fitted temperature or a Platt sigmoid
//! a label. This is the path every classification request takes, so it is
//! written around the memory a large model's rows cost to read.

use crate::classify::calibration::{self, Platt};
use crate::classify::features::Feature;
use crate::classify::linear;
use crate::prefetch::prefetch;
use crate::text::Lexicon;
use crate::text::language::{LanguageChoice, LanguageRequest};

use super::{Model, json_stable};

impl Model {
    /// The raw decision value of each label for a document's feature
    /// counts (as [`crate::classify::features::extract`] gives them) and,
    /// for a model trained with semantic features, its embedding (without
    /// one, or of another dimension, the embedding adds nothing).
    pub fn decision_values(
        &self,
        features: &[(Feature, f32)],
        embedding: Option<&[f32]>,
    ) -> Vec<f64> {
        let mut hits: Vec<(u32, f32)> = features
            .iter()
            .filter_map(|&(feature, count)| self.index.position(feature).map(|i| (i as u32, count)))
            .collect();
        self.decision_values_of_hits(&mut hits, embedding)
    }

    /// [`Model::decision_values`] of a document's features as
    /// [`crate::classify::features::detect_and_collect`] gives them,
    /// unsorted and repeated, the same to the last bit: the features the
    /// model does not know (most of a text's bigrams) are dropped before
    /// anything is sorted, and what is sorted and counted is the model's
    /// positions of the rest (in the same order as their features), so no
    /// feature is sorted and counted only to be dropped.
    fn decision_values_of_features(
        &self,
        mut features: Vec<Feature>,
        embedding: Option<&[f32]>,
    ) -> Vec<f64> {
        features.retain_mut(|feature| match self.index.position(*feature) {
            Some(i) => {
                *feature = i as u32;
                true
            }
            None => false,
        });
        // Positions are below the number of features, itself at most
        // 2^BITS (one a bucket), so they sort and count like features.
        self.decision_values_of_hits(&mut crate::classify::features::count(features), embedding)
    }

    /// The decision values of a document whose features are at model
    /// positions `hits` (ascending, each with its count): sublinear tf-idf,
    /// L2-normalised, dotted with each label's weights, plus its bias and,
    /// for a model with semantic features, the embedding's dot product with
    /// its weights.
    ///
    /// The rows of a large model (20 Newsgroups': 29 MB) are mostly out of
    /// the caches, and each feature's row is read for its idf before the
    /// norm is known: so the row of the hit [`PREFETCH_AHEAD`] places on is
    /// asked for while this one is read, rather than leaving the processor
    /// to overlap the misses unasked (as a loop of its own reading every
    /// idf first would), which hides fewer of them.
    fn decision_values_of_hits(
        &self,
        hits: &mut [(u32, f32)],
        embedding: Option<&[f32]>,
    ) -> Vec<f64> {
        let labels = self.bias.len();
        let mut norm = 0.0f64;
        for k in 0..hits.len() {
            if let Some(&(ahead, _)) = hits.get(k + PREFETCH_AHEAD) {
                let row = self.row(ahead as usize);
                prefetch(&row[0]);
                prefetch(&row[row.len() - 1]);
            }
            let (i, count) = &mut hits[k];
            // Drops nothing a model gives (idfs are at least 1, counts
            // positive) but keeps a bad value from poisoning the sum.
            *count = (linear::sublinear(*count) * self.row(*i as usize)[0]).max(0.0);
            norm += f64::from(*count) * f64::from(*count);
        }
        let mut sums = vec![0.0f32; labels];
        let scale = if norm > 0.0 && norm.is_finite() {
            (1.0 / norm.sqrt()) as f32
        } else {
            0.0
        };
        for &(i, x) in hits.iter() {
            let x = x * scale;
            for (s, w) in sums.iter_mut().zip(&self.row(i as usize)[1..]) {
                *s += x * w;
            }
        }
        if let (Some(semantic), Some(embedding)) = (&self.semantic, embedding) {
            semantic.add_to(embedding, &mut sums);
        }
        sums.iter()
            .zip(&self.bias)
            .map(|(&s, &b)| {
                let v = f64::from(s) + f64::from(b);
                if v.is_finite() { v } else { 0.0 }
            })
            .collect()
    }

    /// Every label index with its probability, best first, ties by label
    /// index. For a single-label model asked for one label
    /// (`multi_label == false`) the probabilities sum to 1 (a softmax with
    /// the fitted temperature); otherwise each is an independent Platt
    /// sigmoid. Either way tempered ([`calibration::temper`]): of `L` outcomes
    /// (`L` labels, or the two of a sigmoid) each has a probability in
    /// `[0.001 / L, 1 − 0.001 · (L − 1) / L]`.
    pub fn classify(&self, features: &[(Feature, f32)], multi_label: bool) -> Vec<(usize, f64)> {
        self.rank(&self.decision_values(features, None), multi_label)
    }

    /// Reads `text` (in `language`, or the one detected) and classifies
    /// it: its language and [`Model::classify`]'s ranking of its features,
    /// the same, found without sorting the features the model does not
    /// know. What a server's request and `eval classify`'s timing run.
    /// `embedding` is the text's, for a model with semantic features (see
    /// [`Model::decision_values`]).
    pub fn classify_text(
        &self,
        text: &str,
        language: impl Into<LanguageRequest>,
        multi_label: bool,
        embedding: Option<&[f32]>,
        lexicon: &mut Lexicon,
    ) -> (LanguageChoice, Vec<(usize, f64)>) {
        let (language, features) =
            crate::classify::features::detect_and_collect(text, language, lexicon);
        (
            language,
            self.classify_features(features, multi_label, embedding),
        )
    }

    /// [`Model::classify`] of features as they come, unsorted and
    /// repeated ([`crate::classify::features::detect_and_collect`]'s).
    pub fn classify_features(
        &self,
        features: Vec<Feature>,
        multi_label: bool,
        embedding: Option<&[f32]>,
    ) -> Vec<(usize, f64)> {
        let scores = self.decision_values_of_features(features, embedding);
        self.rank(&scores, multi_label)
    }

    /// Every label with its probability for the decision values `scores`
    /// (see [`Model::classify`]).
    pub(crate) fn rank(&self, scores: &[f64], multi_label: bool) -> Vec<(usize, f64)> {
        let mut probabilities = vec![0.0; scores.len()];
        // A sigmoid's probability is one of two outcomes, a softmax's one
        // of as many as there are labels.
        let outcomes = if multi_label || self.meta.multi_label {
            for ((p, &s), platt) in probabilities.iter_mut().zip(scores).zip(&self.platt) {
                *p = platt.probability(s);
            }
            2
        } else {
            calibration::softmax(scores, self.temperature, &mut probabilities);
            scores.len()
        };
        let mut ranked: Vec<(usize, f64)> = probabilities
            .into_iter()
            .map(|p| {
                let p = if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
                calibration::temper(p, outcomes)
            })
            .enumerate()
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked
    }

    /// Sets the temperature and sigmoids calibration fitted; values that
    /// are not usable (not finite, a temperature not positive) leave the
    /// model's own.
    pub(crate) fn set_calibration(&mut self, temperature: f64, platt: Vec<Platt>) {
        debug_assert_eq!(platt.len(), self.meta.labels.len());
        if temperature.is_finite() && temperature > 0.0 {
            self.temperature = json_stable(temperature);
        }
        if platt.len() == self.platt.len()
            && platt.iter().all(|p| p.a.is_finite() && p.b.is_finite())
        {
            self.platt = platt
                .into_iter()
                .map(|p| Platt {
                    a: json_stable(p.a),
                    b: json_stable(p.b),
                })
                .collect();
        }
    }
}

/// How many hits ahead [`Model::decision_values_of_hits`] asks for a row:
/// enough hits' work to cover a trip to memory (a few hundred cycles), so
/// that a row arrives about when it is read.
const PREFETCH_AHEAD: usize = 8;

#[cfg(test)]
mod tests {
    use super::super::Parts;
    use super::super::tests::{parts_of, small};
    use super::*;

    #[test]
    fn classify_gives_ranked_probabilities() {
        let model = small();
        let doc = [(3, 2.0), (17, 1.0), (5, 4.0), (4096, 1.0)];
        let single = model.classify(&doc, false);
        assert_eq!(single.len(), 3);
        assert!((single.iter().map(|p| p.1).sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(single.windows(2).all(|w| w[0].1 >= w[1].1));
        let multi = model.classify(&doc, true);
        assert!(multi.iter().all(|p| (0.0..=1.0).contains(&p.1)));
        // No known feature: the bias decides; ties go by label index.
        let empty = model.classify(&[(1 << 25, f32::NAN), (9, -1.0)], false);
        assert_eq!(empty[0].0, 2);
        let tied = Model::from_parts(Parts {
            bias: vec![0.0; 3],
            ..parts_of(&model)
        })
        .unwrap();
        assert_eq!(
            tied.classify(&[], false)
                .iter()
                .map(|p| p.0)
                .collect::<Vec<_>>(),
            vec![0, 1, 2]
        );
        // Absurd counts stay finite.
        for (_, p) in model.classify(&[(3, f32::MAX), (17, f32::INFINITY), (70_000, 1e-30)], true) {
            assert!(p.is_finite() && (0.0..=1.0).contains(&p));
        }
    }

    #[test]
    fn the_embedding_adds_its_weights_to_the_words() {
        let lexical = small();
        let model = super::super::tests::small_semantic();
        let doc = [(3, 2.0), (17, 1.0)];
        let words = lexical.decision_values(&doc, None);
        assert_eq!(model.decision_values(&doc, None), words);
        let e = [0.5, 0.5, 0.5, 0.5];
        let both = model.decision_values(&doc, Some(&e));
        let w = &model.semantic().unwrap().weights;
        for l in 0..3 {
            let dense: f32 = (0..4).map(|d| 0.5 * w[d * 3 + l]).sum();
            assert!((both[l] - words[l] - f64::from(dense)).abs() < 1e-5);
        }
        // An embedding of another dimension adds nothing.
        assert_eq!(model.decision_values(&doc, Some(&[1.0; 3])), words);
        let (_, ranked) = model.classify_text(
            "text",
            crate::text::Language::english(),
            false,
            Some(&e),
            &mut Lexicon::new(),
        );
        assert_eq!(ranked.len(), 3);
    }

    #[test]
    fn probabilities_are_tempered() {
        // A tiny temperature and steep sigmoids: untempered, the losers
        // would get probabilities like 1e-300 and the winner 1.
        let steep = Model::from_parts(Parts {
            temperature: 1e-4,
            platt: vec![Platt { a: -1e3, b: 0.0 }; 3],
            ..parts_of(&small())
        })
        .unwrap();
        let floor = 0.001 / 3.0;
        for doc in [&[(3, 2.0), (17, 1.0)][..], &[(4096, 5.0)], &[]] {
            let single = steep.classify(doc, false);
            assert!((single.iter().map(|p| p.1).sum::<f64>() - 1.0).abs() < 1e-12);
            assert!((single[2].1 - floor).abs() < 1e-12, "{single:?}");
            assert!(
                (single[0].1 - (1.0 - 2.0 * floor)).abs() < 1e-12,
                "{single:?}"
            );
            for (_, p) in steep.classify(doc, true) {
                assert!((0.0005 - 1e-12..=0.9995 + 1e-12).contains(&p), "{p}");
            }
        }
    }
}
