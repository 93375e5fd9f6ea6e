//! Startup: protocol negotiation, TLS policy, authentication, then PostgreSQL 15's
//! ParameterStatus set, BackendKeyData (registered for cancel) and ReadyForQuery.

use std::collections::HashMap;
use std::fmt::Debug;

use async_trait::async_trait;
use futures::{Sink, SinkExt};
use std::sync::Arc;

use pgwire::api::auth::mechanism::AuthMechanismFactory;
use pgwire::api::auth::sasl::scram::ScramAuth;
use pgwire::api::auth::{
    AuthDriver, AuthOutcome, DefaultServerParameterProvider, StartupHandler, protocol_negotiation,
    save_startup_parameters_to_metadata,
};
use pgwire::api::{ClientInfo, METADATA_USER, PgWireConnectionState, PidSecretKeyGenerator};
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::response::{ReadyForQuery, TransactionStatus};
use pgwire::messages::startup::{Authentication, BackendKeyData, ParameterStatus};
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage};

use super::Backend;
use super::auth::{PasswordAuth, UserStore, auth_failed};
use crate::config::AuthMethod;

/// The configured authentication method, shared by all connections (per-connection
/// mechanism state lives in the client's session extensions, kept there by the driver).
pub struct Authenticator {
    driver: AuthDriver<DefaultServerParameterProvider>,
    factory: Option<Arc<dyn AuthMechanismFactory>>,
}

impl Authenticator {
    pub fn new(method: AuthMethod, users: &[(String, String)]) -> Self {
        let store = Arc::new(UserStore::new(users));
        let factory: Option<Arc<dyn AuthMechanismFactory>> = match method {
            AuthMethod::Trust => None,
            AuthMethod::Password => Some(Arc::new(PasswordAuth::new(store, false))),
            AuthMethod::Md5 => Some(Arc::new(PasswordAuth::new(store, true))),
            AuthMethod::ScramSha256 => Some(Arc::new(ScramAuth::new(store))),
        };
        Self {
            driver: AuthDriver::new(DefaultServerParameterProvider::default()),
            factory,
        }
    }
}

fn fatal(code: &str, message: String) -> PgWireError {
    PgWireError::UserError(Box::new(ErrorInfo::new(
        "FATAL".into(),
        code.into(),
        message,
    )))
}

#[async_trait]
impl StartupHandler for Backend {
    async fn on_startup<C>(
        &self,
        client: &mut C,
        message: PgWireFrontendMessage,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        if let PgWireFrontendMessage::Startup(ref startup) = message {
            protocol_negotiation(client, startup).await?;
            save_startup_parameters_to_metadata(client, startup);
            let user = client
                .metadata()
                .get(METADATA_USER)
                .cloned()
                .unwrap_or_default();
            if user.is_empty() {
                return Err(fatal(
                    "28000",
                    "no PostgreSQL user name specified in startup packet".into(),
                ));
            }
            if self.session.shared.config.tls_required && !client.is_secure() {
                let host = client.socket_addr().ip();
                let db = client
                    .metadata()
                    .get("database")
                    .cloned()
                    .unwrap_or_else(|| user.clone());
                return Err(fatal(
                    "28000",
                    format!(
                        "no pg_hba.conf entry for host \"{host}\", user \"{user}\", database \"{db}\", no encryption"
                    ),
                ));
            }
            let auth = &self.session.shared.auth;
            match &auth.factory {
                None => self.finish(client, &user).await?,
                Some(factory) => {
                    let outcome = auth
                        .driver
                        .begin_authentication(client, factory.create())
                        .await;
                    self.after_auth_step(client, outcome).await?;
                }
            }
        } else if let PgWireFrontendMessage::PasswordMessageFamily(msg) = message {
            let outcome = self
                .session
                .shared
                .auth
                .driver
                .advance_authentication(client, msg)
                .await;
            self.after_auth_step(client, outcome).await?;
        }
        Ok(())
    }
}

impl Backend {
    async fn after_auth_step<C>(
        &self,
        client: &mut C,
        outcome: PgWireResult<AuthOutcome>,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let user = client
            .metadata()
            .get(METADATA_USER)
            .cloned()
            .unwrap_or_default();
        match outcome {
            Ok(AuthOutcome::InProgress) => Ok(()),
            Ok(AuthOutcome::Authenticated { final_message, .. }) => {
                if let Some(m) = final_message {
                    client.feed(PgWireBackendMessage::Authentication(m)).await?;
                }
                self.finish(client, &user).await
            }
            Err(PgWireError::InvalidPassword(_)) => Err(auth_failed(&user)),
            Err(e @ PgWireError::UserError(_)) => Err(e),
            // Malformed SASL/password messages: same FATAL as PostgreSQL gives a bad proof.
            Err(e) => {
                tracing::debug!("authentication failed: {e}");
                Err(auth_failed(&user))
            }
        }
    }

    /// AuthenticationOk, ParameterStatus, BackendKeyData, ReadyForQuery.
    async fn finish<C>(&self, client: &mut C, user: &str) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let params: HashMap<String, String> = client.metadata().clone();
        self.session.start(user, &params);

        let (pid, key) = self.session.shared.pids.generate(client);
        client.set_pid_and_secret_key(pid, key.clone());
        self.session
            .register_cancel_key(pid, key.to_bytes().to_vec());

        client
            .feed(PgWireBackendMessage::Authentication(Authentication::Ok))
            .await?;
        let reported = self.session.settings().reported();
        for (k, v) in reported {
            client
                .feed(PgWireBackendMessage::ParameterStatus(ParameterStatus::new(
                    k, v,
                )))
                .await?;
        }
        client
            .feed(PgWireBackendMessage::BackendKeyData(BackendKeyData::new(
                pid, key,
            )))
            .await?;
        client
            .send(PgWireBackendMessage::ReadyForQuery(ReadyForQuery::new(
                TransactionStatus::Idle,
            )))
            .await?;
        client.set_state(PgWireConnectionState::ReadyForQuery);
        Ok(())
    }
}
