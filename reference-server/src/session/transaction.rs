//! Transactions: block state (reported in ReadyForQuery as I/T/E), the session's buffered writes
//! (see [`crate::storage::TxWrites`]), savepoints, and settings that ROLLBACK / SET LOCAL undo.
//!
//! Like PostgreSQL, a Query message with several statements and everything an extended-protocol
//! client sends up to Sync run as one implicit transaction when no block is open: their writes
//! are buffered and committed at its end, and dropped if a statement fails. A single statement
//! in a Query outside a block writes through directly (autocommit; each write is atomic).
//! DDL is only partly transactional: CREATE TABLE takes effect at once (other sessions see the
//! table) but a rollback of its transaction drops it again; DROP TABLE cannot be undone.

use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use pgwire::messages::response::TransactionStatus;

use super::notify::Notification;
use super::settings::Settings;
use super::{Session, Shared};
use crate::sql::SqlError;
use crate::storage::{Storage, Table, TxWrites};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TxStatus {
    #[default]
    Idle,
    InBlock,
    /// An error happened inside the block; only ROLLBACK/COMMIT/ROLLBACK TO are accepted.
    Failed,
}

/// A savepoint: where to cut the write buffer and which settings to restore.
#[derive(Debug)]
pub struct Savepoint {
    pub name: String,
    mark: usize,
    settings: Settings,
    on_commit: Settings,
    created: usize,
    notifies: usize,
}

#[derive(Default)]
pub struct TxState {
    pub status: TxStatus,
    pub savepoints: Vec<Savepoint>,
    /// An implicit transaction (multi-statement Query, extended protocol until Sync) is open.
    pub implicit: bool,
    pub writes: Arc<TxWrites>,
    /// Counts the transactions (blocks and implicit ones) that have ended: what belongs to
    /// one transaction (cursors without HOLD) records it and lapses when it changes.
    pub generation: u64,
    /// Settings at BEGIN, restored by ROLLBACK.
    at_begin: Option<Settings>,
    /// The settings COMMIT keeps: every change of the block except SET LOCAL.
    on_commit: Option<Settings>,
    /// Tables created in the open transaction (with the storage holding them: shared or the
    /// session's temporary one), dropped again if it rolls back.
    created: Vec<(Arc<Storage>, String)>,
    /// NOTIFYs of the open transaction, delivered when it commits (duplicates folded).
    notifies: Vec<Notification>,
    shared: Option<Arc<Shared>>,
}

impl TxState {
    pub fn new(writes: Arc<TxWrites>, shared: Arc<Shared>) -> Self {
        Self {
            writes,
            shared: Some(shared),
            ..Self::default()
        }
    }

    /// Undoes the CREATE TABLEs after the first `keep` of the transaction.
    fn drop_created(&mut self, keep: usize) {
        let names = self.created.split_off(keep.min(self.created.len()));
        let Some(shared) = &self.shared else { return };
        for (storage, name) in names.into_iter().rev() {
            if let Err(e) = storage.drop_table(&name, true) {
                tracing::warn!(table = %name, "dropping a rolled-back table failed: {e:?}");
            }
        }
        shared.catalog.bump();
    }

    pub fn wire_status(&self) -> TransactionStatus {
        match self.status {
            TxStatus::Idle => TransactionStatus::Idle,
            TxStatus::InBlock => TransactionStatus::Transaction,
            TxStatus::Failed => TransactionStatus::Error,
        }
    }

    /// An error in a statement: a block becomes failed; an implicit transaction is rolled back.
    pub fn on_error(&mut self) {
        match self.status {
            TxStatus::InBlock => self.status = TxStatus::Failed,
            TxStatus::Failed => {}
            TxStatus::Idle => {
                self.writes.clear();
                self.notifies.clear();
                self.drop_created(0);
                self.implicit = false;
                self.generation += 1;
            }
        }
        self.sync_active();
    }

    /// Writes are buffered whenever some transaction is open.
    fn sync_active(&mut self) {
        self.writes
            .set_active(self.status != TxStatus::Idle || self.implicit);
    }

    /// Leaves the block; returns the settings to install (None: keep the current ones).
    fn finish(&mut self, keep: bool) -> Option<Settings> {
        self.status = TxStatus::Idle;
        self.savepoints.clear();
        self.generation += 1;
        let at_begin = self.at_begin.take();
        let on_commit = self.on_commit.take();
        if keep {
            self.created.clear();
        } else {
            self.drop_created(0);
        }
        self.sync_active();
        if keep { on_commit } else { at_begin }
    }
}

impl Session {
    pub fn tx_writes(&self) -> Arc<TxWrites> {
        self.tx().writes.clone()
    }

    /// Runs `work` (one statement's writes and what checks them) so that on an error none
    /// of its writes remain: inside a transaction they are undone back to where `work`
    /// began; outside one they are buffered and committed only if `work` succeeds.
    pub async fn all_or_nothing<T>(
        &self,
        work: impl Future<Output = Result<T, SqlError>>,
    ) -> Result<T, SqlError> {
        let writes = self.tx_writes();
        let autocommit = !writes.is_active();
        if autocommit {
            writes.set_active(true);
        }
        let mark = writes.mark();
        let result = work.await;
        if result.is_err() {
            writes.rollback_to(mark);
        }
        if autocommit {
            writes.set_active(false);
            if result.is_ok() {
                writes.commit().await?;
            } else {
                writes.clear();
            }
        }
        result
    }

    /// Start of a multi-statement Query or of an extended-protocol Execute.
    pub fn begin_implicit(&self) {
        let mut tx = self.tx();
        if tx.status == TxStatus::Idle {
            tx.implicit = true;
            tx.sync_active();
        }
    }

    /// End of the Query message / Sync: commit an implicit transaction still open.
    pub async fn end_implicit(&self) -> Result<(), SqlError> {
        let (commit, notifies) = {
            let mut tx = self.tx();
            let commit = tx.implicit && tx.status == TxStatus::Idle;
            let notifies = if commit {
                tx.created.clear();
                tx.generation += 1;
                std::mem::take(&mut tx.notifies)
            } else {
                Vec::new()
            };
            tx.implicit = false;
            tx.sync_active();
            (commit, notifies)
        };
        if commit {
            self.tx_writes().commit().await?;
            self.shared.notify.deliver(&notifies);
        }
        Ok(())
    }

    /// BEGIN; false if a block is already open (the caller warns).
    pub fn begin_block(&self) -> bool {
        let mut tx = self.tx();
        if tx.status != TxStatus::Idle {
            return false;
        }
        let settings = self.settings().clone();
        tx.status = TxStatus::InBlock;
        tx.at_begin = Some(settings.clone());
        tx.on_commit = Some(settings);
        tx.sync_active();
        true
    }

    /// COMMIT (`commit`) or ROLLBACK. Returns the status the session was in; COMMIT of a failed
    /// block rolls back. COMMIT outside a block commits an open implicit transaction.
    pub async fn end_block(&self, commit: bool) -> Result<TxStatus, SqlError> {
        let (status, implicit, settings, notifies) = {
            let mut tx = self.tx();
            let status = tx.status;
            let keep = commit && status != TxStatus::Failed;
            let notifies = std::mem::take(&mut tx.notifies);
            (status, tx.implicit, tx.finish(keep), notifies)
        };
        let writes = self.tx_writes();
        let result =
            if commit && status != TxStatus::Failed && (status != TxStatus::Idle || implicit) {
                writes.commit().await.map_err(SqlError::from)
            } else {
                writes.clear();
                Ok(())
            };
        if result.is_ok() && commit && status != TxStatus::Failed {
            self.shared.notify.deliver(&notifies);
        }
        let settings = match (&result, settings) {
            // A failed COMMIT rolls back, settings included.
            (Err(_), _) => None,
            (Ok(()), s) => s,
        };
        if let Some(s) = settings {
            self.settings().restore(s);
        }
        result.map(|()| status)
    }

    /// SAVEPOINT name.
    pub fn savepoint(&self, name: &str) -> Result<(), SqlError> {
        let mut tx = self.tx();
        if tx.status == TxStatus::Idle {
            return Err(SqlError::new(
                "25P01",
                "SAVEPOINT can only be used in transaction blocks",
            ));
        }
        let settings = self.settings().clone();
        let on_commit = tx.on_commit.clone().unwrap_or_else(|| settings.clone());
        let mark = tx.writes.mark();
        let created = tx.created.len();
        let notifies = tx.notifies.len();
        tx.savepoints.push(Savepoint {
            name: name.to_owned(),
            mark,
            settings,
            on_commit,
            created,
            notifies,
        });
        Ok(())
    }

    /// RELEASE SAVEPOINT (`rollback` false) or ROLLBACK TO SAVEPOINT, which undoes the writes
    /// and settings since the savepoint and makes a failed block usable again.
    pub fn to_savepoint(&self, name: &str, rollback: bool) -> Result<(), SqlError> {
        let mut tx = self.tx();
        if tx.status == TxStatus::Idle {
            let what = if rollback {
                "ROLLBACK TO SAVEPOINT"
            } else {
                "RELEASE SAVEPOINT"
            };
            return Err(SqlError::new(
                "25P01",
                format!("{what} can only be used in transaction blocks"),
            ));
        }
        let Some(pos) = tx.savepoints.iter().rposition(|s| s.name == name) else {
            return Err(SqlError::new(
                "3B001",
                format!("savepoint \"{name}\" does not exist"),
            ));
        };
        if !rollback {
            tx.savepoints.truncate(pos);
            return Ok(());
        }
        tx.savepoints.truncate(pos + 1);
        if let Some(sp) = tx.savepoints.last() {
            tx.writes.rollback_to(sp.mark);
            let (settings, on_commit) = (sp.settings.clone(), sp.on_commit.clone());
            let created = sp.created;
            let notifies = sp.notifies;
            tx.notifies.truncate(notifies);
            tx.on_commit = Some(on_commit);
            tx.drop_created(created);
            self.settings().restore(settings);
        }
        tx.status = TxStatus::InBlock;
        Ok(())
    }

    /// NOTIFY channel, payload: delivered when the transaction commits (at once outside one).
    pub fn queue_notify(&self, channel: &str, payload: &str) -> Result<(), SqlError> {
        super::notify::check(channel, payload)?;
        let n = Notification {
            pid: self.control.pid.load(std::sync::atomic::Ordering::Relaxed),
            channel: channel.to_owned(),
            payload: payload.to_owned(),
        };
        let mut tx = self.tx();
        if tx.status == TxStatus::Idle && !tx.implicit {
            drop(tx);
            self.shared.notify.deliver(&[n]);
        } else if !tx.notifies.contains(&n) {
            tx.notifies.push(n);
        }
        Ok(())
    }

    /// A CREATE TABLE succeeded: inside a transaction, remember it for rollback.
    pub fn note_created(&self, storage: Arc<Storage>, name: &str) {
        let mut tx = self.tx();
        if tx.status != TxStatus::Idle || tx.implicit {
            tx.created.push((storage, name.to_owned()));
        }
    }

    /// SET / RESET: `change` applied now; inside a block ROLLBACK undoes it, and with `local`
    /// (SET LOCAL) COMMIT does too. SET LOCAL outside a block only warns, as in PostgreSQL.
    pub fn change_settings(
        &self,
        local: bool,
        change: impl Fn(&mut Settings) -> Result<(), SqlError>,
    ) -> Result<(), SqlError> {
        let mut tx = self.tx();
        if local && tx.status == TxStatus::Idle {
            drop(tx);
            self.notice(pgwire::error::ErrorInfo::new(
                "WARNING".into(),
                "25P01".into(),
                "SET LOCAL can only be used in transaction blocks".into(),
            ));
            return Ok(());
        }
        change(&mut self.settings())?;
        if !local && let Some(s) = tx.on_commit.as_mut() {
            // Already validated on the live settings; the pending reports there are unused.
            let _ = change(s);
        }
        Ok(())
    }

    /// COPY FROM rows: buffered inside a transaction, else inserted durably now. A COPY ends
    /// its Query message, so an implicit transaction it belongs to commits here.
    pub async fn copy_insert(
        &self,
        table: &Arc<Table>,
        batches: Vec<RecordBatch>,
    ) -> Result<u64, SqlError> {
        let n = self.tx_writes().insert(table, batches).await?;
        self.end_implicit().await?;
        Ok(n)
    }
}
