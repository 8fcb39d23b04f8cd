//! TLS, when the server terminates it itself: the rustls configuration
//! built once, at start-up, from PEM files.
//!
//! The server does its own handshakes (see [`super::listen`]) rather than
//! hand the configuration to tonic, for two reasons: tonic's handshakes have
//! no time limit, so a client that opens a connection and says nothing
//! holds it (and a file descriptor) for ever; and tonic reports a key that
//! does not match its certificate, or a CA file that holds no certificate,
//! as "transport error" without naming the file. Here every problem is
//! found before the server listens, and each message names its file.

use std::path::Path;
use std::sync::Arc;

use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The server's TLS settings: its identity, and the CAs of accepted client
/// certificates for mutual TLS. Checked when made, so a server that has one
/// can always start.
#[derive(Clone)]
pub struct Tls {
    config: Arc<rustls::ServerConfig>,
    mutual: bool,
}

impl std::fmt::Debug for Tls {
    /// Never prints the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("mutual", &self.mutual)
            .finish_non_exhaustive()
    }
}

/// Why the TLS settings cannot be used, by the input at fault.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The certificate chain (`--tls-cert`).
    #[error("certificate: {0}")]
    Cert(String),
    /// The private key (`--tls-key`).
    #[error("key: {0}")]
    Key(String),
    /// The key is not the certificate's.
    #[error("the key does not match the certificate")]
    Mismatch,
    /// The client CAs (`--tls-client-ca`).
    #[error("client CA: {0}")]
    ClientCa(String),
}

impl Tls {
    /// TLS with the PEM certificate chain `cert` and private key `key`;
    /// with `client_ca`, every client must present a certificate that one
    /// of those CAs signed (mutual TLS).
    pub fn from_pem(cert: &[u8], key: &[u8], client_ca: Option<&[u8]>) -> Result<Self, TlsError> {
        let chain = certificates(cert).map_err(TlsError::Cert)?;
        let key = PrivateKeyDer::from_pem_slice(key)
            .map_err(|e| TlsError::Key(format!("no PEM private key: {e}")))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Cert(e.to_string()))?;
        let builder = match client_ca {
            None => builder.with_no_client_auth(),
            Some(pem) => {
                let mut roots = rustls::RootCertStore::empty();
                for ca in certificates(pem).map_err(TlsError::ClientCa)? {
                    roots.add(ca).map_err(|e| {
                        TlsError::ClientCa(format!("not a usable CA certificate: {e}"))
                    })?;
                }
                let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                    Arc::new(roots),
                    provider,
                )
                .build()
                .map_err(|e| TlsError::ClientCa(e.to_string()))?;
                builder.with_client_cert_verifier(verifier)
            }
        };
        // rustls checks here that the key is the certificate's.
        let mut config = builder.with_single_cert(chain, key).map_err(|e| match e {
            rustls::Error::InconsistentKeys(_) => TlsError::Mismatch,
            e => TlsError::Key(format!("unusable key: {e}")),
        })?;
        config.alpn_protocols = vec![b"h2".to_vec()];
        Ok(Self {
            config: Arc::new(config),
            mutual: client_ca.is_some(),
        })
    }

    /// [`Tls::from_pem`] from files; each error names the file at fault.
    pub fn from_files(cert: &Path, key: &Path, client_ca: Option<&Path>) -> Result<Self, String> {
        let read = |path: &Path| {
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
        };
        let ca = client_ca.map(read).transpose()?;
        Self::from_pem(&read(cert)?, &read(key)?, ca.as_deref()).map_err(|e| match e {
            TlsError::Cert(what) => format!("--tls-cert {}: {what}", cert.display()),
            TlsError::Key(what) => format!("--tls-key {}: {what}", key.display()),
            TlsError::Mismatch => format!(
                "--tls-key {}: the key does not match the certificate in {}",
                key.display(),
                cert.display()
            ),
            TlsError::ClientCa(what) => {
                let path = client_ca.unwrap_or(cert);
                format!("--tls-client-ca {}: {what}", path.display())
            }
        })
    }

    /// The acceptor that runs handshakes with this configuration.
    pub(super) fn acceptor(&self) -> TlsAcceptor {
        TlsAcceptor::from(self.config.clone())
    }
}

/// Every certificate in `pem`, at least one.
fn certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not PEM certificates: {e}"))?;
    if certs.is_empty() {
        return Err("no PEM certificate in it".into());
    }
    Ok(certs)
}
