//! One setting of the C allocator, for the server's memory after a burst of log-ins.
//!
//! Every argon2id hash allocates a 19 MiB block. glibc's malloc serves blocks that large
//! with mmap and returns them on free, but it also raises its mmap threshold to the size
//! of each large block it frees: from then on 19 MiB blocks come from the hashing
//! threads' heaps, which keep them. Measured with `scripts/loadtest.sh`: the server grew
//! from about 160 MiB to about 540 MiB during the log-in run, and stayed there. Fixing
//! the threshold stops the adjustment, so those blocks go back to the system after each
//! hash (a few milliseconds of page faults on a hash of tens of milliseconds). Fixing it
//! also fixes the trim threshold at its 128 KiB default, which would give memory back
//! after nearly every request; it is set to twice the mmap threshold, as glibc's own
//! adjustment would have made it.

/// Blocks at least this large are mapped and unmapped on their own.
pub const MMAP_THRESHOLD: usize = 4 << 20;

/// Call first thing in `main`, before other threads allocate.
pub fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only sets a parameter of glibc's allocator; it is called before
        // any other thread exists, and the value is a valid threshold (below its 32 MiB
        // maximum on 64-bit systems).
        let ok = unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD as libc::c_int)
                + libc::mallopt(libc::M_TRIM_THRESHOLD, 2 * MMAP_THRESHOLD as libc::c_int)
        };
        if ok != 2 {
            tracing::debug!("glibc kept its dynamic mmap threshold");
        }
    }
}
