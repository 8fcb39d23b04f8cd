//! Distils the encoder into a static table ([`StaticTable`]), as model2vec
//! does: the transformer reads each word piece of its vocabulary alone,
//! and the pooled vector becomes that token's row.
//!
//! 1. Every token id but `[PAD]`, the `[unused…]` placeholders and the
//!    special tokens runs through the model as `[CLS] token [SEP]`,
//!    mean-pooled as the encoder pools a sentence ([`raw`]). That is some
//!    30,000 inputs of three tokens: seconds, not minutes.
//! 2. The rows are centred: their mean (what every token shares, the
//!    encoder's common direction) is subtracted, which is what model2vec's
//!    PCA does before it rotates; a rotation changes no cosine, so at the
//!    full dimension the PCA is the centring alone.
//! 3. Each row is weighted by how informative its token is likely to be
//!    ([`Weighting`]). With no counts of the tokens' frequencies, the
//!    vocabulary's order stands for them: WordPiece vocabularies list
//!    frequent pieces first.
//!
//! A text's static embedding is then the mean of its tokens' rows,
//! normalised, so a row's weight is how much its token pulls the mean.
//! `examples/eval_static.rs` measures the choices on STS-B's training
//! split; [`Recipe::DEFAULT`] is the best of them.

use std::collections::HashMap;

use super::{Encoder, StaticTable};
use crate::deadline::Deadline;
use crate::semantic::EmbedError;

/// How a token's row is weighted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Weighting {
    /// Every token weighs the same.
    None,
    /// `ln(1 + rank)`, model2vec's Zipf weighting: a frequent token (low
    /// rank) weighs less.
    Zipf,
    /// SIF (smooth inverse frequency), `a / (a + p)`, with `p` the
    /// probability Zipf's law gives the token's rank: `1 / ((rank + 2) H)`,
    /// `H` the harmonic sum over the vocabulary. model2vec's default, with
    /// `a` = 1e-4.
    Sif(f64),
}

/// The choices of a distillation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Recipe {
    /// Normalise each token's pooled vector before anything else.
    pub normalise: bool,
    /// Subtract the rows' mean.
    pub center: bool,
    /// The rows' weights.
    pub weighting: Weighting,
}

impl Recipe {
    /// What `textanalysis distill-static` writes: the recipe that
    /// correlates best with STS-B's training split (`examples/eval_static.rs`).
    pub const DEFAULT: Recipe = Recipe {
        normalise: false,
        center: true,
        weighting: Weighting::Sif(1e-4),
    };

    /// The recipe in a few words, as the table's header records it.
    pub fn describe(&self) -> String {
        let weighting = match self.weighting {
            Weighting::None => "unweighted".to_owned(),
            Weighting::Zipf => "zipf ln(1+rank)".to_owned(),
            Weighting::Sif(a) => format!("sif a={a:e}"),
        };
        format!(
            "[CLS] token [SEP] mean-pooled{}{}, {weighting}",
            if self.normalise { ", normalised" } else { "" },
            if self.center { ", centred" } else { "" },
        )
    }
}

/// The encoder's reading of each token, before any recipe: a row per
/// token id, `None` for the tokens left out.
#[derive(Debug, Clone)]
pub struct RawTable {
    /// The encoder's name.
    pub encoder: String,
    /// Each row's length.
    pub dim: usize,
    /// Row `id`: token `id`'s pooled vector, if it was read.
    pub rows: Vec<Option<Vec<f32>>>,
}

/// Whether a token gets a row: not padding, a placeholder nor a special
/// token, which never stand for a word of a text.
fn kept(token: &str) -> bool {
    !(token.starts_with("[unused") || matches!(token, "[PAD]" | "[CLS]" | "[SEP]" | "[MASK]"))
}

/// Runs every kept token of `encoder`'s vocabulary through the model
/// (step 1). `progress` hears the count of tokens read after each slice.
pub fn raw(
    encoder: &Encoder,
    deadline: Deadline,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<RawTable, EmbedError> {
    /// Tokens per call of the model: a few batches, so that progress moves.
    const SLICE: usize = 4096;
    let vocab = encoder.vocabulary();
    let size = vocab.last().map_or(0, |(id, _)| *id as usize + 1);
    let ids: Vec<u32> = vocab
        .iter()
        .filter(|(_, token)| kept(token))
        .map(|(id, _)| *id)
        .collect();
    let mut rows = vec![None; size];
    for (done, slice) in ids.chunks(SLICE).enumerate() {
        for (&id, vector) in slice.iter().zip(encoder.token_vectors(slice, deadline)?) {
            rows[id as usize] = Some(vector);
        }
        progress(((done + 1) * SLICE).min(ids.len()), ids.len());
    }
    Ok(RawTable {
        encoder: encoder.info.name.clone(),
        dim: encoder.info.dim,
        rows,
    })
}

/// The weight of each token id of a vocabulary of `size`, the id standing
/// for the token's frequency rank.
fn weights(weighting: Weighting, size: usize) -> Vec<f32> {
    let harmonic: f64 = (0..size).map(|r| 1.0 / (r as f64 + 2.0)).sum();
    (0..size)
        .map(|rank| match weighting {
            Weighting::None => 1.0,
            Weighting::Zipf => (1.0 + rank as f64).ln() as f32,
            Weighting::Sif(a) => {
                let p = 1.0 / ((rank as f64 + 2.0) * harmonic);
                (a / (a + p)) as f32
            }
        })
        .collect()
}

/// Applies `recipe` to the raw rows (steps 2 and 3): the table, with zero
/// rows for the tokens left out.
pub fn build(raw: &RawTable, recipe: &Recipe) -> StaticTable {
    let dim = raw.dim;
    let size = raw.rows.len();
    let mut rows: Vec<Option<Vec<f64>>> = raw
        .rows
        .iter()
        .map(|row| {
            row.as_ref().map(|r| {
                let mut r: Vec<f64> = r.iter().map(|&v| f64::from(v)).collect();
                let norm = r.iter().map(|v| v * v).sum::<f64>().sqrt();
                if recipe.normalise && norm > 0.0 {
                    r.iter_mut().for_each(|v| *v /= norm);
                }
                r
            })
        })
        .collect();
    if recipe.center {
        let mut mean = vec![0f64; dim];
        let count = rows.iter().flatten().count().max(1) as f64;
        for row in rows.iter().flatten() {
            mean.iter_mut().zip(row).for_each(|(m, v)| *m += v / count);
        }
        for row in rows.iter_mut().flatten() {
            row.iter_mut().zip(&mean).for_each(|(v, m)| *v -= m);
        }
    }
    let weights = weights(recipe.weighting, size);
    let mut values = vec![0f32; size * dim];
    for (id, row) in rows.iter().enumerate() {
        if let Some(row) = row {
            let w = weights[id];
            for (out, v) in values[id * dim..(id + 1) * dim].iter_mut().zip(row) {
                *out = w * *v as f32;
            }
        }
    }
    StaticTable {
        values,
        dim,
        metadata: HashMap::from([
            ("encoder".to_owned(), raw.encoder.clone()),
            ("recipe".to_owned(), recipe.describe()),
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawTable {
        RawTable {
            encoder: "tiny".into(),
            dim: 2,
            rows: vec![
                None,
                Some(vec![2.0, 1.0]),
                Some(vec![0.0, 3.0]),
                Some(vec![4.0, 2.0]),
            ],
        }
    }

    #[test]
    fn only_tokens_that_stand_for_text_get_a_row() {
        for token in ["[PAD]", "[unused7]", "[CLS]", "[SEP]", "[MASK]"] {
            assert!(!kept(token), "{token}");
        }
        for token in ["the", "##ing", "[UNK]", "!"] {
            assert!(kept(token), "{token}");
        }
    }

    #[test]
    fn centring_subtracts_the_rows_mean_and_skipped_rows_stay_zero() {
        let recipe = Recipe {
            normalise: false,
            center: true,
            weighting: Weighting::None,
        };
        let t = build(&raw(), &recipe);
        // The mean of the three rows is (2, 2).
        assert_eq!(t.values, vec![0.0, 0.0, 0.0, -1.0, -2.0, 1.0, 2.0, 0.0]);
        assert_eq!(t.metadata["encoder"], "tiny");
        assert!(t.metadata["recipe"].contains("centred"));
    }

    #[test]
    fn weights_grow_with_rank_so_frequent_tokens_pull_the_mean_less() {
        let size = 30_000;
        for weighting in [Weighting::Zipf, Weighting::Sif(1e-4)] {
            let w = weights(weighting, size);
            assert!(0.0 < w[2000] && w[2000] < w[29_000], "{weighting:?}");
            assert!(w.iter().all(|v| v.is_finite()));
        }
        assert_eq!(weights(Weighting::None, size)[5], 1.0);
        assert_eq!(weights(Weighting::Zipf, size)[0], 0.0);
        // SIF stays below 1 and nears it for rare tokens.
        assert!(weights(Weighting::Sif(1e-4), size)[29_000] > 0.95);

        let recipe = Recipe {
            normalise: true,
            center: false,
            weighting: Weighting::Zipf,
        };
        let t = build(&raw(), &recipe);
        // Row 2, (0, 3) normalised to (0, 1), weighted by ln 3.
        assert!((t.values[5] - 3f32.ln()).abs() < 1e-6);
        assert_eq!(t.values[4], 0.0);
    }
}
