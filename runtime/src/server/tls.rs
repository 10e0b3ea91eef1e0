//! The mock server's TLS mode: at start, a certificate authority of its own and a server
//! certificate it signs for `localhost`, `127.0.0.1` and `::1`, both new each time (the
//! keys never leave the process); the CA's PEM is what a client must trust (our client's
//! `add_root_certificate`, the Python SDK's certificate bundle).

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// What a TLS server needs: the acceptor, and the CA certificate clients trust.
#[derive(Clone)]
pub(crate) struct Identity {
    pub(crate) acceptor: TlsAcceptor,
    pub(crate) ca_pem: String,
}

/// A new CA and a server certificate it signed; the error says which step failed.
pub(crate) fn generate() -> Result<Identity, String> {
    let step = |what: &str| {
        let what = what.to_owned();
        move |err: rcgen::Error| format!("{what}: {err}")
    };
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(step("CA"))?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name = DistinguishedName::new();
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "partnergen mock server CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate().map_err(step("the CA's key"))?;
    let ca_certificate = ca_params
        .self_signed(&ca_key)
        .map_err(step("the CA certificate"))?;
    let issuer = Issuer::new(ca_params, ca_key);

    let names = ["localhost", "127.0.0.1", "::1"]
        .map(str::to_owned)
        .to_vec();
    let mut server_params = CertificateParams::new(names).map_err(step("server names"))?;
    server_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    server_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    // OpenSSL's strict verification (Python 3.13's default) wants the issuer's key id.
    server_params.use_authority_key_identifier_extension = true;
    let server_key = KeyPair::generate().map_err(step("the server's key"))?;
    let server_certificate = server_params
        .signed_by(&server_key, &issuer)
        .map_err(step("the server certificate"))?;

    let chain: Vec<CertificateDer<'static>> = vec![
        server_certificate.der().clone(),
        ca_certificate.der().clone(),
    ];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    // ring explicitly: the process may hold several rustls providers, and none need be
    // the default.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS versions: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("the server certificate: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Identity {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        ca_pem: ca_certificate.pem(),
    })
}
