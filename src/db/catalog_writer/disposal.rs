//! Frees written rows on a thread of their own.
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

use std::{
    sync::mpsc::{sync_channel, SyncSender},
    thread::JoinHandle,
};

/// Batches waiting to be freed, at most (a batch of tracks is about 20 KB).
const IN_FLIGHT: usize = 16;

pub(super) struct Disposal<T: Send + 'static> {
    sender: Option<SyncSender<T>>,
    thread: Option<JoinHandle<()>>,
}

impl<T: Send + 'static> Disposal<T> {
    /// Starts the disposing thread. Without one (the system refused a thread), batches
    /// are freed where they are handed over, as before.
    pub fn new() -> Disposal<T> {
        let (sender, receiver) = sync_channel::<T>(IN_FLIGHT);
        let thread = std::thread::Builder::new()
            .name("import-free".into())
            .spawn(move || receiver.into_iter().for_each(drop));
        match thread {
            Ok(thread) => Disposal {
                sender: Some(sender),
                thread: Some(thread),
            },
            Err(error) => {
                tracing::debug!(%error, "no thread to free written rows; the writer frees them");
                Disposal {
                    sender: None,
                    thread: None,
                }
            }
        }
    }

    /// Hands `batch` over to be freed.
    pub fn dispose(&self, batch: T) {
        if let Some(sender) = &self.sender {
            // A disposer that is gone hands the batch back, to be dropped here.
            let _ = sender.send(batch);
        }
    }
}

impl<T: Send + 'static> Drop for Disposal<T> {
    fn drop(&mut self) {
        // Closing the channel ends the thread once it has freed what was sent.
        self.sender = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
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
}
