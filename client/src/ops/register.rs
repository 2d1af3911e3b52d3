//! Registers: `get`, `set` and `del` (a versioned tombstone), in both
//! consistency modes.
//!
//! - Eventual (Dynamo): a write gets a fresh tag from the client's hybrid
//!   clock and goes to every replica, succeeding at W acknowledgements; a
//!   read returns the newest of R replies and repairs stale replicas.
//! - Linearizable (ABD): a write first reads the highest tag from a majority
//!   and writes `(max + 1, id)` to a majority; a read writes the newest value
//!   back to a majority before returning (skipped when the majority already
//!   agrees). The `no-read-write-back` known-bug switch drops that step.

use std::sync::Arc;

use crate::client::Inner;
use crate::config::Consistency;
use crate::error::Result;
use crate::known_bugs::KnownBug;
use crate::quorum::{gather, gather_key};
use crate::replica::{self, RegisterRead, check_kind};
use crate::version::{Kind, Version};

use super::as_ack;

/// The newest state among replies: the greatest version wins; a replica
/// without a version (never written by anarchoredis) is the oldest.
pub(crate) fn newest<'a>(reads: impl IntoIterator<Item = &'a RegisterRead>) -> RegisterRead {
    reads
        .into_iter()
        .max_by(|a, b| a.version.cmp(&b.version))
        .cloned()
        .unwrap_or(RegisterRead {
            value: None,
            version: None,
        })
}

impl Inner {
    /// Reads a register.
    pub(crate) async fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let linearizable = self.config.consistency == Consistency::Linearizable;
        let need = if linearizable {
            self.config.majority()
        } else {
            self.config.read_quorum()
        };
        let g = gather_key(&self.nodes, key, need, |n, k| async move {
            replica::read_register(&n, &k).await
        })
        .await;
        if !g.reached(need) {
            return Err(g.error("GET", need, false, &self.nodes));
        }
        let newest = newest(g.ok.iter().map(|(_, s)| s));
        check_kind(newest.version.as_ref(), Kind::Register, key)?;
        if let Some(v) = &newest.version {
            self.tags.observe(v.tag.counter);
        }
        if linearizable {
            let agreed = g.ok.iter().all(|(_, s)| s.version == newest.version);
            if !agreed && !self.config.bugs.has(KnownBug::NoReadWriteBack) {
                self.write_back(key, &newest).await?;
            }
        } else {
            self.repair_registers(key, &newest, g).await;
        }
        Ok(newest.value)
    }

    /// ABD's read phase two: the newest value to a majority. A failure is
    /// reported as a read's: the abstract value did not change.
    async fn write_back(&self, key: &[u8], newest: &RegisterRead) -> Result<()> {
        let Some(version) = newest.version.clone() else {
            return Ok(());
        };
        let need = self.config.majority();
        self.replicate(
            key,
            newest.value.as_deref(),
            version,
            need,
            "GET (write-back)",
            false,
        )
        .await
    }

    /// Writes a register value, or a tombstone for `None`.
    pub(crate) async fn write(&self, key: &[u8], value: Option<&[u8]>) -> Result<()> {
        let (tag, need) = match self.config.consistency {
            Consistency::Eventual => (self.tags.next(), self.config.write_quorum()),
            Consistency::Linearizable => {
                let need = self.config.majority();
                let g = gather_key(&self.nodes, key, need, |n, k| async move {
                    replica::read_register(&n, &k).await
                })
                .await;
                if !g.reached(need) {
                    // Nothing was written yet.
                    return Err(g.error("SET (tag query)", need, false, &self.nodes));
                }
                let max = g.ok.iter().filter_map(|(_, s)| s.version.as_ref()).max();
                (self.tags.after(max.map(|v| &v.tag)), need)
            }
        };
        let version = Version {
            kind: Kind::Register,
            tag,
        };
        let what = if value.is_some() { "SET" } else { "DEL" };
        self.replicate(key, value, version, need, what, true).await
    }

    /// Conditionally writes `value` at `version` to every replica and waits
    /// for `need` acknowledgements. `write` says whether a failure may have
    /// changed the register (a write) or not (a read's write-back).
    async fn replicate(
        &self,
        key: &[u8],
        value: Option<&[u8]>,
        version: Version,
        need: usize,
        what: &str,
        write: bool,
    ) -> Result<()> {
        let (k, value): (Arc<[u8]>, Option<Arc<[u8]>>) = (key.into(), value.map(Into::into));
        let version = Arc::new(version);
        let w = gather(&self.nodes, need, |n| {
            let (k, value, version) = (k.clone(), value.clone(), version.clone());
            async move {
                let r = replica::write_register(&n, &k, value.as_deref(), &version).await;
                as_ack(&n, r)
            }
        })
        .await;
        if w.reached(need) {
            Ok(())
        } else {
            Err(w.error(what, need, write, &self.nodes))
        }
    }
}
