//! Statement control shared between a session, its cancel key and long-running functions:
//! cancellation (CancelRequest) and the statement_timeout deadline.
//!
//! An atomic flag plus a `Notify` rather than pgwire's oneshot, because functions such as
//! `pg_sleep` run synchronously inside DataFusion and must be able to poll it too.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Instant;

use tokio::sync::Notify;

use super::lock;
use crate::sql::SqlError;

#[derive(Default)]
pub struct StatementControl {
    /// The session's backend pid (for `pg_backend_pid()`).
    pub pid: std::sync::atomic::AtomicI32,
    running: AtomicBool,
    cancelled: AtomicBool,
    /// `pg_terminate_backend` asked this session to end (FATAL 57P01), whatever it is doing.
    terminated: AtomicBool,
    deadline: Mutex<Option<Instant>>,
    notify: Notify,
}

impl StatementControl {
    /// A statement starts: clear any stale cancel, set its deadline.
    pub fn begin(&self, deadline: Option<Instant>) {
        self.cancelled.store(false, Ordering::SeqCst);
        *lock(&self.deadline) = deadline;
        self.running.store(true, Ordering::SeqCst);
    }

    /// The statement ended; a later CancelRequest has nothing to cancel.
    pub fn end(&self) {
        self.running.store(false, Ordering::SeqCst);
        *lock(&self.deadline) = None;
    }

    pub fn cancel(&self) {
        if self.running.load(Ordering::SeqCst) {
            self.cancelled.store(true, Ordering::SeqCst);
            self.notify.notify_waiters();
        }
    }

    /// End the session: a running statement stops, an idle connection is closed.
    pub fn terminate(&self) {
        self.terminated.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    pub fn is_terminated(&self) -> bool {
        self.terminated.load(Ordering::SeqCst)
    }

    pub fn deadline(&self) -> Option<Instant> {
        *lock(&self.deadline)
    }

    /// The error to raise now, if the statement was cancelled or timed out.
    pub fn check(&self) -> Result<(), SqlError> {
        if self.is_terminated() {
            return Err(terminated_error());
        }
        if self.cancelled.load(Ordering::SeqCst) {
            return Err(SqlError::canceled());
        }
        match self.deadline() {
            Some(d) if Instant::now() >= d => Err(SqlError::timeout()),
            _ => Ok(()),
        }
    }

    /// Resolves when a cancel or terminate arrives (never, if none does).
    pub async fn cancelled(&self) {
        self.wait_for(|| self.cancelled.load(Ordering::SeqCst) || self.is_terminated())
            .await;
    }

    /// Resolves when the session is terminated (an idle connection is closed then).
    pub async fn terminated(&self) {
        self.wait_for(|| self.is_terminated()).await;
    }

    async fn wait_for(&self, done: impl Fn() -> bool) {
        loop {
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if done() {
                return;
            }
            notified.await;
        }
    }
}

/// `pg_terminate_backend`'s error; the protocol layer sends it as FATAL and closes.
pub fn terminated_error() -> SqlError {
    SqlError::new(
        "57P01",
        "terminating connection due to administrator command",
    )
}

/// Cancel keys of live sessions: pid → (secret key bytes, control).
#[derive(Default)]
pub struct CancelRegistry {
    sessions: Mutex<HashMap<i32, CancelEntry>>,
}

/// A session's secret key and its statement control.
type CancelEntry = (Vec<u8>, Weak<StatementControl>);

impl CancelRegistry {
    pub fn register(&self, pid: i32, key: Vec<u8>, control: &Arc<StatementControl>) {
        lock(&self.sessions).insert(pid, (key, Arc::downgrade(control)));
    }

    /// `pg_cancel_backend` / `pg_terminate_backend`: signal the session with this pid;
    /// false when no live session has it (PostgreSQL then warns and returns false too).
    pub fn signal(&self, pid: i32, terminate: bool) -> bool {
        let control = lock(&self.sessions)
            .get(&pid)
            .and_then(|(_, c)| c.upgrade());
        match control {
            Some(c) if terminate => c.terminate(),
            Some(c) => c.cancel(),
            None => return false,
        }
        true
    }

    pub fn unregister(&self, pid: i32) {
        lock(&self.sessions).remove(&pid);
    }

    /// Cancel the session's running statement if the key matches; otherwise do nothing,
    /// as PostgreSQL does (no reply either way).
    pub fn cancel(&self, pid: i32, key: &[u8]) {
        use subtle::ConstantTimeEq;
        let control = {
            let sessions = lock(&self.sessions);
            match sessions.get(&pid) {
                Some((k, c)) if k.len() == key.len() && bool::from(k.as_slice().ct_eq(key)) => {
                    c.upgrade()
                }
                _ => None,
            }
        };
        if let Some(c) = control {
            c.cancel();
        }
    }
}
