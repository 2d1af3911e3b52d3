//! The server's clock: how long the server has been running, for key expiry
//! (`SET ... EX`), fault-rule time windows, `INFO`'s uptime and event
//! timestamps.
//!
//! Server time starts at 0 when the server is created inside a runtime, or
//! at its first reading otherwise (under turmoil, where hosts are built
//! before the run: the first connection).
//!
//! Time is read from tokio's clock by default, so the same code runs on the
//! wall clock (the binary), on tokio's paused test clock, and on turmoil's
//! simulated clock. Two things make that less simple than
//! `tokio::time::Instant::now()`:
//!
//! - turmoil gives every host its own runtime, and `sim.bounce(host)`
//!   replaces it with a new one whose clock starts elsewhere. The clock
//!   therefore never goes backwards: a reading earlier than the anchor means
//!   "a new runtime", and time continues from the last reading.
//!   [`ServerClock::reanchor`] (called by `Server::restart`) does the same
//!   on purpose, so the first reading in the new runtime continues the old
//!   timeline.
//! - Outside any runtime (a harness reading `Server::snapshot` after the
//!   run) there is no simulated clock to read, and the wall clock would make
//!   results depend on how fast the machine is; the last reading is used.
//!
//! A simulator that wants the server's time to be exactly simulated time,
//! down time included, passes its own [`Clock`] (for turmoil:
//! `turmoil::sim_elapsed`) in `ServerConfig::clock`.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// A time source for [`ServerConfig::clock`](crate::ServerConfig::clock):
/// time since the server started. Readings that go backwards are ignored.
pub type Clock = Arc<dyn Fn() -> Duration + Send + Sync>;

/// The server's monotonic timeline.
pub(crate) struct ServerClock {
    source: Option<Clock>,
    state: Mutex<ClockState>,
}

/// Where the default clock is anchored.
#[derive(Debug, Default)]
struct ClockState {
    /// The tokio instant that corresponds to `offset`; `None` until the
    /// first reading inside a runtime (and again after a restart).
    anchor: Option<Instant>,
    /// The server time at `anchor`.
    offset: Duration,
    /// The latest reading; never decreases.
    last: Duration,
}

impl fmt::Debug for ServerClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerClock")
            .field("source", &self.source.as_ref().map(|_| "Fn() -> Duration"))
            .field("state", &self.state)
            .finish()
    }
}

impl ServerClock {
    /// A clock reading `source`, or tokio's clock when `None`.
    pub(crate) fn new(source: Option<Clock>) -> ServerClock {
        ServerClock {
            source,
            state: Mutex::new(ClockState::default()),
        }
    }

    /// Time since the server started.
    pub(crate) fn now(&self) -> Duration {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let reading = match &self.source {
            Some(source) => source(),
            None => {
                if tokio::runtime::Handle::try_current().is_err() {
                    return state.last;
                }
                let now = Instant::now();
                match state.anchor {
                    Some(anchor) if now >= anchor => state.offset + (now - anchor),
                    // First reading, a restart, or another runtime's clock:
                    // continue from the last reading.
                    _ => {
                        state.anchor = Some(now);
                        state.offset = state.last;
                        state.last
                    }
                }
            }
        };
        state.last = state.last.max(reading);
        state.last
    }

    /// Forgets the anchor, so the next reading (in whatever runtime serves
    /// the restarted server) continues from the last one.
    pub(crate) fn reanchor(&self) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.anchor = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn default_clock_follows_tokio_time_from_the_first_reading() {
        let clock = ServerClock::new(None);
        assert_eq!(clock.now(), Duration::ZERO);
        tokio::time::advance(Duration::from_millis(250)).await;
        assert_eq!(clock.now(), Duration::from_millis(250));
    }

    #[tokio::test(start_paused = true)]
    async fn a_restart_continues_the_timeline_from_the_last_reading() {
        let clock = ServerClock::new(None);
        clock.now();
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(clock.now(), Duration::from_secs(2));
        clock.reanchor();
        tokio::time::advance(Duration::from_secs(5)).await;
        // Down time is not counted by the default clock.
        assert_eq!(clock.now(), Duration::from_secs(2));
        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(clock.now(), Duration::from_secs(3));
    }

    #[test]
    fn a_custom_source_never_goes_backwards() {
        let readings = Arc::new(Mutex::new(vec![5u64, 3, 9]));
        let source = Arc::clone(&readings);
        let clock = ServerClock::new(Some(Arc::new(move || {
            Duration::from_secs(source.lock().unwrap().remove(0))
        })));
        let seen: Vec<u64> = (0..3).map(|_| clock.now().as_secs()).collect();
        assert_eq!(seen, vec![5, 5, 9]);
    }

    #[test]
    fn outside_a_runtime_the_default_clock_repeats_its_last_reading() {
        let clock = ServerClock::new(None);
        assert_eq!(clock.now(), Duration::ZERO);
    }
}
