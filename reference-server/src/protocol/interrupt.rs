//! Cancel requests and statement_timeout, checked while a statement runs *and* while its
//! rows stream (pgwire's own cancel only covers building the response).

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pgwire::error::{PgWireError, PgWireResult};

use crate::session::control::StatementControl;

/// Armed for the duration of one statement (or one Execute).
pub struct Interrupt {
    control: Arc<StatementControl>,
}

impl Interrupt {
    pub fn arm(control: Arc<StatementControl>, timeout_ms: u64) -> Self {
        let deadline = (timeout_ms > 0).then(|| Instant::now() + Duration::from_millis(timeout_ms));
        control.begin(deadline);
        Self { control }
    }

    /// Run `fut` unless the statement is cancelled or times out first.
    pub async fn race<T>(&mut self, fut: impl Future<Output = PgWireResult<T>>) -> PgWireResult<T> {
        self.control.check().map_err(|e| e.into_wire())?;
        let deadline = self.control.deadline();
        let timeout = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(tokio::time::Instant::from_std(d)).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            _ = self.control.cancelled() => {}
            _ = timeout => {}
            r = fut => return r,
        }
        Err(self
            .control
            .check()
            .err()
            .map(|e| e.into_wire())
            .unwrap_or_else(|| PgWireError::ApiError("statement interrupted".into())))
    }
}

impl Drop for Interrupt {
    fn drop(&mut self) {
        self.control.end();
    }
}
