//! Server configuration: what the binary's flags and the harness's embedding both fill in.

use std::net::SocketAddr;
use std::path::PathBuf;

/// How clients prove who they are, as in a `pg_hba.conf` method column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthMethod {
    /// Anyone may connect as any user.
    #[default]
    Trust,
    /// Cleartext password (`AuthenticationCleartextPassword`).
    Password,
    /// MD5 challenge with a random salt per connection.
    Md5,
    /// SCRAM-SHA-256 (SASL), verified against StoredKey/ServerKey.
    ScramSha256,
}

impl std::str::FromStr for AuthMethod {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "trust" => Ok(Self::Trust),
            "password" => Ok(Self::Password),
            "md5" => Ok(Self::Md5),
            "scram-sha-256" | "scram" => Ok(Self::ScramSha256),
            other => Err(format!(
                "unknown auth method {other:?} (expected trust, password, md5 or scram-sha-256)"
            )),
        }
    }
}

/// Everything needed to start a [`crate::Server`].
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on; port 0 picks a free port (see `RunningServer::local_addr`).
    pub listen: SocketAddr,
    /// Directory for durable data; `None` keeps everything in memory.
    pub data_dir: Option<PathBuf>,
    pub auth: AuthMethod,
    /// `(user, password)` pairs accepted by the password-based methods.
    pub users: Vec<(String, String)>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Refuse unencrypted sessions, like a `hostssl`-only `pg_hba.conf`.
    pub tls_required: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 5433)),
            data_dir: None,
            auth: AuthMethod::Trust,
            users: Vec::new(),
            tls_cert: None,
            tls_key: None,
            tls_required: false,
        }
    }
}
