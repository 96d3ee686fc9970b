//! TLS for `vendor serve`: the data centre's API carries cards, keys and grants, so off the
//! machine it is spoken only over TLS (rustls on aws-lc-rs, the project's one crypto
//! provider), with a certificate and key from PEM files. A private data centre can make its
//! own (`admin tls-create`): a self-signed certificate that its counters are given as the
//! only one they trust (`link.data_centre_ca`).
//!
//! Handshakes run in their own tasks, so one slow or silent client never holds up the
//! connections behind it; axum is handed only finished TLS streams.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::server::TlsStream;

use crate::keys::key_file::{Placement, write_file_atomically};
use crate::private_files::{PRIVATE_FILE_MODE, private_dir};

/// How long a client may take over its handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Handshakes finished and not yet taken by the server.
const READY_CONNECTIONS: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{path}: {reason}")]
    File { path: PathBuf, reason: String },
    #[error("the TLS certificate and key do not make a server configuration: {0}")]
    Config(String),
    #[error("a TLS certificate for {hosts:?}: {reason}")]
    Create { hosts: Vec<String>, reason: String },
}

/// An acceptor for the certificate chain in `certificate` (PEM) and the key in `key` (PEM).
pub fn acceptor(certificate: &Path, key: &Path) -> Result<TlsAcceptor, TlsError> {
    let bad = |path: &Path, reason: String| TlsError::File {
        path: path.to_path_buf(),
        reason,
    };
    let chain = CertificateDer::pem_file_iter(certificate)
        .map_err(|e| bad(certificate, e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(certificate, e.to_string()))?;
    if chain.is_empty() {
        return Err(bad(certificate, "holds no PEM certificate".into()));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| bad(key, e.to_string()))?;
    let mut config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A listener that hands axum connections whose TLS handshake has finished.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    pub fn new(listener: TcpListener, acceptor: TlsAcceptor) -> std::io::Result<TlsListener> {
        let local = listener.local_addr()?;
        let (sender, ready) = mpsc::channel(READY_CONNECTIONS);
        tokio::spawn(accept_loop(listener, acceptor, sender));
        Ok(TlsListener { ready, local })
    }
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    sender: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of descriptors and the like: pause rather than spin.
                log::warn!("accepting a connection: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // Answers go out as they are written, not held for the last segment's ACK.
        if let Err(e) = stream.set_nodelay(true) {
            log::info!("TCP_NODELAY for {peer}: {e}");
        }
        let acceptor = acceptor.clone();
        let sender = sender.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => {
                    let _ = sender.send((tls, peer)).await;
                }
                Ok(Err(e)) => log::info!("TLS handshake with {peer} failed: {e}"),
                Err(_) => log::info!("TLS handshake with {peer} took over 10 s: dropped"),
            }
        });
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(ready) => ready,
            // The accept loop never ends while the listener lives; if it did, serve nothing.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

/// Creates a self-signed certificate for `hosts` (DNS names or IP addresses) and its key in
/// `dir` (0700), the key 0600: `(certificate, key)` paths. Existing files are never replaced.
pub fn create_self_signed(dir: &Path, hosts: &[String]) -> Result<(PathBuf, PathBuf), TlsError> {
    let certificate_path = dir.join("tls-certificate.pem");
    let key_path = dir.join("tls-key.pem");
    for path in [&certificate_path, &key_path] {
        if path.exists() {
            return Err(TlsError::File {
                path: path.clone(),
                reason: "exists already: a TLS certificate is never replaced in place (move it away first)".into(),
            });
        }
    }
    let created =
        rcgen::generate_simple_self_signed(hosts.to_vec()).map_err(|e| TlsError::Create {
            hosts: hosts.to_vec(),
            reason: e.to_string(),
        })?;
    let failed = |path: &Path, reason: String| TlsError::File {
        path: path.to_path_buf(),
        reason,
    };
    private_dir(dir).map_err(|e| failed(dir, e.to_string()))?;
    let key_pem = created.signing_key.serialize_pem();
    write_file_atomically(
        &key_path,
        key_pem.as_bytes(),
        PRIVATE_FILE_MODE,
        Placement::Exclusive,
    )
    .map_err(|e| failed(&key_path, e.to_string()))?;
    let certificate_pem = created.cert.pem();
    write_file_atomically(
        &certificate_path,
        certificate_pem.as_bytes(),
        0o644,
        Placement::Exclusive,
    )
    .map_err(|e| failed(&certificate_path, e.to_string()))?;
    Ok((certificate_path, key_path))
}
