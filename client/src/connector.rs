//! Connectors: how the client obtains a byte stream to a node.
//!
//! The client is transport-agnostic. A [`Connector`] turns a node address into
//! any `AsyncRead + AsyncWrite` stream: [`TcpConnector`] dials real TCP; the
//! simulator supplies one that dials turmoil's simulated network. This is what
//! keeps the client free of any dependency on turmoil.

use std::future::Future;
use std::io;
use std::pin::Pin;

use tokio::io::{AsyncRead, AsyncWrite};

/// A bidirectional byte stream to one node.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// A boxed stream, as returned by connectors.
pub type BoxStream = Box<dyn Stream>;

/// A boxed future returned by [`Connector::connect`].
pub type ConnectFuture<'a> = Pin<Box<dyn Future<Output = io::Result<BoxStream>> + Send + 'a>>;

/// Dials a node.
pub trait Connector: Send + Sync {
    /// Opens a new stream to `addr` (as given to the client builder, e.g.
    /// `127.0.0.1:6379` or `redis-1:6379`).
    fn connect<'a>(&'a self, addr: &'a str) -> ConnectFuture<'a>;
}

/// Dials real TCP with tokio. The default connector.
#[derive(Clone, Copy, Debug, Default)]
pub struct TcpConnector;

impl Connector for TcpConnector {
    fn connect<'a>(&'a self, addr: &'a str) -> ConnectFuture<'a> {
        Box::pin(async move {
            let stream = tokio::net::TcpStream::connect(addr).await?;
            stream.set_nodelay(true)?;
            Ok(Box::new(stream) as BoxStream)
        })
    }
}
