//! A throwaway self-signed server certificate, made with the openssl CLI.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::OracleError;
use super::runas::{Runner, run};

/// Certificate and key files for `ssl_cert_file` / `ssl_key_file`.
pub(crate) struct ServerCert {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Writes `server.crt`/`server.key` into `dir`: CN and SAN cover localhost and 127.0.0.1 so a
/// client can verify the host against [`ServerCert::cert`]. The key is 0600 and owned by the
/// server user, as PostgreSQL insists.
pub(crate) fn generate(dir: &Path, runner: &Runner) -> Result<ServerCert, OracleError> {
    let cert = dir.join("server.crt");
    let key = dir.join("server.key");
    let mut cmd = Command::new("openssl");
    cmd.args(["req", "-x509", "-newkey", "rsa:2048", "-nodes"])
        .args(["-subj", "/CN=localhost", "-days", "2"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert);
    run(cmd, "openssl req (self-signed certificate)").map_err(|e| match e {
        OracleError::Spawn { source, .. } => OracleError::InvalidOptions(format!(
            "tls needs the openssl CLI ({source}); install it (`apt-get install -y openssl`)"
        )),
        other => other,
    })?;
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| OracleError::io(format!("chmod 600 {}", key.display()), e))?;
    runner.chown(&key)?;
    runner.chown(&cert)?;
    Ok(ServerCert { cert, key })
}

/// A self-signed certificate for a server run by this process (e.g. the built-in reference
/// server's TLS profiles): same files as for PostgreSQL, owned by us.
pub fn self_signed_cert(dir: &Path) -> Result<(PathBuf, PathBuf), OracleError> {
    let c = generate(dir, &Runner::Direct)?;
    Ok((c.cert, c.key))
}
