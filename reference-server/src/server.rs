//! The listening server: accept loop, per-connection tasks, orderly shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::config::ServerConfig;
use crate::session::Shared;

/// Why the server could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("TLS configuration: {0}")]
    Tls(String),
    #[error("configuration: {0}")]
    Config(String),
    #[error("storage: {0}")]
    Storage(String),
    #[error("server task failed: {0}")]
    Task(String),
}

/// The stack size for threads that run sessions. Planning and running a statement recurse
/// over its tree (DataFusion's planner, the SQL rewrites, writes nested in WITH), and an
/// overflow aborts the whole process, so embedders' runtimes should use at least this
/// (tokio's default is 2 MiB; debug builds need far more than release ones).
pub const SESSION_STACK_SIZE: usize = 16 << 20;

/// Entry point: `Server::start(config)` binds and starts serving in the background.
pub struct Server;

impl Server {
    /// Bind the listener and start accepting connections on the current tokio runtime.
    pub async fn start(config: ServerConfig) -> Result<RunningServer, ServerError> {
        let listener = TcpListener::bind(config.listen).await?;
        let local_addr = listener.local_addr()?;
        let shared = Arc::new(Shared::open(config).await?);
        let (stop_tx, stop_rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, shared, stop_rx));
        tracing::info!(%local_addr, "reference-server listening");
        Ok(RunningServer {
            local_addr,
            stop_tx,
            task,
        })
    }
}

/// A server that is accepting connections.
pub struct RunningServer {
    local_addr: SocketAddr,
    stop_tx: watch::Sender<bool>,
    task: tokio::task::JoinHandle<Result<(), ServerError>>,
}

impl RunningServer {
    /// The bound address (useful when the configured port was 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stop accepting, close every session and flush storage.
    pub async fn shutdown(self) -> Result<(), ServerError> {
        let _ = self.stop_tx.send(true);
        self.task
            .await
            .map_err(|e| ServerError::Task(e.to_string()))?
    }

    /// Serve until ctrl-c, then shut down (what `main.rs` does).
    pub async fn wait(self) {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for ctrl-c: {e}");
        }
        if let Err(e) = self.shutdown().await {
            tracing::error!("shutdown: {e}");
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stop_rx: watch::Receiver<bool>,
) -> Result<(), ServerError> {
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop_rx.changed() => break,
            // Reap finished sessions so the set does not grow; a panicked session only ends itself.
            Some(done) = sessions.join_next(), if !sessions.is_empty() => {
                if let Err(e) = done && e.is_panic() {
                    tracing::error!("session task panicked: {e}");
                }
            }
            accepted = listener.accept() => {
                let (socket, peer) = match accepted {
                    Ok(v) => v,
                    Err(e) => {
                        tracing::warn!("accept failed: {e}");
                        continue;
                    }
                };
                let _ = socket.set_nodelay(true);
                tracing::debug!(%peer, "connection accepted");
                sessions.spawn(crate::protocol::connection::serve(socket, shared.clone()));
            }
        }
    }
    drop(listener);
    sessions.shutdown().await;
    shared.flush().await
}
