//! Password hashing (argon2id) and generation.
//!
//! Hashing is CPU-heavy by design, so it always runs on tokio's blocking pool, never on the
//! request-handling threads.

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use rand::{distributions::Slice, Rng};

use crate::StoreError;

/// The shortest password Rollbook accepts for an account.
pub const MIN_PASSWORD_LEN: usize = 12;
/// The longest password accepted (argon2 would take anything; this bounds the work per request).
pub const MAX_PASSWORD_LEN: usize = 1024;

/// At most this many argon2 computations run at once. Each takes ~19 MiB and a core for tens of
/// milliseconds; without a bound, a burst of sign-in attempts could exhaust memory.
const MAX_CONCURRENT_HASHES: usize = 4;
static HASH_PERMITS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_CONCURRENT_HASHES);

async fn permit() -> Result<tokio::sync::SemaphorePermit<'static>, StoreError> {
    HASH_PERMITS.acquire().await.map_err(|e| StoreError::Internal(format!("password hashing is unavailable: {e}")))
}

/// Hashes `password` with argon2id and a fresh random salt (PHC string format).
pub async fn hash(password: String) -> Result<String, StoreError> {
    let _permit = permit().await?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Internal(format!("cannot hash password: {e}")))
    })
    .await
    .map_err(|e| StoreError::Internal(format!("password hashing task failed: {e}")))?
}

/// Checks `password` against a stored PHC hash. A malformed hash counts as a mismatch.
pub async fn verify(password: String, phc: String) -> Result<bool, StoreError> {
    let _permit = permit().await?;
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&phc) else { return false };
        Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()
    })
    .await
    .map_err(|e| StoreError::Internal(format!("password check task failed: {e}")))
}

/// Rejects passwords that are too short or too long, with a message for the person choosing it.
pub fn check_strength(password: &str) -> Result<(), StoreError> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(StoreError::Invalid(format!(
            "the password is too short: use at least {MIN_PASSWORD_LEN} characters"
        )));
    }
    if password.len() > MAX_PASSWORD_LEN {
        return Err(StoreError::Invalid(format!(
            "the password is too long: use at most {MAX_PASSWORD_LEN} bytes"
        )));
    }
    Ok(())
}

/// A random 20-character password from an alphabet without look-alike characters
/// (about 113 bits of entropy), grouped in fours for reading aloud.
pub fn generate() -> String {
    const ALPHABET: &[char] = &[
        'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'j', 'k', 'm', 'n', 'p', 'q', 'r', 's', 't', 'u',
        'v', 'w', 'x', 'y', 'z', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K', 'L', 'M', 'N',
        'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', '2', '3', '4', '5', '6', '7', '8',
        '9',
    ];
    let dist = Slice::new(ALPHABET).expect("alphabet is not empty");
    let chars: Vec<char> = rand::thread_rng().sample_iter(&dist).take(20).copied().collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_is_argon2id_and_verifies() {
        let phc = hash("correct horse battery".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(verify("correct horse battery".into(), phc.clone()).await.unwrap());
        assert!(!verify("correct horse battery!".into(), phc).await.unwrap());
        assert!(!verify("x".into(), "not a hash".into()).await.unwrap());
    }

    #[test]
    fn generated_passwords_are_strong_and_distinct() {
        let a = generate();
        let b = generate();
        assert_ne!(a, b);
        assert_eq!(a.len(), 24, "{a}");
        assert_eq!(a.matches('-').count(), 4);
        check_strength(&a).unwrap();
    }

    #[test]
    fn strength_rules_name_the_limit() {
        assert_eq!(
            check_strength("short").unwrap_err().to_string(),
            "the password is too short: use at least 12 characters"
        );
        assert!(check_strength(&"x".repeat(2000)).is_err());
    }
}
