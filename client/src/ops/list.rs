//! Lists: `lpush`, `rpush` and `lrange` over merge-able lists (see
//! `crate::list`). A push writes the merged state of the replica plus the new
//! element; a read merges R replicas and repairs the stale ones with the
//! full merged list, never a delta.

use std::sync::Arc;

use crate::client::Inner;
use crate::error::Result;
use crate::list::{Element, Side, merge, range};
use crate::quorum::{gather, gather_key};
use crate::replica::{self, check_kind};
use crate::version::{Kind, Version};

use super::as_ack;

impl Inner {
    /// Pushes one element on `side`.
    pub(crate) async fn push(&self, key: &[u8], side: Side, value: &[u8]) -> Result<()> {
        let need = self.config.write_quorum();
        let tag = self.tags.next();
        let version = Arc::new(Version {
            kind: Kind::List,
            tag: tag.clone(),
        });
        let add: Arc<[Element]> = Arc::new([Element {
            side,
            tag,
            payload: value.to_vec(),
        }]);
        let k: Arc<[u8]> = key.into();
        let w = gather(&self.nodes, need, |n| {
            let (k, add, version) = (k.clone(), add.clone(), version.clone());
            async move {
                let r = replica::merge_list(&n, &k, &add, &version).await;
                as_ack(&n, r)
            }
        })
        .await;
        if w.reached(need) {
            Ok(())
        } else {
            let what = match side {
                Side::Left => "LPUSH",
                Side::Right => "RPUSH",
            };
            Err(w.error(what, need, true, &self.nodes))
        }
    }

    /// The payloads of `LRANGE start stop` over the merged list.
    pub(crate) async fn lrange(&self, key: &[u8], start: i64, stop: i64) -> Result<Vec<Vec<u8>>> {
        let need = self.config.read_quorum();
        let g = gather_key(&self.nodes, key, need, |n, k| async move {
            replica::read_list(&n, &k).await
        })
        .await;
        if !g.reached(need) {
            return Err(g.error("LRANGE", need, false, &self.nodes));
        }
        let merged = merge(g.ok.iter().map(|(_, s)| s.elements.as_slice()));
        let version = g.ok.iter().filter_map(|(_, s)| s.version.clone()).max();
        check_kind(version.as_ref(), Kind::List, key)?;
        let out = range(&merged, start, stop)
            .iter()
            .map(|e| e.payload.clone())
            .collect();
        self.repair_lists(key, merged, version, g).await;
        Ok(out)
    }
}
