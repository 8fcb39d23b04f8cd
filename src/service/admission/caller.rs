//! Who a request belongs to, and the weights and limits configured for
//! callers by name: what [`super::fair`] shares the slots by.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// Who calls: a client certificate's name or a header the mesh sets (see
/// `crate::server`'s caller module), or `anonymous`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Caller(Arc<str>);

impl Caller {
    /// Longest identity, in bytes. Identities are kept per caller holding a
    /// slot and in the metrics' labels, so their size is bounded; mesh
    /// identities (`spiffe://cluster.local/ns/N/sa/S`) are far shorter.
    pub const MAX_BYTES: usize = 256;

    /// The name of a caller with no identity.
    pub const ANONYMOUS: &'static str = "anonymous";

    /// The caller with no identity.
    pub fn anonymous() -> Self {
        Self(Arc::from(Self::ANONYMOUS))
    }

    /// `name` as an identity: 1 to [`Caller::MAX_BYTES`] bytes of visible
    /// ASCII (what headers and certificate names carry). Anything else is
    /// no identity: a value cut short could pass for another caller's, and
    /// control characters would reach logs and metrics.
    pub fn new(name: &str) -> Option<Self> {
        let valid = !name.is_empty()
            && name.len() <= Self::MAX_BYTES
            && name.bytes().all(|b| b.is_ascii_graphic());
        valid.then(|| Self(Arc::from(name)))
    }

    /// The identity.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Caller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Weights and limits of named callers, from the configuration. A caller
/// not named has weight 1 and no limit of its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallerPolicy {
    weights: HashMap<String, u32>,
    max_slots: HashMap<String, usize>,
}

impl CallerPolicy {
    /// Largest weight: shares are computed in integers, slots times
    /// weights, which this keeps far from overflow.
    pub const MAX_WEIGHT: u32 = 1000;

    /// Weights (clamped to 1..=[`CallerPolicy::MAX_WEIGHT`]) and slot
    /// limits by caller name.
    pub fn new(
        weights: impl IntoIterator<Item = (String, u32)>,
        max_slots: impl IntoIterator<Item = (String, usize)>,
    ) -> Self {
        Self {
            weights: weights
                .into_iter()
                .map(|(name, w)| (name, w.clamp(1, Self::MAX_WEIGHT)))
                .collect(),
            max_slots: max_slots.into_iter().collect(),
        }
    }

    pub(super) fn weight(&self, caller: &Caller) -> u64 {
        u64::from(self.weights.get(caller.as_str()).copied().unwrap_or(1))
    }

    pub(super) fn max_slots(&self, caller: &Caller) -> Option<usize> {
        self.max_slots.get(caller.as_str()).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_are_bounded_visible_ascii() {
        assert!(Caller::new("spiffe://cluster.local/ns/web/sa/frontend").is_some());
        assert!(Caller::new(&"a".repeat(Caller::MAX_BYTES)).is_some());
        assert!(Caller::new(&"a".repeat(Caller::MAX_BYTES + 1)).is_none());
        for bad in ["", "two words", "tab\there", "café", "line\nbreak"] {
            assert!(Caller::new(bad).is_none(), "{bad:?}");
        }
    }
}
