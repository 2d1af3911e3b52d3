//! Probes: `ECHO` on one node and `PING` on every node. They carry no
//! replicated state; they exist to check reply attribution and liveness.

use crate::client::Inner;
use crate::connection::Request;
use crate::error::{Certainty, Error, ErrorKind, Result};
use crate::observer::Purpose;
use crate::quorum::gather;
use crate::reply::typed;

impl Inner {
    /// `ECHO message` on node `node`. A reply of the wrong shape poisons the
    /// connection: it is evidence that the stream is out of step.
    pub(crate) async fn echo(&self, node: usize, message: &[u8]) -> Result<String> {
        let pool = self.nodes.get(node).ok_or_else(|| {
            Error::new(
                ErrorKind::Config,
                Certainty::NotApplied,
                format!("no node {node}: the client has {}", self.nodes.len()),
            )
        })?;
        let mut conn = pool.checkout().await?;
        let reply = conn
            .request(
                &Request::new("ECHO").arg(message),
                Purpose::Command,
                self.config.command_timeout,
            )
            .await?;
        match reply.into_value().and_then(|v| typed::<String>(v, "ECHO")) {
            Ok(s) => Ok(s),
            Err(e) => {
                if e.kind() == ErrorKind::UnexpectedReply {
                    conn.poison(e.detail());
                }
                Err(e)
            }
        }
    }

    /// `PING` on every node; how many answered `PONG`.
    pub(crate) async fn ping(&self) -> Result<usize> {
        let timeout = self.config.command_timeout;
        let n = self.nodes.len();
        let g = gather(&self.nodes, n, |pool| async move {
            let mut conn = pool.checkout().await?;
            let v = conn
                .request(&Request::new("PING"), Purpose::Command, timeout)
                .await?
                .into_value()?;
            match typed::<String>(v, "PING")?.as_str() {
                "PONG" => Ok(()),
                other => {
                    let detail = format!("PING: expected PONG, got {other:?}");
                    conn.poison(&detail);
                    Err(Error::new(
                        ErrorKind::UnexpectedReply,
                        Certainty::NotApplied,
                        detail,
                    ))
                }
            }
        })
        .await;
        Ok(g.ok.len())
    }
}
