//! How the serving process holds memory it is done with, and how its threads share
//! glibc's allocator.
//!
//! glibc's allocator, left to its defaults, kept 30–90 MiB of freed memory after a
//! 1.2-million-track catalog was loaded: every thread that allocates may get its own
//! arena (up to 8 per core), and after the first large block is freed its "dynamic mmap
//! threshold" rises, so later large temporary arrays (the index builders' columns, a
//! database page cache) are carved out of those arenas, where what is freed stays
//! mapped. `tune_allocator` (called once, first thing when serving) fixes the
//! threshold, so every large block is mapped on its own and unmapped when freed, and
//! caps the arenas; `trim_heap` returns what is free in the arenas after a load.
//!
//! The cap is one arena per runtime worker and two more (the main thread's, and one
//! that the blocking threads start on), and each thread takes its arena as it starts
//! (`attach_arena`, tokio's `on_thread_start`): the workers are the first threads, so
//! each has an arena of its own. With two arenas for everything, which thread landed
//! in which was chance at its first allocation, and in about one start of three the
//! two workers shared one: every `malloc` and `free` of a live answer then waited on a
//! lock the other worker held, 9–18 futex calls a request instead of 1.3–3, and up to a
//! third fewer answers a second (`benches/HISTORY.md`, 2026-12-04, "two workers in one
//! arena").

/// Blocks from this size are mapped on their own and go back to the system when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: i32 = 256 * 1024;

/// Arenas for `workers` runtime worker threads: one each, the main thread's, and one
/// more for the first thread after them. Later threads (tokio's blocking pool, the
/// session and hashing threads) share these, mostly idle while the workers answer.
pub fn arena_cap(workers: usize) -> i32 {
    i32::try_from(workers.saturating_add(2)).unwrap_or(i32::MAX)
}

/// Sets the allocator's limits for a long-running server with `workers` runtime worker
/// threads (see the module comment). Call it before the runtime's threads exist.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn tune_allocator(workers: usize) {
    extern "C" {
        fn mallopt(param: i32, value: i32) -> i32;
    }
    // From glibc's <malloc.h>.
    const M_MMAP_THRESHOLD: i32 = -3;
    const M_ARENA_MAX: i32 = -8;
    // SAFETY: mallopt only changes allocator parameters; it takes the allocator's lock
    // and may be called at any time, from any thread.
    let ok = unsafe {
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
            && mallopt(M_ARENA_MAX, arena_cap(workers)) == 1
    };
    if !ok {
        tracing::debug!("the allocator kept its default limits");
    }
}

/// Makes the calling thread take its allocator arena now, at its start: glibc gives a
/// thread its arena at its first allocation, and a new one only while the cap allows.
pub fn attach_arena() {
    drop(std::hint::black_box(Vec::<u8>::with_capacity(16)));
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune_allocator(_workers: usize) {}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_worker_has_an_arena_beside_the_main_thread_and_one_more() {
        assert_eq!(arena_cap(2), 4);
        assert_eq!(arena_cap(1), 3);
        assert_eq!(arena_cap(16), 18);
        assert_eq!(arena_cap(usize::MAX), i32::MAX);
    }
}
