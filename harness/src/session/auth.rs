//! The startup conversation after the StartupMessage: authentication until ReadyForQuery.

use postgres_protocol::authentication::md5_hash;
use postgres_protocol::authentication::sasl::{ChannelBinding, SCRAM_SHA_256, ScramSha256};

use super::error::SessionError;
use super::options::ConnectOptions;
use super::raw::RawSession;
use crate::wire::{BackendMessage as M, FrontendMessage};

pub(super) async fn authenticate(
    session: &mut RawSession,
    opts: &ConnectOptions,
) -> Result<(), SessionError> {
    let password = || {
        opts.password
            .as_deref()
            .ok_or(SessionError::PasswordRequired)
    };
    let mut scram: Option<ScramSha256> = None;
    loop {
        match session.recv().await? {
            M::AuthenticationOk
            | M::BackendKeyData { .. }
            | M::ParameterStatus { .. }
            | M::NoticeResponse(_)
            | M::NegotiateProtocolVersion { .. } => {}
            M::ReadyForQuery { .. } => return Ok(()),
            M::ErrorResponse(fields) => return Err(SessionError::Auth(fields)),
            M::AuthenticationCleartextPassword => {
                let reply = FrontendMessage::Password(password()?.as_bytes().to_vec());
                session.send(&[reply]).await?;
            }
            M::AuthenticationMd5Password { salt } => {
                let hash = md5_hash(opts.user.as_bytes(), password()?.as_bytes(), salt);
                session
                    .send(&[FrontendMessage::Password(hash.into_bytes())])
                    .await?;
            }
            M::AuthenticationSasl { mechanisms } => {
                if !mechanisms.iter().any(|m| m == SCRAM_SHA_256) {
                    return Err(SessionError::Unsupported(format!(
                        "SASL mechanisms {mechanisms:?}"
                    )));
                }
                // No channel binding: "n" is accepted whether or not the server offers -PLUS.
                let client =
                    ScramSha256::new(password()?.as_bytes(), ChannelBinding::unsupported());
                let initial = FrontendMessage::SaslInitial {
                    mechanism: SCRAM_SHA_256.to_owned(),
                    data: client.message().to_vec(),
                };
                session.send(&[initial]).await?;
                scram = Some(client);
            }
            M::AuthenticationSaslContinue { data } => {
                let client = scram
                    .as_mut()
                    .ok_or_else(|| out_of_order("AuthenticationSASLContinue"))?;
                client.update(&data).map_err(|e| {
                    SessionError::Protocol(format!("SCRAM server-first-message: {e}"))
                })?;
                session
                    .send(&[FrontendMessage::SaslResponse(client.message().to_vec())])
                    .await?;
            }
            M::AuthenticationSaslFinal { data } => {
                let client = scram
                    .as_mut()
                    .ok_or_else(|| out_of_order("AuthenticationSASLFinal"))?;
                client.finish(&data).map_err(|e| {
                    SessionError::Protocol(format!("SCRAM server-final-message: {e}"))
                })?;
            }
            other @ (M::AuthenticationKerberosV5
            | M::AuthenticationGss
            | M::AuthenticationGssContinue { .. }
            | M::AuthenticationSspi
            | M::AuthenticationOther { .. }) => {
                return Err(SessionError::Unsupported(format!(
                    "authentication method {other}"
                )));
            }
            other => {
                return Err(SessionError::Protocol(format!(
                    "unexpected {other} during startup"
                )));
            }
        }
    }
}

fn out_of_order(what: &str) -> SessionError {
    SessionError::Protocol(format!("{what} before AuthenticationSASL"))
}
