//! What kind of oracle to use and how to set up a local cluster.

use std::str::FromStr;

use super::OracleError;

/// Where the oracle PostgreSQL comes from (the CLI's `--oracle`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OracleSpec {
    /// A local cluster, else a container, else no oracle (with the reasons recorded).
    Auto,
    /// A throwaway cluster from local server binaries; an error if impossible.
    Local,
    /// The official `postgres` image through testcontainers; an error if impossible.
    Container,
    /// An already running server, used as is.
    Url(String),
    /// No oracle at all.
    None,
}

impl FromStr for OracleSpec {
    type Err = OracleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim();
        if trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://") {
            return Ok(OracleSpec::Url(trimmed.to_string()));
        }
        match trimmed.to_ascii_lowercase().as_str() {
            "auto" => Ok(OracleSpec::Auto),
            "local" => Ok(OracleSpec::Local),
            "container" => Ok(OracleSpec::Container),
            "none" => Ok(OracleSpec::None),
            _ => Err(OracleError::InvalidSpec(s.to_string())),
        }
    }
}

/// The host (TCP) authentication method written to pg_hba.conf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthMethod {
    #[default]
    Trust,
    /// Cleartext password.
    Password,
    Md5,
    ScramSha256,
}

impl AuthMethod {
    /// The keyword pg_hba.conf (and `POSTGRES_HOST_AUTH_METHOD`) uses.
    pub fn hba_keyword(self) -> &'static str {
        match self {
            AuthMethod::Trust => "trust",
            AuthMethod::Password => "password",
            AuthMethod::Md5 => "md5",
            AuthMethod::ScramSha256 => "scram-sha-256",
        }
    }

    /// How the password is hashed when stored: md5 auth needs an md5 hash (with a SCRAM hash
    /// the server silently upgrades md5 to SCRAM, and the md5 exchange would go untested).
    pub(crate) fn password_encryption(self) -> &'static str {
        match self {
            AuthMethod::Md5 => "md5",
            _ => "scram-sha-256",
        }
    }
}

impl FromStr for AuthMethod {
    type Err = OracleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "trust" => Ok(AuthMethod::Trust),
            "password" => Ok(AuthMethod::Password),
            "md5" => Ok(AuthMethod::Md5),
            "scram-sha-256" | "scram" => Ok(AuthMethod::ScramSha256),
            _ => Err(OracleError::InvalidAuth(s.to_string())),
        }
    }
}

/// How to set up a local cluster (the container oracle honours version, auth, user,
/// password and settings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalOptions {
    /// TCP port on 127.0.0.1; `None` picks a free one.
    pub port: Option<u16>,
    /// Major version such as "15"; `None` takes the newest binaries found.
    pub version: Option<String>,
    /// Host authentication method (the unix socket always trusts, for set-up and probes).
    pub auth: AuthMethod,
    /// The bootstrap superuser.
    pub user: String,
    /// The superuser's password; required when `auth` is not `Trust`.
    pub password: Option<String>,
    /// `ssl=on` with a freshly generated self-signed certificate.
    pub tls: bool,
    /// Only `hostssl` lines in pg_hba.conf, so plaintext TCP connections are refused.
    pub tls_required: bool,
    /// Extra server settings (`name`, `value`), e.g. `("TimeZone", "UTC")`.
    pub settings: Vec<(String, String)>,
}

impl Default for LocalOptions {
    fn default() -> Self {
        LocalOptions {
            port: None,
            version: None,
            auth: AuthMethod::Trust,
            user: "postgres".to_string(),
            password: None,
            tls: false,
            tls_required: false,
            settings: Vec::new(),
        }
    }
}

impl LocalOptions {
    /// Rejects combinations that could only produce a cluster nobody can use as intended.
    pub(crate) fn validate(&self) -> Result<(), OracleError> {
        let bad = |why: String| Err(OracleError::InvalidOptions(why));
        if self.user.is_empty()
            || !self
                .user
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return bad(format!(
                "user {:?} must be non-empty ASCII letters, digits or _",
                self.user
            ));
        }
        if self.auth != AuthMethod::Trust && self.password.is_none() {
            return bad(format!("auth {} needs a password", self.auth.hba_keyword()));
        }
        if self.password.as_deref().is_some_and(|p| p.contains('\0')) {
            return bad("the password contains a NUL byte".to_string());
        }
        if self.tls_required && !self.tls {
            return bad("tls_required needs tls".to_string());
        }
        if let Some(v) = &self.version
            && !v.chars().all(|c| c.is_ascii_digit() || c == '.')
        {
            return bad(format!("version {v:?} is not a number like \"15\""));
        }
        for (name, value) in &self.settings {
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            {
                return bad(format!("setting name {name:?} is not a GUC name"));
            }
            if value.contains(['\n', '\r', '\0']) {
                return bad(format!(
                    "setting {name} has a line break or NUL in its value"
                ));
            }
        }
        Ok(())
    }
}
