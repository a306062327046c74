//! How the serving process holds memory it is done with.
//!
//! glibc's allocator, left to its defaults, kept 30–90 MiB of freed memory after a
//! 1.2-million-track catalog was loaded: every thread that allocates may get its own
//! arena (up to 8 per core), and after the first large block is freed its "dynamic mmap
//! threshold" rises, so later large temporary arrays (the index builders' columns, a
//! database page cache) are carved out of those arenas, where what is freed stays
//! mapped. `tune_allocator` (called once, first thing when serving) fixes the
//! threshold, so every large block is mapped on its own and unmapped when freed, and
//! caps the arenas; `trim_heap` returns what is free in the arenas after a load.

/// Blocks from this size are mapped on their own and go back to the system when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: i32 = 256 * 1024;
/// Arenas at most: two cores here, and tokio's workers plus its blocking threads share them.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const ARENA_MAX: i32 = 2;

/// Sets the allocator's limits for a long-running server (see the module comment).
/// Call it before the runtime's threads exist.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn tune_allocator() {
    extern "C" {
        fn mallopt(param: i32, value: i32) -> i32;
    }
    // From glibc's <malloc.h>.
    const M_MMAP_THRESHOLD: i32 = -3;
    const M_ARENA_MAX: i32 = -8;
    // SAFETY: mallopt only changes allocator parameters; it takes the allocator's lock
    // and may be called at any time, from any thread.
    let ok = unsafe {
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 && mallopt(M_ARENA_MAX, ARENA_MAX) == 1
    };
    if !ok {
        tracing::debug!("the allocator kept its default limits");
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune_allocator() {}

/// Returns the heap's free pages to the system (glibc keeps freed memory for reuse).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn trim_heap() {
    extern "C" {
        fn malloc_trim(pad: usize) -> i32;
    }
    // SAFETY: malloc_trim only releases free memory back to the OS; it takes the
    // allocator's own locks and is safe to call from any thread at any time.
    unsafe {
        malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn trim_heap() {}
