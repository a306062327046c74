//! The digest of an import run: what decides what it writes. The catalog keeps the
//! digest of the import it holds (`catalog_meta.import_digest`), so running the same
//! import again finds there is nothing to do, in the time it takes to read the files
//! once, instead of rewriting every track and moving the catalog version (which makes
//! every server reload the catalog and drop its caches).

use std::{
    fs::File,
    io::{self, Read},
    path::PathBuf,
};

use sha2::{Digest, Sha256};

use super::{ImportError, ImportOptions};
use crate::catalog::snapshot::file::executable_identity;

/// Bytes read at a time.
const CHUNK: usize = 1 << 20;

/// A SHA-256, in hex, of this build of the importer (a new build may read the same file
/// differently), the options, and every byte of each file in order (a later file's
/// rows replace an earlier one's). `None`, and the import is never taken for a repeat,
/// when the executable cannot be identified, or when a path is not a regular file: a
/// pipe (`import <(zcat file.gz)`, `/dev/stdin`) can be read once, by the import, and
/// hashing it first took the rows from it (the import then read 275 rows of 32,833).
pub fn of_run(paths: &[PathBuf], options: ImportOptions) -> Result<Option<String>, ImportError> {
    let Some((executable_len, executable_modified_ns)) = executable_identity() else {
        return Ok(None);
    };
    // `metadata` follows links, so `/dev/fd/63` is judged by the pipe it names. A path
    // without metadata is hashed, which fails with the reason (`ImportError::Open`).
    let all_regular = paths
        .iter()
        .all(|path| std::fs::metadata(path).map_or(true, |m| m.is_file()));
    if !all_regular {
        return Ok(None);
    }
    let mut hasher = Sha256::new();
    hasher.update(b"insights-hub import run 1\0");
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    hasher.update(executable_len.to_le_bytes());
    hasher.update(executable_modified_ns.to_le_bytes());
    hasher.update([u8::from(options.strict), u8::from(options.allow_bad_rows)]);
    hasher.update((paths.len() as u64).to_le_bytes());
    let mut buffer = vec![0u8; CHUNK];
    for path in paths {
        let open_error = |error: io::Error| ImportError::Open {
            path: path.clone(),
            error,
        };
        let mut file = File::open(path).map_err(open_error)?;
        let mut length = 0u64;
        loop {
            let read = match file.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(open_error(error)),
            };
            hasher.update(&buffer[..read]);
            length += read as u64;
        }
        // Each file's length after its bytes: two files cannot pass for one.
        hasher.update(length.to_le_bytes());
    }
    Ok(Some(format!("{:x}", hasher.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(dir: &std::path::Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    }

    #[test]
    fn the_digest_follows_the_bytes_their_order_and_the_options() {
        let dir = tempfile::tempdir().expect("temp dir");
        let a = written(dir.path(), "a.csv", "name,artists\nx,y\n");
        let b = written(dir.path(), "b.csv", "name,artists\nz,w\n");
        let options = ImportOptions::default();
        let digest = |paths: &[PathBuf], options| of_run(paths, options).expect("read");
        let ab = digest(&[a.clone(), b.clone()], options);
        assert!(ab.is_some(), "a test binary can be identified");
        assert_eq!(ab, digest(&[a.clone(), b.clone()], options), "the same run");
        assert_ne!(
            ab,
            digest(&[b.clone(), a.clone()], options),
            "another order"
        );
        assert_ne!(ab, digest(std::slice::from_ref(&a), options), "fewer files");
        let strict = ImportOptions {
            strict: true,
            ..options
        };
        assert_ne!(ab, digest(&[a.clone(), b.clone()], strict), "other options");
        // One file's bytes moved into the next is another run.
        let a2 = written(dir.path(), "a2.csv", "name,artists\nx,y\nname,artists\n");
        let b2 = written(dir.path(), "b2.csv", "z,w\n");
        assert_ne!(ab, digest(&[a2, b2], options));
        std::fs::write(&b, "name,artists\nz,v\n").expect("rewrite");
        assert_ne!(ab, digest(&[a.clone(), b], options), "one byte changed");
        let missing = dir.path().join("missing.csv");
        assert!(matches!(
            of_run(&[a.clone(), missing], options),
            Err(ImportError::Open { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_pipe_is_not_hashed_since_only_the_import_may_read_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let a = written(dir.path(), "a.csv", "name,artists\nx,y\n");
        let fifo = dir.path().join("rows.fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        // Nobody writes to the FIFO: opening it to hash it would wait forever.
        assert_eq!(
            of_run(&[a, fifo], ImportOptions::default()).expect("no read"),
            None
        );
    }
}
