//! Running server tools as a non-root user: PostgreSQL refuses to run as uid 0, so as root
//! every initdb/pg_ctl goes through `runuser -u postgres --` and the files it needs are
//! handed to that user.

use std::ffi::CString;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use super::OracleError;

/// The OS account the server runs as when we are root.
const SERVER_USER: &str = "postgres";

/// How to run server tools from this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Runner {
    /// Not root: run tools directly.
    Direct,
    /// Root: run tools as this uid/gid (the `postgres` user).
    AsUser { uid: u32, gid: u32 },
}

impl Runner {
    /// Decides from the effective uid; as root, creates the `postgres` user if missing.
    pub(crate) fn detect() -> Result<Runner, OracleError> {
        // SAFETY: geteuid has no preconditions and cannot fail.
        if unsafe { libc::geteuid() } != 0 {
            return Ok(Runner::Direct);
        }
        if let Some((uid, gid)) = lookup_user(SERVER_USER) {
            return Ok(Runner::AsUser { uid, gid });
        }
        let out = Command::new("useradd")
            .args(["--system", "--user-group", "--no-create-home", SERVER_USER])
            .output()
            .map_err(|source| OracleError::Spawn {
                program: "useradd".into(),
                source,
            })?;
        // Another process may have created it concurrently: the lookup decides.
        match lookup_user(SERVER_USER) {
            Some((uid, gid)) => Ok(Runner::AsUser { uid, gid }),
            None => Err(OracleError::CommandFailed {
                program: format!("useradd {SERVER_USER}"),
                status: out.status.to_string(),
                output: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            }),
        }
    }

    /// A command that runs `program` as the server user; stdin is closed.
    pub(crate) fn command(&self, program: &Path) -> Command {
        let mut cmd = match self {
            Runner::Direct => Command::new(program),
            Runner::AsUser { .. } => {
                let mut c = Command::new("runuser");
                c.args(["-u", SERVER_USER, "--"]).arg(program);
                c
            }
        };
        cmd.stdin(Stdio::null());
        cmd
    }

    /// Gives `path` to the server user (no-op when not root).
    pub(crate) fn chown(&self, path: &Path) -> Result<(), OracleError> {
        if let Runner::AsUser { uid, gid } = self {
            std::os::unix::fs::chown(path, Some(*uid), Some(*gid))
                .map_err(|e| OracleError::io(format!("chown {}", path.display()), e))?;
        }
        Ok(())
    }
}

/// Runs a prepared command to completion; a non-zero exit becomes an error with its output.
pub(crate) fn run(mut cmd: Command, what: &str) -> Result<Output, OracleError> {
    let out = cmd.output().map_err(|source| OracleError::Spawn {
        program: what.to_string(),
        source,
    })?;
    if out.status.success() {
        return Ok(out);
    }
    let mut output = String::from_utf8_lossy(&out.stderr).trim().to_string();
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !stdout.trim().is_empty() {
        output.push('\n');
        output.push_str(stdout.trim());
    }
    Err(OracleError::CommandFailed {
        program: what.to_string(),
        status: out.status.to_string(),
        output,
    })
}

/// uid/gid of a user name, via the reentrant libc lookup.
fn lookup_user(name: &str) -> Option<(u32, u32)> {
    let cname = CString::new(name).ok()?;
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    // SAFETY: passwd is plain old data; getpwnam_r fills it, pointing into `buf`, which
    // outlives every use below.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: all pointers are valid for the stated lengths for the duration of the call.
    let rc = unsafe {
        libc::getpwnam_r(
            cname.as_ptr(),
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        )
    };
    (rc == 0 && !result.is_null()).then_some((pwd.pw_uid, pwd.pw_gid))
}
