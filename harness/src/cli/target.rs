//! The server under test: a URL, or the built-in reference server in-process. A target comes
//! with its flow profiles: how to reach it for each server configuration the protocol
//! scripts need (trust, password, md5, scram, tls, tls_required).

use anyhow::Context;

use crate::checks::flow::FlowProfiles;
use crate::session::ConnectOptions;

/// A target ready to be connected to; stopping it shuts down the built-in servers, if any.
pub struct StartedTarget {
    pub connect: ConnectOptions,
    pub description: String,
    pub profiles: FlowProfiles,
    #[cfg(feature = "builtin")]
    builtin: Vec<reference_server::RunningServer>,
    #[cfg(feature = "builtin")]
    _certs: Option<tempfile::TempDir>,
}

impl StartedTarget {
    pub async fn stop(self) {
        #[cfg(feature = "builtin")]
        for server in self.builtin {
            if let Err(e) = server.shutdown().await {
                tracing::warn!("stopping the reference server: {e}");
            }
        }
    }
}

/// Start (or just describe) the target. `extra_profiles` are `NAME=URL` pairs for the flow
/// profiles of a URL target (its own URL is the `trust` profile).
pub async fn start(url: Option<&str>, extra_profiles: &[String]) -> anyhow::Result<StartedTarget> {
    let Some(url) = url else {
        return start_builtin().await;
    };
    let connect = ConnectOptions::from_url(url).with_context(|| format!("--target {url}"))?;
    let mut profiles = FlowProfiles::default();
    profiles.insert("trust", connect.clone());
    for p in extra_profiles {
        let (name, url) = p
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("--target-profile {p}: expected NAME=URL"))?;
        let opts =
            ConnectOptions::from_url(url).with_context(|| format!("--target-profile {name}"))?;
        profiles.insert(name, opts);
    }
    Ok(StartedTarget {
        description: connect.redacted_url(),
        connect,
        profiles,
        #[cfg(feature = "builtin")]
        builtin: Vec::new(),
        #[cfg(feature = "builtin")]
        _certs: None,
    })
}

#[cfg(feature = "builtin")]
async fn start_builtin() -> anyhow::Result<StartedTarget> {
    use crate::checks::flow::FLOW_PASSWORD;
    use crate::session::TlsMode;
    use reference_server::{AuthMethod, Server, ServerConfig};

    let certs = tempfile::tempdir().context("a temp dir for the TLS certificate")?;
    let (cert, key) = crate::postgres::self_signed_cert(certs.path())?;
    // (profile, user, auth, password, tls files, tls required, client TLS mode): the same
    // roles the PostgreSQL side of the flow checks uses.
    let plan: [(&str, &str, AuthMethod, bool, bool, bool); 6] = [
        ("trust", "postgres", AuthMethod::Trust, false, false, false),
        (
            "password",
            "pw_user",
            AuthMethod::Password,
            false,
            false,
            false,
        ),
        ("md5", "md5_user", AuthMethod::Md5, false, false, false),
        (
            "scram",
            "scram_user",
            AuthMethod::ScramSha256,
            false,
            false,
            false,
        ),
        ("tls", "postgres", AuthMethod::Trust, true, false, true),
        (
            "tls_required",
            "tls_user",
            AuthMethod::Trust,
            true,
            true,
            true,
        ),
    ];
    let mut servers = Vec::new();
    let mut profiles = FlowProfiles::default();
    let mut main = None;
    for (profile, user, auth, with_tls, required, client_tls) in plan {
        let config = ServerConfig {
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            auth,
            users: vec![(user.to_owned(), FLOW_PASSWORD.to_owned())],
            tls_cert: with_tls.then(|| cert.clone()),
            tls_key: with_tls.then(|| key.clone()),
            tls_required: required,
            ..Default::default()
        };
        let server = Server::start(config)
            .await
            .with_context(|| format!("starting the built-in reference server ({profile})"))?;
        let addr = server.local_addr();
        let opts = ConnectOptions {
            host: addr.ip().to_string(),
            port: addr.port(),
            user: user.to_owned(),
            password: (auth != AuthMethod::Trust).then(|| FLOW_PASSWORD.to_owned()),
            database: "postgres".into(),
            tls: if client_tls {
                TlsMode::Require
            } else {
                TlsMode::Disable
            },
            ..ConnectOptions::default()
        };
        if profile == "trust" {
            main = Some((opts.clone(), addr));
        }
        profiles.insert(profile, opts);
        servers.push(server);
    }
    let (connect, addr) = main.context("the trust profile")?;
    Ok(StartedTarget {
        description: format!(
            "reference-server {} (built-in) at {addr}",
            env!("CARGO_PKG_VERSION")
        ),
        connect,
        profiles,
        builtin: servers,
        _certs: Some(certs),
    })
}

#[cfg(not(feature = "builtin"))]
async fn start_builtin() -> anyhow::Result<StartedTarget> {
    anyhow::bail!(
        "this pgcompat was built without the reference server (feature `builtin`): pass --target URL"
    )
}
