//! TLS for SSLRequest: a rustls acceptor (ring provider) from PEM cert/key files.

use std::sync::Arc;

use pgwire::tokio::tokio_rustls::rustls;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::config::ServerConfig;
use crate::server::ServerError;

/// `None` when no certificate is configured (SSLRequest is then answered with `N`).
pub fn acceptor(config: &ServerConfig) -> Result<Option<pgwire::tokio::TlsAcceptor>, ServerError> {
    let (cert, key) = match (&config.tls_cert, &config.tls_key) {
        (Some(c), Some(k)) => (c, k),
        (None, None) => return Ok(None),
        _ => {
            return Err(ServerError::Tls(
                "both --tls-cert and --tls-key are needed".into(),
            ));
        }
    };
    let certs = CertificateDer::pem_file_iter(cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| ServerError::Tls(format!("{}: {e}", cert.display())))?;
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| ServerError::Tls(format!("{}: {e}", key.display())))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServerError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| ServerError::Tls(e.to_string()))?;
    cfg.alpn_protocols = vec![b"postgresql".to_vec()];
    Ok(Some(pgwire::tokio::TlsAcceptor::from(Arc::new(cfg))))
}
