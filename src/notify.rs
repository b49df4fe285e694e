//! The adapter to webhook receivers: notices queued by `ops` (through
//! `Database::announce`) are shaped into Slack-compatible or generic JSON
//! bodies and posted by one background task per webhook, retried with
//! exponential back-off within a time bound, and each delivery is recorded.
//! Like `forest/`, it holds the outside world's types (`reqwest`,
//! `backon`); nothing in it can hold up or fail the step that announced.

mod body;
mod deliver;
mod outbox;

pub use deliver::start;
pub use outbox::Outbox;
