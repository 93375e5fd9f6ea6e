//! Where and how to connect, from or to a `postgres://` URL.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use url::Url;

use super::error::SessionError;

/// Whether to ask for TLS with an SSLRequest before the startup message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsMode {
    /// Plain TCP, no SSLRequest.
    #[default]
    Disable,
    /// TLS if the server accepts it, plain otherwise.
    Prefer,
    /// TLS or fail.
    Require,
}

impl TlsMode {
    fn as_sslmode(self) -> &'static str {
        match self {
            TlsMode::Disable => "disable",
            TlsMode::Prefer => "prefer",
            TlsMode::Require => "require",
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct ConnectOptions {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: Option<String>,
    pub database: String,
    /// Extra startup parameters (application_name, options, TimeZone, ...).
    pub params: Vec<(String, String)>,
    /// Bounds the TCP connect, TLS handshake and startup together.
    pub connect_timeout: Duration,
    /// Bounds each wait for one message once connected.
    pub io_timeout: Duration,
    /// The largest backend frame accepted (its declared length, which counts itself).
    pub max_message_len: usize,
    /// The most row/COPY bytes one `simple_query` keeps; past it the rest is drained and dropped.
    pub max_result_bytes: usize,
    pub tls: TlsMode,
    /// A PEM file of CA certificates: when set, the server certificate must chain to it or be
    /// one of them (libpq's `verify-ca`: the host name is not checked); when not, any
    /// certificate is accepted (testing, not security).
    pub tls_ca: Option<PathBuf>,
    /// Record every message of the session (startup included) in its transcript.
    pub record_transcript: bool,
    /// The protocol version the startup message asks for: (3, 0), or (3, 2) for the longer
    /// cancel keys of PostgreSQL 18 (older servers answer NegotiateProtocolVersion).
    pub protocol_version: (u16, u16),
}

impl fmt::Debug for ConnectOptions {
    /// Everything but the password, which shows as `***`: options end up in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("database", &self.database)
            .field("params", &self.params)
            .field("connect_timeout", &self.connect_timeout)
            .field("io_timeout", &self.io_timeout)
            .field("max_message_len", &self.max_message_len)
            .field("max_result_bytes", &self.max_result_bytes)
            .field("tls", &self.tls)
            .field("tls_ca", &self.tls_ca)
            .field("record_transcript", &self.record_transcript)
            .field("protocol_version", &self.protocol_version)
            .finish()
    }
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            host: "localhost".to_owned(),
            port: 5432,
            user: "postgres".to_owned(),
            password: None,
            database: "postgres".to_owned(),
            params: Vec::new(),
            connect_timeout: Duration::from_secs(10),
            io_timeout: Duration::from_secs(60),
            max_message_len: 64 << 20,
            max_result_bytes: 256 << 20,
            tls: TlsMode::Disable,
            tls_ca: None,
            record_transcript: false,
            protocol_version: (3, 0),
        }
    }
}

impl ConnectOptions {
    /// Parses `postgres[ql]://user:password@host:port/database?key=value...`. Known keys:
    /// `sslmode` (disable/prefer/require; verify-* mean require), `sslrootcert`,
    /// `connect_timeout` (seconds), `max_protocol_version` (3.0/3.2/latest), `host`, `port`, `user`, `password`, `dbname`; any other key
    /// (application_name, options, TimeZone, ...) becomes a startup parameter.
    pub fn from_url(url: &str) -> Result<Self, SessionError> {
        let bad = |why: String| SessionError::Options(format!("{why} in URL {}", redact(url)));
        let parsed = Url::parse(url).map_err(|e| bad(e.to_string()))?;
        if !matches!(parsed.scheme(), "postgres" | "postgresql") {
            return Err(bad(format!(
                "scheme {:?} is not postgres://",
                parsed.scheme()
            )));
        }
        let mut opts = ConnectOptions::default();
        if let Some(host) = parsed.host_str().filter(|h| !h.is_empty()) {
            opts.host = host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned();
        }
        if let Some(port) = parsed.port() {
            opts.port = port;
        }
        if !parsed.username().is_empty() {
            opts.user = decode(parsed.username())?;
        }
        if let Some(password) = parsed.password() {
            opts.password = Some(decode(password)?);
        }
        let path = parsed.path().trim_start_matches('/');
        opts.database = if path.is_empty() {
            opts.user.clone()
        } else {
            decode(path)?
        };
        for (key, value) in parsed.query_pairs() {
            let value = value.into_owned();
            match key.as_ref() {
                "sslmode" => {
                    opts.tls = match value.as_str() {
                        "disable" | "allow" => TlsMode::Disable,
                        "prefer" => TlsMode::Prefer,
                        "require" | "verify-ca" | "verify-full" => TlsMode::Require,
                        other => return Err(bad(format!("unknown sslmode {other:?}"))),
                    }
                }
                "sslrootcert" => opts.tls_ca = Some(PathBuf::from(value)),
                "connect_timeout" => {
                    let secs: u64 = value
                        .parse()
                        .map_err(|_| bad(format!("connect_timeout {value:?}")))?;
                    opts.connect_timeout = Duration::from_secs(secs);
                }
                "max_protocol_version" => {
                    opts.protocol_version = match value.as_str() {
                        "3.0" => (3, 0),
                        "3.2" | "latest" => (3, 2),
                        other => return Err(bad(format!("max_protocol_version {other:?}"))),
                    }
                }
                "host" => opts.host = value,
                "port" => opts.port = value.parse().map_err(|_| bad(format!("port {value:?}")))?,
                "user" => opts.user = value,
                "password" => opts.password = Some(value),
                "dbname" => opts.database = value,
                _ => opts.params.push((key.into_owned(), value)),
            }
        }
        Ok(opts)
    }

    /// The options as a URL that [`ConnectOptions::from_url`] reads back (password included).
    pub fn url(&self) -> String {
        self.build_url(false)
    }

    /// [`ConnectOptions::url`] with the password replaced by `***`, for logs and reports.
    pub fn redacted_url(&self) -> String {
        self.build_url(true)
    }

    fn build_url(&self, redacted: bool) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        if self.tls != TlsMode::Disable {
            query.append_pair("sslmode", self.tls.as_sslmode());
        }
        if self.connect_timeout != ConnectOptions::default().connect_timeout {
            let secs =
                self.connect_timeout.as_secs() + u64::from(self.connect_timeout.subsec_nanos() > 0);
            query.append_pair("connect_timeout", &secs.to_string());
        }
        if self.protocol_version != (3, 0) {
            let (major, minor) = self.protocol_version;
            query.append_pair("max_protocol_version", &format!("{major}.{minor}"));
        }
        if let Some(ca) = &self.tls_ca {
            query.append_pair("sslrootcert", &ca.to_string_lossy());
        }
        for (key, value) in &self.params {
            query.append_pair(key, value);
        }
        let query = query.finish();
        let user = encode(&self.user);
        let auth = match &self.password {
            Some(_) if redacted => format!("{user}:***@"),
            Some(p) => format!("{user}:{}@", encode(p)),
            None => format!("{user}@"),
        };
        let mut out = format!(
            "postgres://{auth}{host}:{}/{}",
            self.port,
            encode(&self.database)
        );
        if !query.is_empty() {
            out.push('?');
            out.push_str(&query);
        }
        out
    }
}

/// Percent-decodes a URL component into UTF-8.
fn decode(s: &str) -> Result<String, SessionError> {
    percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| SessionError::Options(format!("invalid UTF-8 after percent-decoding {s:?}")))
}

/// Everything but the URL "unreserved" characters gets percent-encoded.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn encode(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// A URL with any password masked, for error messages about a URL that did not parse.
fn redact(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "<unparseable>".to_owned(),
    }
}
