//! CancelRequest: look the key up in the server's registry (constant-time compare).

use std::sync::Arc;

use async_trait::async_trait;
use pgwire::api::cancel::CancelHandler;
use pgwire::messages::cancel::CancelRequest;

use crate::session::Shared;

pub struct Canceller {
    shared: Arc<Shared>,
}

impl Canceller {
    pub fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }
}

#[async_trait]
impl CancelHandler for Canceller {
    async fn on_cancel_request(&self, request: CancelRequest) {
        self.shared
            .cancels
            .cancel(request.pid, &request.secret_key.to_bytes());
    }
}
