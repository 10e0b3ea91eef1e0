//! The cache between a client and its credentials provider: shared by every clone of the
//! client, refreshed ahead of expiry by one caller while the others wait, and never
//! handing out keys past their expiry.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use super::provider::SourceName;
use super::{Credentials, CredentialsError, ProvideCredentials};

/// How long before their expiry temporary credentials are refreshed, at most: the official
/// Tencent SDKs refresh role keys five minutes ahead. Keys that live less than twice this
/// are refreshed halfway through their life instead.
pub const DEFAULT_REFRESH_AHEAD: Duration = Duration::from_secs(300);

/// How long one refresh may take before it counts as failed (a provider's own timeouts
/// are shorter; this bounds a provider that never answers).
const REFRESH_TIMEOUT: Duration = Duration::from_secs(60);

/// After a failed refresh, while the old keys are still valid, the pause before the next
/// try: at most this, and at most a quarter of the keys' remaining life (so keys that
/// expire soon get several more tries).
const RETRY_PAUSE: Duration = Duration::from_secs(10);

/// A provider with its cached credentials. Clones share the cache: a client and all its
/// clones ask the provider once per refresh, whatever the number of concurrent calls.
///
/// [`get`](Self::get) returns the cached credentials while they are fresh. Once
/// temporary credentials come within [`DEFAULT_REFRESH_AHEAD`] of their expiry (or half
/// their life), the first caller asks the provider again while concurrent callers wait
/// for its answer, then all take the new keys. If that refresh fails and the old keys
/// have not expired, they are still used (a warning is logged, the next try comes after a
/// short pause); once expired they are never returned: the call fails with the
/// provider's error, and a later call tries again.
#[derive(Clone)]
pub struct SharedCredentials {
    inner: Arc<Inner>,
}

struct Inner {
    provider: Arc<dyn ProvideCredentials>,
    held: Mutex<Option<Held>>,
    /// Held by the one caller refreshing; the others wait on it (async: no thread blocks).
    refreshing: tokio::sync::Mutex<()>,
    refresh_ahead: Duration,
}

#[derive(Clone)]
struct Held {
    credentials: Credentials,
    /// When to ask the provider again: `None` for keys that do not expire.
    refresh_at: Option<SystemTime>,
}

impl Held {
    fn fresh(&self, now: SystemTime) -> bool {
        self.refresh_at.is_none_or(|at| now < at)
    }

    fn unexpired(&self, now: SystemTime) -> bool {
        self.credentials.expiry().is_none_or(|expiry| now < expiry)
    }
}

impl SharedCredentials {
    /// A cache over `provider`, empty until the first [`get`](Self::get).
    pub fn new(provider: impl ProvideCredentials) -> Self {
        Self::from_arc(Arc::new(provider))
    }

    /// A cache over a shared provider.
    pub fn from_arc(provider: Arc<dyn ProvideCredentials>) -> Self {
        SharedCredentials {
            inner: Arc::new(Inner {
                provider,
                held: Mutex::new(None),
                refreshing: tokio::sync::Mutex::new(()),
                refresh_ahead: DEFAULT_REFRESH_AHEAD,
            }),
        }
    }

    /// Fixed credentials, cached from the start.
    pub fn fixed(credentials: Credentials) -> Self {
        let shared = Self::new(credentials.clone());
        shared.store(credentials, SystemTime::now());
        shared
    }

    /// The same provider, refreshing temporary credentials `ahead` of their expiry (at
    /// most half their life). Only before the first clone.
    pub fn with_refresh_ahead(self, ahead: Duration) -> Self {
        let inner = &self.inner;
        SharedCredentials {
            inner: Arc::new(Inner {
                provider: Arc::clone(&inner.provider),
                held: Mutex::new(
                    inner
                        .held
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .take(),
                ),
                refreshing: tokio::sync::Mutex::new(()),
                refresh_ahead: ahead,
            }),
        }
    }

    /// The provider.
    pub fn provider(&self) -> &Arc<dyn ProvideCredentials> {
        &self.inner.provider
    }

    /// The credentials cached now, if any (they may be due for a refresh).
    pub fn cached(&self) -> Option<Credentials> {
        self.held().map(|held| held.credentials)
    }

    /// When the cached credentials expire: `None` when nothing is cached yet or the keys
    /// do not expire.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.held().and_then(|held| held.credentials.expiry())
    }

    /// Credentials to sign with now: the cached ones while fresh, else fresh ones from the
    /// provider (one refresh for all concurrent callers). Never keys past their expiry.
    pub async fn get(&self) -> Result<Credentials, CredentialsError> {
        if let Some(held) = self.held().filter(|h| h.fresh(SystemTime::now())) {
            return Ok(held.credentials);
        }
        let _refreshing = self.inner.refreshing.lock().await;
        // Whoever held the lock before may have refreshed already.
        let now = SystemTime::now();
        let held = self.held();
        if let Some(held) = held.as_ref().filter(|h| h.fresh(now)) {
            return Ok(held.credentials.clone());
        }
        let failure = match self.refresh().await {
            Ok(credentials) => return Ok(credentials),
            Err(failure) => failure,
        };
        let now = SystemTime::now();
        match held.filter(|h| h.unexpired(now)) {
            Some(mut held) => {
                let expiry = held.credentials.expiry().unwrap_or(now);
                let left = expiry.duration_since(now).unwrap_or_default();
                tracing::warn!(
                    source = %SourceName(&self.inner.provider.source()),
                    error = %failure,
                    expires_in_secs = left.as_secs(),
                    "refreshing credentials failed; the current ones are still valid"
                );
                held.refresh_at = Some(now + RETRY_PAUSE.min(left / 4));
                self.put(held.clone());
                Ok(held.credentials)
            }
            None => Err(failure),
        }
    }

    /// Asks the provider; keeps and returns what it gave, unless already expired.
    async fn refresh(&self) -> Result<Credentials, CredentialsError> {
        let provider = &self.inner.provider;
        let source = || SourceName(&provider.source()).to_string();
        let credentials = tokio::time::timeout(REFRESH_TIMEOUT, provider.provide())
            .await
            .map_err(|_| CredentialsError::Unavailable {
                source: source(),
                message: format!("no credentials within {} s", REFRESH_TIMEOUT.as_secs()),
            })??;
        let now = SystemTime::now();
        if let Some(expiry) = credentials.expiry().filter(|&e| e <= now) {
            return Err(CredentialsError::BadAnswer {
                source: source(),
                message: format!(
                    "the credentials it gave expired at {}, before they could be used",
                    Rfc3339(expiry)
                ),
            });
        }
        tracing::debug!(
            source = %source(),
            access_key_id = credentials.access_key_id(),
            expiry = ?credentials.expiry().map(Rfc3339),
            "credentials refreshed"
        );
        self.store(credentials.clone(), now);
        Ok(credentials)
    }

    fn store(&self, credentials: Credentials, now: SystemTime) {
        let refresh_at = credentials.expiry().map(|expiry| {
            let life = expiry.duration_since(now).unwrap_or_default();
            expiry - self.inner.refresh_ahead.min(life / 2)
        });
        self.put(Held {
            credentials,
            refresh_at,
        });
    }

    fn held(&self) -> Option<Held> {
        self.lock().clone()
    }

    fn put(&self, held: Held) {
        *self.lock() = Some(held);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Held>> {
        // Nothing panics while holding it; a poisoned lock still holds a whole value.
        self.inner
            .held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for SharedCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedCredentials")
            .field("provider", &self.inner.provider)
            .field("cached", &self.cached())
            .finish()
    }
}

/// A time as RFC 3339 UTC, to the second.
pub(crate) struct Rfc3339(pub SystemTime);

impl fmt::Debug for Rfc3339 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", humantime::format_rfc3339_seconds(self.0))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::super::{CredentialSource, ProvideFuture};
    use super::*;

    /// Hands out keys `key-1`, `key-2`, … living `life` each, after `delay`; fails while
    /// `failing` is set.
    #[derive(Debug)]
    struct Counting {
        calls: AtomicU32,
        life: Duration,
        delay: Duration,
        failing: std::sync::atomic::AtomicBool,
    }

    impl Counting {
        fn new(life: Duration, delay: Duration) -> Arc<Self> {
            Arc::new(Counting {
                calls: AtomicU32::new(0),
                life,
                delay,
                failing: false.into(),
            })
        }
    }

    impl ProvideCredentials for Counting {
        fn provide(&self) -> ProvideFuture<'_> {
            Box::pin(async move {
                let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
                tokio::time::sleep(self.delay).await;
                if self.failing.load(Ordering::SeqCst) {
                    return Err(CredentialsError::Unavailable {
                        source: "test".into(),
                        message: "down".into(),
                    });
                }
                Ok(Credentials::new(format!("key-{n}"), "secret")
                    .with_expiry(SystemTime::now() + self.life))
            })
        }

        fn source(&self) -> CredentialSource {
            CredentialSource::Service("counting test provider".into())
        }
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_refresh() {
        let provider = Counting::new(Duration::from_secs(3600), Duration::from_millis(50));
        let shared = SharedCredentials::from_arc(provider.clone());
        let calls: Vec<_> = (0..32)
            .map(|_| {
                let shared = shared.clone();
                tokio::spawn(async move { shared.get().await.unwrap() })
            })
            .collect();
        for call in calls {
            assert_eq!(call.await.unwrap().access_key_id(), "key-1");
        }
        assert_eq!(provider.calls.load(Ordering::SeqCst), 1);
        assert!(shared.expiry().unwrap() > SystemTime::now() + Duration::from_secs(3500));
    }

    #[tokio::test]
    async fn short_lived_keys_are_refreshed_halfway_and_never_used_expired() {
        let life = Duration::from_millis(400);
        let provider = Counting::new(life, Duration::ZERO);
        let shared = SharedCredentials::from_arc(provider.clone());
        let first = shared.get().await.unwrap();
        assert_eq!(shared.get().await.unwrap(), first, "fresh keys are reused");
        tokio::time::sleep(life / 2 + Duration::from_millis(20)).await;
        let second = shared.get().await.unwrap();
        assert_eq!(second.access_key_id(), "key-2");
        assert!(second.expiry().unwrap() > SystemTime::now());

        // The provider goes down: still-valid keys are used until they expire, and the
        // provider is not asked on every call meanwhile.
        tokio::time::sleep(life / 2 + Duration::from_millis(20)).await;
        provider.failing.store(true, Ordering::SeqCst);
        let still = shared.get().await.unwrap();
        assert_eq!(still.access_key_id(), "key-2");
        let asked = provider.calls.load(Ordering::SeqCst);
        assert_eq!(shared.get().await.unwrap().access_key_id(), "key-2");
        assert_eq!(
            provider.calls.load(Ordering::SeqCst),
            asked,
            "paused after a failure"
        );

        // Once expired they are never handed out: the provider's error is.
        tokio::time::sleep(life).await;
        let err = shared.get().await.unwrap_err();
        assert!(err.to_string().contains("down"), "{err}");

        // The provider recovers: so does the cache.
        provider.failing.store(false, Ordering::SeqCst);
        let recovered = shared.get().await.unwrap();
        assert!(recovered.expiry().unwrap() > SystemTime::now());
    }

    #[tokio::test]
    async fn keys_that_arrive_expired_are_refused() {
        #[derive(Debug)]
        struct Stale;
        impl ProvideCredentials for Stale {
            fn provide(&self) -> ProvideFuture<'_> {
                Box::pin(async {
                    Ok(Credentials::new("old", "secret-never-shown")
                        .with_expiry(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)))
                })
            }
            fn source(&self) -> CredentialSource {
                CredentialSource::Service("stale metadata".into())
            }
        }
        let err = SharedCredentials::new(Stale).get().await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "stale metadata: unusable answer: the credentials it gave expired at \
             2023-11-14T22:13:20Z, before they could be used"
        );
    }

    #[test]
    fn debug_shows_the_expiry_not_the_secret() {
        let shared = SharedCredentials::fixed(
            Credentials::new("AKIDshown", "secret-never-shown")
                .with_token("token-never-shown")
                .with_expiry(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
        );
        let shown = format!("{shared:?}");
        assert!(shown.contains("AKIDshown") && shown.contains("2023-11-14T22:13:20Z"));
        assert!(!shown.contains("never-shown"), "{shown}");
    }
}
