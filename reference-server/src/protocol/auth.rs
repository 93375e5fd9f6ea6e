//! Password authentication: the user store (verifiers, never plain passwords), the
//! cleartext and MD5 checks (random salt per connection, constant-time compare) and the
//! SCRAM verifiers, plus the exchange itself, answering failures as PostgreSQL 15 does.

use std::collections::HashMap;
use std::fmt;

use bytes::Bytes;
use hmac::{Hmac, Mac};
use md5::{Digest as _, Md5};
use pgwire::messages::PgWireBackendMessage;
use pgwire::messages::startup::Authentication;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::connection::Conn;
use super::frame::{Cursor, WireError, error};
use super::scram::{self, Exchange, Verifier};
use crate::config::AuthMethod;

/// PostgreSQL's default SCRAM iteration count.
const SCRAM_ITERATIONS: u32 = 4096;
/// `PG_MAX_AUTH_TOKEN_LENGTH`: the largest password or SASL message.
const MAX_AUTH_TOKEN: usize = 65_535;

/// What the server keeps per user: PostgreSQL's two verifier formats.
struct Secret {
    /// hex(md5(password || user)), as in pg_authid for MD5 (without the `md5` prefix).
    md5: String,
    scram: Verifier,
}

/// Users and their verifiers.
pub struct UserStore {
    users: HashMap<String, Secret>,
}

impl fmt::Debug for UserStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserStore")
            .field("users", &self.users.len())
            .finish()
    }
}

pub(super) fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so construction cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

fn md5_hex(parts: &[&[u8]]) -> String {
    let mut h = Md5::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn salted_password(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    let mut salted = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, &mut salted);
    salted
}

impl UserStore {
    pub fn new(users: &[(String, String)]) -> Self {
        let users = users
            .iter()
            .map(|(user, password)| {
                let salt: [u8; 16] = rand::random();
                let salted = salted_password(password.as_bytes(), &salt, SCRAM_ITERATIONS);
                let client_key = hmac_sha256(&salted, b"Client Key");
                let secret = Secret {
                    md5: md5_hex(&[password.as_bytes(), user.as_bytes()]),
                    scram: Verifier {
                        salt: salt.to_vec(),
                        iterations: SCRAM_ITERATIONS,
                        stored_key: sha2::Sha256::digest(&client_key).to_vec(),
                        server_key: hmac_sha256(&salted, b"Server Key"),
                    },
                };
                (user.clone(), secret)
            })
            .collect();
        Self { users }
    }

    /// Whether a role of that name exists. With no configured users every name is
    /// accepted (an open trust server); otherwise the configured users and the bootstrap
    /// superuser `postgres` exist.
    pub fn role_exists(&self, user: &str) -> bool {
        self.users.is_empty() || user == "postgres" || self.users.contains_key(user)
    }

    /// Check a cleartext password against the SCRAM verifier (no password is stored).
    fn verify_cleartext(&self, user: &str, password: &[u8]) -> bool {
        let Some(secret) = self.users.get(user) else {
            return false;
        };
        let v = &secret.scram;
        let salted = salted_password(password, &v.salt, v.iterations);
        let stored = sha2::Sha256::digest(hmac_sha256(&salted, b"Client Key"));
        bool::from(stored.as_slice().ct_eq(&v.stored_key))
    }

    /// `md5` + hex(md5(hex(md5(password || user)) || salt)), compared in constant time.
    fn verify_md5(&self, user: &str, salt: [u8; 4], presented: &[u8]) -> bool {
        let Some(secret) = self.users.get(user) else {
            return false;
        };
        let expected = format!("md5{}", md5_hex(&[secret.md5.as_bytes(), &salt]));
        bool::from(expected.as_bytes().ct_eq(presented))
    }
}

/// PostgreSQL's message for every password failure (unknown users look the same).
pub fn auth_failed(user: &str) -> WireError {
    error(
        "FATAL",
        "28P01",
        format!("password authentication failed for user \"{user}\""),
    )
}

/// How an authentication exchange ended without success.
pub enum AuthError {
    /// Send this FATAL error, then close.
    Fatal(WireError),
    /// The client went away (or sent an oversized token): close silently.
    Closed,
}

impl From<WireError> for AuthError {
    fn from(e: WireError) -> Self {
        AuthError::Fatal(e)
    }
}

/// Run the configured method's exchange with the client.
pub async fn authenticate(
    conn: &mut Conn,
    method: AuthMethod,
    store: &UserStore,
    user: &str,
) -> Result<(), AuthError> {
    match method {
        AuthMethod::Trust => Ok(()),
        AuthMethod::Password => {
            conn.send(auth_message(Authentication::CleartextPassword))
                .await?;
            let password = password_packet(conn, "password").await?;
            if store.verify_cleartext(user, &password) {
                Ok(())
            } else {
                Err(auth_failed(user).into())
            }
        }
        AuthMethod::Md5 => {
            let salt: [u8; 4] = rand::random();
            conn.send(auth_message(Authentication::MD5Password(salt.to_vec())))
                .await?;
            let password = password_packet(conn, "password").await?;
            if store.verify_md5(user, salt, &password) {
                Ok(())
            } else {
                Err(auth_failed(user).into())
            }
        }
        AuthMethod::ScramSha256 => scram_exchange(conn, store, user).await,
    }
}

fn auth_message(a: Authentication) -> PgWireBackendMessage {
    PgWireBackendMessage::Authentication(a)
}

/// The body of the next `p` message; any other type is FATAL 08P01.
async fn next_p(conn: &mut Conn, what: &str) -> Result<Bytes, AuthError> {
    let frame = conn
        .auth_frame(MAX_AUTH_TOKEN)
        .await
        .map_err(|_| AuthError::Closed)?;
    if frame.tag != b'p' {
        return Err(error(
            "FATAL",
            "08P01",
            format!("expected {what} response, got message type {}", frame.tag),
        )
        .into());
    }
    Ok(frame.body.freeze())
}

/// `recv_password_packet`: one NUL-terminated, non-empty password.
async fn password_packet(conn: &mut Conn, what: &str) -> Result<Vec<u8>, AuthError> {
    let body = next_p(conn, what).await?;
    let end = body.iter().position(|&b| b == 0);
    if end.map(|e| e + 1) != Some(body.len()) {
        return Err(error("FATAL", "08P01", "invalid password packet size").into());
    }
    if body.len() == 1 {
        return Err(error("FATAL", "28P01", "empty password returned by client").into());
    }
    Ok(body.slice(..body.len() - 1).to_vec())
}

async fn scram_exchange(conn: &mut Conn, store: &UserStore, user: &str) -> Result<(), AuthError> {
    conn.send(auth_message(Authentication::SASL(vec![
        scram::MECHANISM.to_owned(),
    ])))
    .await?;
    let body = next_p(conn, "SASL").await?;
    let mut c = Cursor::new(&body);
    let mechanism = c.raw_string().map_err(fatal)?;
    if mechanism != scram::MECHANISM.as_bytes() {
        return Err(error(
            "FATAL",
            "08P01",
            "client selected an invalid SASL authentication mechanism",
        )
        .into());
    }
    let len = c.i32().map_err(fatal)?;
    let mut first = if len == -1 {
        None
    } else {
        Some(c.bytes(i64::from(len)).map_err(fatal)?.to_vec())
    };
    c.end().map_err(fatal)?;
    // No initial response: send an empty challenge and read it from the next message.
    if first.is_none() {
        conn.send(auth_message(Authentication::SASLContinue(Bytes::new())))
            .await?;
        first = Some(next_p(conn, "SASL").await?.to_vec());
    }
    let verifier = store.users.get(user).map(|s| s.scram.clone());
    let exchange = Exchange::start(first.as_deref().unwrap_or_default(), verifier)?;
    conn.send(auth_message(Authentication::SASLContinue(Bytes::from(
        exchange.server_first().to_owned(),
    ))))
    .await?;
    let last = next_p(conn, "SASL").await?;
    match exchange.finish(&last)? {
        Some(server_final) => {
            conn.feed(auth_message(Authentication::SASLFinal(Bytes::from(
                server_final,
            ))))
            .await?;
            Ok(())
        }
        None => Err(auth_failed(user).into()),
    }
}

/// Errors while reading a message during authentication are FATAL (no transaction to abort).
fn fatal(mut e: WireError) -> WireError {
    e.severity = "FATAL".into();
    e.severity_nonlocalized = Some("FATAL".into());
    e
}

impl From<std::io::Error> for AuthError {
    fn from(_: std::io::Error) -> Self {
        AuthError::Closed
    }
}
