//! Token ids to model inputs: each text's tokens split into chunks that fit
//! the model, and chunks padded into batches.
//!
//! The tokenizer's own truncation would cut a long text at the limit and
//! drop the rest; its padding would pad every text of a call to the same
//! length before we know how texts are split. So the tokenizer only turns
//! text into word-piece ids (no special tokens, no truncation, no padding)
//! and this module does the rest: a text longer than one chunk is cut into
//! chunks of equal size (a last chunk of three tokens would otherwise be a
//! poor embedding of its own), each framed by `[CLS]` and `[SEP]` as the
//! model was trained; a batch is padded to its longest chunk.

/// The special token ids the model expects around and after a chunk.
#[derive(Debug, Clone, Copy)]
pub(super) struct Specials {
    pub cls: u32,
    pub sep: u32,
    pub pad: u32,
}

/// One model input: the ids of part or all of one text, framed by `[CLS]`
/// and `[SEP]`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Chunk {
    /// The index of the text in the caller's slice.
    pub text: usize,
    pub ids: Vec<u32>,
}

/// Splits `tokens` (a text's word-piece ids, without special tokens) into
/// chunks of at most `max_len` ids, `[CLS]` and `[SEP]` included, of equal
/// size give or take one, and appends them to `out`. An empty text is one
/// chunk, `[CLS] [SEP]`: the model gives it an embedding like any other.
pub(super) fn split(
    text: usize,
    tokens: &[u32],
    max_len: usize,
    specials: Specials,
    out: &mut Vec<Chunk>,
) {
    let room = max_len.saturating_sub(2).max(1);
    let pieces = tokens.len().div_ceil(room).max(1);
    let (base, extra) = (tokens.len() / pieces, tokens.len() % pieces);
    let mut start = 0;
    for piece in 0..pieces {
        let len = base + usize::from(piece < extra);
        let mut ids = Vec::with_capacity(len + 2);
        ids.push(specials.cls);
        ids.extend_from_slice(&tokens[start..start + len]);
        ids.push(specials.sep);
        out.push(Chunk { text, ids });
        start += len;
    }
}

/// Cuts `chunks`, sorted longest first, into batches of consecutive chunks:
/// a batch padded to its first (longest) chunk holds at most `max_tokens`
/// tokens (one chunk at least), and no chunk shorter than half of its first,
/// so that padding never doubles a batch's work.
pub(super) fn batches(chunks: &[Chunk], max_tokens: usize) -> Vec<&[Chunk]> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < chunks.len() {
        let longest = chunks[start].ids.len().max(1);
        let rows = (max_tokens / longest).max(1);
        let mut end = start + 1;
        while end < chunks.len() && end - start < rows && 2 * chunks[end].ids.len() >= longest {
            end += 1;
        }
        out.push(&chunks[start..end]);
        start = end;
    }
    out
}

/// A batch of chunks padded to its longest, row-major: `ids` and `mask` are
/// `rows × len`, the mask 1 on real tokens and 0 on padding.
#[derive(Debug, PartialEq)]
pub(super) struct Padded {
    pub rows: usize,
    pub len: usize,
    pub ids: Vec<u32>,
    pub mask: Vec<u32>,
}

pub(super) fn pad(batch: &[Chunk], pad: u32) -> Padded {
    let len = batch.iter().map(|c| c.ids.len()).max().unwrap_or(0);
    let mut ids = Vec::with_capacity(batch.len() * len);
    let mut mask = Vec::with_capacity(batch.len() * len);
    for chunk in batch {
        let fill = len - chunk.ids.len();
        ids.extend_from_slice(&chunk.ids);
        ids.extend(std::iter::repeat_n(pad, fill));
        mask.extend(std::iter::repeat_n(1, chunk.ids.len()));
        mask.extend(std::iter::repeat_n(0, fill));
    }
    Padded {
        rows: batch.len(),
        len,
        ids,
        mask,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECIALS: Specials = Specials {
        cls: 101,
        sep: 102,
        pad: 0,
    };

    fn chunks(tokens: &[u32], max_len: usize) -> Vec<Vec<u32>> {
        let mut out = Vec::new();
        split(7, tokens, max_len, SPECIALS, &mut out);
        assert!(out.iter().all(|c| c.text == 7));
        out.into_iter().map(|c| c.ids).collect()
    }

    #[test]
    fn an_empty_text_is_one_framed_chunk() {
        assert_eq!(chunks(&[], 256), vec![vec![101, 102]]);
    }

    #[test]
    fn a_text_that_fits_is_one_chunk() {
        let tokens: Vec<u32> = (1000..1254).collect();
        let out = chunks(&tokens, 256);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].len(), 256);
        assert_eq!(&out[0][1..255], &tokens[..]);
    }

    #[test]
    fn a_long_text_is_cut_into_equal_framed_chunks_that_keep_every_token() {
        let tokens: Vec<u32> = (1000..1255).collect();
        let out = chunks(&tokens, 256);
        assert_eq!(
            out.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![130, 129],
            "255 tokens in two chunks of 128 and 127, each framed"
        );
        let mut rejoined = Vec::new();
        for ids in &out {
            assert_eq!((ids[0], ids[ids.len() - 1]), (101, 102));
            rejoined.extend_from_slice(&ids[1..ids.len() - 1]);
        }
        assert_eq!(rejoined, tokens);

        let tokens: Vec<u32> = (0..1000).collect();
        let out = chunks(&tokens, 256);
        assert_eq!(out.len(), 4);
        assert!(out.iter().all(|ids| ids.len() <= 256));
    }

    fn sorted(lens: &[usize]) -> Vec<Chunk> {
        lens.iter()
            .enumerate()
            .map(|(text, &len)| Chunk {
                text,
                ids: vec![1; len],
            })
            .collect()
    }

    fn batch_lens(chunks: &[Chunk], max_tokens: usize) -> Vec<Vec<usize>> {
        batches(chunks, max_tokens)
            .iter()
            .map(|b| b.iter().map(|c| c.ids.len()).collect())
            .collect()
    }

    #[test]
    fn batches_hold_a_token_budget_and_never_pad_a_chunk_to_twice_its_length() {
        // A document's long chunks, then its sentences: the sentences start
        // a batch of their own rather than being padded to 256.
        let chunks = sorted(&[256, 256, 256, 40, 30, 22, 21, 20, 10]);
        assert_eq!(
            batch_lens(&chunks, 512),
            vec![
                vec![256, 256],
                vec![256],
                vec![40, 30, 22, 21, 20],
                vec![10],
            ]
        );
        // Short chunks fill the budget with more rows.
        let chunks = sorted(&[8; 10]);
        assert_eq!(
            batch_lens(&chunks, 32),
            vec![vec![8; 4], vec![8; 4], vec![8; 2]]
        );
        // A chunk longer than the budget still runs, alone.
        assert_eq!(
            batch_lens(&sorted(&[300, 290]), 256),
            vec![vec![300], vec![290]]
        );
        assert!(batches(&[], 512).is_empty());
    }

    #[test]
    fn a_batch_is_padded_to_its_longest_chunk() {
        let a = Chunk {
            text: 0,
            ids: vec![101, 5, 6, 102],
        };
        let b = Chunk {
            text: 1,
            ids: vec![101, 102],
        };
        assert_eq!(
            pad(&[a, b], 0),
            Padded {
                rows: 2,
                len: 4,
                ids: vec![101, 5, 6, 102, 101, 102, 0, 0],
                mask: vec![1, 1, 1, 1, 1, 1, 0, 0],
            }
        );
    }
}
