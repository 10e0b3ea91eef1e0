//! The temporary keys a mock server issues (from its instance metadata endpoint and its
//! STS), whatever the vendor: an access key id, a secret key and a token, random from the
//! operating system's generator, each with an expiry. The vendor's pipeline looks a
//! request's access key id up here when it is not one of the server's long-term keys, and
//! accepts the key with its token until it expires.
//!
//! Bounded: at most [`TemporaryKeys::capacity`] keys are held. An expired key is kept a
//! while ([`EXPIRED_KEPT_FOR`]) so a request signed with it is told its key expired
//! rather than that it is unknown; at capacity the oldest expired keys go first, and when
//! every key held is still live, issuing fails (the server answers with an error) instead
//! of growing.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use crate::credentials::Credentials;

/// How long a temporary key is valid unless the server is told otherwise: an hour, as
/// the services' own default is of that order (STS: 7200 s asked by the SDKs, capped by
/// this).
pub const DEFAULT_TEMPORARY_KEY_LIFETIME: Duration = Duration::from_secs(3600);

/// The most temporary keys a server holds, live and recently expired.
pub const DEFAULT_TEMPORARY_KEY_CAPACITY: usize = 10_000;

/// How long an expired key is remembered (unless room is needed), so its requests get
/// "expired" rather than "unknown key".
pub const EXPIRED_KEPT_FOR: Duration = Duration::from_secs(600);

/// A key the server issued: the credentials (with their expiry), and who they were
/// issued to (a role name), which QPS budgets and logs use instead of the key's id.
#[derive(Clone, PartialEq, Eq)]
pub struct Issued {
    credentials: Credentials,
    principal: String,
}

impl Issued {
    /// The credentials: id, secret key, token and expiry.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Whom the key was issued to (the role).
    pub fn principal(&self) -> &str {
        &self.principal
    }

    /// When the key expires.
    pub fn expiry(&self) -> SystemTime {
        self.credentials
            .expiry()
            .expect("issued keys always have an expiry")
    }

    /// Whether the key has expired at `now` (a key is valid strictly before its expiry).
    pub fn is_expired_at(&self, now: SystemTime) -> bool {
        now >= self.expiry()
    }

    /// Whether the key has expired now.
    pub fn is_expired(&self) -> bool {
        self.is_expired_at(SystemTime::now())
    }
}

impl fmt::Debug for Issued {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Credentials' Debug shows the id and the expiry, never the key or the token.
        f.debug_struct("Issued")
            .field("credentials", &self.credentials)
            .field("principal", &self.principal)
            .finish()
    }
}

/// Why no key was issued.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IssueError {
    /// Every key held is still live and there are `capacity` of them.
    Full {
        /// The capacity.
        capacity: usize,
    },
    /// The operating system's random generator failed.
    NoRandom(String),
}

impl fmt::Display for IssueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IssueError::Full { capacity } => write!(
                f,
                "the mock server already holds {capacity} live temporary keys (its capacity); \
                 wait for some to expire or reset it"
            ),
            IssueError::NoRandom(why) => write!(
                f,
                "the operating system's random generator failed ({why}), so no temporary key \
                 was issued"
            ),
        }
    }
}

impl std::error::Error for IssueError {}

struct Held {
    by_id: HashMap<String, Issued>,
    /// The same keys by expiry, for pruning the oldest first.
    by_expiry: BTreeSet<(SystemTime, String)>,
    /// Per principal, the id of the key the metadata endpoint hands out now, and when
    /// it was issued.
    current: HashMap<String, (String, SystemTime)>,
}

/// The registry of temporary keys of one mock server (see the module's documentation).
/// Shared by the server's connections; cheap to query.
pub struct TemporaryKeys {
    lifetime: Duration,
    capacity: usize,
    id_prefix: &'static str,
    held: Mutex<Held>,
}

impl fmt::Debug for TemporaryKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TemporaryKeys")
            .field("lifetime", &self.lifetime)
            .field("capacity", &self.capacity)
            .field("held", &self.len())
            .finish()
    }
}

/// `n` characters of `[A-Za-z0-9]` from the operating system's generator.
fn random_text(n: usize) -> Result<String, IssueError> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = vec![0u8; n];
    getrandom::getrandom(&mut bytes).map_err(|e| IssueError::NoRandom(e.to_string()))?;
    // 256 = 4 * 62 + 8: the first 8 characters are slightly likelier, which a mock's
    // keys can afford.
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect())
}

/// `time` rounded up to a whole second since the Unix epoch: the services say when keys
/// expire in whole seconds, so the expiry a client reads is the one the server holds (a
/// key lives at least its lifetime, and less than a second more).
fn whole_second_after(time: SystemTime) -> SystemTime {
    let since_epoch = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = since_epoch.as_secs() + u64::from(since_epoch.subsec_nanos() > 0);
    SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
}

impl TemporaryKeys {
    /// A registry issuing keys valid for `lifetime` (at most; a caller may ask for less),
    /// holding at most [`DEFAULT_TEMPORARY_KEY_CAPACITY`] keys, with ids starting `AKID`
    /// (Tencent's SecretIds do).
    pub fn new(lifetime: Duration) -> Self {
        TemporaryKeys {
            lifetime,
            capacity: DEFAULT_TEMPORARY_KEY_CAPACITY,
            id_prefix: "AKID",
            held: Mutex::new(Held {
                by_id: HashMap::new(),
                by_expiry: BTreeSet::new(),
                current: HashMap::new(),
            }),
        }
    }

    /// At most `capacity` keys held (at least 1).
    pub fn with_capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity.max(1);
        self
    }

    /// Ids start with `prefix` (then 32 letters and digits).
    pub fn with_id_prefix(mut self, prefix: &'static str) -> Self {
        self.id_prefix = prefix;
        self
    }

    /// The longest lifetime of a key.
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// The most keys held.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many keys are held now (live and recently expired).
    pub fn len(&self) -> usize {
        lock(&self.held).by_id.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Issues a new key to `principal`, valid for `requested` if given and shorter than
    /// [`TemporaryKeys::lifetime`], else for the lifetime.
    pub fn issue(
        &self,
        principal: &str,
        requested: Option<Duration>,
    ) -> Result<Issued, IssueError> {
        self.issue_at(principal, requested, SystemTime::now())
    }

    pub(crate) fn issue_at(
        &self,
        principal: &str,
        requested: Option<Duration>,
        now: SystemTime,
    ) -> Result<Issued, IssueError> {
        let lifetime = requested.map_or(self.lifetime, |r| r.min(self.lifetime));
        let id = format!("{}{}", self.id_prefix, random_text(32)?);
        let credentials = Credentials::new(id.clone(), random_text(32)?)
            .with_token(random_text(96)?)
            .with_expiry(whole_second_after(now + lifetime));
        let issued = Issued {
            credentials,
            principal: principal.to_owned(),
        };
        let mut held = lock(&self.held);
        Self::prune(&mut held, now, self.capacity)?;
        held.by_expiry.insert((issued.expiry(), id.clone()));
        held.by_id.insert(id, issued.clone());
        Ok(issued)
    }

    /// The key the instance metadata service hands `principal` now: the one it handed
    /// last until half the lifetime has passed since it was issued, then a new one (as
    /// the real services rotate keys ahead of expiry). Counted from the issue, not back
    /// from the expiry: expiries are rounded up to a whole second, so a client refreshing
    /// halfway through the life it sees would otherwise be handed the same key again.
    pub fn current(&self, principal: &str) -> Result<Issued, IssueError> {
        self.current_at(principal, SystemTime::now())
    }

    pub(crate) fn current_at(
        &self,
        principal: &str,
        now: SystemTime,
    ) -> Result<Issued, IssueError> {
        {
            let held = lock(&self.held);
            if let Some((issued, issued_at)) = held
                .current
                .get(principal)
                .and_then(|(id, at)| Some((held.by_id.get(id)?, *at)))
            {
                // A clock stepped back counts as no time passed.
                let age = now.duration_since(issued_at).unwrap_or_default();
                if age * 2 < self.lifetime && !issued.is_expired_at(now) {
                    return Ok(issued.clone());
                }
            }
        }
        let issued = self.issue_at(principal, None, now)?;
        lock(&self.held).current.insert(
            principal.to_owned(),
            (issued.credentials.access_key_id().to_owned(), now),
        );
        Ok(issued)
    }

    /// The key with this id, live or recently expired.
    pub fn lookup(&self, access_key_id: &str) -> Option<Issued> {
        lock(&self.held).by_id.get(access_key_id).cloned()
    }

    /// Forgets every key.
    pub fn clear(&self) {
        let mut held = lock(&self.held);
        held.by_id.clear();
        held.by_expiry.clear();
        held.current.clear();
    }

    /// Drops keys expired longer than [`EXPIRED_KEPT_FOR`] ago; then, if there is no
    /// room for one more, expired keys oldest first; `Full` if every key is live.
    fn prune(held: &mut Held, now: SystemTime, capacity: usize) -> Result<(), IssueError> {
        let forget_before = now.checked_sub(EXPIRED_KEPT_FOR).unwrap_or(now);
        while let Some((expiry, id)) = held.by_expiry.first().cloned() {
            let stale = expiry <= forget_before;
            let needs_room = held.by_id.len() >= capacity && expiry <= now;
            if !(stale || needs_room) {
                break;
            }
            held.by_expiry.pop_first();
            held.by_id.remove(&id);
            held.current.retain(|_, (current, _)| *current != id);
        }
        if held.by_id.len() >= capacity {
            return Err(IssueError::Full { capacity });
        }
        Ok(())
    }
}

/// The registry's lock: a poisoned one still holds a whole value (nothing panics while
/// holding it).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);
    const MILLISECOND: Duration = Duration::from_millis(1);

    #[test]
    fn keys_are_random_expire_and_are_found_by_id() {
        let keys = TemporaryKeys::new(10 * SECOND);
        let now = SystemTime::now();
        let a = keys.issue_at("role", None, now).unwrap();
        let b = keys.issue_at("role", Some(2 * SECOND), now).unwrap();
        let id = a.credentials().access_key_id();
        assert!(id.starts_with("AKID") && id.len() == 36, "{id}");
        assert_ne!(
            a.credentials().access_key_id(),
            b.credentials().access_key_id()
        );
        assert_ne!(a.credentials().secret_key(), b.credentials().secret_key());
        let lives = |issued: &Issued, lifetime: Duration| {
            let life = issued.expiry().duration_since(now).unwrap();
            assert!(life >= lifetime && life < lifetime + SECOND, "{life:?}");
            let whole = issued
                .expiry()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap();
            assert_eq!(whole.subsec_nanos(), 0);
        };
        lives(&a, 10 * SECOND);
        // Asking for more than the lifetime gets the lifetime; less gets less.
        lives(&b, 2 * SECOND);
        let longer = keys.issue_at("role", Some(3600 * SECOND), now).unwrap();
        lives(&longer, 10 * SECOND);
        assert_eq!(keys.lookup(id), Some(a.clone()));
        assert_eq!(keys.lookup("AKIDnot-issued"), None);
        assert!(!a.is_expired_at(now + 10 * SECOND));
        assert!(a.is_expired_at(now + 11 * SECOND));
        // Secrets stay out of Debug.
        let shown = format!("{a:?} {keys:?}");
        assert!(
            !shown.contains(a.credentials().secret_key().expose()),
            "{shown}"
        );
        assert!(
            !shown.contains(a.credentials().token().unwrap().expose()),
            "{shown}"
        );
    }

    #[test]
    fn metadata_hands_the_same_key_until_half_its_life_is_gone() {
        let keys = TemporaryKeys::new(10 * SECOND);
        let t0 = SystemTime::now();
        let first = keys.current_at("role", t0).unwrap();
        assert_eq!(
            keys.current_at("role", t0 + 4900 * MILLISECOND).unwrap(),
            first
        );
        let second = keys.current_at("role", t0 + 5 * SECOND).unwrap();
        assert_ne!(second, first);
        assert_ne!(keys.current_at("other", t0).unwrap(), first);
        // The first is still valid until it expires.
        assert_eq!(
            keys.lookup(first.credentials().access_key_id()),
            Some(first)
        );
    }

    /// A client refreshes halfway through the life it sees (the time from the answer to
    /// the expiry, which is rounded up to a whole second): it must get a new key then,
    /// not the same one again, wherever in a second the key was issued.
    #[test]
    fn a_client_refreshing_halfway_through_what_it_sees_gets_a_new_key() {
        let keys = TemporaryKeys::new(2 * SECOND);
        let whole = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        for offset_ms in [0, 1, 300, 500, 999] {
            let t0 = whole + offset_ms * MILLISECOND;
            keys.clear();
            let first = keys.current_at("role", t0).unwrap();
            let seen_life = first.expiry().duration_since(t0).unwrap();
            // Before then, the same key.
            let early = keys.current_at("role", t0 + 900 * MILLISECOND).unwrap();
            assert_eq!(early, first, "issued {offset_ms} ms into a second");
            let halfway = first.expiry() - seen_life / 2;
            let again = keys.current_at("role", halfway).unwrap();
            assert_ne!(again, first, "issued {offset_ms} ms into a second");
        }
    }

    #[test]
    fn bounded_expired_keys_make_room_live_ones_do_not() {
        let keys = TemporaryKeys::new(SECOND).with_capacity(3);
        let t0 = SystemTime::now();
        let old: Vec<Issued> = (0..3)
            .map(|_| keys.issue_at("r", None, t0).unwrap())
            .collect();
        // Full of live keys: refused, nothing grows.
        assert_eq!(
            keys.issue_at("r", None, t0).unwrap_err(),
            IssueError::Full { capacity: 3 }
        );
        assert_eq!(keys.len(), 3);
        // Once they have expired, the oldest make room (the others are still remembered).
        let fresh = keys.issue_at("r", None, t0 + 2 * SECOND).unwrap();
        assert_eq!(keys.len(), 3);
        let remembered = |keys: &TemporaryKeys| {
            old.iter()
                .filter(|k| keys.lookup(k.credentials().access_key_id()).is_some())
                .count()
        };
        // (All three expire in the same second: which one went is not said.)
        assert_eq!(remembered(&keys), 2);
        // Long expired keys are forgotten at the next issue, whatever the room.
        keys.issue_at("r", None, t0 + EXPIRED_KEPT_FOR + 5 * SECOND)
            .unwrap();
        assert_eq!(keys.len(), 1);
        assert!(keys.lookup(fresh.credentials().access_key_id()).is_none());
        assert_eq!(remembered(&keys), 0);
        // Thousands of issues over time stay within the capacity.
        let keys = TemporaryKeys::new(SECOND).with_capacity(100);
        for i in 0..5_000u64 {
            keys.issue_at("r", None, t0 + Duration::from_millis(i * 100))
                .unwrap();
            assert!(keys.len() <= 100);
        }
        keys.clear();
        assert!(keys.is_empty());
    }
}
