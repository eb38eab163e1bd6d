//! The server key that encrypts stored secrets (e.g. OAuth 1.0a client secrets).
//!
//! It comes from `ROLLBOOK_SECRET_KEY` (64 hex digits) or from `secret.key` in the data folder,
//! which is generated on first start and readable only by its owner.

use std::{fmt, io::Write, path::Path};

use rand::RngCore;

use crate::StoreError;

/// A 256-bit key. Its `Debug` output never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

impl SecretKey {
    /// Parses 64 hexadecimal digits (surrounding whitespace ignored).
    pub fn from_hex(text: &str) -> Result<Self, StoreError> {
        let bytes = hex::decode(text.trim()).map_err(|_| {
            StoreError::Invalid("the secret key must be 64 hexadecimal digits".into())
        })?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| {
            StoreError::Invalid("the secret key must be 64 hexadecimal digits (32 bytes)".into())
        })?;
        Ok(SecretKey(key))
    }

    /// A fresh random key.
    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        SecretKey(key)
    }

    /// The raw key bytes (for the cipher).
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Reads the key from `path`, or creates the file with a new key (mode 0600) when it does
    /// not exist yet. Returns the key and whether it was generated now.
    pub fn load_or_generate(path: &Path) -> Result<(Self, bool), StoreError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_hex(&text)
                .map(|k| (k, false))
                .map_err(|e| StoreError::Invalid(format!("{}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate();
                let io = |e: std::io::Error| {
                    StoreError::Internal(format!("cannot write the secret key to {}: {e}", path.display()))
                };
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(io)?;
                }
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                let mut file = options.open(path).map_err(io)?;
                writeln!(file, "{}", hex::encode(key.0)).map_err(io)?;
                file.sync_all().map_err(io)?;
                Ok((key, true))
            }
            Err(e) => Err(StoreError::Internal(format!(
                "cannot read the secret key from {}: {e}",
                path.display()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_once_then_reused_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("secret.key");
        let (first, created) = SecretKey::load_or_generate(&path).unwrap();
        assert!(created);
        let (second, created) = SecretKey::load_or_generate(&path).unwrap();
        assert!(!created);
        assert_eq!(first, second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(format!("{first:?}"), "SecretKey(***)");
    }

    #[test]
    fn bad_hex_is_rejected_with_reason() {
        assert_eq!(
            SecretKey::from_hex("abc").unwrap_err().to_string(),
            "the secret key must be 64 hexadecimal digits"
        );
        assert!(SecretKey::from_hex(&"ab".repeat(31)).is_err());
        assert!(SecretKey::from_hex(&"ab".repeat(32)).is_ok());
    }
}
