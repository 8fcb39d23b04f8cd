//! A hint to the processor to fetch memory the program reads soon.

/// Asks the processor to bring the cache line of `value` into its caches,
/// so that a read of it shortly after does not wait for memory; nothing
/// elsewhere than on x86-64. For reads whose addresses are known some work
/// ahead: the rows of a large model.
#[inline(always)]
#[allow(unsafe_code)]
pub(crate) fn prefetch<T>(value: &T) {
    // SAFETY: a prefetch is a hint: it reads nothing into the program and
    // cannot fault whatever the address, and this one is of a live
    // reference. (`_mm_prefetch` is `unsafe` for taking a raw pointer, not
    // for anything it can do.)
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            std::ptr::from_ref(value).cast(),
        )
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
