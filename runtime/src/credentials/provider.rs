//! Providers: where credentials come from, asked afresh each time (the cache in
//! [`super::SharedCredentials`] decides when to ask), and the chain that asks several in
//! order.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::{CredentialSource, Credentials, CredentialsError, Tried};

/// What a provider's [`ProvideCredentials::provide`] returns.
pub type ProvideFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Credentials, CredentialsError>> + Send + 'a>>;

/// A source of credentials. `provide` fetches them afresh (reads the variables or the
/// file again, asks the metadata service or STS again): caching and refreshing ahead of
/// expiry are the client's ([`super::SharedCredentials`]), so a provider holds no state
/// but its configuration.
pub trait ProvideCredentials: Send + Sync + fmt::Debug + 'static {
    /// Fetches credentials. Temporary ones carry their expiry
    /// ([`Credentials::with_expiry`]).
    fn provide(&self) -> ProvideFuture<'_>;

    /// Where it looks, as errors and the chain's [`CredentialsError::NotFound`] name it.
    fn source(&self) -> CredentialSource;
}

/// Fixed credentials are their own provider.
impl ProvideCredentials for Credentials {
    fn provide(&self) -> ProvideFuture<'_> {
        let credentials = self.clone();
        Box::pin(async move { Ok(credentials) })
    }

    fn source(&self) -> CredentialSource {
        CredentialSource::Service("credentials given to the builder".into())
    }
}

impl<P: ProvideCredentials + ?Sized> ProvideCredentials for Arc<P> {
    fn provide(&self) -> ProvideFuture<'_> {
        (**self).provide()
    }

    fn source(&self) -> CredentialSource {
        (**self).source()
    }
}

/// A provider from a function that reads credentials without waiting (variables, a small
/// file), called on each `provide`.
pub fn from_fn<F>(source: CredentialSource, read: F) -> impl ProvideCredentials
where
    F: Fn() -> Result<Credentials, CredentialsError> + Send + Sync + 'static,
{
    FnProvider { source, read }
}

struct FnProvider<F> {
    source: CredentialSource,
    read: F,
}

impl<F> fmt::Debug for FnProvider<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("FnProvider").field(&self.source).finish()
    }
}

impl<F> ProvideCredentials for FnProvider<F>
where
    F: Fn() -> Result<Credentials, CredentialsError> + Send + Sync + 'static,
{
    fn provide(&self) -> ProvideFuture<'_> {
        let result = (self.read)();
        Box::pin(async move { result })
    }

    fn source(&self) -> CredentialSource {
        self.source.clone()
    }
}

/// Providers asked in order until one gives credentials; each refresh starts again from
/// the first, so credentials that appear in an earlier source (a rotated profile file)
/// win at the next refresh. When none gives any, the error is a
/// [`CredentialsError::NotFound`] listing every source with why it gave none.
#[derive(Debug, Clone, Default)]
pub struct CredentialsChain {
    providers: Vec<Arc<dyn ProvideCredentials>>,
}

impl CredentialsChain {
    /// An empty chain (it finds nothing).
    pub fn new() -> Self {
        CredentialsChain::default()
    }

    /// The chain with `provider` asked after the others.
    pub fn or_else(mut self, provider: impl ProvideCredentials) -> Self {
        self.providers.push(Arc::new(provider));
        self
    }

    /// The sources, in the order asked.
    pub fn sources(&self) -> Vec<CredentialSource> {
        self.providers.iter().map(|p| p.source()).collect()
    }
}

impl ProvideCredentials for CredentialsChain {
    fn provide(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            let mut tried = Vec::with_capacity(self.providers.len());
            for provider in &self.providers {
                match provider.provide().await {
                    Ok(credentials) => {
                        tracing::debug!(source = %SourceName(&provider.source()), "credentials found");
                        return Ok(credentials);
                    }
                    // A chain inside a chain: its sources, flattened.
                    Err(CredentialsError::NotFound(inner)) => tried.extend(inner),
                    Err(failure) => tried.push(Tried {
                        source: provider.source(),
                        failure,
                    }),
                }
            }
            Err(CredentialsError::NotFound(tried))
        })
    }

    fn source(&self) -> CredentialSource {
        let names: Vec<String> = self
            .providers
            .iter()
            .map(|p| SourceName(&p.source()).to_string())
            .collect();
        CredentialSource::Service(format!("chain of: {}", names.join(", then ")))
    }
}

/// A source as words, without a reason.
pub(crate) struct SourceName<'a>(pub &'a CredentialSource);

impl fmt::Display for SourceName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            CredentialSource::Env { id, key } => write!(f, "environment variables {id} and {key}"),
            CredentialSource::ProfileFile(path) => write!(f, "profile file {}", path.display()),
            CredentialSource::Service(what) => f.write_str(what),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn missing(var: &'static str) -> impl ProvideCredentials {
        from_fn(CredentialSource::Env { id: var, key: "K" }, move || {
            Err(CredentialsError::MissingEnv(var))
        })
    }

    #[tokio::test]
    async fn a_chain_takes_the_first_source_that_has_credentials() {
        let chain = CredentialsChain::new()
            .or_else(missing("FIRST"))
            .or_else(Credentials::new("second", "key"))
            .or_else(Credentials::new("third", "key"));
        assert_eq!(chain.provide().await.unwrap().access_key_id(), "second");
    }

    #[tokio::test]
    async fn an_empty_handed_chain_lists_every_source_flattened() {
        let inner = CredentialsChain::new().or_else(missing("INNER"));
        let chain = CredentialsChain::new()
            .or_else(missing("OUTER"))
            .or_else(inner)
            .or_else(from_fn(
                CredentialSource::Service("metadata".into()),
                || {
                    Err(CredentialsError::Unavailable {
                        source: "metadata".into(),
                        message: "connection refused".into(),
                    })
                },
            ));
        let Err(CredentialsError::NotFound(tried)) = chain.provide().await else {
            panic!("found credentials nowhere");
        };
        let failures: Vec<String> = tried.iter().map(ToString::to_string).collect();
        assert_eq!(
            failures,
            [
                "environment variables OUTER and K (OUTER is not set)",
                "environment variables INNER and K (INNER is not set)",
                "metadata (connection refused)",
            ]
        );
        assert_eq!(chain.sources().len(), 3);
    }
}
