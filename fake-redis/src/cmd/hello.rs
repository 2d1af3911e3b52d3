//! `HELLO [protover [AUTH username password] [SETNAME name]]`: switch the
//! protocol version and describe the server, like Redis 7.
//!
//! The reply is a map; after `HELLO 3` it is encoded as a RESP3 map, after
//! `HELLO 2` (or with no version) as a flat RESP2 array.

use bytes::Bytes;

use super::Env;
use super::auth::check_credentials;
use super::client::validate_name;
use super::parse::{Parse, parse_i64, text};
use crate::connection::Protocol;
use crate::frame::Reply;
use crate::session::Session;

/// The Redis version fake-redis reports.
pub(crate) const REDIS_VERSION: &str = "7.2.4";

/// A parsed `HELLO`.
#[derive(Debug)]
pub(crate) struct Hello {
    protocol: Option<Protocol>,
    auth: Option<(Bytes, Bytes)>,
    setname: Option<Bytes>,
}

impl Hello {
    /// Parse, in Redis' order: the version first, then the options.
    pub(crate) fn parse(parse: &mut Parse) -> Result<Hello, Reply> {
        let protocol = match parse.next_optional() {
            None => None,
            Some(version) => Some(match parse_i64(&version) {
                None => {
                    return Err(Reply::error(
                        "ERR Protocol version is not an integer or out of range",
                    ));
                }
                Some(2) => Protocol::Resp2,
                Some(3) => Protocol::Resp3,
                Some(_) => return Err(Reply::error("NOPROTO unsupported protocol version")),
            }),
        };
        let mut hello = Hello {
            protocol,
            auth: None,
            setname: None,
        };
        let options = parse.rest();
        let mut i = 0;
        while let Some(option) = options.get(i) {
            let more = options.len() - i - 1;
            if option.eq_ignore_ascii_case(b"AUTH") && more >= 2 {
                hello.auth = Some((options[i + 1].clone(), options[i + 2].clone()));
                i += 3;
            } else if option.eq_ignore_ascii_case(b"SETNAME") && more >= 1 {
                validate_name(&options[i + 1])?;
                hello.setname = Some(options[i + 1].clone());
                i += 2;
            } else {
                return Err(Reply::error(format!(
                    "ERR Syntax error in HELLO option '{}'",
                    text(option)
                )));
            }
        }
        Ok(hello)
    }

    /// Apply, in Redis' order: check the credentials if given, refuse an
    /// unauthenticated connection, then set the name and the protocol.
    /// Reply: the server description.
    pub(crate) fn apply(self, session: &mut Session, env: Env<'_>) -> Reply {
        if let Some((user, password)) = &self.auth {
            if let Err(reply) = check_credentials(env, user, password) {
                return reply;
            }
            session.authenticated = true;
        }
        if !session.authenticated {
            return Reply::error(
                "NOAUTH HELLO must be called with the client already authenticated, otherwise the \
                 HELLO AUTH <user> <pass> option can be used to authenticate the client and select \
                 the RESP protocol version at the same time",
            );
        }
        if let Some(name) = self.setname {
            session.name = Some(name).filter(|name| !name.is_empty());
        }
        if let Some(protocol) = self.protocol {
            session.protocol = protocol;
        }
        let field = |name: &'static str| Reply::bulk(name);
        Reply::Map(vec![
            (field("server"), Reply::bulk("redis")),
            (field("version"), Reply::bulk(REDIS_VERSION)),
            (field("proto"), Reply::Integer(session.protocol.version())),
            (
                field("id"),
                Reply::Integer(i64::try_from(session.id).unwrap_or(i64::MAX)),
            ),
            (field("mode"), Reply::bulk("standalone")),
            (field("role"), Reply::bulk("master")),
            (field("modules"), Reply::Array(Vec::new())),
        ])
    }
}
