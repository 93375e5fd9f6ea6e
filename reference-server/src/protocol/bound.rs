//! The parameter values Bind decoded, kept for the Execute of the same portal so they are
//! decoded once per portal (pgwire's `Portal` has no room for them). One slot per
//! connection: clients bind and execute one portal at a time; a portal executed after
//! another was bound simply decodes its values again.

use std::sync::{Arc, Mutex};

use datafusion::common::ScalarValue;
use pgwire::api::portal::Portal;

use super::extended::Statement;

/// A stored portal and its decoded values.
type Kept = (Arc<Portal<Statement>>, Vec<ScalarValue>);

/// The values of the portal bound last.
#[derive(Default)]
pub struct BoundValues {
    slot: Mutex<Option<Kept>>,
}

impl BoundValues {
    /// Remember `values` as `portal`'s (replacing any other portal's).
    pub fn keep(&self, portal: Arc<Portal<Statement>>, values: Vec<ScalarValue>) {
        *crate::session::lock(&self.slot) = Some((portal, values));
    }

    /// `portal`'s values if they are the ones kept: the same stored portal, not another one
    /// or one of the same name bound since.
    pub fn take(&self, portal: &Portal<Statement>) -> Option<Vec<ScalarValue>> {
        let mut slot = crate::session::lock(&self.slot);
        let same = slot
            .as_ref()
            .is_some_and(|(kept, _)| std::ptr::eq(Arc::as_ptr(kept), portal));
        same.then(|| slot.take().map(|(_, values)| values))
            .flatten()
    }

    /// Forget the kept values (at Sync: the unnamed portal is gone).
    pub fn clear(&self) {
        crate::session::lock(&self.slot).take();
    }
}
