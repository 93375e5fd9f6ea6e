//! SQL suites in the sqllogictest format, run in the simple and the extended protocol.
//!
//! The `sqllogictest` crate parses files and applies records (conditions, sort modes, hash
//! thresholds, named connections); our engine ([`engine::PgDb`]) talks to the server and also
//! observes what the slt format cannot express: result column type OIDs and command tags. Those
//! are kept in a `# pg:` comment line above each record ([`expect`]), recorded from PostgreSQL.

pub mod complete;
pub mod diff;
pub mod engine;
pub mod expect;
pub mod files;
pub mod outcome;
pub mod run;

use std::fmt;

/// Which protocol a lane uses. Both lanes count in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `Query` messages; values as the server's text.
    Simple,
    /// Parse/Bind/Execute through tokio-postgres with binary results rendered as PostgreSQL text.
    Extended,
}

impl Mode {
    pub const ALL: [Mode; 2] = [Mode::Simple, Mode::Extended];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Simple => "simple",
            Mode::Extended => "extended",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "simple" => Ok(Mode::Simple),
            "extended" => Ok(Mode::Extended),
            other => Err(format!("unknown protocol mode {other:?} (simple|extended)")),
        }
    }
}
