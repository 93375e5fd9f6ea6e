//! Ctrl-C / SIGTERM: stop this process's clusters before exiting, so an interrupted run
//! leaves no postmaster or temp dir behind.

use std::sync::Once;

use super::shutdown::shutdown_all_live;

static INSTALL: Once = Once::new();

/// Installs the handler once (later calls do nothing). On SIGINT or SIGTERM every live
/// [`super::LocalCluster`] of this process is stopped and removed, then the process exits
/// with status 130. Runs on its own thread and runtime, so it works from any context.
pub fn install_signal_cleanup() {
    INSTALL.call_once(|| {
        let spawned = std::thread::Builder::new()
            .name("pgcompat-signals".into())
            .spawn(|| {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        tracing::warn!("no signal cleanup: {e}");
                        return;
                    }
                };
                runtime.block_on(async {
                    use tokio::signal::unix::{SignalKind, signal};
                    let (mut int, mut term) = match (
                        signal(SignalKind::interrupt()),
                        signal(SignalKind::terminate()),
                    ) {
                        (Ok(i), Ok(t)) => (i, t),
                        (Err(e), _) | (_, Err(e)) => {
                            tracing::warn!("no signal cleanup: {e}");
                            return;
                        }
                    };
                    tokio::select! {
                        _ = int.recv() => {}
                        _ = term.recv() => {}
                    }
                    eprintln!("interrupted: stopping PostgreSQL clusters");
                    shutdown_all_live();
                    std::process::exit(130);
                });
            });
        if let Err(e) = spawned {
            tracing::warn!("no signal cleanup thread: {e}");
        }
    });
}
