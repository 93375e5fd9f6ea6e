//! The server under test: a URL, or the built-in reference server in-process.

use anyhow::Context;

use crate::session::ConnectOptions;

/// A target ready to be connected to; stopping it shuts down the built-in server, if any.
pub struct StartedTarget {
    pub connect: ConnectOptions,
    pub description: String,
    #[cfg(feature = "builtin")]
    builtin: Option<reference_server::RunningServer>,
}

impl StartedTarget {
    pub async fn stop(self) {
        #[cfg(feature = "builtin")]
        if let Some(server) = self.builtin
            && let Err(e) = server.shutdown().await
        {
            tracing::warn!("stopping the reference server: {e}");
        }
    }
}

/// Start (or just describe) the target.
pub async fn start(url: Option<&str>) -> anyhow::Result<StartedTarget> {
    if let Some(url) = url {
        let connect = ConnectOptions::from_url(url).with_context(|| format!("--target {url}"))?;
        return Ok(StartedTarget {
            description: connect.redacted_url(),
            connect,
            #[cfg(feature = "builtin")]
            builtin: None,
        });
    }
    start_builtin().await
}

#[cfg(feature = "builtin")]
async fn start_builtin() -> anyhow::Result<StartedTarget> {
    let config = reference_server::ServerConfig {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        ..Default::default()
    };
    let server = reference_server::Server::start(config)
        .await
        .context("starting the built-in reference server")?;
    let addr = server.local_addr();
    let connect = ConnectOptions::from_url(&format!(
        "postgres://postgres@{}:{}/postgres",
        addr.ip(),
        addr.port()
    ))?;
    Ok(StartedTarget {
        description: format!(
            "reference-server {} (built-in) at {addr}",
            env!("CARGO_PKG_VERSION")
        ),
        connect,
        builtin: Some(server),
    })
}

#[cfg(not(feature = "builtin"))]
async fn start_builtin() -> anyhow::Result<StartedTarget> {
    anyhow::bail!(
        "this pgcompat was built without the reference server (feature `builtin`): pass --target URL"
    )
}
