//! Fan-out to every replica in parallel, returning at a quorum.
//!
//! Each replica request runs as its own task, so replicas that answer after
//! the quorum is reached still finish their request and return their
//! connection to the pool (dropping them mid-request would poison it). Their
//! late results stay available in [`Gathered::rest`] for read repair.

use std::future::Future;
use std::sync::Arc;

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
    let (tx, mut rx) = mpsc::unbounded_channel();
    for (i, node) in nodes.iter().enumerate() {
        let tx = tx.clone();
        let fut = f(node.clone());
        tokio::spawn(async move {
            let result = fut.await;
            let _ = tx.send((i, result));
        });
    }
    drop(tx);
    let mut ok = Vec::new();
    let mut failed = Vec::new();
    while ok.len() < need && nodes.len() - failed.len() >= need {
        match rx.recv().await {
            Some((i, Ok(t))) => ok.push((i, t)),
            Some((i, Err(e))) => failed.push((i, e)),
            None => break,
        }
    }
    Gathered {
        ok,
        failed,
        rest: rx,
    }
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
