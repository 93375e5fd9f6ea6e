//! The built-in target for benchmarks: one reference server with a real, durable data dir
//! (as a user would run it), removed with the run.

use super::cleanup::ScratchDir;
use super::error::BenchError;
use crate::session::ConnectOptions;

/// A running reference server and its data dir.
pub struct BuiltinTarget {
    server: reference_server::RunningServer,
    connect: ConnectOptions,
    _data: ScratchDir,
}

impl BuiltinTarget {
    /// Starts the server on a free loopback port, trust auth, data in a fresh temp dir.
    pub async fn start() -> Result<BuiltinTarget, BenchError> {
        let data = ScratchDir::new("pgcompat-bench-")?;
        let config = reference_server::ServerConfig {
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: Some(data.path().join("data")),
            ..Default::default()
        };
        let server = reference_server::Server::start(config).await.map_err(|e| {
            BenchError::Setup(format!("starting the built-in reference server: {e}"))
        })?;
        let addr = server.local_addr();
        let connect = ConnectOptions {
            host: addr.ip().to_string(),
            port: addr.port(),
            user: "postgres".into(),
            database: "postgres".into(),
            ..ConnectOptions::default()
        };
        Ok(BuiltinTarget {
            server,
            connect,
            _data: data,
        })
    }

    pub fn connect(&self) -> &ConnectOptions {
        &self.connect
    }

    /// One line for the output, e.g. "reference-server 0.1.0 (built-in, durable data dir) at 127.0.0.1:40111".
    pub fn describe(&self) -> String {
        format!(
            "reference-server {} (built-in, durable data dir) at {}:{}",
            env!("CARGO_PKG_VERSION"),
            self.connect.host,
            self.connect.port
        )
    }

    /// Shuts the server down, then removes its data.
    pub async fn stop(self) {
        if let Err(e) = self.server.shutdown().await {
            tracing::warn!("stopping the reference server: {e}");
        }
    }
}
