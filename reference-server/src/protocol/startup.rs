//! Startup after the StartupMessage is parsed, in PostgreSQL 15's order: protocol
//! negotiation, the user-name check, pg_hba (TLS policy), authentication, AuthenticationOk,
//! the role and database checks, the startup settings, then ParameterStatus, BackendKeyData
//! (registered for cancel) and ReadyForQuery.

use std::collections::HashMap;

use pgwire::api::{
    ClientInfo, METADATA_APPLICATION_NAME, METADATA_DATABASE, METADATA_USER, PgWireConnectionState,
    PidSecretKeyGenerator,
};
use pgwire::messages::PgWireBackendMessage;
use pgwire::messages::response::{ReadyForQuery, TransactionStatus};
use pgwire::messages::startup::{
    Authentication, BackendKeyData, NegotiateProtocolVersion, ParameterStatus,
};

use super::Backend;
use super::auth::{self, AuthError, UserStore};
use super::connection::Conn;
use super::frame::{WireError, error};
use super::startup_packet::{StartupParams, options_settings};
use crate::catalog;
use crate::config::AuthMethod;
use crate::session::settings::Settings;

/// PostgreSQL 15's newest protocol, as NegotiateProtocolVersion reports it (3.0).
const PROTOCOL_LATEST: i32 = 3 << 16;

/// The configured authentication method and users, shared by all connections.
pub struct Authenticator {
    method: AuthMethod,
    store: UserStore,
}

impl Authenticator {
    pub fn new(method: AuthMethod, users: &[(String, String)]) -> Self {
        Self {
            method,
            store: UserStore::new(users),
        }
    }
}

/// How startup ended without a session.
pub enum StartupError {
    /// Send this FATAL error, then close.
    Fatal(WireError),
    /// The role does not exist and its name is not UTF-8: PostgreSQL's message carries the
    /// raw bytes, so it is written as such.
    UnknownRawRole(Vec<u8>),
    /// Close without a word.
    Closed,
}

impl From<WireError> for StartupError {
    fn from(e: WireError) -> Self {
        StartupError::Fatal(e)
    }
}

impl From<std::io::Error> for StartupError {
    fn from(_: std::io::Error) -> Self {
        StartupError::Closed
    }
}

impl From<AuthError> for StartupError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Fatal(e) => StartupError::Fatal(e),
            AuthError::Closed => StartupError::Closed,
        }
    }
}

/// Everything from the parsed StartupMessage to the first ReadyForQuery.
pub async fn run(
    backend: &Backend,
    conn: &mut Conn,
    minor: u16,
    params: StartupParams,
) -> Result<(), StartupError> {
    if minor > 0 || !params.unknown_protocol_options.is_empty() {
        conn.feed(PgWireBackendMessage::NegotiateProtocolVersion(
            NegotiateProtocolVersion::new(PROTOCOL_LATEST, params.unknown_protocol_options.clone()),
        ))
        .await?;
    }
    if params.user.is_empty() {
        return Err(error(
            "FATAL",
            "28000",
            "no PostgreSQL user name specified in startup packet",
        )
        .into());
    }
    let user = String::from_utf8_lossy(&params.user).into_owned();
    let database = if params.database.is_empty() {
        user.clone()
    } else {
        String::from_utf8_lossy(&params.database).into_owned()
    };
    let shared = &backend.session.shared;
    backend.session.set_ssl(conn.framed.is_secure());
    if shared.config.tls_required && !conn.framed.is_secure() {
        let host = conn.framed.socket_addr().ip();
        return Err(error(
            "FATAL",
            "28000",
            format!(
                "no pg_hba.conf entry for host \"{host}\", user \"{user}\", database \"{database}\", no encryption"
            ),
        )
        .into());
    }
    let authenticator = &shared.auth;
    auth::authenticate(conn, authenticator.method, &authenticator.store, &user).await?;
    conn.feed(PgWireBackendMessage::Authentication(Authentication::Ok))
        .await?;

    if !authenticator.store.role_exists(&user) {
        return Err(match std::str::from_utf8(&params.user) {
            Ok(_) => error("FATAL", "28000", format!("role \"{user}\" does not exist")).into(),
            Err(_) => StartupError::UnknownRawRole(params.user),
        });
    }
    if database != catalog::DATABASE {
        return Err(error(
            "FATAL",
            "3D000",
            format!("database \"{database}\" does not exist"),
        )
        .into());
    }
    let settings = startup_settings(&user, &params)?;
    backend.session.start(&user, &settings);

    let client = &mut conn.framed;
    let metadata = client.metadata_mut();
    metadata.insert(METADATA_USER.into(), user.clone());
    metadata.insert(METADATA_DATABASE.into(), database);
    if let Some(app) = settings.get("application_name") {
        metadata.insert(METADATA_APPLICATION_NAME.into(), app.clone());
    }
    let (pid, key) = shared.pids.generate(client);
    client.set_pid_and_secret_key(pid, key.clone());
    backend
        .session
        .register_cancel_key(pid, key.to_bytes().to_vec());

    let reported = backend.session.settings().reported();
    for (k, v) in reported {
        conn.feed(PgWireBackendMessage::ParameterStatus(ParameterStatus::new(
            k, v,
        )))
        .await?;
    }
    conn.feed(PgWireBackendMessage::BackendKeyData(BackendKeyData::new(
        pid, key,
    )))
    .await?;
    conn.send(PgWireBackendMessage::ReadyForQuery(ReadyForQuery::new(
        TransactionStatus::Idle,
    )))
    .await?;
    conn.framed.set_state(PgWireConnectionState::ReadyForQuery);
    Ok(())
}

/// The `options` switches, then the other parameters, checked one by one as PostgreSQL
/// applies them (an unknown name or bad value is FATAL), folded into the map the session
/// starts from (the last value of a name wins).
fn startup_settings(
    user: &str,
    params: &StartupParams,
) -> Result<HashMap<String, String>, WireError> {
    let mut all = match &params.options {
        Some(options) => options_settings(options)?,
        None => Vec::new(),
    };
    all.extend(params.settings.iter().cloned());
    let mut scratch = Settings::new(user, &HashMap::new());
    let mut folded: HashMap<String, (String, String)> = HashMap::new();
    for (name, value) in all {
        scratch.set(&name, &value).map_err(|e| {
            let mut info = e.into_error_info();
            info.severity = "FATAL".into();
            info.severity_nonlocalized = Some("FATAL".into());
            Box::new(info)
        })?;
        folded.insert(name.to_ascii_lowercase(), (name, value));
    }
    Ok(folded.into_values().collect())
}

/// pgwire's dispatcher wants a startup handler, but [`super::connection`] completes startup
/// before any message reaches it, so it is never called.
#[async_trait::async_trait]
impl pgwire::api::auth::StartupHandler for Backend {
    async fn on_startup<C>(
        &self,
        _client: &mut C,
        _message: pgwire::messages::PgWireFrontendMessage,
    ) -> pgwire::error::PgWireResult<()>
    where
        C: ClientInfo + futures::Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: std::fmt::Debug,
        pgwire::error::PgWireError: From<<C as futures::Sink<PgWireBackendMessage>>::Error>,
    {
        Ok(())
    }
}
