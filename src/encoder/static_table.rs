//! The static embedder: a table of one vector per word piece, distilled
//! from the encoder ([`super::distill`]), and a text's embedding the mean of
//! its word pieces' vectors.
//!
//! It reads no context (a word means the same wherever it stands, and word
//! order is lost), so it is less accurate than the transformer, but it
//! embeds in microseconds where the transformer takes milliseconds a
//! sentence: a lookup and an addition per token instead of six layers of
//! attention. Callers choose it per request (Embed's `model`).
//!
//! The table lives beside the transformer's weights, in
//! `static.safetensors` ([`STATIC_FILE`]): one tensor, `embeddings`, of
//! `vocabulary × dimensions` half-precision floats (a row per token id of
//! `tokenizer.json`, zero for the tokens the table skips), and a header
//! naming the encoder it was distilled from and the recipe. Half precision
//! halves the file (23 MB rather than 47 MB for all-MiniLM-L6-v2); a mean of
//! many rows does not see the rounding.

use std::collections::HashMap;
use std::path::Path;

use candle_core::{DType, Device, Tensor};
use tokenizers::Tokenizer;

use super::{EncoderError, invalid, load_tokenizer, read};
use crate::deadline::Deadline;
use crate::semantic::{EmbedError, Embedder, EmbedderInfo, Embedding};

/// The table's file name, in the encoder's directory.
pub const STATIC_FILE: &str = "static.safetensors";

/// The tensor that holds the table.
const TENSOR: &str = "embeddings";

/// The `format` the header carries: a table of another layout is refused.
const FORMAT: &str = "textanalysis-static-1";

/// How often (in texts) embedding looks at the clock: a text takes a few
/// microseconds a sentence, so a clock read per text would cost more than
/// the work.
const DEADLINE_EVERY: usize = 64;

/// A distilled table: row `id` is token `id`'s vector.
#[derive(Debug, Clone, PartialEq)]
pub struct StaticTable {
    /// Rows × `dim` floats, row-major.
    pub values: Vec<f32>,
    /// Each row's length.
    pub dim: usize,
    /// What the header says: the encoder it comes from, the recipe.
    pub metadata: HashMap<String, String>,
}

impl StaticTable {
    /// How many token ids the table covers.
    pub fn rows(&self) -> usize {
        self.values.len().checked_div(self.dim).unwrap_or(0)
    }

    /// Writes the table in half precision, with its metadata.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let tensor = Tensor::from_slice(&self.values, (self.rows(), self.dim), &Device::Cpu)
            .and_then(|t| t.to_dtype(DType::F16))
            .map_err(|e| e.to_string())?;
        let mut metadata = self.metadata.clone();
        metadata.insert("format".into(), FORMAT.into());
        metadata.insert("dimensions".into(), self.dim.to_string());
        safetensors::serialize_to_file([(TENSOR, &tensor)], Some(metadata), path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        // The writer creates the file readable by its owner alone; the
        // server often runs as another user (the image's non-root one).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
                .map_err(|e| format!("cannot make {} readable: {e}", path.display()))?;
        }
        Ok(())
    }

    /// Reads a table [`save`](Self::save) wrote.
    pub fn load(path: &Path) -> Result<StaticTable, EncoderError> {
        let bytes = read(path)?;
        let bad = |reason: String| invalid(path, reason);
        let (_, header) = safetensors::SafeTensors::read_metadata(&bytes)
            .map_err(|e| bad(format!("not a safetensors file: {e}")))?;
        let metadata = header.metadata().clone().unwrap_or_default();
        if metadata.get("format").map(String::as_str) != Some(FORMAT) {
            return Err(bad(format!(
                "not a static table of format {FORMAT}: rebuild it with textanalysis distill-static"
            )));
        }
        let tensors = candle_core::safetensors::load_buffer(&bytes, &Device::Cpu)
            .map_err(|e| bad(format!("not a safetensors file: {e}")))?;
        let tensor = tensors
            .get(TENSOR)
            .ok_or_else(|| bad(format!("no {TENSOR} tensor")))?;
        let (rows, dim) = tensor
            .dims2()
            .map_err(|e| bad(format!("{TENSOR} is not a matrix: {e}")))?;
        let values = tensor
            .to_dtype(DType::F32)
            .and_then(|t| t.flatten_all())
            .and_then(|t| t.to_vec1::<f32>())
            .map_err(|e| bad(e.to_string()))?;
        if dim == 0 || rows == 0 || values.iter().any(|v| !v.is_finite()) {
            return Err(bad(format!("{TENSOR} is empty or not finite")));
        }
        Ok(StaticTable {
            values,
            dim,
            metadata,
        })
    }

    /// The mean of the rows of `ids`, normalised; ids past the table (a
    /// tokenizer of a larger vocabulary) count for nothing. No ids: the
    /// zero vector.
    pub fn pool(&self, ids: &[u32]) -> Embedding {
        let mut sum = vec![0f32; self.dim];
        for &id in ids {
            let start = id as usize * self.dim;
            if let Some(row) = self.values.get(start..start + self.dim) {
                sum.iter_mut().zip(row).for_each(|(s, v)| *s += v);
            }
        }
        Embedding::normalised(sum)
    }
}

/// A text to the mean of its word pieces' static vectors.
pub struct StaticEmbedder {
    tokenizer: Tokenizer,
    table: StaticTable,
    info: EmbedderInfo,
}

impl std::fmt::Debug for StaticEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticEmbedder")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl StaticEmbedder {
    /// Loads the table in `dir` ([`STATIC_FILE`]) and the tokenizer it was
    /// distilled with (`tokenizer.json`). Named after the encoder the
    /// table's header names, with `-static`.
    pub fn load(dir: &Path) -> Result<StaticEmbedder, EncoderError> {
        let (tokenizer, _) = load_tokenizer(dir)?;
        let table = StaticTable::load(&dir.join(STATIC_FILE))?;
        let vocab = tokenizer.get_vocab_size(true);
        if vocab != table.rows() {
            return Err(invalid(
                &dir.join(STATIC_FILE),
                format!(
                    "has {} rows for a tokenizer of {vocab} tokens: distilled from another model",
                    table.rows()
                ),
            ));
        }
        Ok(Self::new(tokenizer, table))
    }

    /// `table` with the tokenizer of the model in `dir`: a table not yet
    /// written, as the distillation's evaluation tries them.
    pub fn with_table(dir: &Path, table: StaticTable) -> Result<StaticEmbedder, EncoderError> {
        let (tokenizer, _) = load_tokenizer(dir)?;
        Ok(Self::new(tokenizer, table))
    }

    fn new(tokenizer: Tokenizer, table: StaticTable) -> StaticEmbedder {
        let encoder = table
            .metadata
            .get("encoder")
            .cloned()
            .unwrap_or_else(|| "encoder".into());
        let info = EmbedderInfo {
            name: format!("{encoder}-static"),
            dim: table.dim,
            // No limit (0): a long text is only more rows to add.
            max_tokens: 0,
        };
        StaticEmbedder {
            tokenizer,
            table,
            info,
        }
    }

    /// The table.
    pub fn table(&self) -> &StaticTable {
        &self.table
    }
}

impl Embedder for StaticEmbedder {
    fn info(&self) -> &EmbedderInfo {
        &self.info
    }

    fn embed(&self, texts: &[&str], deadline: Deadline) -> Result<Vec<Embedding>, EmbedError> {
        let mut out = Vec::with_capacity(texts.len());
        for (index, text) in texts.iter().enumerate() {
            if index % DEADLINE_EVERY == 0 && deadline.expired() {
                return Err(EmbedError::DeadlineExceeded);
            }
            let encoding =
                self.tokenizer
                    .encode(*text, false)
                    .map_err(|e| EmbedError::Tokenize {
                        index,
                        reason: e.to_string(),
                    })?;
            out.push(self.table.pool(encoding.get_ids()));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> StaticTable {
        StaticTable {
            values: vec![
                0.0, 0.0, // 0: a skipped token
                3.0, 0.0, // 1
                0.0, 1.0, // 2
                -3.0, 0.0, // 3
            ],
            dim: 2,
            metadata: HashMap::from([("encoder".into(), "tiny".into())]),
        }
    }

    #[test]
    fn a_text_is_the_normalised_mean_of_its_tokens_rows() {
        let t = table();
        assert_eq!(t.rows(), 4);
        // (3, 0) + (0, 1) + (0, 1) = (3, 2), over its norm.
        let e = t.pool(&[1, 2, 2]);
        let n = 13f32.sqrt();
        assert!((e.values()[0] - 3.0 / n).abs() < 1e-6);
        assert!((e.values()[1] - 2.0 / n).abs() < 1e-6);
        // Rows that cancel, no tokens, skipped or unknown ids: zero.
        assert_eq!(t.pool(&[1, 3]).values(), &[0.0, 0.0]);
        assert_eq!(t.pool(&[]).values(), &[0.0, 0.0]);
        assert_eq!(t.pool(&[0, 99]).values(), &[0.0, 0.0]);
        // A long text is only more tokens: order and repetition of the
        // same mix do not change the direction.
        assert_eq!(t.pool(&[2, 1, 2]), e);
        assert_eq!(t.pool(&[1, 2, 2, 1, 2, 2]), e);
    }

    #[test]
    fn a_table_survives_its_file_in_half_precision() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(STATIC_FILE);
        let mut t = table();
        t.values[5] = 0.1;
        t.save(&path).unwrap();
        let back = StaticTable::load(&path).unwrap();
        assert_eq!((back.rows(), back.dim), (4, 2));
        assert_eq!(back.metadata["encoder"], "tiny");
        assert_eq!(back.metadata["format"], FORMAT);
        for (a, b) in back.values.iter().zip(&t.values) {
            assert!((a - b).abs() < 1e-3, "{a} vs {b}");
        }
        std::fs::write(&path, b"not a table").unwrap();
        assert!(StaticTable::load(&path).is_err());
    }
}
