//! LISTEN / NOTIFY: a server-wide hub of per-session mailboxes. A NOTIFY is held by the
//! notifying transaction (see `TxState`) and handed to the hub only when it commits; each
//! listening session's mailbox queues it and wakes the connection, which sends
//! NotificationResponse when it is not inside a transaction block, as PostgreSQL does.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::lock;

/// PostgreSQL's limits: channel names are identifiers (63 bytes), payloads < 8000 bytes.
const MAX_PAYLOAD: usize = 7999;
/// Notifications a session that never reads them may hold (PostgreSQL's queue is 8 GB;
/// here an unread backlog is bounded and the oldest are dropped).
const MAX_QUEUED: usize = 100_000;

/// One notification as the client receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub pid: i32,
    pub channel: String,
    pub payload: String,
}

/// A session's channels and its undelivered notifications.
#[derive(Default)]
pub struct Mailbox {
    channels: Mutex<BTreeSet<String>>,
    queue: Mutex<VecDeque<Notification>>,
    /// Woken when a notification arrives, so an idle connection can send it at once.
    pub wake: tokio::sync::Notify,
}

impl Mailbox {
    pub fn listen(&self, channel: &str) {
        lock(&self.channels).insert(channel.to_owned());
    }

    /// UNLISTEN channel, or every channel (`None`, UNLISTEN *).
    pub fn unlisten(&self, channel: Option<&str>) {
        let mut channels = lock(&self.channels);
        match channel {
            Some(c) => {
                channels.remove(c);
            }
            None => channels.clear(),
        }
    }

    /// Channels listened to (pg_listening_channels()).
    pub fn channels(&self) -> Vec<String> {
        lock(&self.channels).iter().cloned().collect()
    }

    /// Everything queued so far, oldest first.
    pub fn take(&self) -> Vec<Notification> {
        lock(&self.queue).drain(..).collect()
    }

    fn offer(&self, n: &Notification) {
        if !lock(&self.channels).contains(&n.channel) {
            return;
        }
        let mut queue = lock(&self.queue);
        if queue.len() >= MAX_QUEUED {
            queue.pop_front();
        }
        queue.push_back(n.clone());
        drop(queue);
        self.wake.notify_one();
    }
}

/// Every session's mailbox, by session id.
#[derive(Default)]
pub struct NotifyHub {
    next_id: AtomicU64,
    mailboxes: Mutex<HashMap<u64, Arc<Mailbox>>>,
}

impl NotifyHub {
    /// A new session's mailbox and the id to unregister it with.
    pub fn register(&self) -> (u64, Arc<Mailbox>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mailbox = Arc::new(Mailbox::default());
        lock(&self.mailboxes).insert(id, mailbox.clone());
        (id, mailbox)
    }

    pub fn unregister(&self, id: u64) {
        lock(&self.mailboxes).remove(&id);
    }

    /// Delivers committed notifications to every session listening on their channels.
    pub fn deliver(&self, notifications: &[Notification]) {
        if notifications.is_empty() {
            return;
        }
        let mailboxes: Vec<Arc<Mailbox>> = lock(&self.mailboxes).values().cloned().collect();
        for n in notifications {
            for m in &mailboxes {
                m.offer(n);
            }
        }
    }
}

/// Checks a NOTIFY / pg_notify() payload as PostgreSQL does.
pub fn check(channel: &str, payload: &str) -> Result<(), crate::sql::SqlError> {
    if channel.is_empty() {
        return Err(crate::sql::SqlError::new(
            "22023",
            "channel name cannot be empty",
        ));
    }
    if channel.len() > 63 {
        return Err(crate::sql::SqlError::new("22023", "channel name too long"));
    }
    if payload.len() > MAX_PAYLOAD {
        return Err(crate::sql::SqlError::new(
            "22023",
            "payload string too long",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listeners_receive() {
        let hub = NotifyHub::default();
        let (_, a) = hub.register();
        let (b_id, b) = hub.register();
        a.listen("c");
        b.listen("other");
        let n = Notification {
            pid: 7,
            channel: "c".into(),
            payload: "p".into(),
        };
        hub.deliver(std::slice::from_ref(&n));
        assert_eq!(a.take(), vec![n.clone()]);
        assert!(b.take().is_empty());
        a.unlisten(None);
        hub.unregister(b_id);
        hub.deliver(&[n]);
        assert!(a.take().is_empty());
    }
}
