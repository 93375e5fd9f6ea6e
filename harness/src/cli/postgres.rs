//! `pgcompat postgres start|stop`: a throwaway PostgreSQL that outlives the command.

use clap::{Args, Subcommand};

use crate::postgres::{self, LocalOptions};

#[derive(Debug, Clone, Args)]
pub struct PostgresArgs {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Clone, Subcommand)]
enum Action {
    /// Start a cluster and print its URL.
    Start {
        /// Port on 127.0.0.1 (default: a free one).
        #[arg(long)]
        port: Option<u16>,
        /// PostgreSQL major version (default: newest found).
        #[arg(long)]
        version: Option<String>,
    },
    /// Stop and remove the cluster on this port (default: every one started so).
    Stop {
        #[arg(long)]
        port: Option<u16>,
    },
}

pub async fn run(args: PostgresArgs) -> anyhow::Result<u8> {
    match args.action {
        Action::Start { port, version } => {
            let opts = LocalOptions {
                port,
                version,
                ..LocalOptions::default()
            };
            let info = postgres::start_detached(&opts).await?;
            println!("{}", info.url);
            eprintln!(
                "PostgreSQL {} on port {} in {} (stop with `pgcompat postgres stop --port {}`)",
                info.version,
                info.port,
                info.dir.display(),
                info.port
            );
        }
        Action::Stop { port } => {
            let stopped = postgres::stop_detached(port).await?;
            if stopped.is_empty() {
                eprintln!("no cluster to stop");
            }
            for p in stopped {
                println!("stopped the cluster on port {p}");
            }
        }
    }
    Ok(0)
}
