//! Secrets that must be read back (OAuth 1.0a signs with the client secret itself), encrypted
//! with the server key: XChaCha20-Poly1305 with a random nonce, bound to what it belongs to.
//!
//! Stored form: `v1:` + base64(nonce ‖ ciphertext ‖ tag). The associated data (e.g. the client
//! id) means a sealed value copied onto another row no longer opens.

use base64::{engine::general_purpose::STANDARD_NO_PAD, Engine};
use chacha20poly1305::{
    aead::{Aead, AeadCore, KeyInit, OsRng, Payload},
    XChaCha20Poly1305, XNonce,
};

use crate::{secret_key::SecretKey, StoreError};

const PREFIX: &str = "v1:";
const NONCE_LEN: usize = 24;

/// Encrypts `plain` under `key`, bound to `context`.
pub(crate) fn seal(key: &SecretKey, context: &str, plain: &str) -> String {
    let cipher = XChaCha20Poly1305::new(key.as_bytes().into());
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let sealed = cipher
        .encrypt(&nonce, Payload { msg: plain.as_bytes(), aad: context.as_bytes() })
        .expect("XChaCha20-Poly1305 encryption of a short secret cannot fail");
    let mut bytes = nonce.to_vec();
    bytes.extend_from_slice(&sealed);
    format!("{PREFIX}{}", STANDARD_NO_PAD.encode(bytes))
}

/// Decrypts a value made by [`seal`] with the same key and context.
pub(crate) fn open(key: &SecretKey, context: &str, sealed: &str) -> Result<String, StoreError> {
    let wrong = || {
        StoreError::Internal(
            "a stored secret cannot be decrypted: the server key (ROLLBOOK_SECRET_KEY or secret.key) \
             is not the one it was sealed with"
                .into(),
        )
    };
    let bytes = sealed.strip_prefix(PREFIX).and_then(|b| STANDARD_NO_PAD.decode(b).ok()).ok_or_else(wrong)?;
    if bytes.len() < NONCE_LEN {
        return Err(wrong());
    }
    let (nonce, body) = bytes.split_at(NONCE_LEN);
    let cipher = XChaCha20Poly1305::new(key.as_bytes().into());
    let plain = cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad: context.as_bytes() })
        .map_err(|_| wrong())?;
    String::from_utf8(plain).map_err(|_| wrong())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_needs_the_same_key_and_context() {
        let key = SecretKey::generate();
        let sealed = seal(&key, "client-1", "s3cret");
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("s3cret"));
        assert_ne!(sealed, seal(&key, "client-1", "s3cret"), "a fresh nonce every time");
        assert_eq!(open(&key, "client-1", &sealed).unwrap(), "s3cret");
        assert!(open(&key, "client-2", &sealed).is_err());
        assert!(open(&SecretKey::generate(), "client-1", &sealed).is_err());
        assert!(open(&key, "client-1", "v1:AAAA").is_err());
        assert!(open(&key, "client-1", "plain").is_err());
    }
}
