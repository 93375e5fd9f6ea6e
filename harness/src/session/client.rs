//! The client face: a real driver (tokio-postgres) over a bounded stream.

use std::sync::Arc;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_postgres::config::{ChannelBinding, SslMode};
use tokio_postgres::{Client, Connection, NoTls};

use super::bounded::BoundedStream;
use super::client_tls::RustlsConnect;
use super::error::SessionError;
use super::options::{ConnectOptions, TlsMode};
use super::raw::within;
use super::tls;

/// Connects tokio-postgres through [`BoundedStream`], so an absurd frame length fails the
/// connection instead of making the driver reserve gigabytes. Returns the client and the task
/// driving its connection (it ends when the connection does). Startup parameters other than
/// `application_name` and `options` travel as `-c name=value` in `options`, the only way
/// tokio-postgres passes them. TLS as `opts.tls` says (rustls, same certificate policy as the
/// raw face). Queries have no timeout of their own: wrap them.
pub async fn connect_client(
    opts: &ConnectOptions,
) -> Result<(Client, JoinHandle<()>), SessionError> {
    let config = client_config(opts);
    let what = format!("connecting a client to {}:{}", opts.host, opts.port);
    within(opts.connect_timeout, what, async {
        let tcp = TcpStream::connect((opts.host.as_str(), opts.port)).await?;
        tcp.set_nodelay(true)?;
        let max = opts.max_message_len;
        if opts.tls == TlsMode::Disable {
            let stream = BoundedStream::new(tcp, max);
            let (client, connection) = config.connect_raw(stream, NoTls).await?;
            return Ok((client, spawn_driver(connection)));
        }
        let server_name = ServerName::try_from(opts.host.clone()).map_err(|e| {
            SessionError::Tls(format!(
                "host {:?} is not a valid TLS server name: {e}",
                opts.host
            ))
        })?;
        let tls = RustlsConnect {
            config: Arc::new(tls::client_config(opts)?),
            server_name,
            max_message_len: max,
        };
        let stream = BoundedStream::after_ssl_request(tcp, max);
        let (client, connection) = config.connect_raw(stream, tls).await?;
        Ok((client, spawn_driver(connection)))
    })
    .await
}

/// Drives the connection until it ends; its error, if any, also surfaces on the next query.
fn spawn_driver<S, T>(connection: Connection<S, T>) -> JoinHandle<()>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "client connection ended with an error");
        }
    })
}

fn client_config(opts: &ConnectOptions) -> tokio_postgres::Config {
    let mut config = tokio_postgres::Config::new();
    config
        .host(&opts.host)
        .port(opts.port)
        .user(&opts.user)
        .dbname(&opts.database)
        .connect_timeout(opts.connect_timeout)
        .ssl_mode(match opts.tls {
            TlsMode::Disable => SslMode::Disable,
            TlsMode::Prefer => SslMode::Prefer,
            TlsMode::Require => SslMode::Require,
        })
        // The TLS stream offers no channel-binding data: never claim support for it.
        .channel_binding(ChannelBinding::Disable);
    if let Some(password) = &opts.password {
        config.password(password);
    }
    let mut options = Vec::new();
    for (name, value) in &opts.params {
        match name.as_str() {
            "application_name" => {
                config.application_name(value);
            }
            "options" => options.push(value.clone()),
            _ => options.push(format!(
                "-c {}={}",
                escape_option(name),
                escape_option(value)
            )),
        }
    }
    if !options.is_empty() {
        config.options(options.join(" "));
    }
    config
}

/// The server splits `options` on unescaped spaces; a backslash escapes the next character.
fn escape_option(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == ' ' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
