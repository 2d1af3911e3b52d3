//! The turmoil connector: lets the real anarchoredis client dial simulated
//! hosts. This is the only glue the client needs to run inside the world.

use anarchoredis::{BoxStream, ConnectFuture, Connector};

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
