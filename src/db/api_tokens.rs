//! Queries on `api_tokens`: personal API tokens, stored as their SHA-256 (see
//! `accounts::api_tokens`).

use diesel::prelude::*;

use super::schema::api_tokens;

/// A token as its owner's page lists it (never the secret, which is not stored).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct ApiTokenRow {
    pub id: i32,
    pub user_id: i32,
    pub name: String,
    pub hint: String,
    /// Unix seconds.
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl ApiTokenRow {
    pub fn is_active(&self) -> bool {
        self.revoked_at.is_none()
    }
}

/// Stores a new token. `form_once` is the id of the form that created it (unique per
/// user, see `form_used`).
pub fn insert(
    conn: &mut crate::db::DbConnection,
    user_id: i32,
    name: &str,
    token_hash: &str,
    hint: &str,
    now: i64,
    form_once: Option<&str>,
) -> QueryResult<ApiTokenRow> {
    crate::db::with_backend!(conn, conn => {
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::user_id.eq(user_id),
            api_tokens::name.eq(name),
            api_tokens::token_hash.eq(token_hash),
            api_tokens::hint.eq(hint),
            api_tokens::created_at.eq(now),
            api_tokens::form_once.eq(form_once),
        ))
        .returning(ApiTokenRow::as_returning())
        .get_result(conn)
    })
}

/// A user's tokens, newest first, revoked ones included.
pub fn for_user(conn: &mut crate::db::DbConnection, user_id: i32) -> QueryResult<Vec<ApiTokenRow>> {
    crate::db::with_backend!(conn, conn => {
    api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .order((api_tokens::created_at.desc(), api_tokens::id.desc()))
        .select(ApiTokenRow::as_select())
        .load(conn)
    })
}

/// Whether the form with this id has created one of the user's tokens already: a form
/// sent twice, possibly at once (the session's own check saw neither, and two tokens
/// were made).
pub fn form_used(
    conn: &mut crate::db::DbConnection,
    user_id: i32,
    form_once: &str,
) -> QueryResult<bool> {
    crate::db::with_backend!(conn, conn => {
    diesel::select(diesel::dsl::exists(
        api_tokens::table
            .filter(api_tokens::user_id.eq(user_id))
            .filter(api_tokens::form_once.eq(form_once)),
    ))
    .get_result(conn)
    })
}

/// How many tokens a user has that are not revoked.
pub fn count_active(conn: &mut crate::db::DbConnection, user_id: i32) -> QueryResult<i64> {
    crate::db::with_backend!(conn, conn => {
    api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .filter(api_tokens::revoked_at.is_null())
        .count()
        .get_result(conn)
    })
}

/// The token with this hash, revoked or not.
pub fn by_hash(
    conn: &mut crate::db::DbConnection,
    token_hash: &str,
) -> QueryResult<Option<ApiTokenRow>> {
    crate::db::with_backend!(conn, conn => {
    api_tokens::table
        .filter(api_tokens::token_hash.eq(token_hash))
        .select(ApiTokenRow::as_select())
        .first(conn)
        .optional()
    })
}

/// Revokes one of the user's own tokens; `false` if the user has no such active token
/// (another user's token id changes nothing). One transaction with the pruning of old
/// revoked tokens, so two revocations at once each prune against the other's result.
pub fn revoke(
    conn: &mut crate::db::DbConnection,
    user_id: i32,
    id: i32,
    now: i64,
) -> QueryResult<bool> {
    super::user_write_transaction(conn, |conn| {
        crate::db::with_backend!(conn, conn => {
        let changed = diesel::update(
            api_tokens::table
                .filter(api_tokens::id.eq(id))
                .filter(api_tokens::user_id.eq(user_id))
                .filter(api_tokens::revoked_at.is_null()),
        )
        .set(api_tokens::revoked_at.eq(now))
        .execute(conn)?;
        if changed > 0 {
            // Only the newest revoked tokens stay listed: create-and-revoke without end
            // grew the page and the table by a row each time (600 rows after 30 rounds).
            let kept: Vec<i32> = api_tokens::table
                .filter(api_tokens::user_id.eq(user_id))
                .filter(api_tokens::revoked_at.is_not_null())
                .order((api_tokens::revoked_at.desc(), api_tokens::id.desc()))
                .limit(REVOKED_KEPT)
                .select(api_tokens::id)
                .load(conn)?;
            diesel::delete(
                api_tokens::table
                    .filter(api_tokens::user_id.eq(user_id))
                    .filter(api_tokens::revoked_at.is_not_null())
                    .filter(api_tokens::id.ne_all(kept)),
            )
            .execute(conn)?;
        }
        Ok(changed > 0)
        })
    })
}

/// Revoked tokens a user's page keeps listing (the newest ones); older ones are deleted.
pub const REVOKED_KEPT: i64 = 20;

/// Records a use of the token. Callers skip it when the stored time is recent, so a
/// busy token costs one write a minute, not one per request.
pub fn touch(conn: &mut crate::db::DbConnection, id: i32, now: i64) -> QueryResult<()> {
    crate::db::with_backend!(conn, conn => {
    diesel::update(api_tokens::table.filter(api_tokens::id.eq(id)))
        .set(api_tokens::last_used_at.eq(now))
        .execute(conn)?;
    Ok(())
    })
}
