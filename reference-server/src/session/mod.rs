//! Session layer: server-wide shared state and the per-connection session
//! (DataFusion context, settings, transaction state).

pub mod control;
pub mod notify;
pub mod prepared;
pub mod settings;
mod strings;
pub mod transaction;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use datafusion::common::config::Dialect;
use datafusion::prelude::{SessionConfig, SessionContext};
use pgwire::api::RandomPidSecretKeyGenerator;
use pgwire::error::ErrorInfo;

use crate::catalog::{self, Catalog};
use crate::config::ServerConfig;
use crate::server::ServerError;
use crate::storage::{Storage, StorageOptions};
use settings::Settings;
use transaction::TxState;

/// State shared by every connection of one server.
pub struct Shared {
    pub config: ServerConfig,
    pub catalog: Catalog,
    pub cancels: control::CancelRegistry,
    pub pids: RandomPidSecretKeyGenerator,
    pub auth: crate::protocol::startup::Authenticator,
    pub notify: notify::NotifyHub,
    /// `CREATE FUNCTION`s every session sees.
    pub functions: crate::sql::user_functions::Registry,
    tls: Option<pgwire::tokio::TlsAcceptor>,
}

impl Shared {
    pub async fn open(config: ServerConfig) -> Result<Self, ServerError> {
        let tls = crate::protocol::tls::acceptor(&config)?;
        if config.tls_required && tls.is_none() {
            return Err(ServerError::Config(
                "--tls-required needs --tls-cert and --tls-key".into(),
            ));
        }
        let auth = crate::protocol::startup::Authenticator::new(config.auth, &config.users);
        let storage = Storage::open(config.data_dir.as_deref(), StorageOptions::default())
            .await
            .map_err(|e| ServerError::Storage(e.to_string()))?;
        Ok(Self {
            auth,
            config,
            catalog: Catalog::new(storage),
            cancels: control::CancelRegistry::default(),
            pids: RandomPidSecretKeyGenerator::default(),
            notify: notify::NotifyHub::default(),
            functions: Default::default(),
            tls,
        })
    }

    pub fn tls_acceptor(&self) -> Option<pgwire::tokio::TlsAcceptor> {
        self.tls.clone()
    }

    /// Make everything durable before shutdown.
    pub async fn flush(&self) -> Result<(), ServerError> {
        self.catalog
            .storage
            .close()
            .await
            .map_err(|e| ServerError::Storage(e.to_string()))
    }
}

/// One client connection's state.
pub struct Session {
    pub shared: Arc<Shared>,
    pub ctx: SessionContext,
    settings: Arc<Mutex<Settings>>,
    tx: Mutex<TxState>,
    notices: Arc<Mutex<Vec<ErrorInfo>>>,
    copy_in: Mutex<Option<crate::sql::copy_run::CopyIn>>,
    pub(crate) cursors: Mutex<crate::sql::cursor::Cursors>,
    /// Named prepared statements (SQL PREPARE and protocol Parse share the names).
    prepared: Arc<Mutex<prepared::PreparedStatements>>,
    pub control: Arc<control::StatementControl>,
    pid: Mutex<Option<i32>>,
    ssl: Arc<std::sync::atomic::AtomicBool>,
    /// LISTEN channels and notifications waiting to be sent.
    pub mailbox: Arc<notify::Mailbox>,
    mailbox_id: u64,
    /// User functions registered in `ctx`, and the session's `pg_temp` ones.
    pub(crate) functions: crate::sql::user_functions::SessionFunctions,
}

impl Drop for Session {
    fn drop(&mut self) {
        self.shared.notify.unregister(self.mailbox_id);
        if let Some(pid) = *lock(&self.pid) {
            self.shared.cancels.unregister(pid);
        }
    }
}

/// Lock a mutex, recovering from poisoning (a panicked statement must not wedge the session).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Session {
    pub fn new(shared: Arc<Shared>) -> Self {
        let settings = Arc::new(Mutex::new(Settings::new("postgres", &HashMap::new())));
        let mut config = SessionConfig::new()
            .with_default_catalog_and_schema(catalog::DATABASE, catalog::SCHEMA)
            .with_create_default_catalog_and_schema(false)
            // Our own information_schema (PostgreSQL's columns) replaces DataFusion's.
            .with_information_schema(false);
        {
            let opts = config.options_mut();
            opts.sql_parser.dialect = Dialect::PostgreSQL;
            opts.sql_parser.enable_ident_normalization = true;
            opts.sql_parser.map_string_types_to_utf8view = false;
            opts.sql_parser.parse_float_as_decimal = true;
            opts.execution.time_zone = Some("+00:00".to_owned());
        }
        // The storage tables find the session's transaction buffer through the config.
        let writes = crate::storage::TxWrites::new();
        let config = config.with_extension(writes.clone());
        let ctx = SessionContext::new_with_config(config);
        let tx = TxState::new(writes, shared.clone());
        let control = Arc::new(control::StatementControl::default());
        let ssl = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let prepared = Arc::new(Mutex::new(prepared::PreparedStatements::default()));
        shared.catalog.attach(
            &ctx,
            catalog::system::SysContext {
                storage: shared.catalog.storage.clone(),
                settings: settings.clone(),
                control: control.clone(),
                users: shared.config.users.iter().map(|u| u.0.clone()).collect(),
                ssl: ssl.clone(),
                prepared: prepared.clone(),
            },
        );
        crate::sql::functions::register(&ctx, settings.clone(), control.clone());
        let notices = Arc::new(Mutex::new(Vec::new()));
        crate::sql::backend_signal::register(&ctx, Arc::downgrade(&shared), notices.clone());
        let (mailbox_id, mailbox) = shared.notify.register();
        Self {
            mailbox,
            mailbox_id,
            shared,
            ctx,
            settings,
            tx: Mutex::new(tx),
            notices,
            copy_in: Mutex::new(None),
            cursors: Mutex::default(),
            prepared,
            control,
            pid: Mutex::new(None),
            ssl,
            functions: Default::default(),
        }
    }

    /// Record that the connection is TLS-encrypted (shown in `pg_stat_ssl`).
    pub fn set_ssl(&self, on: bool) {
        self.ssl.store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// Apply the startup packet once the user is known.
    pub fn start(&self, user: &str, startup: &HashMap<String, String>) {
        *lock(&self.settings) = Settings::new(user, startup);
    }

    pub fn settings(&self) -> MutexGuard<'_, Settings> {
        lock(&self.settings)
    }

    pub fn prepared(&self) -> MutexGuard<'_, prepared::PreparedStatements> {
        lock(&self.prepared)
    }

    pub fn tx(&self) -> MutexGuard<'_, TxState> {
        lock(&self.tx)
    }

    /// Make this session cancellable with (pid, key).
    pub fn register_cancel_key(&self, pid: i32, key: Vec<u8>) {
        self.shared.cancels.register(pid, key, &self.control);
        self.control
            .pid
            .store(pid, std::sync::atomic::Ordering::Relaxed);
        *lock(&self.pid) = Some(pid);
    }

    pub fn copy_in(&self) -> MutexGuard<'_, Option<crate::sql::copy_run::CopyIn>> {
        lock(&self.copy_in)
    }

    pub fn notice(&self, info: ErrorInfo) {
        lock(&self.notices).push(info);
    }

    pub fn take_notices(&self) -> Vec<ErrorInfo> {
        std::mem::take(&mut *lock(&self.notices))
    }
}
