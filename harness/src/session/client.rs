//! The client face: a real driver (tokio-postgres) over a bounded stream.

use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_postgres::config::SslMode;
use tokio_postgres::{Client, NoTls};

use super::bounded::BoundedStream;
use super::error::SessionError;
use super::options::{ConnectOptions, TlsMode};
use super::raw::within;

/// Connects tokio-postgres through [`BoundedStream`], so an absurd frame length fails the
/// connection instead of making the driver reserve gigabytes. Returns the client and the task
/// driving its connection (it ends when the connection does). Startup parameters other than
/// `application_name` and `options` travel as `-c name=value` in `options`, the only way
/// tokio-postgres passes them. TLS is not offered here: `TlsMode::Prefer` connects in plain
/// text, `TlsMode::Require` is refused. Queries have no timeout of their own: wrap them.
pub async fn connect_client(
    opts: &ConnectOptions,
) -> Result<(Client, JoinHandle<()>), SessionError> {
    if opts.tls == TlsMode::Require {
        return Err(SessionError::Unsupported(
            "TLS on the client face (tokio-postgres); use the raw session for TLS".into(),
        ));
    }
    let config = client_config(opts);
    within(
        opts.connect_timeout,
        format!("connecting a client to {}:{}", opts.host, opts.port),
        async {
            let tcp = TcpStream::connect((opts.host.as_str(), opts.port)).await?;
            tcp.set_nodelay(true)?;
            let stream = BoundedStream::new(tcp, opts.max_message_len);
            let (client, connection) = config.connect_raw(stream, NoTls).await?;
            let driver = tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::debug!(error = %e, "client connection ended with an error");
                }
            });
            Ok((client, driver))
        },
    )
    .await
}

fn client_config(opts: &ConnectOptions) -> tokio_postgres::Config {
    let mut config = tokio_postgres::Config::new();
    config
        .host(&opts.host)
        .port(opts.port)
        .user(&opts.user)
        .dbname(&opts.database)
        .connect_timeout(opts.connect_timeout)
        .ssl_mode(SslMode::Disable);
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
