//! The server's 32-byte secret (it keys the CSRF protection). It comes from the
//! `SECRET_KEY` environment variable (64 hex digits or base64 of 32 bytes) or, failing
//! that, from a file generated on first start under the data directory with owner-only
//! permissions. It is never in the repository and never the all-zero default.

use std::{
    fmt,
    io::{ErrorKind, Write},
    path::{Path, PathBuf},
};

use base64::Engine;

pub const FILE_NAME: &str = "secret.key";

#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretKeyError {
    #[error("the secret key must be 64 hexadecimal digits or base64 of 32 bytes")]
    Malformed,
    #[error(
        "the secret key is all zeros; generate a random one (for example `openssl rand -hex 32`)"
    )]
    AllZero,
    // Not a `source`: the message names the cause already, and a chain printed it twice.
    #[error("cannot use the secret key file {path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("the secret key file {path} holds no usable key: {problem}; correct it, or move it away and a new key is made at the next start")]
    BadFile {
        path: PathBuf,
        problem: Box<SecretKeyError>,
    },
}

impl SecretKey {
    /// A fresh random key.
    pub fn generate() -> SecretKey {
        SecretKey(rand::random())
    }

    /// An HMAC-SHA-256 of a fixed label under the key, in hex: what servers over one
    /// database compare to find out that they were given different keys. It tells
    /// nothing about the key itself.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        const LABEL: &[u8] = b"insights-hub secret key fingerprint v1";
        let mut inner_pad = [0x36u8; 64];
        let mut outer_pad = [0x5cu8; 64];
        for (i, byte) in self.0.iter().enumerate() {
            inner_pad[i] ^= byte;
            outer_pad[i] ^= byte;
        }
        let inner = Sha256::new()
            .chain_update(inner_pad)
            .chain_update(LABEL)
            .finalize();
        let outer = Sha256::new()
            .chain_update(outer_pad)
            .chain_update(inner)
            .finalize();
        outer.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Parses 64 hex digits or base64 (standard or URL-safe, padded or not).
    pub fn parse(text: &str) -> Result<SecretKey, SecretKeyError> {
        let text = text.trim();
        let bytes = decode_hex(text)
            .or_else(|| {
                [
                    &base64::engine::general_purpose::STANDARD,
                    &base64::engine::general_purpose::STANDARD_NO_PAD,
                    &base64::engine::general_purpose::URL_SAFE,
                    &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                ]
                .iter()
                .find_map(|engine| engine.decode(text).ok())
            })
            .ok_or(SecretKeyError::Malformed)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| SecretKeyError::Malformed)?;
        if key == [0; 32] {
            return Err(SecretKeyError::AllZero);
        }
        Ok(SecretKey(key))
    }

    pub fn bytes(&self) -> [u8; 32] {
        self.0
    }

    fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Reads the key file, or creates it with a random key (mode 0600) if it does not
    /// exist. Two servers starting at once agree: only one creation can succeed, and
    /// the file appears with its key already in it (written under a name of its own,
    /// then linked), so the other never reads it empty.
    pub fn load_or_create(path: &Path) -> Result<SecretKey, SecretKeyError> {
        let io = |error| SecretKeyError::Io {
            path: path.to_path_buf(),
            error,
        };
        // Said of the file: the same words from SECRET_KEY are said of the variable.
        let parse = |text: &str| {
            SecretKey::parse(text).map_err(|problem| SecretKeyError::BadFile {
                path: path.to_path_buf(),
                problem: Box::new(problem),
            })
        };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                warn_if_others_can_read(path);
                return parse(&text);
            }
            Err(error) if error.kind() == ErrorKind::NotFound => {}
            Err(error) => return Err(io(error)),
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let key = SecretKey::generate();
        match create_whole(path, format!("{}\n", key.to_hex()).as_bytes()) {
            Ok(()) => {
                tracing::info!(path = %path.display(), "generated a new secret key");
                Ok(key)
            }
            Err(error) if error.kind() == ErrorKind::AlreadyExists => std::fs::read_to_string(path)
                .map_err(io)
                .and_then(|t| parse(&t)),
            Err(error) => Err(io(error)),
        }
    }
}

/// The key signs every form's CSRF token: a file others can read lets them forge one.
/// Said, as for the database file, not refused: its owner may have chosen the mode.
fn warn_if_others_can_read(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                tracing::warn!(
                    path = %path.display(),
                    mode = format!("{mode:o}"),
                    "other users can read the secret key, which signs the forms' CSRF tokens: chmod 600 it"
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Creates `path` holding `contents`, only if it does not exist (`AlreadyExists`
/// otherwise), never visible half-written: created at once and then written, a second
/// server starting beside the first read it empty and refused to start.
fn create_whole(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    // A name no other creation uses: random, since process ids repeat (every container's
    // server is process 1), and a draft a killed start left must not be taken for ours.
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".new-{}", &SecretKey::generate().to_hex()[..16]));
    let draft = path.with_file_name(name);
    let mut file = create_private(&draft)?;
    let written = file.write_all(contents).and_then(|()| file.sync_all());
    drop(file);
    // A link fails if the name exists, as `create_new` does.
    let linked = written.and_then(|()| std::fs::hard_link(&draft, path));
    let _ = std::fs::remove_file(&draft);
    match linked {
        Err(error) if error.kind() != std::io::ErrorKind::AlreadyExists => {
            // A file system without hard links (FAT, some network shares): created at
            // once and then written, as before, which a second server starting at the
            // same moment may read empty.
            let mut file = create_private(path)?;
            file.write_all(contents)?;
            file.sync_all()
        }
        other => other,
    }
}

#[cfg(unix)]
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    // Hex digits only: `from_str_radix` also takes a sign, and `+1` 32 times had
    // passed as a key of 32 bytes of 1.
    if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_is_an_hmac_of_a_label() {
        // Python: hmac.new(bytes([0xab] * 32), b"insights-hub secret key fingerprint v1",
        // hashlib.sha256).hexdigest()
        let key = SecretKey::parse(&"ab".repeat(32)).unwrap();
        assert_eq!(
            key.fingerprint(),
            "fe76c0fc9aabe893845a09264fe9147514244eab543b4c299f5b63aefa62b41d"
        );
        assert_ne!(SecretKey::generate().fingerprint(), key.fingerprint());
    }

    #[test]
    fn parses_hex_and_base64() {
        let hex = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";
        let key = SecretKey::parse(hex).unwrap();
        assert_eq!(key.bytes()[1], 0x11);
        let b64 = base64::engine::general_purpose::STANDARD.encode(key.bytes());
        assert_eq!(SecretKey::parse(&b64).unwrap(), key);
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.bytes());
        assert_eq!(SecretKey::parse(&url).unwrap(), key);
    }

    #[test]
    fn a_hex_key_is_hex_digits_only() {
        // `+1` is a hex number to `from_str_radix`: 32 of them had made a key of 1s.
        assert!(SecretKey::parse(&"+1".repeat(32)).is_err());
        assert!(SecretKey::parse(&"-1".repeat(32)).is_err());
    }

    #[test]
    fn servers_starting_at_once_all_read_the_one_key_created() {
        for _round in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("secret.key");
            let keys: Vec<_> = std::thread::scope(|scope| {
                let starts: Vec<_> = (0..6)
                    .map(|_| scope.spawn(|| SecretKey::load_or_create(&path)))
                    .collect();
                starts.into_iter().map(|s| s.join().unwrap()).collect()
            });
            let first = keys[0].as_ref().unwrap();
            for key in &keys {
                assert_eq!(key.as_ref().unwrap(), first);
            }
            let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
            assert_eq!(names.len(), 1, "no draft left beside the key");
        }
    }

    #[test]
    fn refuses_short_malformed_and_zero_keys() {
        assert!(matches!(
            SecretKey::parse("abcd"),
            Err(SecretKeyError::Malformed)
        ));
        assert!(matches!(
            SecretKey::parse(""),
            Err(SecretKeyError::Malformed)
        ));
        assert!(matches!(
            SecretKey::parse(&"zz".repeat(32)),
            Err(SecretKeyError::Malformed)
        ));
        assert!(matches!(
            SecretKey::parse(&"0".repeat(64)),
            Err(SecretKeyError::AllZero)
        ));
    }

    #[test]
    fn debug_output_hides_the_key() {
        assert_eq!(
            format!("{:?}", SecretKey::generate()),
            "SecretKey(<redacted>)"
        );
    }

    #[test]
    fn the_file_is_created_once_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join(FILE_NAME);
        let first = SecretKey::load_or_create(&path).unwrap();
        let second = SecretKey::load_or_create(&path).unwrap();
        assert_eq!(first, second);
        assert_ne!(first.bytes(), [0; 32]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}

#[cfg(test)]
mod file_errors {
    use super::*;

    /// A bad key file is named as the place to look, and an I/O error's cause is said
    /// once (anyhow's chain printed it twice when it was also the error's source).
    #[test]
    fn a_bad_key_file_is_named_and_its_cause_said_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, "abc\n").unwrap();
        let bad = anyhow::Error::from(SecretKey::load_or_create(&path).unwrap_err());
        let text = format!("{bad:#}");
        assert!(
            text.starts_with(&format!(
                "the secret key file {} holds no usable key: the secret key must be",
                path.display()
            )),
            "{text}"
        );
        let directory = dir.path().join("a directory");
        std::fs::create_dir(&directory).unwrap();
        let io = anyhow::Error::from(SecretKey::load_or_create(&directory).unwrap_err());
        let text = format!("{io:#}");
        assert_eq!(text.matches("os error").count(), 1, "{text}");
    }

    /// A key file others can read is said (it signs every form's CSRF token); one made
    /// here is its owner's alone, and is not.
    #[cfg(unix)]
    #[test]
    fn a_key_file_others_can_read_is_warned_of() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let quiet = crate::test_log::logged_while(|| {
            SecretKey::load_or_create(&path).unwrap();
            SecretKey::load_or_create(&path).unwrap();
        });
        assert!(!quiet.contains("other users can read"), "{quiet}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let said = crate::test_log::logged_while(|| {
            SecretKey::load_or_create(&path).unwrap();
        });
        assert!(
            said.contains("other users can read the secret key"),
            "{said}"
        );
        assert!(said.contains("mode=\"644\""), "{said}");
    }
}
