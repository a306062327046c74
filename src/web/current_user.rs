//! Who is logged in, as stored in the server-side session.

use poem::{session::Session, FromRequest, Request, RequestBody};
use serde::{Deserialize, Serialize};

/// Session key under which the logged-in user is stored.
pub const SESSION_USER_KEY: &str = "user";

/// The logged-in user as the session remembers them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: i32,
    pub username: String,
}

/// The logged-in user, if any. Never fails: a request without a session is anonymous.
#[derive(Debug, Clone, Default)]
pub struct CurrentUser(pub Option<SessionUser>);

impl CurrentUser {
    pub fn from_request_parts(req: &Request) -> CurrentUser {
        CurrentUser(
            req.extensions()
                .get::<Session>()
                .and_then(|session| session.get::<SessionUser>(SESSION_USER_KEY)),
        )
    }
}

impl<'a> FromRequest<'a> for CurrentUser {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(CurrentUser::from_request_parts(req))
    }
}
