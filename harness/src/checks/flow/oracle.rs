//! Throwaway PostgreSQL clusters with every profile the scripts use: one plain cluster where
//! each authentication method has its own user (pg_hba lines per user), and one TLS cluster
//! where one user may only connect over TLS.

use std::path::Path;
use std::time::Duration;

use tokio_postgres::{Config, NoTls};

use super::{FlowError, FlowProfiles};
use crate::postgres::{LocalCluster, LocalOptions};
use crate::session::{ConnectOptions, TlsMode};

/// The password of every login role the profiles use.
pub const FLOW_PASSWORD: &str = "flow-pw-1";

/// (profile, role, pg_hba method) on the plain cluster; `password_encryption` follows the
/// method so md5 really runs the MD5 exchange.
const AUTH_USERS: &[(&str, &str, &str)] = &[
    ("password", "pw_user", "password"),
    ("md5", "md5_user", "md5"),
    ("scram", "scram_user", "scram-sha-256"),
];

/// Starts the clusters (PostgreSQL `version`, newest when None) and returns the profiles
/// `trust`, `password`, `md5`, `scram`, `tls` and `tls_required`. Keep the clusters alive as
/// long as the profiles are used; dropping them stops the servers.
pub async fn start_oracle_profiles(
    version: Option<&str>,
) -> Result<(FlowProfiles, Vec<LocalCluster>), FlowError> {
    let base = LocalOptions {
        version: version.map(str::to_owned),
        ..LocalOptions::default()
    };
    let plain = LocalCluster::start(&base).await?;
    let tls = LocalCluster::start(&LocalOptions {
        tls: true,
        ..base.clone()
    })
    .await?;

    let mut hba = String::from("local all all trust\n");
    let mut sql = String::new();
    for (_, role, method) in AUTH_USERS {
        let encryption = if *method == "md5" {
            "md5"
        } else {
            "scram-sha-256"
        };
        sql.push_str(&format!(
            "SET password_encryption = '{encryption}'; \
             CREATE ROLE {role} LOGIN PASSWORD '{FLOW_PASSWORD}';\n"
        ));
        hba.push_str(&format!("host all {role} 127.0.0.1/32 {method}\n"));
    }
    hba.push_str("host all all 127.0.0.1/32 trust\n");
    configure(&plain, &hba, &sql).await?;

    let tls_hba = "local all all trust\n\
                   hostssl all tls_user 127.0.0.1/32 trust\n\
                   hostnossl all tls_user 127.0.0.1/32 reject\n\
                   host all all 127.0.0.1/32 trust\n";
    configure(&tls, tls_hba, "CREATE ROLE tls_user LOGIN SUPERUSER;").await?;

    let opts =
        |cluster: &LocalCluster, user: &str, password: Option<&str>, tls: TlsMode| ConnectOptions {
            host: "127.0.0.1".into(),
            port: cluster.port(),
            user: user.into(),
            password: password.map(str::to_owned),
            database: "postgres".into(),
            tls,
            ..ConnectOptions::default()
        };
    let mut profiles = FlowProfiles::default();
    profiles.insert("trust", opts(&plain, "postgres", None, TlsMode::Disable));
    for (profile, role, _) in AUTH_USERS {
        profiles.insert(
            profile,
            opts(&plain, role, Some(FLOW_PASSWORD), TlsMode::Disable),
        );
    }
    profiles.insert("tls", opts(&tls, "postgres", None, TlsMode::Require));
    profiles.insert(
        "tls_required",
        opts(&tls, "tls_user", None, TlsMode::Require),
    );
    Ok((profiles, vec![plain, tls]))
}

/// Replaces pg_hba.conf, runs `sql` over the unix socket, and reloads the configuration.
async fn configure(cluster: &LocalCluster, hba: &str, sql: &str) -> Result<(), FlowError> {
    let path = cluster.dir().join("data").join("pg_hba.conf");
    std::fs::write(&path, hba).map_err(|e| FlowError::Io {
        path: path.clone(),
        source: e,
    })?;
    let client = socket_client(cluster.socket_dir(), cluster.port()).await?;
    client
        .batch_execute(&format!("{sql}\nSELECT pg_reload_conf();"))
        .await
        .map_err(|e| FlowError::Oracle(format!("setting up profiles: {e}")))?;
    // The postmaster rereads pg_hba.conf asynchronously after the signal.
    tokio::time::sleep(Duration::from_millis(300)).await;
    Ok(())
}

async fn socket_client(dir: &Path, port: u16) -> Result<tokio_postgres::Client, FlowError> {
    let mut config = Config::new();
    config
        .host_path(dir)
        .port(port)
        .user("postgres")
        .dbname("postgres")
        .connect_timeout(Duration::from_secs(10));
    let (client, conn) = config
        .connect(NoTls)
        .await
        .map_err(|e| FlowError::Oracle(format!("connecting over the socket: {e}")))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(client)
}
