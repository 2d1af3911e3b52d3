//! `CLIENT SETNAME | GETNAME | SETINFO | ID | INFO`: the connection's own
//! identity. Each changes or reads only the session.

use bytes::Bytes;

use super::parse::{Parse, text};
use crate::frame::Reply;
use crate::session::Session;

/// A parsed `CLIENT` subcommand.
#[derive(Debug)]
pub(crate) enum Client {
    /// `CLIENT SETNAME name`; an empty name clears it.
    SetName(Bytes),
    /// `CLIENT GETNAME`
    GetName,
    /// `CLIENT SETINFO LIB-NAME|LIB-VER value`
    SetInfo(LibAttr, Bytes),
    /// `CLIENT ID`
    Id,
    /// `CLIENT INFO`: a subset of Redis' fields.
    Info,
}

/// Which library attribute `CLIENT SETINFO` sets.
#[derive(Debug, Clone, Copy)]
pub(crate) enum LibAttr {
    /// `LIB-NAME`
    Name,
    /// `LIB-VER`
    Version,
}

impl Client {
    /// Parse `CLIENT SETNAME name`, validating the name like Redis.
    pub(crate) fn parse_setname(parse: &mut Parse) -> Result<Client, Reply> {
        let name = parse.next_bytes()?;
        validate_name(&name)?;
        Ok(Client::SetName(name))
    }

    /// Parse `CLIENT SETINFO attr value`.
    pub(crate) fn parse_setinfo(parse: &mut Parse) -> Result<Client, Reply> {
        let attr_given = parse.next_bytes()?;
        let value = parse.next_bytes()?;
        let attr = if attr_given.eq_ignore_ascii_case(b"lib-name") {
            LibAttr::Name
        } else if attr_given.eq_ignore_ascii_case(b"lib-ver") {
            LibAttr::Version
        } else {
            return Err(Reply::error(format!(
                "ERR Unrecognized option '{}'",
                text(&attr_given)
            )));
        };
        if !is_printable(&value) {
            return Err(Reply::error(format!(
                "ERR {} cannot contain spaces, newlines or special characters.",
                text(&attr_given)
            )));
        }
        Ok(Client::SetInfo(attr, value))
    }

    /// Apply and reply.
    pub(crate) fn apply(self, session: &mut Session) -> Reply {
        match self {
            Client::SetName(name) => {
                session.name = Some(name).filter(|name| !name.is_empty());
                Reply::ok()
            }
            Client::GetName => session.name.clone().map_or(Reply::Null, Reply::Bulk),
            Client::SetInfo(attr, value) => {
                let value = Some(value).filter(|value| !value.is_empty());
                match attr {
                    LibAttr::Name => session.lib_name = value,
                    LibAttr::Version => session.lib_ver = value,
                }
                Reply::ok()
            }
            Client::Id => Reply::Integer(i64::try_from(session.id).unwrap_or(i64::MAX)),
            Client::Info => Reply::Verbatim(Bytes::from(info_line(session))),
        }
    }
}

/// Redis' `validateClientName`: every byte between `!` and `~`.
pub(crate) fn validate_name(name: &[u8]) -> Result<(), Reply> {
    if is_printable(name) {
        Ok(())
    } else {
        Err(Reply::error(
            "ERR Client names cannot contain spaces, newlines or special characters.",
        ))
    }
}

/// Every byte is a visible ASCII character (no spaces, no control bytes).
fn is_printable(bytes: &[u8]) -> bool {
    bytes.iter().all(|byte| (b'!'..=b'~').contains(byte))
}

/// One `CLIENT INFO` line with the fields fake-redis knows.
fn info_line(session: &Session) -> String {
    let field = |value: &Option<Bytes>| value.as_deref().map(text).unwrap_or_default();
    let multi = session
        .transaction
        .as_ref()
        .map_or(-1, |tx| i64::try_from(tx.queued.len()).unwrap_or(i64::MAX));
    format!(
        "id={} name={} db=0 multi={} resp={} lib-name={} lib-ver={}\n",
        session.id,
        field(&session.name),
        multi,
        session.protocol.version(),
        field(&session.lib_name),
        field(&session.lib_ver),
    )
}
