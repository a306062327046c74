//! Frees written rows off the writing thread: on a thread of the disposal's own, or on one
//! the caller names.
//!
//! The parsing thread allocates each row's strings; the writing thread used to free them
//! once the row was written. glibc hands a block freed by another thread back to the
//! arena it came from, under that arena's lock, which the parsing thread keeps taking as
//! it allocates the next rows: `free` and its lock were about a tenth of the writing
//! thread's time at 1.2 million rows (`perf record` of `insights-hub import`). The
//! writer now binds copies of the strings (allocated and freed on its own thread, from
//! its own cache) and hands each written batch here, so its thread, which bounds the
//! import, no longer frees the parser's blocks.
//!
//! The channel is short: at most `IN_FLIGHT` batches wait, so a slow disposer makes the
//! writer wait rather than the import hold more memory.
//!
//! An importer can instead take the batches back to the thread that allocated the rows
//! (`handing_to`): the importer's reading thread drops them before it parses its next
//! batch. Measured at 1.2 million rows (`perf record`), that alone did not make the
//! parsing thread's `malloc` cheaper (the rows come back after tens of thousands of
//! others, cold either way); it retires the third thread and the 1.2 s of CPU it took,
//! which on two cores the other two threads had to share with it. The receiving
//! thread drains a channel without a bound, so the writer never waits on it (the reading
//! thread may itself be waiting on the writer); what waits in it is at most the rows of
//! one flush of the writer's buffer and the batches in flight, 5-9 MB more peak memory
//! than with the bounded channel of the disposal's own thread.

use std::{
    cell::OnceCell,
    sync::mpsc::{sync_channel, Sender, SyncSender},
    thread::JoinHandle,
};

/// Batches waiting to be freed, at most (a batch of tracks is about 20 KB).
const IN_FLIGHT: usize = 16;

pub(super) struct Disposal<T: Send + 'static> {
    sink: Sink<T>,
}

/// Where batches go to be freed.
enum Sink<T> {
    /// The disposal's own thread, started by the first batch: a writer that never
    /// frees a batch (a small demo seeding, most tests) or that hands its batches to
    /// a caller's thread (`handing_to`) starts none. `None` inside: the system refused
    /// a thread, so batches are freed where they are handed over.
    Own(OnceCell<Option<OwnThread<T>>>),
    /// A thread of the caller's (`handing_to`).
    Handed(Sender<T>),
}

struct OwnThread<T> {
    sender: SyncSender<T>,
    thread: JoinHandle<()>,
}

impl<T: Send + 'static> OwnThread<T> {
    fn start() -> Option<OwnThread<T>> {
        let (sender, receiver) = sync_channel::<T>(IN_FLIGHT);
        let thread = std::thread::Builder::new()
            .name("import-free".into())
            .spawn(move || receiver.into_iter().for_each(drop));
        match thread {
            Ok(thread) => Some(OwnThread { sender, thread }),
            Err(error) => {
                tracing::debug!(%error, "no thread to free written rows; the writer frees them");
                None
            }
        }
    }
}

impl<T: Send + 'static> Disposal<T> {
    /// Frees batches on a thread of the disposal's own, started when the first batch
    /// arrives.
    pub fn new() -> Disposal<T> {
        Disposal {
            sink: Sink::Own(OnceCell::new()),
        }
    }

    /// Hands every batch to whoever holds `sender`'s receiver, which frees them. A
    /// receiver that is gone hands them back, to be freed where they are handed over.
    pub fn handing_to(sender: Sender<T>) -> Disposal<T> {
        Disposal {
            sink: Sink::Handed(sender),
        }
    }

    /// Hands `batch` over to be freed.
    pub fn dispose(&self, batch: T) {
        // A disposer that is gone hands the batch back, to be dropped here.
        let _ = match &self.sink {
            Sink::Own(own) => match own.get_or_init(OwnThread::start) {
                Some(own) => own.sender.send(batch).map_err(|back| back.0),
                None => Err(batch),
            },
            Sink::Handed(sender) => sender.send(batch).map_err(|back| back.0),
        };
    }

    /// Whether a thread of the disposal's own has been started (for tests).
    #[cfg(test)]
    fn has_started_a_thread(&self) -> bool {
        matches!(&self.sink, Sink::Own(own) if own.get().is_some_and(Option::is_some))
    }
}

impl<T: Send + 'static> Drop for Disposal<T> {
    fn drop(&mut self) {
        if let Sink::Own(own) = &mut self.sink {
            if let Some(OwnThread { sender, thread }) = own.take().flatten() {
                // Closing the channel ends the thread once it has freed what was sent.
                drop(sender);
                let _ = thread.join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    };

    use super::*;

    struct Counted(Arc<AtomicUsize>);

    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn everything_handed_over_is_freed_by_the_time_the_disposal_is_dropped() {
        let freed = Arc::new(AtomicUsize::new(0));
        let disposal = Disposal::new();
        for _ in 0..100 {
            disposal.dispose(Counted(Arc::clone(&freed)));
        }
        drop(disposal);
        assert_eq!(freed.load(Ordering::SeqCst), 100);
    }

    #[test]
    fn a_thread_starts_only_once_there_is_something_to_free() {
        let freed = Arc::new(AtomicUsize::new(0));
        let disposal = Disposal::new();
        assert!(!disposal.has_started_a_thread());
        disposal.dispose(Counted(Arc::clone(&freed)));
        assert!(disposal.has_started_a_thread());
        drop(disposal);
        assert_eq!(freed.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn batches_handed_to_a_receiver_that_is_gone_are_freed_where_they_are_handed() {
        let freed = Arc::new(AtomicUsize::new(0));
        let (sender, receiver) = std::sync::mpsc::channel();
        drop(receiver);
        let disposal = Disposal::handing_to(sender);
        disposal.dispose(Counted(Arc::clone(&freed)));
        assert_eq!(freed.load(Ordering::SeqCst), 1);
        assert!(!disposal.has_started_a_thread());
    }
}
