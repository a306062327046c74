//! The process's limit on open files, which bounds the connections it can hold: each
//! is a file descriptor, beside the database's files, its connections and the
//! listening socket.

/// Files kept back from connections: the SQLite files and their journals, the pool's
/// PostgreSQL connections, cache files being written, the listener, the log.
const KEPT_BACK: u64 = 128;

/// The fewest connections the cap allows, however low the limit.
const FEWEST: u64 = 64;

/// Raises the soft open-file limit to the hard one (the usual soft default, 1,024,
/// let a few addresses' half-sent requests take every descriptor), and returns how
/// many connections may be open at once under it.
pub fn connection_cap() -> usize {
    let limit = raise_soft_limit().unwrap_or(1024);
    limit
        .saturating_sub(KEPT_BACK)
        .max(FEWEST)
        .min(usize::MAX as u64) as usize
}

/// The soft limit after raising it as far as the hard one allows; `None` if it
/// could not be read.
#[allow(unsafe_code)]
fn raise_soft_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit read and write the one struct passed, which
    // lives for both calls.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return None;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            }
        }
    }
    Some(limit.rlim_cur)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_leaves_room_for_the_database_and_is_never_tiny() {
        let cap = connection_cap() as u64;
        let soft = raise_soft_limit().unwrap_or(1024);
        assert!(cap >= FEWEST);
        assert!(cap + KEPT_BACK <= soft.max(FEWEST + KEPT_BACK));
    }
}
