//! Near-duplicates within a stream of documents: a bounded window of the
//! last items' [`Fingerprint`]s, with locality-sensitive hashing (LSH) over
//! their MinHash values to find the earlier items worth comparing.
//!
//! # Resemblance
//!
//! An item is a near-duplicate of an earlier one when their *estimated*
//! resemblance reaches the threshold, [`DEFAULT_THRESHOLD`] (Compare's
//! [`DEFAULT_NEAR_DUPLICATE`]) unless the caller gives another. It means what
//! Compare's near-duplicate verdict means ([`crate::compare`]), estimated from
//! the fingerprints alone ([`resemblance`]): from the signatures' Jaccard
//! estimate `J` and the shingle counts `|A|`, `|B|`, the shared shingles are
//! `J(|A| + |B|) / (1 + J)`, hence both containments; the resemblance is the
//! smaller one, or the larger one when the shorter text has at least
//! [`MIN_EXTENSION_RATIO`] of the longer one's shingles (Compare counts words:
//! a text has about as many distinct shingles as words). Compare's third
//! part, the coverage of aligned sentences, needs the texts and is left out:
//! a copy whose sentences were reworded until most shingles broke is found
//! by Compare, not here.
//!
//! Two items without any shingle (no word at all) are duplicates, as two
//! such texts are in Compare: such an item is marked with the newest earlier
//! one in the window, resemblance 1. An item without shingles never matches
//! one with shingles.
//!
//! # Banding
//!
//! The first 128 of the fingerprint's 256 values (its signature's) are cut
//! into [`BANDS`] = 64 bands of [`ROWS`] = 2;
//! two items are compared when they agree on every value of some band, which
//! happens with probability `1 − (1 − J²)⁶⁴`. Pairs at the threshold whose
//! smaller containment reaches 0.5 share at least half of the longer text's
//! shingles, so `J ≥ 1/3`: they are compared with probability 99.95% (and
//! 99.999999% at `J = 0.5`, where edited copies start). A pair that reaches
//! the threshold by the larger containment alone, the shorter text half
//! inside one up to three times as long, can have `J` down to 1/7, where the
//! probability is 73%: reaching 99.9% there takes single-value bands, which
//! also make a quarter of unrelated news pairs candidates. Unrelated
//! stories (`J` about 0.01) are candidates with probability 0.6%, and every
//! candidate is checked on all 256 values.
//!
//! Each bucket is a chain through the window, newest first: the bucket map
//! holds the newest item of each bucket, and each item the previous item of
//! each of its buckets. Items leave in the order they came, so the item
//! evicted is the oldest of each of its chains: the links to it are cut by
//! seeing that its slot holds a newer item, and its bucket entry goes only
//! where it is still the newest (then the only) item. Eviction touches the
//! item's own 64 buckets, never the whole index. At most [`MAX_CHAIN`] items
//! of a chain are followed, so a stream of many copies of one text costs a
//! bounded time per item (each copy is then matched with a newer copy).
//!
//! # Memory
//!
//! Per item: the 256 values as `u32` (1,024 bytes), one `u32` link per band
//! (256 bytes), the key, its sequence number and shingle count, and its
//! share of the bucket map: at most one entry per band (a 32-bit hash of the
//! band's values and a slot, 8 bytes and a control byte). Evictions leave
//! tombstones, and hashbrown doubles a table whose live entries are more
//! than half of its limit when the tombstones fill it, so the table's load
//! can be as low as 7/32. [`approx_bytes_per_item`] is the bound at that
//! load: 4,040 bytes for a 16-byte `String` key (1,320 for the item, 2,688
//! for its bucket entries, 32 for the key's allocation), 20 MB for the
//! default window of 5,000 items; a table at the usual load of 7/16 to 7/8
//! takes a half to a quarter of that for its entries.

use foldhash::HashMap;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::compare::{
    DEFAULT_NEAR_DUPLICATE, FINGERPRINT_VALUES, Fingerprint, MIN_EXTENSION_RATIO, SIGNATURE_SIZE,
};

/// Default near-duplicate threshold: Compare's.
pub const DEFAULT_THRESHOLD: f64 = DEFAULT_NEAR_DUPLICATE;

/// Default window: the last 5,000 items, at most 20 MB with 16-byte keys.
pub const DEFAULT_CAPACITY: usize = 5_000;

/// Signature values per band.
pub const ROWS: usize = 2;

/// Bands of the signature.
pub const BANDS: usize = SIGNATURE_SIZE / ROWS;

/// Items of one bucket's chain followed per lookup, newest first.
pub const MAX_CHAIN: usize = 64;

/// Bytes of one bucket map entry at its worst load: a `(u32, u32)` and a
/// control byte, in a table at 7/32 of its buckets (see the module docs).
const BUCKET_ENTRY_BYTES: usize = (9 * 32usize).div_ceil(7);

/// Allocation of a 16-byte key's heap part (glibc's smallest chunk).
const KEY_HEAP_BYTES: usize = 32;

/// No slot.
const NONE: u32 = u32::MAX;

/// An earlier item an item is a near-duplicate of.
#[derive(Debug, Clone, PartialEq)]
pub struct Match<K> {
    /// The earlier item's key.
    pub key: K,
    /// Their estimated resemblance, in `[0, 1]`.
    pub resemblance: f64,
}

/// One item of the window.
struct Item<K> {
    key: K,
    /// Position in the stream of insertions, from 0.
    seq: u64,
    /// Distinct shingles, saturated at `u32::MAX`.
    shingles: u32,
    values: [u32; FINGERPRINT_VALUES],
    /// For each band, the slot of the previous item of the same bucket
    /// ([`NONE`] when none, or the item has no shingle).
    links: [u32; BANDS],
}

/// The fingerprints of the last `capacity` items of a stream, for finding
/// which earlier item a new one is a near-duplicate of (see the module
/// docs).
pub struct DedupWindow<K> {
    capacity: usize,
    /// The ring: item `seq` lives in slot `seq % capacity`.
    slots: Vec<Item<K>>,
    /// Sequence number of the next item.
    next: u64,
    /// Bucket key (band and values hashed) → slot of the newest item.
    buckets: HashMap<u32, u32>,
    /// Sequence number of the newest item without shingles.
    last_empty: Option<u64>,
    /// Candidate slots of one lookup, kept to reuse its allocation.
    candidates: Vec<u32>,
}

/// Upper bound of the memory one item of a full window takes (see the
/// module docs), for a key whose heap part is 16 bytes or less.
pub fn approx_bytes_per_item<K>() -> usize {
    std::mem::size_of::<Item<K>>() + BANDS * BUCKET_ENTRY_BYTES + KEY_HEAP_BYTES
}

/// Estimated resemblance of two documents (see the module docs) from the
/// Jaccard estimate of their shingle sets and their numbers of distinct
/// shingles `a` and `b`, neither 0. In `[0, 1]`; 0 when either is 0.
pub fn resemblance(jaccard: f64, a: usize, b: usize) -> f64 {
    if a == 0 || b == 0 || jaccard.is_nan() {
        return 0.0;
    }
    let j = jaccard.clamp(0.0, 1.0);
    let (a, b) = (a as f64, b as f64);
    let shared = j * (a + b) / (1.0 + j);
    let (ca, cb) = ((shared / a).min(1.0), (shared / b).min(1.0));
    if a.min(b) >= MIN_EXTENSION_RATIO * a.max(b) {
        ca.max(cb)
    } else {
        ca.min(cb)
    }
}

impl<K: Clone> DedupWindow<K> {
    /// An empty window of the last `capacity` items (0 keeps nothing and
    /// finds nothing). Memory grows with the items, up to `capacity`.
    pub fn new(capacity: usize) -> Self {
        Self {
            // Slots are `u32`, one of them meaning none.
            capacity: capacity.min(NONE as usize - 1),
            slots: Vec::new(),
            next: 0,
            buckets: HashMap::default(),
            last_empty: None,
            candidates: Vec::new(),
        }
    }

    /// Number of items held.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether no item is held.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The most items held.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Memory held by the index now, in bytes, without the keys' heap parts.
    pub fn approx_bytes(&self) -> usize {
        let table = self.buckets.capacity() * 8 / 7;
        self.slots.capacity() * std::mem::size_of::<Item<K>>()
            + table * (std::mem::size_of::<(u32, u32)>() + 1)
            + self.candidates.capacity() * 4
    }

    /// The earlier item of the window most resembling `fp`, when its
    /// estimated resemblance is at least `threshold` (the newest one among
    /// equals); then `fp` joins the window under `key`, evicting the oldest
    /// item when the window is full. A NaN threshold matches nothing.
    pub fn check_and_insert(
        &mut self,
        key: K,
        fp: &Fingerprint,
        threshold: f64,
    ) -> Option<Match<K>> {
        if self.capacity == 0 {
            return None;
        }
        let values = values(fp);
        let shingles = u32::try_from(fp.shingles()).unwrap_or(u32::MAX);
        let keys = bucket_keys(&values);
        let found = if shingles == 0 {
            self.last_empty
                .and_then(|seq| self.live(seq))
                .map(|slot| (slot, 1.0))
        } else {
            self.best(&values, shingles, &keys)
        };
        // The match is read before the insertion, which may evict it.
        let found = found
            .filter(|&(_, r)| r >= threshold)
            .and_then(|(slot, r)| {
                let item = self.slots.get(slot as usize)?;
                Some(Match {
                    key: item.key.clone(),
                    resemblance: r,
                })
            });
        self.insert(key, values, shingles, &keys);
        found
    }

    /// The slot of item `seq` while it is in the window.
    fn live(&self, seq: u64) -> Option<u32> {
        let slot = self.slot(seq);
        let item = self.slots.get(slot as usize)?;
        (item.seq == seq).then_some(slot)
    }

    fn slot(&self, seq: u64) -> u32 {
        // `capacity` fits in a u32, and so does the remainder.
        (seq % self.capacity as u64) as u32
    }

    /// The candidate of the best resemblance with the item of `values`,
    /// newest first among equals.
    fn best(
        &mut self,
        values: &[u32; FINGERPRINT_VALUES],
        shingles: u32,
        keys: &[u32; BANDS],
    ) -> Option<(u32, f64)> {
        let mut candidates = std::mem::take(&mut self.candidates);
        candidates.clear();
        for (band, key) in keys.iter().enumerate() {
            let mut slot = self.buckets.get(key).copied().unwrap_or(NONE);
            let mut newer = self.next;
            for _ in 0..MAX_CHAIN {
                // A link to a slot that holds an item newer than the one
                // linking is to an evicted item: the chain ends there.
                let Some(item) = self.slots.get(slot as usize).filter(|i| i.seq < newer) else {
                    break;
                };
                candidates.push(slot);
                newer = item.seq;
                slot = item.links.get(band).copied().unwrap_or(NONE);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut best: Option<(u32, f64, u64)> = None;
        for &slot in &candidates {
            let Some(item) = self.slots.get(slot as usize) else {
                continue;
            };
            let equal = item
                .values
                .iter()
                .zip(values)
                .filter(|(x, y)| x == y)
                .count();
            let jaccard = equal as f64 / FINGERPRINT_VALUES as f64;
            let r = resemblance(jaccard, item.shingles as usize, shingles as usize);
            if best.is_none_or(|(_, br, bseq)| r > br || (r == br && item.seq > bseq)) {
                best = Some((slot, r, item.seq));
            }
        }
        self.candidates = candidates;
        best.map(|(slot, r, _)| (slot, r))
    }

    /// Adds an item as the newest, evicting the oldest when full.
    fn insert(
        &mut self,
        key: K,
        values: [u32; FINGERPRINT_VALUES],
        shingles: u32,
        keys: &[u32; BANDS],
    ) {
        let seq = self.next;
        self.next += 1;
        let slot = self.slot(seq);
        if let Some(old) = self.slots.get(slot as usize)
            && old.shingles > 0
        {
            // The oldest item leaves: its buckets go where it is the newest,
            // hence the only, item; elsewhere the links to it are cut by
            // the newer item taking its slot.
            for key in bucket_keys(&old.values) {
                if self.buckets.get(&key) == Some(&slot) {
                    self.buckets.remove(&key);
                }
            }
        }
        let mut links = [NONE; BANDS];
        if shingles > 0 {
            for (link, &key) in links.iter_mut().zip(keys) {
                *link = self.buckets.insert(key, slot).unwrap_or(NONE);
            }
        } else {
            self.last_empty = Some(seq);
        }
        let item = Item {
            key,
            seq,
            shingles,
            values,
            links,
        };
        match self.slots.get_mut(slot as usize) {
            Some(old) => *old = item,
            None => {
                if self.slots.len() == self.slots.capacity() {
                    // Grow as a vector does, but never past the window.
                    let more = self
                        .slots
                        .len()
                        .max(4)
                        .min(self.capacity - self.slots.len());
                    self.slots.reserve_exact(more);
                }
                self.slots.push(item);
            }
        }
    }
}

/// The fingerprint's values.
fn values(fp: &Fingerprint) -> [u32; FINGERPRINT_VALUES] {
    *fp.values()
}

/// The bucket of each band of the first [`SIGNATURE_SIZE`] values: its
/// index and values hashed to 32 bits (a collision only adds a candidate,
/// which is checked on every value).
fn bucket_keys(values: &[u32; FINGERPRINT_VALUES]) -> [u32; BANDS] {
    let mut keys = [0; BANDS];
    let banded = values[..SIGNATURE_SIZE].chunks_exact(ROWS);
    for (band, (key, rows)) in keys.iter_mut().zip(banded).enumerate() {
        let mut bytes = [0u8; 4 * ROWS];
        for (chunk, v) in bytes.chunks_exact_mut(4).zip(rows) {
            chunk.copy_from_slice(&v.to_le_bytes());
        }
        *key = xxh3_64_with_seed(&bytes, band as u64) as u32;
    }
    keys
}

#[cfg(test)]
mod tests;
