//! Retries: the policy (how many attempts, the backoff) and the one retry loop every call
//! runs through, with its per-attempt tracing span.

use std::future::Future;
use std::time::Duration;

use tracing::Instrument;

use super::options::{Answer, CallOptions};
use crate::error::Error;

/// How transient failures ([`Error::is_transient`]: rate limits, HTTP 5xx answers,
/// transport failures and timeouts) are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, including the first (1 disables retries).
    pub max_attempts: u32,
    /// The backoff before the second attempt; it doubles per attempt.
    pub base_delay: Duration,
    /// The longest backoff.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// One attempt only.
    pub fn disabled() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The backoff after failed attempt `attempt` (1-based): exponential with equal
    /// jitter, so it grows while concurrent clients still spread out.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exponential = self
            .base_delay
            .saturating_mul(
                1u32.checked_shl(attempt.saturating_sub(1))
                    .unwrap_or(u32::MAX),
            )
            .min(self.max_delay);
        let half = exponential / 2;
        half + half.mul_f64(fastrand::f64())
    }

    /// Whether a failed call may be repeated: `idempotent` is the protocol's word on the
    /// operation ([`super::ClientProtocol::idempotent`]: Tencent: the action's CAM class is
    /// read or list; Huawei: a GET).
    pub fn allows(&self, idempotent: bool, options: &CallOptions) -> bool {
        idempotent || options.retry_non_idempotent
    }
}

/// Runs `attempt` until it succeeds or fails for good: when `retryable`, again after a
/// transient error ([`Error::is_transient`]) up to `policy.max_attempts` attempts in all,
/// with `policy`'s backoff; otherwise once. Each attempt runs in the span `span(attempt)`
/// makes (1-based), which must have an empty `request_id` field: it is filled from the
/// answer, a success's or an error's. The last error is returned as it is, code and
/// request id included.
pub(crate) async fn with_retries<Fut>(
    policy: &RetryPolicy,
    retryable: bool,
    span: impl Fn(u32) -> tracing::Span,
    mut attempt: impl FnMut() -> Fut,
) -> Result<Answer, Error>
where
    Fut: Future<Output = Result<Answer, Error>>,
{
    let attempts = if retryable {
        policy.max_attempts.max(1)
    } else {
        1
    };
    let mut number = 1;
    loop {
        let span = span(number);
        let result = attempt().instrument(span.clone()).await;
        if let Some(id) = result
            .as_ref()
            .map_or_else(Error::request_id, |(_, id, _)| id.as_deref())
        {
            span.record("request_id", id);
        }
        match result {
            Err(err) if err.is_transient() && number < attempts => {
                let delay = policy.backoff(number);
                tracing::debug!(parent: &span, error = %err, ?delay, "retrying");
                tokio::time::sleep(delay).await;
                number += 1;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_caps() {
        let policy = RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
        };
        for _ in 0..50 {
            let first = policy.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let second = policy.backoff(2);
            assert!(second >= Duration::from_millis(100) && second <= Duration::from_millis(200));
            assert!(policy.backoff(10) <= Duration::from_millis(300));
        }
    }

    #[test]
    fn only_idempotent_calls_retry_unless_the_caller_opts_in() {
        let policy = RetryPolicy::default();
        assert!(policy.allows(true, &CallOptions::default()));
        assert!(!policy.allows(false, &CallOptions::default()));
        assert!(policy.allows(false, &CallOptions::retry_even_if_not_idempotent()));
    }
}
