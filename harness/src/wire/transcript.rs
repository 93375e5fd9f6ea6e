//! A record of a conversation, one line per message, for reports and failing-case evidence.

use std::fmt::{self, Display, Formatter};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Send,
    Recv,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptEntry {
    pub dir: Direction,
    pub line: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transcript {
    pub entries: Vec<TranscriptEntry>,
}

impl Transcript {
    pub fn push(&mut self, dir: Direction, line: impl Into<String>) {
        self.entries.push(TranscriptEntry {
            dir,
            line: line.into(),
        });
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Display for TranscriptEntry {
    /// `> Query "SELECT 1"` for what the client sent, `< ReadyForQuery I` for what it received.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let arrow = match self.dir {
            Direction::Send => '>',
            Direction::Recv => '<',
        };
        write!(f, "{arrow} {}", self.line)
    }
}

impl Display for Transcript {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for entry in &self.entries {
            writeln!(f, "{entry}")?;
        }
        Ok(())
    }
}
