//! Fan-out to every replica in parallel, returning at a quorum.
//!
//! The replica requests are polled together in the caller's own task (no
//! spawn, no cross-thread wake-up on the fast path). Once the quorum is
//! reached, the requests still running move into one background task, so
//! they finish and return their connections to the pool (dropping them
//! mid-request would poison them). Their late results stay available in
//! [`Gathered::rest`] for read repair. If the caller itself is cancelled
//! before the quorum, the in-flight requests are dropped and their
//! connections poisoned, as rule 3 requires.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::sync::mpsc;

use crate::error::{Certainty, Error, ErrorKind};
use crate::pool::NodePool;

/// What came back by the time a quorum was reached (or became impossible).
pub(crate) struct Gathered<T> {
    /// Successful replies: (node index, result), in arrival order.
    pub(crate) ok: Vec<(usize, T)>,
    /// Failures: (node index, error), in arrival order.
    pub(crate) failed: Vec<(usize, Error)>,
    /// Replies still to come.
    pub(crate) rest: mpsc::UnboundedReceiver<(usize, crate::Result<T>)>,
}

/// Runs `f` against every node and waits until `need` succeed or too many
/// have failed for `need` to be reachable.
pub(crate) async fn gather<T, F, Fut>(nodes: &[Arc<NodePool>], need: usize, f: F) -> Gathered<T>
where
    T: Send + 'static,
    F: Fn(Arc<NodePool>) -> Fut,
    Fut: Future<Output = crate::Result<T>> + Send + 'static,
{
    type Pending<T> = Pin<Box<dyn Future<Output = (usize, crate::Result<T>)> + Send>>;
    let mut pending: FuturesUnordered<Pending<T>> = nodes
        .iter()
        .enumerate()
        .map(|(i, node)| {
            let fut = f(node.clone());
            Box::pin(async move { (i, fut.await) }) as Pending<T>
        })
        .collect();
    let mut ok = Vec::new();
    let mut failed = Vec::new();
    while ok.len() < need && nodes.len() - failed.len() >= need {
        match pending.next().await {
            Some((i, Ok(t))) => ok.push((i, t)),
            Some((i, Err(e))) => failed.push((i, e)),
            None => break,
        }
    }
    let (tx, rx) = mpsc::unbounded_channel();
    if !pending.is_empty() {
        tokio::spawn(async move {
            while let Some(done) = pending.next().await {
                let _ = tx.send(done);
            }
        });
    }
    Gathered {
        ok,
        failed,
        rest: rx,
    }
}

/// [`gather`] for a read of one key on every replica: `read(node, key)`,
/// returning at `need` answers.
pub(crate) async fn gather_key<T, F, Fut>(
    nodes: &[Arc<NodePool>],
    key: &[u8],
    need: usize,
    read: F,
) -> Gathered<T>
where
    T: Send + 'static,
    F: Fn(Arc<NodePool>, Arc<[u8]>) -> Fut,
    Fut: Future<Output = crate::Result<T>> + Send + 'static,
{
    let key: Arc<[u8]> = key.into();
    gather(nodes, need, |n| read(n, key.clone())).await
}

impl<T> Gathered<T> {
    /// True when at least `need` replicas succeeded.
    pub(crate) fn reached(&self, need: usize) -> bool {
        self.ok.len() >= need
    }

    /// The error for a quorum that was not reached. A write is
    /// indeterminate when any replica may hold it (a success, or an
    /// indeterminate failure); a read never changes anything.
    pub(crate) fn error(
        &self,
        what: &str,
        need: usize,
        write: bool,
        nodes: &[Arc<NodePool>],
    ) -> Error {
        let certainty = if write
            && (!self.ok.is_empty() || self.failed.iter().any(|(_, e)| e.is_indeterminate()))
        {
            Certainty::Indeterminate
        } else {
            Certainty::NotApplied
        };
        let failures: Vec<String> = self
            .failed
            .iter()
            .map(|(i, e)| format!("{}: {}", nodes[*i].node_name(), e))
            .collect();
        Error::new(
            ErrorKind::Quorum,
            certainty,
            format!(
                "{what}: {} of the {need} replies needed ({})",
                self.ok.len(),
                failures.join("; ")
            ),
        )
    }
}
