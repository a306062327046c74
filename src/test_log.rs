//! What code logs, kept for a test to read (unit tests only).

/// A log writer that keeps what is written to it.
#[derive(Clone, Default)]
struct Kept(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Kept {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut kept) = self.0.lock() {
            kept.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What `run` logs on this thread, as the server's log would show it.
pub fn logged_while(run: impl FnOnce()) -> String {
    let log = Kept::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, run);
    let kept = log.0.lock().map(|l| l.clone()).unwrap_or_default();
    String::from_utf8(kept).unwrap_or_default()
}
