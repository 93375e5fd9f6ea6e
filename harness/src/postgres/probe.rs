//! Talking to a running server: is it up, which version is it.

use std::time::Duration;

use tokio_postgres::{Client, Config, NoTls};

use super::OracleError;

/// How long any single probe connection may take.
pub(crate) const PROBE_TIMEOUT: Duration = Duration::from_secs(15);

/// Connects without TLS, with a hard timeout; the connection task runs in the background.
pub(crate) async fn connect(config: &Config, target: &str) -> Result<Client, OracleError> {
    let attempt = config.connect(NoTls);
    let (client, connection) = tokio::time::timeout(PROBE_TIMEOUT, attempt)
        .await
        .map_err(|_| OracleError::ConnectTimeout {
            target: target.to_string(),
            seconds: PROBE_TIMEOUT.as_secs(),
        })?
        .map_err(|source| OracleError::Connect {
            target: target.to_string(),
            source,
        })?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!("probe connection ended: {e}");
        }
    });
    Ok(client)
}

/// `SHOW server_version`, trimmed to the number ("15.14 (Ubuntu 15.14-1)" → "15.14").
pub(crate) async fn server_version(client: &Client, target: &str) -> Result<String, OracleError> {
    let query = client.query_one("SHOW server_version", &[]);
    let row = tokio::time::timeout(PROBE_TIMEOUT, query)
        .await
        .map_err(|_| OracleError::ConnectTimeout {
            target: target.to_string(),
            seconds: PROBE_TIMEOUT.as_secs(),
        })?
        .map_err(|source| OracleError::Connect {
            target: target.to_string(),
            source,
        })?;
    let full: String = row.try_get(0).map_err(|source| OracleError::Connect {
        target: target.to_string(),
        source,
    })?;
    Ok(full
        .split_whitespace()
        .next()
        .unwrap_or(full.as_str())
        .to_string())
}

/// Connects to a URL once and reads its version.
pub(crate) async fn url_version(url: &str) -> Result<String, OracleError> {
    let target = redact_url(url);
    let config: Config = url.parse().map_err(|source| OracleError::Connect {
        target: target.clone(),
        source,
    })?;
    let client = connect(&config, &target).await?;
    server_version(&client, &target).await
}

/// The URL without its password, for messages and reports.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            let hidden = if userinfo.contains(':') { ":***" } else { "" };
            format!("{scheme}://{user}{hidden}@{host}{tail}")
        }
        None => url.to_string(),
    }
}

/// Percent-encodes a URL userinfo part (user or password).
pub(crate) fn encode_userinfo(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://u:secret@h:5/db?x=1"),
            "postgres://u:***@h:5/db?x=1"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("postgres://h/db"), "postgres://h/db");
    }

    #[test]
    fn encodes_userinfo() {
        assert_eq!(encode_userinfo("a b:@/%"), "a%20b%3A%40%2F%25");
        assert_eq!(encode_userinfo("plain_1.x~"), "plain_1.x~");
    }
}
