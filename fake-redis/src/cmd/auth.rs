//! `AUTH [username] password`: authenticate the connection.
//!
//! fake-redis has Redis' `default` user only. Without a configured password
//! it is Redis' `nopass` default user: `AUTH default <anything>` succeeds and
//! the one-argument form is Redis' "no password configured" error. With a
//! password, the connection must authenticate before anything but `AUTH`
//! and `HELLO` (see `cmd::execute`).

use bytes::Bytes;

use super::Env;
use super::parse::{Parse, syntax_error};
use crate::frame::Reply;
use crate::session::Session;

/// A parsed `AUTH`.
#[derive(Debug)]
pub(crate) struct Auth {
    /// `None` for the one-argument form.
    user: Option<Bytes>,
    password: Bytes,
}

impl Auth {
    /// Parse: one or two arguments; more is a syntax error.
    pub(crate) fn parse(parse: &mut Parse) -> Result<Auth, Reply> {
        let rest = parse.rest();
        match rest.as_slice() {
            [password] => Ok(Auth {
                user: None,
                password: password.clone(),
            }),
            [user, password] => Ok(Auth {
                user: Some(user.clone()),
                password: password.clone(),
            }),
            _ => Err(syntax_error()),
        }
    }

    /// Apply and reply: `+OK`, or Redis' errors. A failed `AUTH` leaves an
    /// authenticated connection authenticated, as in Redis.
    pub(crate) fn apply(self, session: &mut Session, env: Env<'_>) -> Reply {
        if self.user.is_none() && env.settings.password.is_none() {
            return Reply::error(
                "ERR AUTH <password> called without any password configured for the default user. \
                 Are you sure your configuration is correct?",
            );
        }
        let user = self.user.as_deref().unwrap_or(b"default");
        match check_credentials(env, user, &self.password) {
            Ok(()) => {
                session.authenticated = true;
                Reply::ok()
            }
            Err(reply) => reply,
        }
    }
}

/// Checks a user and password against the `default` user, as `AUTH` and
/// `HELLO ... AUTH` do.
pub(crate) fn check_credentials(env: Env<'_>, user: &[u8], password: &[u8]) -> Result<(), Reply> {
    let valid = user == b"default"
        && env
            .settings
            .password
            .as_deref()
            .is_none_or(|expected| expected == password);
    if valid {
        Ok(())
    } else {
        Err(Reply::error(
            "WRONGPASS invalid username-password pair or user is disabled.",
        ))
    }
}
