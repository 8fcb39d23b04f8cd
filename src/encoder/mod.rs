//! Sentence embeddings: a text to a unit vector whose cosine with another
//! text's says how close their meanings are, where the lexical measures of
//! [`compare`](crate::compare) only see shared words.
//!
//! The model is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0): a
//! 6-layer BERT with 384 dimensions, trained for mean pooling and L2
//! normalisation. It runs in-process on the CPU with candle; its weights are
//! not in the repository (`scripts/fetch-encoder.sh` fetches them into
//! `models/encoder/`), so an [`Encoder`] is loaded from a directory at run
//! time, and the analysis core works without one.
//!
//! # From text to embedding
//!
//! 1. The tokenizer (the model's `tokenizer.json`) turns each text into
//!    word-piece ids. Its file pads and truncates every text to 128 tokens;
//!    both are switched off, because the model reads up to 256 tokens and
//!    because a longer text is split, not cut ([`chunk`]).
//! 2. A text of more than 256 tokens, `[CLS]` and `[SEP]` included, is cut
//!    into chunks of equal size, each framed by `[CLS]` and `[SEP]`.
//! 3. Chunks are sorted longest first and run in batches of at most
//!    [`BATCH_TOKENS`] tokens once padded to the batch's longest chunk, with
//!    no chunk shorter than half of it (so a document's 256-token chunks
//!    never pad its short sentences to their length); the attention mask
//!    keeps padding out of every real token's result.
//! 4. Each chunk's token vectors are averaged over the attention mask (mean
//!    pooling, `[CLS]` and `[SEP]` included, as sentence-transformers does)
//!    and normalised.
//! 5. A text of several chunks is the average of its chunks' vectors,
//!    weighted by their token counts, normalised again: every token weighs
//!    the same whichever chunk it fell in.
//!
//! The batch a text shares with others changes its padding only, which the
//! mask hides: a text embeds the same alone or in a batch, to float
//! rounding.

mod chunk;
pub mod distill;
mod error;
mod static_table;

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::Tokenizer;

use self::chunk::{Chunk, Specials};
pub use self::error::EncoderError;
pub use self::static_table::{STATIC_FILE, StaticEmbedder, StaticTable};
use crate::deadline::Deadline;
pub use crate::semantic::{EmbedError, Embedder, EmbedderInfo, Embedding, cosine};

/// The most tokens one chunk holds, `[CLS]` and `[SEP]` included: the
/// model's maximum sequence length as sentence-transformers sets it
/// (`sentence_bert_config.json`). Its position table is longer (512), but
/// the model was not trained on texts that long.
pub const MAX_TOKENS: usize = 256;

/// The most tokens, padding included, run through the model at once: 16
/// chunks of 256 tokens, or more of shorter ones. Enough rows for the
/// matrix products to run at full speed; few enough to bound a call's
/// memory, since the activations grow with it and the attention scores
/// (rows × heads × length² floats, of which the model keeps several copies)
/// with it times the longest chunk, at most 256.
pub const BATCH_TOKENS: usize = 16 * MAX_TOKENS;

/// A loaded sentence encoder: the tokenizer and the model's weights, read
/// once. Embedding takes `&self`, so one encoder serves every thread.
pub struct Encoder {
    tokenizer: Tokenizer,
    model: BertModel,
    specials: Specials,
    info: EmbedderInfo,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl Encoder {
    /// Loads the model in `dir`: `config.json` (a BERT model),
    /// `tokenizer.json`, `model.safetensors` and, when present,
    /// `1_Pooling/config.json`, which must ask for mean pooling (the only
    /// pooling implemented here). The model is named after `dir`.
    pub fn load(dir: &Path) -> Result<Encoder, EncoderError> {
        let config_path = dir.join("config.json");
        let config: Config = serde_json::from_slice(&read(&config_path)?)
            .map_err(|e| invalid(&config_path, format!("not a BERT configuration: {e}")))?;
        check_pooling(&dir.join("1_Pooling").join("config.json"))?;

        let (tokenizer, specials) = load_tokenizer(dir)?;

        // Read whole rather than memory-mapped (mapping is unsafe code, which
        // the crate denies); the buffer is dropped once the tensors are
        // copied out of it.
        let weights_path = dir.join("model.safetensors");
        let weights =
            VarBuilder::from_buffered_safetensors(read(&weights_path)?, DType::F32, &Device::Cpu)
                .map_err(|e| invalid(&weights_path, format!("not a safetensors file: {e}")))?;
        let model = BertModel::load(weights, &config).map_err(|e| {
            invalid(
                &weights_path,
                format!("does not hold the model config.json describes: {e}"),
            )
        })?;

        let name = dir
            .canonicalize()
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "encoder".into());
        Ok(Encoder {
            tokenizer,
            model,
            specials,
            info: EmbedderInfo {
                name,
                dim: config.hidden_size,
                max_tokens: MAX_TOKENS.min(config.max_position_embeddings),
            },
        })
    }

    /// The embeddings' dimension (384 for all-MiniLM-L6-v2).
    pub fn dim(&self) -> usize {
        self.info.dim
    }

    /// Embeds each text, in order. Any text is accepted, empty ones
    /// included; a long one costs time in proportion to its tokens. Past
    /// `deadline`, stops between two batches.
    pub fn embed(&self, texts: &[&str], deadline: Deadline) -> Result<Vec<Embedding>, EmbedError> {
        let _stage = tracing::info_span!("encoder", texts = texts.len()).entered();
        let mut chunks = Vec::new();
        for (index, text) in texts.iter().enumerate() {
            let encoding =
                self.tokenizer
                    .encode(*text, false)
                    .map_err(|e| EmbedError::Tokenize {
                        index,
                        reason: e.to_string(),
                    })?;
            chunk::split(
                index,
                encoding.get_ids(),
                self.info.max_tokens,
                self.specials,
                &mut chunks,
            );
        }
        chunks.sort_by_key(|c| std::cmp::Reverse(c.ids.len()));

        let mut sums = vec![vec![0f32; self.info.dim]; texts.len()];
        for batch in chunk::batches(&chunks, BATCH_TOKENS) {
            if deadline.expired() {
                return Err(EmbedError::DeadlineExceeded);
            }
            let pooled = self.pool(batch)?;
            for (chunk, vector) in batch.iter().zip(pooled) {
                let weight = chunk.ids.len() as f32;
                let unit = Embedding::normalised(vector);
                for (sum, v) in sums[chunk.text].iter_mut().zip(unit.values()) {
                    *sum += weight * v;
                }
            }
        }
        Ok(sums.into_iter().map(Embedding::normalised).collect())
    }

    /// The model's reading of each token of `ids` alone: `[CLS] id [SEP]`
    /// run through the model and mean-pooled over its three tokens, not
    /// normalised. What [`distill`] builds the static table from; the
    /// token-budget batches hold over a thousand such inputs each.
    pub fn token_vectors(
        &self,
        ids: &[u32],
        deadline: Deadline,
    ) -> Result<Vec<Vec<f32>>, EmbedError> {
        let chunks: Vec<Chunk> = ids
            .iter()
            .enumerate()
            .map(|(text, &id)| Chunk {
                text,
                ids: vec![self.specials.cls, id, self.specials.sep],
            })
            .collect();
        let mut out = Vec::with_capacity(ids.len());
        for batch in chunk::batches(&chunks, BATCH_TOKENS) {
            if deadline.expired() {
                return Err(EmbedError::DeadlineExceeded);
            }
            out.extend(self.pool(batch)?);
        }
        Ok(out)
    }

    /// The tokenizer's word pieces and their ids, in id order.
    pub fn vocabulary(&self) -> Vec<(u32, String)> {
        let mut vocab: Vec<(u32, String)> = self
            .tokenizer
            .get_vocab(true)
            .into_iter()
            .map(|(token, id)| (id, token))
            .collect();
        vocab.sort_unstable();
        vocab
    }

    /// Runs one batch through the model and mean-pools each chunk's token
    /// vectors over its attention mask.
    fn pool(&self, batch: &[Chunk]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let padded = chunk::pad(batch, self.specials.pad);
        let shape = (padded.rows, padded.len);
        let device = &self.model.device;
        let ids = Tensor::from_vec(padded.ids, shape, device)?;
        let types = ids.zeros_like()?;
        let mask = Tensor::from_vec(padded.mask, shape, device)?;
        let tokens = self.model.forward(&ids, &types, Some(&mask))?;
        let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
        let sum = tokens.broadcast_mul(&mask)?.sum(1)?;
        let count = mask.sum(1)?;
        Ok(sum.broadcast_div(&count)?.to_vec2::<f32>()?)
    }
}

impl Embedder for Encoder {
    fn info(&self) -> &EmbedderInfo {
        &self.info
    }

    fn embed(&self, texts: &[&str], deadline: Deadline) -> Result<Vec<Embedding>, EmbedError> {
        Encoder::embed(self, texts, deadline)
    }
}

impl From<candle_core::Error> for EmbedError {
    fn from(error: candle_core::Error) -> Self {
        EmbedError::Model(error.to_string())
    }
}

fn read(path: &Path) -> Result<Vec<u8>, EncoderError> {
    std::fs::read(path).map_err(|source| EncoderError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads the model's `tokenizer.json` with its truncation and padding
/// switched off (the callers split and pad themselves), and the ids of the
/// special tokens the encoder frames chunks with.
fn load_tokenizer(dir: &Path) -> Result<(Tokenizer, Specials), EncoderError> {
    let tokenizer_path = dir.join("tokenizer.json");
    let mut tokenizer = Tokenizer::from_bytes(read(&tokenizer_path)?)
        .map_err(|e| invalid(&tokenizer_path, format!("not a tokenizer: {e}")))?;
    tokenizer
        .with_truncation(None)
        .map_err(|e| invalid(&tokenizer_path, e.to_string()))?;
    tokenizer.with_padding(None);
    let special = |token: &str| {
        tokenizer
            .token_to_id(token)
            .ok_or_else(|| invalid(&tokenizer_path, format!("no {token} token")))
    };
    let specials = Specials {
        cls: special("[CLS]")?,
        sep: special("[SEP]")?,
        pad: special("[PAD]")?,
    };
    Ok((tokenizer, specials))
}

fn invalid(path: &Path, reason: impl Into<String>) -> EncoderError {
    EncoderError::Invalid {
        path: PathBuf::from(path),
        reason: reason.into(),
    }
}

/// sentence-transformers keeps the pooling in its own file; a model trained
/// for another pooling (its `[CLS]` vector, a max) would load and embed
/// without complaint, and badly.
fn check_pooling(path: &Path) -> Result<(), EncoderError> {
    #[derive(serde::Deserialize)]
    struct Pooling {
        #[serde(default)]
        pooling_mode_mean_tokens: bool,
        #[serde(default)]
        pooling_mode_cls_token: bool,
        #[serde(default)]
        pooling_mode_max_tokens: bool,
        #[serde(default)]
        pooling_mode_mean_sqrt_len_tokens: bool,
    }
    if !path.exists() {
        return Ok(());
    }
    let pooling: Pooling = serde_json::from_slice(&read(path)?)
        .map_err(|e| invalid(path, format!("not a pooling configuration: {e}")))?;
    let others = pooling.pooling_mode_cls_token
        || pooling.pooling_mode_max_tokens
        || pooling.pooling_mode_mean_sqrt_len_tokens;
    if !pooling.pooling_mode_mean_tokens || others {
        return Err(invalid(
            path,
            "the model is pooled otherwise; only mean pooling is implemented",
        ));
    }
    Ok(())
}
