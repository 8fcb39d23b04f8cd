//! The document embeddings of `train` and `eval classify` for models with
//! semantic features, and the cache file that keeps them between runs.
//!
//! Embedding is nearly all the cost of such a command (tens of
//! milliseconds of a core a short news text, a fifth of a second a
//! 20 Newsgroups post, where the rest of training costs microseconds a
//! text), and an evaluation trains and measures the same texts on several
//! splits: with `--embedding-cache FILE` each text is embedded once, by the
//! first run that meets it.
//!
//! # Cache file
//!
//! Little-endian, no padding: the magic `b"TAEMBED\0"`, a `u32` dimension
//! `D`, a `u32` length `N` and the encoder's name in `N` bytes of UTF-8;
//! then records, each a `u64` key (xxh3 of the text's UTF-8 bytes) and the
//! text's `D` `f32` components. Records are appended after each batch, so
//! an interrupted run keeps what it embedded; a truncated last record is
//! ignored. A file of another encoder (name or dimension) is refused
//! rather than mixed.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use xxhash_rust::xxh3::xxh3_64;

use crate::deadline::Deadline;
use crate::semantic::{Embedder, EmbedderInfo, Embedding};

const MAGIC: &[u8; 8] = b"TAEMBED\0";

/// Texts embedded per call of the encoder: enough for it to batch well,
/// few enough that progress moves and an interrupted run loses little.
const BATCH: usize = 256;

/// The embedding of each of `texts`, in order: from `cache` when it holds
/// the text, else from `embedder` (and then added to `cache`).
pub fn embed_texts(
    texts: &[&str],
    embedder: &dyn Embedder,
    cache: Option<&Path>,
) -> Result<Vec<Embedding>, String> {
    let info = embedder.info();
    let mut known = match cache {
        Some(path) if path.exists() => read_cache(path, info)?,
        _ => HashMap::new(),
    };
    let mut missing: Vec<(u64, &str)> = Vec::new();
    let mut queued = std::collections::HashSet::new();
    for text in texts {
        let key = xxh3_64(text.as_bytes());
        if !known.contains_key(&key) && queued.insert(key) {
            missing.push((key, text));
        }
    }
    if !missing.is_empty() {
        eprintln!(
            "embedding {} of {} texts with {}{}",
            missing.len(),
            texts.len(),
            info.name,
            cache.map_or(String::new(), |p| format!(
                ", adding them to {}",
                p.display()
            ))
        );
        let mut file = match cache {
            Some(path) => Some(open_for_append(path, info)?),
            None => None,
        };
        let bar = ProgressBar::new(missing.len() as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "   embedding [{bar:40}] {pos}/{len} {elapsed} (eta {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        let started = std::time::Instant::now();
        for chunk in missing.chunks(BATCH) {
            let batch: Vec<&str> = chunk.iter().map(|(_, t)| *t).collect();
            let vectors = embedder
                .embed(&batch, Deadline::NONE)
                .map_err(|e| format!("cannot embed the texts: {e}"))?;
            if vectors.len() != chunk.len() || vectors.iter().any(|v| v.dim() != info.dim) {
                return Err("the encoder returned embeddings of the wrong number or size".into());
            }
            if let Some((file, path)) = file.as_mut().zip(cache) {
                let mut bytes = Vec::with_capacity(chunk.len() * (8 + 4 * info.dim));
                for ((key, _), v) in chunk.iter().zip(&vectors) {
                    bytes.extend_from_slice(&key.to_le_bytes());
                    for x in v.values() {
                        bytes.extend_from_slice(&x.to_le_bytes());
                    }
                }
                file.write_all(&bytes)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
            for ((key, _), v) in chunk.iter().zip(vectors) {
                known.insert(*key, v);
            }
            bar.inc(chunk.len() as u64);
        }
        bar.finish_and_clear();
        eprintln!(
            "embedded {} texts in {:.1} s",
            missing.len(),
            started.elapsed().as_secs_f64()
        );
    }
    texts
        .iter()
        .map(|text| {
            known
                .get(&xxh3_64(text.as_bytes()))
                .cloned()
                .ok_or_else(|| "a text was left unembedded".to_owned())
        })
        .collect()
}

/// The header of a cache of `info`'s embeddings.
fn header(info: &EmbedderInfo) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&(info.dim as u32).to_le_bytes());
    out.extend_from_slice(&(info.name.len() as u32).to_le_bytes());
    out.extend_from_slice(info.name.as_bytes());
    out
}

/// The embeddings of a cache file, which must be `info`'s.
fn read_cache(path: &Path, info: &EmbedderInfo) -> Result<HashMap<u64, Embedding>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let expected = header(info);
    if !bytes.starts_with(&expected) {
        return Err(format!(
            "{} is not a cache of embeddings of {} ({} dimensions): name another file",
            path.display(),
            info.name,
            info.dim
        ));
    }
    let record = 8 + 4 * info.dim;
    Ok(bytes[expected.len()..]
        .chunks_exact(record)
        .map(|r| {
            let key = u64::from_le_bytes(r[..8].try_into().unwrap_or_default());
            let values = r[8..]
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            (key, Embedding::restored(values))
        })
        .collect())
}

/// The cache file, created with its header when new, positioned to
/// append; a truncated last record (an interrupted run) is cut off first.
fn open_for_append(path: &Path, info: &EmbedderInfo) -> Result<std::fs::File, String> {
    let io = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let head = header(info);
    let record = (8 + 4 * info.dim) as u64;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len == 0 {
        file.write_all(&head).map_err(io)?;
    } else {
        let whole = len - (len - head.len() as u64) % record;
        if whole != len {
            file.set_len(whole).map_err(io)?;
        }
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantic::fake::FakeEmbedder;

    #[test]
    fn a_cache_embeds_each_text_once_and_refuses_another_encoder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.bin");
        let fake = FakeEmbedder::new();
        let first = embed_texts(&["buy a car", "rain"], &fake, Some(&path)).unwrap();
        let len = std::fs::metadata(&path).unwrap().len();
        // A text already cached adds nothing; a new one adds one record.
        let again = embed_texts(&["rain", "buy a car", "rain"], &fake, Some(&path)).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), len);
        assert_eq!((&again[1], &again[0]), (&first[0], &first[1]));
        embed_texts(&["snow"], &fake, Some(&path)).unwrap();
        let record = (8 + 4 * FakeEmbedder::DIM) as u64;
        assert_eq!(std::fs::metadata(&path).unwrap().len(), len + record);
        // The cached vectors are the encoder's.
        let direct = fake.embed(&["buy a car"], Deadline::NONE).unwrap();
        let cached = read_cache(&path, fake.info()).unwrap();
        assert_eq!(cached[&xxh3_64(b"buy a car")], direct[0]);
        // A truncated record is dropped, and the text embedded again.
        let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        file.set_len(len + record - 3).unwrap();
        assert_eq!(read_cache(&path, fake.info()).unwrap().len(), 2);
        embed_texts(&["snow"], &fake, Some(&path)).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), len + record);
        // Another encoder's cache is refused.
        let other = EmbedderInfo {
            name: "other".into(),
            ..fake.info().clone()
        };
        assert!(
            read_cache(&path, &other)
                .unwrap_err()
                .contains("not a cache")
        );
    }
}
