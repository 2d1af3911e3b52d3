//! `CLUSTER SLOTS | KEYSLOT | MYID`: just enough of a cluster node for
//! cluster clients to set up.
//!
//! fake-redis answers as the single node serving one configurable slot
//! range (`ServerConfig::cluster`), in Redis 7's shape: each range is
//! `[first, last, [host, port, node-id, {metadata}]]`. Cluster clients call
//! this while connecting, and `READONLY` after it; see `readonly.rs`.

use bytes::Bytes;

use super::{Env, Parse};
use crate::frame::Reply;

/// A parsed `CLUSTER` subcommand.
#[derive(Debug)]
pub(crate) enum Cluster {
    /// `CLUSTER SLOTS`
    Slots,
    /// `CLUSTER KEYSLOT key`
    KeySlot(Bytes),
    /// `CLUSTER MYID`
    MyId,
}

impl Cluster {
    /// Parse `CLUSTER KEYSLOT key`.
    pub(crate) fn parse_keyslot(parse: &mut Parse) -> Result<Cluster, Reply> {
        Ok(Cluster::KeySlot(parse.next_bytes()?))
    }

    /// Apply and reply.
    pub(crate) fn apply(self, env: Env<'_>) -> Reply {
        let cluster = &env.settings.cluster;
        match self {
            Cluster::Slots => Reply::Array(vec![Reply::Array(vec![
                Reply::Integer(i64::from(cluster.first_slot)),
                Reply::Integer(i64::from(cluster.last_slot)),
                Reply::Array(vec![
                    Reply::bulk(cluster.host.clone()),
                    Reply::Integer(i64::from(cluster.port)),
                    Reply::bulk(env.settings.node_id.clone()),
                    Reply::Map(Vec::new()),
                ]),
            ])]),
            Cluster::KeySlot(key) => Reply::Integer(i64::from(redis_protocol::redis_keyslot(&key))),
            Cluster::MyId => Reply::bulk(env.settings.node_id.clone()),
        }
    }
}
