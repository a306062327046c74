//! The allocator each command of the binary runs on: mimalloc for `import`, the
//! system's (glibc's) for everything else.
//!
//! An import's parsing thread makes several small blocks a CSV row (ids, titles, albums,
//! artist names) that the writing thread hands back in batches to be freed. In that
//! pattern glibc's malloc took half the parsing thread's time (`_int_malloc`, `free`,
//! `malloc_consolidate`) at 1.2 million rows; with mimalloc the allocator is about a
//! fifth of it, and an import 7-14% shorter (`benches/HISTORY.md`, 2026-12-04 evening).
//! A server keeps glibc's: with mimalloc it held its freed pages and went past the
//! 200 MiB target of the load test at 1.2 million tracks (`benches/HISTORY.md`,
//! 2026-12-03), and `memory::tune_allocator` tunes glibc's for it.
//!
//! Which one a process uses is decided at its first allocation, from its command line
//! (read from `/proc/self/cmdline` into a buffer on the stack: nothing may be allocated
//! before the choice), and never changes, so every block is freed by the allocator
//! that made it. Where that file cannot be read, the system's is used.

use std::alloc::{GlobalAlloc, Layout, System};
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU8, Ordering};

/// A `#[global_allocator]` that uses mimalloc when `C` says so, the system's
/// allocator otherwise: see the module comment.
pub struct Chosen<C>(PhantomData<C>);

/// What decides, at a process's first allocation, whether it uses mimalloc.
pub trait Choice {
    fn wants_mimalloc() -> bool;
}

/// mimalloc for the `import` command (the binary's allocator).
pub type ByCommand = Chosen<CommandIsImport>;
/// mimalloc always: for a program that only imports (`examples/import_million`).
pub type ForImport = Chosen<Always>;

/// The binary's allocator.
pub const BY_COMMAND: ByCommand = Chosen(PhantomData);
/// An importing program's allocator.
pub const FOR_IMPORT: ForImport = Chosen(PhantomData);

pub struct CommandIsImport;
impl Choice for CommandIsImport {
    fn wants_mimalloc() -> bool {
        command_line_names_import()
    }
}

pub struct Always;
impl Choice for Always {
    fn wants_mimalloc() -> bool {
        true
    }
}

const UNDECIDED: u8 = 0;
const SYSTEM: u8 = 1;
const MIMALLOC: u8 = 2;

/// The process's choice: a process has one global allocator.
static CHOICE: AtomicU8 = AtomicU8::new(UNDECIDED);

/// Whether this process allocates with mimalloc (deciding on the first call).
#[inline]
fn uses_mimalloc<C: Choice>() -> bool {
    match CHOICE.load(Ordering::Relaxed) {
        SYSTEM => false,
        MIMALLOC => true,
        _ => decide::<C>(),
    }
}

#[cold]
fn decide<C: Choice>() -> bool {
    let wanted = if C::wants_mimalloc() {
        commit_arenas_lazily();
        MIMALLOC
    } else {
        SYSTEM
    };
    // Two threads deciding at once come to the same answer; whichever stores first,
    // both then use what was stored.
    match CHOICE.compare_exchange(UNDECIDED, wanted, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => wanted == MIMALLOC,
        Err(stored) => stored == MIMALLOC,
    }
}

/// The allocator this process chose ("mimalloc" or "system"), for its log.
pub fn name() -> &'static str {
    match CHOICE.load(Ordering::Relaxed) {
        MIMALLOC => "mimalloc",
        SYSTEM => "system",
        _ => "not chosen yet",
    }
}

/// Has mimalloc commit an arena's memory as it is used rather than all at once. With
/// its default (at once), an import of 1.2 million rows spent 2.9-4.2 s in the kernel
/// and peaked at 250-260 MB; with this (`MIMALLOC_ARENA_EAGER_COMMIT=0`), 2.1-2.2 s and
/// 229-233 MB, as with glibc (`benches/HISTORY.md`, 2026-12-04 evening). Set before mimalloc's first
/// allocation, where it reads its options; an option set here is not read again from
/// the environment.
#[allow(unsafe_code)]
fn commit_arenas_lazily() {
    // SAFETY: sets one of mimalloc's options, a plain store that allocates nothing.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
    }
}

/// `mi_option_arena_eager_commit` of `mi_option_e` in the `mimalloc.h` that
/// libmimalloc-sys builds (version 3), which the crate does not name.
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;

/// Reads this process's command line without allocating and says whether its command
/// is `import`.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn command_line_names_import() -> bool {
    extern "C" {
        fn open(path: *const u8, flags: i32, ...) -> i32;
        fn read(fd: i32, buf: *mut u8, count: usize) -> isize;
        fn close(fd: i32) -> i32;
    }
    const O_RDONLY: i32 = 0;
    const O_CLOEXEC: i32 = 0o2_000_000;
    // The command comes within the first few arguments; a longer line is cut, which can
    // only hide arguments after it.
    let mut line = [0u8; 4096];
    // SAFETY: the path is NUL-terminated; the file descriptor is closed on every path
    // after it is opened, and `read` writes at most `line.len()` bytes into `line`.
    let length = unsafe {
        let fd = open(c"/proc/self/cmdline".as_ptr().cast(), O_RDONLY | O_CLOEXEC);
        if fd < 0 {
            return false;
        }
        let mut filled = 0usize;
        while filled < line.len() {
            let got = read(fd, line.as_mut_ptr().add(filled), line.len() - filled);
            if got <= 0 {
                break;
            }
            filled += got as usize;
        }
        close(fd);
        filled
    };
    command_is_import(&line[..length])
}

#[cfg(not(target_os = "linux"))]
fn command_line_names_import() -> bool {
    false
}

/// Whether the command in `line` (arguments separated by NUL bytes, the program's
/// name first, as `/proc/self/cmdline` holds them) is `import`: the first argument that
/// is neither an option nor the value of `--database`, the one option before a
/// command that takes a value (`main.rs`).
fn command_is_import(line: &[u8]) -> bool {
    let mut arguments = line.split(|&byte| byte == 0).skip(1);
    while let Some(argument) = arguments.next() {
        if argument == b"--database" {
            arguments.next();
        } else if argument.first() != Some(&b'-') {
            return argument == b"import";
        }
    }
    false
}

// SAFETY: each method hands the call to one allocator, the same one for the whole life
// of the process (`uses_mimalloc` never changes its answer once given), so a block is
// always resized and freed by the allocator that made it; both uphold `GlobalAlloc`'s
// contract themselves.
#[allow(unsafe_code)]
unsafe impl<C: Choice> GlobalAlloc for Chosen<C> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if uses_mimalloc::<C>() {
            // SAFETY: the caller's guarantees for `layout` are passed on unchanged.
            unsafe { mimalloc::MiMalloc.alloc(layout) }
        } else {
            // SAFETY: as above.
            unsafe { System.alloc(layout) }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if uses_mimalloc::<C>() {
            // SAFETY: as in `alloc`.
            unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
        } else {
            // SAFETY: as in `alloc`.
            unsafe { System.alloc_zeroed(layout) }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if uses_mimalloc::<C>() {
            // SAFETY: `ptr` was allocated by mimalloc (see the impl's comment).
            unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
        } else {
            // SAFETY: `ptr` was allocated by the system allocator.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if uses_mimalloc::<C>() {
            // SAFETY: `ptr` was allocated by mimalloc with `layout`.
            unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
        } else {
            // SAFETY: `ptr` was allocated by the system allocator with `layout`.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::command_is_import;

    #[test]
    fn the_command_is_the_first_argument_that_is_not_an_option() {
        assert!(command_is_import(b"insights-hub\0import\0songs.csv\0"));
        assert!(command_is_import(
            b"/usr/bin/insights-hub\0--database\0x.db\0import\0a.csv\0"
        ));
        assert!(command_is_import(
            b"insights-hub\0--database=x.db\0import\0--strict\0a.csv\0"
        ));
        assert!(!command_is_import(b"insights-hub\0serve\0--bind\0:3000\0"));
        assert!(!command_is_import(b"insights-hub\0"));
        assert!(!command_is_import(b""));
        // A database named "import" is not the command.
        assert!(!command_is_import(
            b"insights-hub\0--database\0import\0serve\0"
        ));
        assert!(!command_is_import(b"insights-hub\0--help\0"));
    }

    #[test]
    fn the_command_line_read_from_proc_is_the_one_std_gives() {
        // Whatever filter the test run was given ("import" among them).
        let line: Vec<u8> = std::env::args_os()
            .flat_map(|argument| {
                let mut bytes = argument.into_encoded_bytes();
                bytes.push(0);
                bytes
            })
            .collect();
        assert_eq!(super::command_line_names_import(), command_is_import(&line));
    }
}
