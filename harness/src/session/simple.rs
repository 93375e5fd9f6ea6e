//! The simple query protocol: one Query, every result until ReadyForQuery.

use bytes::Bytes;

use super::error::SessionError;
use super::raw::RawSession;
use crate::wire::{BackendMessage as M, ErrorFields, FieldDesc, FrontendMessage};

/// Sent when a simple query starts COPY FROM STDIN, which has no data to give.
const COPY_IN_REFUSAL: &str = "pgcompat: COPY FROM STDIN needs data";

/// Everything one Query produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleResult {
    /// One entry per statement the server reported on, in order.
    pub statements: Vec<StatementResult>,
    pub notices: Vec<ErrorFields>,
    pub notifications: Vec<Notification>,
    /// The transaction status from the closing ReadyForQuery.
    pub status: u8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatementResult {
    /// A result set (also when it has no rows).
    Rows {
        columns: Vec<FieldDesc>,
        rows: Vec<Vec<Option<Bytes>>>,
        tag: String,
    },
    /// CommandComplete without a RowDescription.
    Command { tag: String },
    /// EmptyQueryResponse.
    Empty,
    /// The statement that failed; the server skips the rest of the query string.
    Error(ErrorFields),
    /// COPY TO STDOUT: the CopyData payloads concatenated.
    CopyOut { data: Vec<u8>, tag: String },
}

/// A NotificationResponse (LISTEN/NOTIFY) that arrived during the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub pid: i32,
    pub channel: String,
    pub payload: String,
}

/// What is being collected between messages.
enum Pending {
    Nothing,
    Rows {
        columns: Vec<FieldDesc>,
        rows: Vec<Vec<Option<Bytes>>>,
    },
    CopyOut {
        data: Vec<u8>,
        done: bool,
    },
}

impl RawSession {
    /// Sends one Query and reads until ReadyForQuery. A server that breaks the protocol
    /// (a DataRow without RowDescription, an unexpected message) is read to ReadyForQuery all
    /// the same, so the session stays usable, and then reported as `SessionError::Protocol`
    /// (likewise `ResultTooLarge`). After any other error the session's state is unknown:
    /// drop it.
    pub async fn simple_query(&mut self, sql: &str) -> Result<SimpleResult, SessionError> {
        self.send(&[FrontendMessage::Query(sql.to_owned())]).await?;
        let limit = self.max_result_bytes();
        let mut out = SimpleResult {
            statements: Vec::new(),
            notices: Vec::new(),
            notifications: Vec::new(),
            status: b'I',
        };
        let mut pending = Pending::Nothing;
        let mut violation: Option<String> = None;
        let mut kept_bytes = 0usize;
        let mut too_large = false;
        let mut fatal: Option<ErrorFields> = None;
        loop {
            let msg = match self.recv().await {
                Ok(msg) => msg,
                Err(SessionError::Closed) if fatal.is_some() => {
                    return Err(SessionError::Fatal(fatal.unwrap_or_default()));
                }
                Err(e) => return Err(e),
            };
            let mut violate = |what: String| {
                violation.get_or_insert(what);
            };
            match (msg, &mut pending) {
                (M::RowDescription { fields }, Pending::Nothing) => {
                    pending = Pending::Rows {
                        columns: fields,
                        rows: Vec::new(),
                    };
                }
                (M::DataRow { values }, Pending::Rows { columns, rows }) => {
                    if values.len() != columns.len() {
                        violate(format!(
                            "DataRow with {} values for {} columns",
                            values.len(),
                            columns.len()
                        ));
                    }
                    // Count the bookkeeping too, so a flood of empty rows is bounded as well.
                    let size = values.iter().flatten().map(Bytes::len).sum::<usize>()
                        + (values.len() + 1) * std::mem::size_of::<Option<Bytes>>();
                    kept_bytes = kept_bytes.saturating_add(size);
                    too_large |= kept_bytes > limit;
                    if !too_large {
                        rows.push(values);
                    }
                }
                (M::CommandComplete { tag }, Pending::Rows { .. }) => {
                    if let Pending::Rows { columns, rows } =
                        std::mem::replace(&mut pending, Pending::Nothing)
                    {
                        out.statements
                            .push(StatementResult::Rows { columns, rows, tag });
                    }
                }
                (M::CommandComplete { tag }, Pending::CopyOut { done: true, .. }) => {
                    if let Pending::CopyOut { data, .. } =
                        std::mem::replace(&mut pending, Pending::Nothing)
                    {
                        out.statements.push(StatementResult::CopyOut { data, tag });
                    }
                }
                (M::CommandComplete { tag }, Pending::Nothing) => {
                    out.statements.push(StatementResult::Command { tag })
                }
                (M::EmptyQueryResponse, Pending::Nothing) => {
                    out.statements.push(StatementResult::Empty)
                }
                (M::ErrorResponse(fields), _) => {
                    // An error ends whatever statement was in progress (its partial rows go).
                    pending = Pending::Nothing;
                    if fields.is_fatal() {
                        fatal = Some(fields.clone());
                    }
                    out.statements.push(StatementResult::Error(fields));
                }
                (M::NoticeResponse(fields), _) => out.notices.push(fields),
                (
                    M::NotificationResponse {
                        pid,
                        channel,
                        payload,
                    },
                    _,
                ) => {
                    out.notifications.push(Notification {
                        pid,
                        channel,
                        payload,
                    });
                }
                (M::ParameterStatus { .. }, _) => {}
                (M::CopyOutResponse { .. }, Pending::Nothing) => {
                    pending = Pending::CopyOut {
                        data: Vec::new(),
                        done: false,
                    }
                }
                (M::CopyData(chunk), Pending::CopyOut { data, done: false }) => {
                    kept_bytes = kept_bytes.saturating_add(chunk.len());
                    too_large |= kept_bytes > limit;
                    if !too_large {
                        data.extend_from_slice(&chunk);
                    }
                }
                (M::CopyDone, Pending::CopyOut { done, .. }) if !*done => *done = true,
                (M::CopyInResponse { .. } | M::CopyBothResponse { .. }, Pending::Nothing) => {
                    self.send(&[FrontendMessage::CopyFail(COPY_IN_REFUSAL.to_owned())])
                        .await?;
                }
                (M::ReadyForQuery { status }, _) => {
                    if !matches!(pending, Pending::Nothing) {
                        violate("ReadyForQuery before the statement's CommandComplete".to_owned());
                    }
                    out.status = status;
                    break;
                }
                (other, _) => violate(format!("unexpected {} during a simple query", other.name())),
            }
        }
        if let Some(what) = violation {
            return Err(SessionError::Protocol(what));
        }
        if too_large {
            return Err(SessionError::ResultTooLarge { limit });
        }
        Ok(out)
    }
}
