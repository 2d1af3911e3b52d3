//! `INFO [section ...]`: the `server` and `keyspace` sections.
//!
//! Redis has many more sections; fake-redis answers only these two (other
//! section names, like unknown ones in Redis, add nothing). The text uses
//! Redis' layout: `# Section` headers, `field:value` lines ending in CRLF,
//! a blank line between sections. After `HELLO 3` it is a verbatim string,
//! as in Redis.

use bytes::Bytes;

use super::{Env, REDIS_VERSION};
use crate::db::Keyspace;
use crate::frame::Reply;

/// Which sections were asked for.
#[derive(Debug)]
pub(crate) struct Info {
    server: bool,
    keyspace: bool,
}

impl Info {
    /// Parse: section names, any case; none (or `default`, `all`,
    /// `everything`) means both.
    pub(crate) fn parse(parse: &mut super::Parse) -> Result<Info, Reply> {
        let sections = parse.rest();
        if sections.is_empty() {
            return Ok(Info {
                server: true,
                keyspace: true,
            });
        }
        let asked = |name: &str| {
            sections
                .iter()
                .any(|s| s.eq_ignore_ascii_case(name.as_bytes()))
        };
        let all = asked("default") || asked("all") || asked("everything");
        Ok(Info {
            server: all || asked("server"),
            keyspace: all || asked("keyspace"),
        })
    }

    /// Apply and reply: the text.
    pub(crate) fn apply(self, keyspace: &Keyspace, env: Env<'_>) -> Reply {
        let mut sections = Vec::new();
        if self.server {
            let uptime = keyspace.now().as_secs();
            let settings = env.settings;
            sections.push(format!(
                "# Server\r\n\
                 redis_version:{REDIS_VERSION}\r\n\
                 redis_mode:standalone\r\n\
                 os:fake-redis\r\n\
                 arch_bits:64\r\n\
                 run_id:{}\r\n\
                 tcp_port:{}\r\n\
                 uptime_in_seconds:{uptime}\r\n\
                 uptime_in_days:{}\r\n\
                 hz:10\r\n\
                 configured_hz:10\r\n",
                settings.run_id,
                settings.cluster.port,
                uptime / 86_400,
            ));
        }
        if self.keyspace {
            let mut section = "# Keyspace\r\n".to_string();
            if keyspace.len() > 0 {
                section.push_str(&format!(
                    "db0:keys={},expires={},avg_ttl=0\r\n",
                    keyspace.len(),
                    keyspace.expiring()
                ));
            }
            sections.push(section);
        }
        Reply::Verbatim(Bytes::from(sections.join("\r\n")))
    }
}
