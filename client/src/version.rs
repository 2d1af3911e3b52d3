//! Version tags: the order in which writes win.
//!
//! Every data key `k` has a companion `anarcho_version:k` holding the tag of
//! the write that produced the replica's state, as `KIND:COUNTER:CLIENT`:
//! - `KIND` is `r` (register), `c` (counter) or `l` (list), so the healer
//!   knows how to merge a key it finds by SCAN;
//! - `COUNTER` is zero-padded to 20 digits, so comparing two encoded tags of
//!   the same kind as strings orders them exactly as `(counter, client)`;
//! - `CLIENT` is the writing client's name (no `:` allowed).
//!
//! Tags come from a hybrid logical clock ([`TagClock`]): a Lamport counter
//! that is also pushed up to the injected [`Clock`]'s microseconds, so that
//! writes by different clients, one after the other in real time, are
//! ordered as they happened. Linearizable mode does not rely on the clock:
//! ABD reads the highest tag from a majority and writes `max + 1`.

use std::fmt;
use std::sync::Arc;
use std::sync::Mutex;

/// The prefix of every version key.
pub const VERSION_PREFIX: &str = "anarcho_version:";

/// The version key of data key `key`.
pub fn version_key(key: &[u8]) -> Vec<u8> {
    let mut k = VERSION_PREFIX.as_bytes().to_vec();
    k.extend_from_slice(key);
    k
}

/// The data key of a version key, if it is one.
pub fn data_key(version_key: &[u8]) -> Option<&[u8]> {
    version_key.strip_prefix(VERSION_PREFIX.as_bytes())
}

/// What kind of value a key holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A last-writer-wins register (a Redis string, or absent for a delete).
    Register,
    /// A PN-counter: a Redis hash of per-client slots.
    Counter,
    /// A merge-able list: a Redis list of tagged elements.
    List,
}

impl Kind {
    fn letter(self) -> char {
        match self {
            Kind::Register => 'r',
            Kind::Counter => 'c',
            Kind::List => 'l',
        }
    }

    fn from_letter(c: &str) -> Option<Kind> {
        match c {
            "r" => Some(Kind::Register),
            "c" => Some(Kind::Counter),
            "l" => Some(Kind::List),
            _ => None,
        }
    }
}

/// A write's tag: ordered by counter, then client name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tag {
    /// The logical time.
    pub counter: u64,
    /// The writer's name; breaks ties.
    pub client: Arc<str>,
}

impl Tag {
    /// The tag as stored inside list elements: `COUNTER:CLIENT`.
    pub(crate) fn encode(&self) -> String {
        let mut out = String::with_capacity(21 + self.client.len());
        self.encode_into(&mut out);
        out
    }

    /// Appends [`Tag::encode`]'s text to `out` (this runs for every write).
    fn encode_into(&self, out: &mut String) {
        let mut buffer = itoa::Buffer::new();
        let digits = buffer.format(self.counter);
        for _ in digits.len()..20 {
            out.push('0');
        }
        out.push_str(digits);
        out.push(':');
        out.push_str(&self.client);
    }

    /// Parses `COUNTER:CLIENT`.
    pub(crate) fn decode(s: &str) -> Option<Tag> {
        let (counter, client) = s.split_once(':')?;
        if counter.len() != 20 || client.is_empty() {
            return None;
        }
        Some(Tag {
            counter: counter.parse().ok()?,
            client: client.into(),
        })
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}, {})", self.counter, self.client)
    }
}

/// A stored version: the kind of the key and the tag of its last write.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// The key's kind.
    pub kind: Kind,
    /// The tag.
    pub tag: Tag,
}

impl Version {
    /// `KIND:COUNTER:CLIENT`, as stored in the version key.
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(23 + self.tag.client.len());
        out.push(self.kind.letter());
        out.push(':');
        self.tag.encode_into(&mut out);
        out
    }

    /// Parses a stored version.
    pub fn decode(bytes: &[u8]) -> Option<Version> {
        let s = std::str::from_utf8(bytes).ok()?;
        let (kind, tag) = s.split_once(':')?;
        Some(Version {
            kind: Kind::from_letter(kind)?,
            tag: Tag::decode(tag)?,
        })
    }
}

/// A source of wall-clock microseconds for tags. The simulator injects its
/// simulated clock; production uses [`SystemClock`].
pub trait Clock: Send + Sync {
    /// Microseconds since the UNIX epoch (or any shared origin).
    fn now_micros(&self) -> u64;
}

/// The host's wall clock. Never used inside simulations, which inject their
/// own [`Clock`].
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_micros(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_micros() as u64)
            .unwrap_or_default()
    }
}

/// A hybrid logical clock issuing this client's tags.
pub(crate) struct TagClock {
    client: Arc<str>,
    clock: Arc<dyn Clock>,
    lamport: Mutex<u64>,
}

impl TagClock {
    pub(crate) fn new(client: Arc<str>, clock: Arc<dyn Clock>) -> Self {
        TagClock {
            client,
            clock,
            lamport: Mutex::new(0),
        }
    }

    /// A fresh tag, greater than every tag issued or observed so far.
    pub(crate) fn next(&self) -> Tag {
        let mut l = self.lamport.lock().unwrap_or_else(|e| e.into_inner());
        *l = (*l + 1).max(self.clock.now_micros());
        Tag {
            counter: *l,
            client: self.client.clone(),
        }
    }

    /// A tag above `seen` (ABD's `max + 1`) that this client has never
    /// issued: two writes of one client that saw the same maximum (say two
    /// of its tasks writing at once) must not share a tag, or replicas
    /// holding different values would each count the other as current.
    pub(crate) fn after(&self, seen: Option<&Tag>) -> Tag {
        let mut l = self.lamport.lock().unwrap_or_else(|e| e.into_inner());
        *l = (*l + 1).max(seen.map_or(0, |t| t.counter) + 1);
        Tag {
            counter: *l,
            client: self.client.clone(),
        }
    }

    /// Moves the Lamport counter past a tag seen on a replica.
    pub(crate) fn observe(&self, counter: u64) {
        let mut l = self.lamport.lock().unwrap_or_else(|e| e.into_inner());
        *l = (*l).max(counter);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(counter: u64, client: &str) -> Tag {
        Tag {
            counter,
            client: client.into(),
        }
    }

    #[test]
    fn encoded_tags_sort_as_strings_exactly_as_they_sort_as_tags() {
        let tags = [tag(9, "b"), tag(10, "a"), tag(10, "b"), tag(100, "a")];
        for w in tags.windows(2) {
            assert!(w[0] < w[1]);
            assert!(
                w[0].encode() < w[1].encode(),
                "{} {}",
                w[0].encode(),
                w[1].encode()
            );
        }
    }

    #[test]
    fn versions_encode_as_kind_zero_padded_counter_and_client() {
        for counter in [0, 7, 1_700_000_000_005_000, u64::MAX] {
            let v = Version {
                kind: Kind::Register,
                tag: tag(counter, "client-2"),
            };
            assert_eq!(v.encode(), format!("r:{counter:020}:client-2"));
            assert_eq!(Version::decode(v.encode().as_bytes()), Some(v));
        }
        assert_eq!(
            tag(12, "c").encode(),
            "00000000000000000012:c",
            "the stored text never changes shape"
        );
    }

    #[test]
    fn versions_round_trip_and_garbage_is_rejected() {
        let v = Version {
            kind: Kind::List,
            tag: tag(42, "client-1"),
        };
        assert_eq!(Version::decode(v.encode().as_bytes()), Some(v));
        assert_eq!(Version::decode(b"r:42:c"), None);
        assert_eq!(Version::decode(b"x:00000000000000000042:c"), None);
    }

    struct Fixed(u64);
    impl Clock for Fixed {
        fn now_micros(&self) -> u64 {
            self.0
        }
    }

    #[test]
    fn tags_increase_and_follow_observed_tags() {
        let c = TagClock::new("me".into(), Arc::new(Fixed(5)));
        let a = c.next();
        assert_eq!(a.counter, 5);
        assert_eq!(c.next().counter, 6);
        c.observe(100);
        assert_eq!(c.next().counter, 101);
        assert_eq!(c.after(Some(&tag(500, "x"))).counter, 501);
        assert_eq!(c.next().counter, 502);
    }

    #[test]
    fn two_writes_after_the_same_maximum_get_distinct_tags() {
        let c = TagClock::new("me".into(), Arc::new(Fixed(0)));
        let seen = tag(41, "other");
        let (a, b) = (c.after(Some(&seen)), c.after(Some(&seen)));
        assert_eq!(a.counter, 42);
        assert!(
            b > a,
            "a second write seeing the same maximum gets a newer tag"
        );
    }
}
