//! Temp dirs that go away however the run ends: on drop, and at `exit()` — which is how the
//! Ctrl-C / SIGTERM handler of [`crate::postgres::install_signal_cleanup`] ends the process
//! after stopping the clusters, without running destructors.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

use super::error::BenchError;

static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static AT_EXIT: Once = Once::new();

fn live() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(|p| p.into_inner())
}

/// Removes what is still registered; runs from `exit()`, so it never panics.
extern "C" fn remove_live_dirs() {
    let dirs = std::mem::take(&mut *live());
    for dir in dirs {
        // Best effort: an in-process server may still be writing there.
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A temp dir under the system temp dir, removed on drop and at process exit.
#[derive(Debug)]
pub struct ScratchDir {
    dir: Option<tempfile::TempDir>,
    path: PathBuf,
}

impl ScratchDir {
    pub fn new(prefix: &str) -> Result<ScratchDir, BenchError> {
        let dir = tempfile::Builder::new()
            .prefix(prefix)
            .tempdir()
            .map_err(|e| BenchError::Io {
                what: "creating a temp dir".into(),
                source: e,
            })?;
        AT_EXIT.call_once(|| {
            // SAFETY: registers a plain function without arguments, as atexit requires.
            if unsafe { libc::atexit(remove_live_dirs) } != 0 {
                tracing::warn!("temp dirs will not be removed if the run is interrupted");
            }
        });
        let path = dir.path().to_path_buf();
        live().push(path.clone());
        Ok(ScratchDir {
            dir: Some(dir),
            path,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        live().retain(|p| p != &self.path);
        if let Some(dir) = self.dir.take()
            && let Err(e) = dir.close()
        {
            tracing::warn!("could not remove {}: {e}", self.path.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One test: the exit hook takes every registered dir, so two tests would race.
    #[test]
    fn removed_on_drop_and_by_the_exit_hook() {
        let dir = ScratchDir::new("pgcompat-scratch-test-").unwrap();
        let path = dir.path().to_path_buf();
        std::fs::write(path.join("f"), b"x").unwrap();
        assert!(live().contains(&path));
        drop(dir);
        assert!(!path.exists());
        assert!(!live().contains(&path));

        let dir = ScratchDir::new("pgcompat-scratch-test-").unwrap();
        let path = dir.path().to_path_buf();
        remove_live_dirs();
        assert!(!path.exists());
        drop(dir);
    }
}
