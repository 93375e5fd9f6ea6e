//! postgresql.conf and pg_hba.conf of a throwaway cluster.

use std::io::Write;
use std::path::Path;

use super::OracleError;
use super::options::LocalOptions;
use super::tls::ServerCert;

/// Appends our settings to `data/postgresql.conf` (later lines override initdb's). Written to
/// the file rather than passed as `-o` so values need no shell quoting.
pub(crate) fn write_settings(
    data_dir: &Path,
    socket_dir: &Path,
    opts: &LocalOptions,
    cert: Option<&ServerCert>,
) -> Result<(), OracleError> {
    let mut lines: Vec<(String, String)> = vec![
        ("listen_addresses".into(), "127.0.0.1".into()),
        (
            "unix_socket_directories".into(),
            socket_dir.display().to_string(),
        ),
        // A throwaway cluster: durability buys nothing and costs seconds.
        ("fsync".into(), "off".into()),
        ("synchronous_commit".into(), "off".into()),
        ("full_page_writes".into(), "off".into()),
        (
            "password_encryption".into(),
            opts.auth.password_encryption().into(),
        ),
    ];
    if let Some(cert) = cert {
        lines.push(("ssl".into(), "on".into()));
        lines.push(("ssl_cert_file".into(), cert.cert.display().to_string()));
        lines.push(("ssl_key_file".into(), cert.key.display().to_string()));
    }
    lines.extend(opts.settings.iter().cloned());

    let mut text = String::from("\n# added by pgcompat\n");
    for (name, value) in &lines {
        text.push_str(&format!("{name} = '{}'\n", quote_conf_value(value)));
    }
    let path = data_dir.join("postgresql.conf");
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .map_err(|e| OracleError::io(format!("open {}", path.display()), e))?;
    file.write_all(text.as_bytes())
        .map_err(|e| OracleError::io(format!("write {}", path.display()), e))
}

/// Replaces pg_hba.conf: the unix socket trusts everyone (our own set-up and probes use it);
/// TCP on loopback uses the chosen method, over TLS only when `tls_required`.
pub(crate) fn write_hba(data_dir: &Path, opts: &LocalOptions) -> Result<(), OracleError> {
    let host = if opts.tls_required { "hostssl" } else { "host" };
    let method = opts.auth.hba_keyword();
    let mut text =
        String::from("# written by pgcompat\nlocal all all trust\nlocal replication all trust\n");
    for db in ["all", "replication"] {
        for addr in ["127.0.0.1/32", "::1/128"] {
            text.push_str(&format!("{host} {db} all {addr} {method}\n"));
        }
    }
    let path = data_dir.join("pg_hba.conf");
    // Truncating keeps the file's owner (the server user).
    std::fs::write(&path, text).map_err(|e| OracleError::io(format!("write {}", path.display()), e))
}

/// Quotes a value for a single-quoted postgresql.conf string (backslash and quote escapes).
fn quote_conf_value(value: &str) -> String {
    value.replace('\\', "\\\\").replace('\'', "''")
}

#[cfg(test)]
mod tests {
    use super::quote_conf_value;

    #[test]
    fn quotes_conf_values() {
        assert_eq!(quote_conf_value("ISO, MDY"), "ISO, MDY");
        assert_eq!(quote_conf_value("it's"), "it''s");
        assert_eq!(quote_conf_value(r"a\b"), r"a\\b");
    }
}
