//! The driver's connection-pool (CMAP) and command-monitoring events,
//! tallied as they happen into plain counts that the monitor reads. The
//! callbacks run on the driver's tasks, so each one only bumps a counter.

use mongodb::event::EventHandler;
use mongodb::event::cmap::CmapEvent;
use mongodb::event::command::CommandEvent;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// This app's pool towards one server, as its events tell it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolCounts {
    /// Connections created and not yet closed.
    pub open: u64,
    /// Checked out and not yet checked in.
    pub in_use: u64,
    /// Checkouts started and not yet answered.
    pub waiting: u64,
    /// Checkouts that failed, since the client was created.
    pub checkout_failures: u64,
}

impl PoolCounts {
    pub fn idle(&self) -> u64 {
        self.open.saturating_sub(self.in_use)
    }
}

/// Commands of one name this app sent, since the client was created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommandTotals {
    /// Commands started.
    pub started: u64,
    /// Commands answered (succeeded or failed), and their summed durations.
    pub finished: u64,
    pub failed: u64,
    pub total_micros: u64,
}

/// Everything tallied so far: pools by server address, commands by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DriverTally {
    pub pools: BTreeMap<String, PoolCounts>,
    pub commands: BTreeMap<String, CommandTotals>,
}

/// The tally shared by a client's event handlers; cheap to clone.
#[derive(Debug, Clone, Default)]
pub(super) struct DriverEvents(Arc<Mutex<DriverTally>>);

impl DriverEvents {
    pub(super) fn snapshot(&self) -> DriverTally {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn update(&self, change: impl FnOnce(&mut DriverTally)) {
        change(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner));
    }

    pub(super) fn cmap_handler(&self) -> EventHandler<CmapEvent> {
        let events = self.clone();
        EventHandler::callback(move |event: CmapEvent| {
            events.update(|tally| pool_event(tally, &event))
        })
    }

    pub(super) fn command_handler(&self) -> EventHandler<CommandEvent> {
        let events = self.clone();
        EventHandler::callback(move |event: CommandEvent| {
            events.update(|tally| command_event(tally, &event));
        })
    }
}

fn pool_event(tally: &mut DriverTally, event: &CmapEvent) {
    let (address, change): (_, fn(&mut PoolCounts)) = match event {
        CmapEvent::ConnectionCreated(e) => (&e.address, |p| p.open += 1),
        CmapEvent::ConnectionClosed(e) => (&e.address, |p| p.open = p.open.saturating_sub(1)),
        CmapEvent::ConnectionCheckoutStarted(e) => (&e.address, |p| p.waiting += 1),
        CmapEvent::ConnectionCheckedOut(e) => (&e.address, |p| {
            p.waiting = p.waiting.saturating_sub(1);
            p.in_use += 1;
        }),
        CmapEvent::ConnectionCheckoutFailed(e) => (&e.address, |p| {
            p.waiting = p.waiting.saturating_sub(1);
            p.checkout_failures += 1;
        }),
        CmapEvent::ConnectionCheckedIn(e) => {
            (&e.address, |p| p.in_use = p.in_use.saturating_sub(1))
        }
        CmapEvent::PoolCreated(e) => (&e.address, |_| {}),
        _ => return,
    };
    change(tally.pools.entry(address.to_string()).or_default());
}

fn command_event(tally: &mut DriverTally, event: &CommandEvent) {
    let (name, duration, failed) = match event {
        CommandEvent::Started(e) => {
            tally
                .commands
                .entry(e.command_name.clone())
                .or_default()
                .started += 1;
            return;
        }
        CommandEvent::Succeeded(e) => (&e.command_name, e.duration, false),
        CommandEvent::Failed(e) => (&e.command_name, e.duration, true),
        _ => return,
    };
    let totals = tally.commands.entry(name.clone()).or_default();
    totals.finished += 1;
    totals.failed += u64::from(failed);
    totals.total_micros += micros(duration);
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}
