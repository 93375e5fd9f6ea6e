//! `reference-server` binary: parse flags, start the server, serve until ctrl-c.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Parser;
use reference_server::{AuthMethod, Server, ServerConfig};

#[derive(Debug, Parser)]
#[command(
    version,
    about = "A time-series SQL server speaking the PostgreSQL wire protocol"
)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:5433")]
    listen: SocketAddr,
    /// Directory for durable data (in-memory when absent).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// trust, password, md5 or scram-sha-256.
    #[arg(long, default_value = "trust")]
    auth: AuthMethod,
    /// User name (pair each --user with a --password).
    #[arg(long = "user")]
    users: Vec<String>,
    /// Password for the --user at the same position.
    #[arg(long = "password")]
    passwords: Vec<String>,
    /// File with `user:password` lines.
    #[arg(long)]
    users_file: Option<PathBuf>,
    /// PEM certificate (chain) for TLS; clients' SSLRequest is refused without one
    #[arg(long)]
    tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert
    #[arg(long)]
    tls_key: Option<PathBuf>,
    /// Refuse unencrypted connections.
    #[arg(long)]
    tls_required: bool,
}

fn main() -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(reference_server::SESSION_STACK_SIZE)
        .build()
        .context("starting the async runtime")?
        .block_on(serve())
}

async fn serve() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    if args.users.len() != args.passwords.len() {
        bail!("each --user needs a matching --password");
    }
    let mut users: Vec<(String, String)> = args.users.into_iter().zip(args.passwords).collect();
    if let Some(path) = &args.users_file {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((u, p)) = line.split_once(':') else {
                bail!("{}:{}: expected user:password", path.display(), n + 1);
            };
            users.push((u.to_owned(), p.to_owned()));
        }
    }
    let config = ServerConfig {
        listen: args.listen,
        data_dir: args.data_dir,
        auth: args.auth,
        users,
        tls_cert: args.tls_cert,
        tls_key: args.tls_key,
        tls_required: args.tls_required,
    };
    let server = Server::start(config).await.context("starting server")?;
    println!("reference-server listening on {}", server.local_addr());
    server.wait().await;
    Ok(())
}
