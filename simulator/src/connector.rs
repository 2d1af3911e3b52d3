//! The turmoil glue for the real anarchoredis client: a connector that dials
//! simulated hosts, and a clock that reads simulated time. This is all the
//! client needs to run inside the world.

use anarchoredis::{BoxStream, Clock, ConnectFuture, Connector};

/// Dials turmoil's simulated TCP.
#[derive(Clone, Copy, Debug, Default)]
pub struct TurmoilConnector;

impl Connector for TurmoilConnector {
    fn connect<'a>(&'a self, addr: &'a str) -> ConnectFuture<'a> {
        Box::pin(async move {
            let stream = turmoil::net::TcpStream::connect(addr).await?;
            Ok(Box::new(stream) as BoxStream)
        })
    }
}

/// Simulated wall-clock time (turmoil's pinned epoch plus simulated time),
/// for the client's version tags.
#[derive(Clone, Copy, Debug, Default)]
pub struct TurmoilClock;

impl Clock for TurmoilClock {
    fn now_micros(&self) -> u64 {
        turmoil::since_epoch()
            .map(|d| d.as_micros() as u64)
            .unwrap_or_default()
    }
}
