//! The session tokens of a mock instance metadata service (the protection against request
//! forgery that ECS's metadata service has: `PUT` for a token with a TTL, then each `GET`
//! carries it). Tokens are stateless, `<expiry in Unix seconds>.<hex HMAC-SHA256 of it>`
//! under a random key of the server's, so however many a client asks for, nothing is
//! held per token: the memory is bounded by construction.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::Mac;

use super::core::lock;
use super::temporary::IssueError;

/// Why a session token was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SessionProblem {
    /// Not one this server issued (malformed, forged, or from before a reset).
    Unknown,
    /// Issued here, and its TTL has run out.
    Expired,
}

/// The session tokens of one server (see the module's documentation).
#[derive(Default)]
pub(crate) struct SessionTokens {
    /// The signing key, made at the first token (from the operating system's generator).
    key: Mutex<Option<[u8; 32]>>,
    /// Whether a token was issued since the start (or the last reset): from then on, a
    /// request without one is refused, as by a service whose clients use sessions.
    issued: AtomicBool,
}

impl SessionTokens {
    /// A token valid for `ttl` from now.
    pub(crate) fn issue(&self, ttl: Duration) -> Result<String, IssueError> {
        let key = {
            let mut key = lock(&self.key);
            match *key {
                Some(k) => k,
                None => {
                    let mut k = [0u8; 32];
                    getrandom::getrandom(&mut k)
                        .map_err(|e| IssueError::NoRandom(e.to_string()))?;
                    *key = Some(k);
                    k
                }
            }
        };
        let expiry = (SystemTime::now() + ttl)
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        self.issued.store(true, Ordering::Relaxed);
        Ok(format!("{expiry}.{}", hex::encode(mac(&key, expiry))))
    }

    /// Whether any token was issued since the start (or the last reset).
    pub(crate) fn any_issued(&self) -> bool {
        self.issued.load(Ordering::Relaxed)
    }

    /// Checks a token a request carries.
    pub(crate) fn check(&self, token: &str) -> Result<(), SessionProblem> {
        self.check_at(token, SystemTime::now())
    }

    fn check_at(&self, token: &str, now: SystemTime) -> Result<(), SessionProblem> {
        let Some(key) = *lock(&self.key) else {
            return Err(SessionProblem::Unknown);
        };
        let (expiry, signature) = token.split_once('.').ok_or(SessionProblem::Unknown)?;
        // Digits only (no sign, no spaces), so one expiry has one spelling.
        if expiry.is_empty() || expiry.len() > 20 || !expiry.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SessionProblem::Unknown);
        }
        let expiry: u64 = expiry.parse().map_err(|_| SessionProblem::Unknown)?;
        let signature = hex::decode(signature).map_err(|_| SessionProblem::Unknown)?;
        let mut verifier = crate::crypto::hmac_sha256(&key);
        verifier.update(expiry.to_string().as_bytes());
        verifier
            .verify_slice(&signature)
            .map_err(|_| SessionProblem::Unknown)?;
        let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        if now >= expiry {
            return Err(SessionProblem::Expired);
        }
        Ok(())
    }

    /// Forgets the key (every token issued so far becomes unknown) and that any was issued.
    pub(crate) fn clear(&self) {
        *lock(&self.key) = None;
        self.issued.store(false, Ordering::Relaxed);
    }
}

fn mac(key: &[u8], expiry: u64) -> Vec<u8> {
    crate::crypto::hmac(key, expiry.to_string().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_checked_by_signature_and_expiry() {
        let sessions = SessionTokens::default();
        assert!(!sessions.any_issued());
        assert_eq!(sessions.check("1.00"), Err(SessionProblem::Unknown));
        let token = sessions.issue(Duration::from_secs(60)).unwrap();
        assert!(sessions.any_issued());
        assert_eq!(sessions.check(&token), Ok(()));
        let later = SystemTime::now() + Duration::from_secs(61);
        assert_eq!(
            sessions.check_at(&token, later),
            Err(SessionProblem::Expired)
        );
        // A forged expiry, a cut signature, garbage: unknown.
        let (expiry, signature) = token.split_once('.').unwrap();
        let forged = format!("{}.{signature}", expiry.parse::<u64>().unwrap() + 3600);
        for bad in [
            forged.as_str(),
            &token[..token.len() - 2],
            "",
            ".",
            "x.y",
            "+1.00",
            "99999999999999999999999.00",
            &format!(" {token}"),
        ] {
            assert_eq!(sessions.check(bad), Err(SessionProblem::Unknown), "{bad}");
        }
        // After a reset, earlier tokens are unknown.
        sessions.clear();
        assert!(!sessions.any_issued());
        assert_eq!(sessions.check(&token), Err(SessionProblem::Unknown));
    }
}
