//! LISTEN / UNLISTEN / NOTIFY statements (delivery: `crate::session::notify`).

use datafusion::sql::sqlparser::ast::Statement;
use pgwire::api::results::Tag;

use super::{Outcome, SqlError};
use crate::session::Session;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyCommand {
    Listen(String),
    /// `None` is `UNLISTEN *`.
    Unlisten(Option<String>),
    Notify {
        channel: String,
        payload: String,
    },
}

impl NotifyCommand {
    pub fn from_statement(stmt: &Statement) -> Option<Self> {
        Some(match stmt {
            Statement::LISTEN { channel } => Self::Listen(crate::catalog::ident(channel)),
            Statement::UNLISTEN { channel } => Self::Unlisten(
                (channel.quote_style.is_some() || channel.value != "*")
                    .then(|| crate::catalog::ident(channel)),
            ),
            Statement::NOTIFY { channel, payload } => Self::Notify {
                channel: crate::catalog::ident(channel),
                payload: payload.clone().unwrap_or_default(),
            },
            _ => return None,
        })
    }
}

impl Session {
    pub fn run_notify_command(&self, cmd: &NotifyCommand) -> Result<Outcome, SqlError> {
        let tag = match cmd {
            NotifyCommand::Listen(c) => {
                crate::session::notify::check(c, "")?;
                self.mailbox.listen(c);
                "LISTEN"
            }
            NotifyCommand::Unlisten(c) => {
                self.mailbox.unlisten(c.as_deref());
                "UNLISTEN"
            }
            NotifyCommand::Notify { channel, payload } => {
                self.queue_notify(channel, payload)?;
                "NOTIFY"
            }
        };
        Ok(Outcome::Done(Tag::new(tag)))
    }
}
