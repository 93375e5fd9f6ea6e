//! SCRAM-SHA-256 (RFC 5802/7677) server side, parsing the client's messages with the same
//! checks and error texts as PostgreSQL 15's `auth-scram.c`, so clients see the same
//! FATAL 08P01 for a protocol mistake and 28P01 only for a wrong proof.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::auth::hmac_sha256;
use super::frame::{WireError, error};

pub const MECHANISM: &str = "SCRAM-SHA-256";
const RAW_NONCE_LEN: usize = 18;

/// A user's SCRAM verifier (what pg_authid stores).
#[derive(Clone)]
pub struct Verifier {
    pub salt: Vec<u8>,
    pub iterations: u32,
    pub stored_key: Vec<u8>,
    pub server_key: Vec<u8>,
}

fn malformed(detail: String) -> WireError {
    let mut e = error("FATAL", "08P01", "malformed SCRAM message");
    e.detail = Some(detail);
    e
}

/// `sanitize_char`: printable ASCII quoted, anything else in hex.
fn shown(c: Option<u8>) -> String {
    match c.unwrap_or(0) {
        c @ 0x21..=0x7e => format!("'{}'", c as char),
        c => format!("0x{c:02x}"),
    }
}

/// A SCRAM message being read attribute by attribute.
struct Attrs<'a> {
    s: &'a [u8],
}

impl<'a> Attrs<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.first().copied()
    }

    fn take_value(&mut self) -> &'a [u8] {
        let end = self
            .s
            .iter()
            .position(|&b| b == b',')
            .unwrap_or(self.s.len());
        let value = &self.s[..end];
        self.s = self.s.get(end + 1..).unwrap_or_default();
        value
    }

    /// `read_attr_value`: `attr=value`, for a known attribute letter.
    fn value(&mut self, attr: u8) -> Result<&'a [u8], WireError> {
        if self.peek() != Some(attr) {
            return Err(malformed(format!(
                "Expected attribute \"{}\" but found \"{}\".",
                attr as char,
                shown(self.peek())
            )));
        }
        if self.s.get(1) != Some(&b'=') {
            return Err(malformed(format!(
                "Expected character \"=\" for attribute \"{}\".",
                attr as char
            )));
        }
        self.s = self.s.get(2..).unwrap_or_default();
        Ok(self.take_value())
    }

    /// `read_any_attr`: any `letter=value`.
    fn any(&mut self) -> Result<(u8, &'a [u8]), WireError> {
        let Some(attr) = self.peek() else {
            return Err(malformed(
                "Attribute expected, but found end of string.".into(),
            ));
        };
        if !attr.is_ascii_alphabetic() {
            return Err(malformed(format!(
                "Attribute expected, but found invalid character \"{}\".",
                shown(Some(attr))
            )));
        }
        if self.s.get(1) != Some(&b'=') {
            return Err(malformed(format!(
                "Expected character \"=\" for attribute \"{}\".",
                attr as char
            )));
        }
        self.s = self.s.get(2..).unwrap_or_default();
        Ok((attr, self.take_value()))
    }
}

/// The checks PostgreSQL makes on any SCRAM message before parsing it.
fn check_message(input: &[u8]) -> Result<(), WireError> {
    if input.is_empty() {
        return Err(malformed("The message is empty.".into()));
    }
    if input.contains(&0) {
        return Err(malformed(
            "Message length does not match input length.".into(),
        ));
    }
    Ok(())
}

/// One SCRAM exchange after the client-first-message.
pub struct Exchange {
    cbind_flag: u8,
    client_first_bare: Vec<u8>,
    server_first: String,
    nonce: String,
    verifier: Verifier,
    /// Unknown user: the exchange runs to the end and then fails, like a wrong password.
    doomed: bool,
}

impl Exchange {
    /// Read the client-first-message and build the server-first-message.
    pub fn start(input: &[u8], verifier: Option<Verifier>) -> Result<Self, WireError> {
        check_message(input)?;
        let mut a = Attrs { s: input };
        let cbind_flag = a.peek().unwrap_or(0);
        match cbind_flag {
            b'n' | b'y' => {
                a.s = a.s.get(1..).unwrap_or_default();
                if a.peek() != Some(b',') {
                    return Err(malformed(format!(
                        "Comma expected, but found character \"{}\".",
                        shown(a.peek())
                    )));
                }
                a.s = a.s.get(1..).unwrap_or_default();
            }
            b'p' => {
                return Err(malformed("The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.".into()));
            }
            other => {
                return Err(malformed(format!(
                    "Unexpected channel-binding flag \"{}\".",
                    shown(Some(other))
                )));
            }
        }
        if a.peek() == Some(b'a') {
            return Err(error(
                "FATAL",
                "0A000",
                "client uses authorization identity, but it is not supported",
            ));
        }
        if a.peek() != Some(b',') {
            return Err(malformed(format!(
                "Unexpected attribute \"{}\" in client-first-message.",
                shown(a.peek())
            )));
        }
        a.s = a.s.get(1..).unwrap_or_default();
        let client_first_bare = a.s.to_vec();
        if a.peek() == Some(b'm') {
            return Err(error(
                "FATAL",
                "0A000",
                "client requires an unsupported SCRAM extension",
            ));
        }
        a.value(b'n')?;
        let client_nonce = a.value(b'r')?;
        if client_nonce
            .iter()
            .any(|&c| !(0x21..=0x7e).contains(&c) || c == b',')
        {
            return Err(error(
                "FATAL",
                "08P01",
                "non-printable characters in SCRAM nonce",
            ));
        }
        while a.peek().is_some() {
            a.any()?;
        }
        let doomed = verifier.is_none();
        let verifier = verifier.unwrap_or_else(|| Verifier {
            salt: rand::random::<[u8; 16]>().to_vec(),
            iterations: 4096,
            stored_key: rand::random::<[u8; 32]>().to_vec(),
            server_key: rand::random::<[u8; 32]>().to_vec(),
        });
        // The client nonce is printable ASCII (checked above), so this is valid UTF-8.
        let nonce = format!(
            "{}{}",
            String::from_utf8_lossy(client_nonce),
            B64.encode(rand::random::<[u8; RAW_NONCE_LEN]>())
        );
        let server_first = format!(
            "r={nonce},s={},i={}",
            B64.encode(&verifier.salt),
            verifier.iterations
        );
        Ok(Self {
            cbind_flag,
            client_first_bare,
            server_first,
            nonce,
            verifier,
            doomed,
        })
    }

    pub fn server_first(&self) -> &str {
        &self.server_first
    }

    /// Check the client-final-message: `Ok(Some(server-final))` on a good proof,
    /// `Ok(None)` on a wrong one (28P01), `Err` for a protocol violation.
    pub fn finish(&self, input: &[u8]) -> Result<Option<String>, WireError> {
        check_message(input)?;
        let mut a = Attrs { s: input };
        let binding = a.value(b'c')?;
        let expected_binding: &[u8] = if self.cbind_flag == b'y' {
            b"eSws"
        } else {
            b"biws"
        };
        if binding != expected_binding {
            return Err(error(
                "FATAL",
                "08P01",
                "unexpected SCRAM channel-binding attribute in client-final-message",
            ));
        }
        let nonce = a.value(b'r')?;
        let (proof_at, proof) = loop {
            let at = input.len() - a.s.len();
            let (attr, value) = a.any()?;
            if attr == b'p' {
                break (at, value);
            }
        };
        let proof = B64
            .decode(proof)
            .ok()
            .filter(|p| p.len() == 32)
            .ok_or_else(|| malformed("Malformed proof in client-final-message.".into()))?;
        if !a.s.is_empty() {
            return Err(malformed(
                "Garbage found at the end of client-final-message.".into(),
            ));
        }
        if nonce != self.nonce.as_bytes() {
            let mut e = error("FATAL", "08P01", "invalid SCRAM response");
            e.detail = Some("Nonce does not match.".into());
            return Err(e);
        }
        // The final message without ",p=...".
        let without_proof = input.get(..proof_at.saturating_sub(1)).unwrap_or_default();
        let mut auth_message = self.client_first_bare.clone();
        auth_message.push(b',');
        auth_message.extend_from_slice(self.server_first.as_bytes());
        auth_message.push(b',');
        auth_message.extend_from_slice(without_proof);

        let signature = hmac_sha256(&self.verifier.stored_key, &auth_message);
        let client_key: Vec<u8> = proof.iter().zip(&signature).map(|(p, s)| p ^ s).collect();
        let stored = Sha256::digest(&client_key);
        let ok = bool::from(stored.as_slice().ct_eq(&self.verifier.stored_key));
        if !ok || self.doomed {
            return Ok(None);
        }
        let server_signature = hmac_sha256(&self.verifier.server_key, &auth_message);
        Ok(Some(format!("v={}", B64.encode(server_signature))))
    }
}
