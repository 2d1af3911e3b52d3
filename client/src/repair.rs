//! Read repair: after a read, bring the stale replicas it saw up to the
//! newest (merged) state, before returning (blocking) or in the background
//! (async). Async repair also waits for the replicas that answered after the
//! quorum and repairs those that turn out stale.
//!
//! Repairs are ordinary conditional replica writes, so a repair can never
//! move a replica backwards, even if it races a newer write.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::client::Inner;
use crate::config::ReadRepair;
use crate::list::Element;
use crate::metrics::Metrics;
use crate::pool::NodePool;
use crate::quorum::Gathered;
use crate::replica::{self, CounterRead, ListRead, RegisterRead, WriteAck};
use crate::version::Version;

type WriteFn = Arc<
    dyn Fn(Arc<NodePool>) -> Pin<Box<dyn Future<Output = crate::Result<WriteAck>> + Send>>
        + Send
        + Sync,
>;

/// Repairs replicas of one key.
struct Job<T> {
    nodes: Vec<Arc<NodePool>>,
    metrics: Arc<Metrics>,
    /// Replicas known stale now.
    stale: Vec<usize>,
    /// Replies still to come, and how to tell whether one is stale.
    rest: Gathered<T>,
    is_stale: Box<dyn Fn(&T) -> bool + Send + Sync>,
    write: WriteFn,
}

impl<T: Send + Sync + 'static> Job<T> {
    async fn run(mut self, wait_for_stragglers: bool) {
        for i in std::mem::take(&mut self.stale) {
            self.repair(i).await;
        }
        if wait_for_stragglers {
            while let Some((i, reply)) = self.rest.rest.recv().await {
                if let Ok(state) = reply
                    && (self.is_stale)(&state)
                {
                    self.repair(i).await;
                }
            }
        }
    }

    async fn repair(&self, node: usize) {
        let pool = self.nodes[node].clone();
        if let Ok(WriteAck::Applied) = (self.write)(pool).await {
            self.metrics.repairs.incr();
        }
    }

    async fn start(self, mode: ReadRepair) {
        match mode {
            ReadRepair::Off => {}
            ReadRepair::Blocking => self.run(false).await,
            ReadRepair::Async => {
                tokio::spawn(self.run(true));
            }
        }
    }
}

impl Inner {
    fn job<T>(
        &self,
        g: Gathered<T>,
        is_stale: impl Fn(&T) -> bool + Send + Sync + 'static,
        write: WriteFn,
    ) -> Job<T> {
        let stale =
            g.ok.iter()
                .filter(|(_, s)| is_stale(s))
                .map(|(i, _)| *i)
                .collect();
        Job {
            nodes: self.nodes.clone(),
            metrics: self.metrics.clone(),
            stale,
            rest: g,
            is_stale: Box::new(is_stale),
            write,
        }
    }

    /// Repairs register replicas that do not hold `newest`.
    pub(crate) async fn repair_registers(
        &self,
        key: &[u8],
        newest: &RegisterRead,
        g: Gathered<RegisterRead>,
    ) {
        let Some(version) = newest.version.clone() else {
            return;
        };
        let key: Arc<[u8]> = key.into();
        let value: Option<Arc<[u8]>> = newest.value.as_deref().map(Into::into);
        let version = Arc::new(version);
        let v2 = version.clone();
        let write: WriteFn = Arc::new(move |n| {
            let (key, value, version) = (key.clone(), value.clone(), version.clone());
            Box::pin(
                async move { replica::write_register(&n, &key, value.as_deref(), &version).await },
            )
        });
        let job = self.job(
            g,
            move |s: &RegisterRead| s.version.as_ref() != Some(&*v2),
            write,
        );
        job.start(self.config.read_repair).await;
    }

    /// Repairs counter replicas whose slots fall short of `merged`.
    pub(crate) async fn repair_counters(
        &self,
        key: &[u8],
        merged: CounterRead,
        g: Gathered<CounterRead>,
    ) {
        let Some(version) = merged.version.clone() else {
            return;
        };
        let key: Arc<[u8]> = key.into();
        let slots = Arc::new(merged.slots);
        let version = Arc::new(version);
        let s2 = slots.clone();
        let write: WriteFn = Arc::new(move |n| {
            let (key, slots, version) = (key.clone(), slots.clone(), version.clone());
            Box::pin(async move { replica::raise_counter(&n, &key, &slots, &version).await })
        });
        let job = self.job(g, move |s: &CounterRead| s.slots != *s2, write);
        job.start(self.config.read_repair).await;
    }

    /// Repairs list replicas that lack elements of `merged`, writing the full
    /// merged list.
    pub(crate) async fn repair_lists(
        &self,
        key: &[u8],
        merged: Vec<Element>,
        version: Option<Version>,
        g: Gathered<ListRead>,
    ) {
        let Some(version) = version else {
            return;
        };
        let key: Arc<[u8]> = key.into();
        let merged: Arc<[Element]> = merged.into();
        let version = Arc::new(version);
        let m2 = merged.clone();
        let write: WriteFn = Arc::new(move |n| {
            let (key, merged, version) = (key.clone(), merged.clone(), version.clone());
            Box::pin(async move { replica::merge_list(&n, &key, &merged, &version).await })
        });
        let job = self.job(g, move |s: &ListRead| *s.elements != *m2, write);
        job.start(self.config.read_repair).await;
    }
}
