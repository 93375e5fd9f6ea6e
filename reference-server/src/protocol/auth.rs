//! Password authentication: the user store (verifiers, never plain passwords) and the
//! cleartext and MD5 mechanisms (random salt per connection, constant-time compare);
//! SCRAM-SHA-256 uses pgwire's mechanism fed with StoredKey/ServerKey verifiers.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use md5::{Digest as _, Md5};
use pgwire::api::ClientInfo;
use pgwire::api::auth::mechanism::{AuthMechanism, AuthMechanismFactory, AuthState};
use pgwire::api::auth::sasl::scram::{SCRAM_ITERATIONS, ScramSecret};
use pgwire::api::auth::{AuthSource, LoginInfo, Password};
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::startup::{Authentication, PasswordMessageFamily};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// What the server keeps per user: PostgreSQL's two verifier formats.
struct Secret {
    /// `md5` + hex(md5(password || user)), as in pg_authid for MD5.
    md5: String,
    salt: Vec<u8>,
    stored_key: Vec<u8>,
    server_key: Vec<u8>,
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

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
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

impl UserStore {
    pub fn new(users: &[(String, String)]) -> Self {
        let users = users
            .iter()
            .map(|(user, password)| {
                let salt: [u8; 16] = rand::random();
                let mut salted = [0u8; 32];
                pbkdf2::pbkdf2_hmac::<Sha256>(
                    password.as_bytes(),
                    &salt,
                    SCRAM_ITERATIONS as u32,
                    &mut salted,
                );
                let client_key = hmac_sha256(&salted, b"Client Key");
                let stored_key = Sha256::digest(&client_key).to_vec();
                let server_key = hmac_sha256(&salted, b"Server Key");
                let secret = Secret {
                    md5: format!("md5{}", md5_hex(&[password.as_bytes(), user.as_bytes()])),
                    salt: salt.to_vec(),
                    stored_key,
                    server_key,
                };
                (user.clone(), secret)
            })
            .collect();
        Self { users }
    }

    /// Check a cleartext password against the SCRAM verifier (no password is stored).
    fn verify_cleartext(&self, user: &str, password: &[u8]) -> bool {
        let Some(secret) = self.users.get(user) else {
            return false;
        };
        let mut salted = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha256>(password, &secret.salt, SCRAM_ITERATIONS as u32, &mut salted);
        let stored = Sha256::digest(hmac_sha256(&salted, b"Client Key"));
        bool::from(stored.as_slice().ct_eq(&secret.stored_key))
    }
}

/// PostgreSQL's message for every password failure (unknown users look the same).
pub fn auth_failed(user: &str) -> PgWireError {
    PgWireError::UserError(Box::new(ErrorInfo::new(
        "FATAL".into(),
        "28P01".into(),
        format!("password authentication failed for user \"{user}\""),
    )))
}

#[async_trait]
impl AuthSource for UserStore {
    async fn get_password(&self, login: &LoginInfo) -> PgWireResult<Password> {
        Err(auth_failed(login.user().unwrap_or_default()))
    }

    /// SCRAM: the stored verifier; unknown users get a random one so the exchange
    /// proceeds and fails like a wrong password (PostgreSQL's mock authentication).
    async fn get_scram_secret(&self, login: &LoginInfo) -> PgWireResult<(ScramSecret, Option<()>)> {
        let secret = match self.users.get(login.user().unwrap_or_default()) {
            Some(s) => ScramSecret::Verifier {
                salt: s.salt.clone(),
                iterations: SCRAM_ITERATIONS,
                stored_key: s.stored_key.clone(),
                server_key: s.server_key.clone(),
            },
            None => ScramSecret::Verifier {
                salt: rand::random::<[u8; 16]>().to_vec(),
                iterations: SCRAM_ITERATIONS,
                stored_key: rand::random::<[u8; 32]>().to_vec(),
                server_key: rand::random::<[u8; 32]>().to_vec(),
            },
        };
        Ok((secret, None))
    }
}

/// Cleartext (`password`) and MD5 challenge mechanisms.
pub struct PasswordAuth {
    store: Arc<UserStore>,
    md5: bool,
}

impl PasswordAuth {
    pub fn new(store: Arc<UserStore>, md5: bool) -> Self {
        Self { store, md5 }
    }
}

impl AuthMechanismFactory for PasswordAuth {
    fn create(&self) -> Box<dyn AuthMechanism> {
        Box::new(PasswordMechanism {
            store: self.store.clone(),
            md5_salt: self.md5.then(rand::random::<[u8; 4]>),
        })
    }
}

struct PasswordMechanism {
    store: Arc<UserStore>,
    md5_salt: Option<[u8; 4]>,
}

#[async_trait]
impl AuthMechanism for PasswordMechanism {
    async fn begin(&mut self, _client: &(dyn ClientInfo + Send + Sync)) -> PgWireResult<AuthState> {
        Ok(AuthState::InProgress(match self.md5_salt {
            Some(salt) => Authentication::MD5Password(salt.to_vec()),
            None => Authentication::CleartextPassword,
        }))
    }

    async fn next(
        &mut self,
        client: &(dyn ClientInfo + Send + Sync),
        message: PasswordMessageFamily,
    ) -> PgWireResult<AuthState> {
        let presented = message.into_password()?.password;
        let user = LoginInfo::from_client_info(client)
            .user()
            .unwrap_or_default()
            .to_owned();
        let ok = match self.md5_salt {
            Some(salt) => match self.store.users.get(&user) {
                Some(secret) => {
                    // md5(md5(password || user) || salt), hex, prefixed "md5".
                    let inner = secret.md5.trim_start_matches("md5");
                    let expected = format!("md5{}", md5_hex(&[inner.as_bytes(), &salt]));
                    bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
                }
                None => false,
            },
            None => self.store.verify_cleartext(&user, presented.as_bytes()),
        };
        Ok(if ok {
            AuthState::Ok {
                final_message: None,
                identity: None,
            }
        } else {
            AuthState::Failed(auth_failed(&user))
        })
    }
}
