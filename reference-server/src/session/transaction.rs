//! Transaction block state, reported honestly in ReadyForQuery (I/T/E).

use pgwire::messages::response::TransactionStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TxStatus {
    #[default]
    Idle,
    InBlock,
    /// An error happened inside the block; only ROLLBACK/COMMIT/ROLLBACK TO are accepted.
    Failed,
}

#[derive(Debug, Default)]
pub struct TxState {
    pub status: TxStatus,
    pub savepoints: Vec<String>,
}

impl TxState {
    pub fn wire_status(&self) -> TransactionStatus {
        match self.status {
            TxStatus::Idle => TransactionStatus::Idle,
            TxStatus::InBlock => TransactionStatus::Transaction,
            TxStatus::Failed => TransactionStatus::Error,
        }
    }

    /// An error in a statement: a block becomes failed; outside a block nothing changes.
    pub fn on_error(&mut self) {
        if self.status == TxStatus::InBlock {
            self.status = TxStatus::Failed;
        }
    }

    pub fn end(&mut self) {
        self.status = TxStatus::Idle;
        self.savepoints.clear();
    }
}
