//! Sans-IO PostgreSQL v3 wire codec: frontend encoders and a bounded backend decoder.
//!
//! Nothing here touches a socket: bytes go in, owned printable messages come out, so the same
//! code serves the live session, the transcript, and fuzzing. Everything read from the server is
//! treated as hostile: every length and count is checked against what actually arrived.

pub mod backend;
mod display;
pub mod error;
pub mod frame;
pub mod frontend;
mod reader;
pub mod transcript;

pub use backend::{BackendMessage, ErrorFields, FieldDesc};
pub use error::WireError;
pub use frame::{Frame, FrameDecoder};
pub use frontend::FrontendMessage;
pub use transcript::{Direction, Transcript, TranscriptEntry};

#[cfg(test)]
mod tests;
