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

/// Bounds on what a transcript keeps, so a huge result cannot exhaust memory through it.
const MAX_ENTRIES: usize = 50_000;
const MAX_LINE: usize = 2_000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transcript {
    pub entries: Vec<TranscriptEntry>,
    /// Entries not kept because the transcript was full.
    pub dropped: usize,
}

impl Transcript {
    /// Appends a line (cut at 2,000 bytes); past 50,000 entries lines are only counted.
    pub fn push(&mut self, dir: Direction, line: impl Into<String>) {
        if self.entries.len() >= MAX_ENTRIES {
            self.dropped += 1;
            return;
        }
        let mut line = line.into();
        if line.len() > MAX_LINE {
            let mut cut = MAX_LINE;
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            line.truncate(cut);
            line.push('…');
        }
        self.entries.push(TranscriptEntry { dir, line });
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.dropped = 0;
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
        if self.dropped > 0 {
            writeln!(f, "… {} more message(s) not kept", self.dropped)?;
        }
        Ok(())
    }
}
