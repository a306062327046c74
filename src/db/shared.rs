//! State that several servers over one database share: the log-in throttle's attempts
//! (`accounts::throttle::SharedStore` counts through these) and named settings the
//! servers must agree on (the secret key's fingerprint).

use diesel::prelude::*;

use super::schema::{server_settings, throttle_attempts};
use super::DbConnection;

/// The value of a named setting.
pub fn setting(conn: &mut DbConnection, name: &str) -> QueryResult<Option<String>> {
    super::with_backend!(conn, c => server_settings::table
        .find(name)
        .select(server_settings::value)
        .first(c)
        .optional())
}

/// Stores `value` under `name` unless a value is there already; returns the stored one
/// (the first server's, when several start at once).
pub fn setting_or_insert(conn: &mut DbConnection, name: &str, value: &str) -> QueryResult<String> {
    super::with_backend!(conn, c => {
        diesel::insert_into(server_settings::table)
            .values((server_settings::name.eq(name), server_settings::value.eq(value)))
            .on_conflict_do_nothing()
            .execute(c)?;
        server_settings::table
            .find(name)
            .select(server_settings::value)
            .first(c)
    })
}

/// Replaces a named setting.
pub fn set_setting(conn: &mut DbConnection, name: &str, value: &str) -> QueryResult<()> {
    super::with_backend!(conn, c => {
        diesel::delete(server_settings::table.find(name)).execute(c)?;
        diesel::insert_into(server_settings::table)
            .values((server_settings::name.eq(name), server_settings::value.eq(value)))
            .execute(c)?;
        Ok(())
    })
}

/// The times (ms since the epoch) of the attempts under a throttle scope and key,
/// oldest first.
pub fn attempts(conn: &mut DbConnection, scope: i32, key: &str) -> QueryResult<Vec<i64>> {
    super::with_backend!(conn, c => throttle_attempts::table
        .filter(throttle_attempts::scope.eq(scope))
        .filter(throttle_attempts::key.eq(key))
        .order((throttle_attempts::at_ms, throttle_attempts::id))
        .select(throttle_attempts::at_ms)
        .load(c))
}

/// Adds an attempt, then forgets the key's attempts older than `window_ms` before it
/// and all but the newest `keep`.
pub fn push_attempt(
    conn: &mut DbConnection,
    scope: i32,
    key: &str,
    at_ms: i64,
    keep: usize,
    window_ms: i64,
) -> QueryResult<()> {
    super::with_backend!(conn, c => {
        diesel::insert_into(throttle_attempts::table)
            .values((
                throttle_attempts::scope.eq(scope),
                throttle_attempts::key.eq(key),
                throttle_attempts::at_ms.eq(at_ms),
            ))
            .execute(c)?;
        let of_key = throttle_attempts::scope.eq(scope).and(throttle_attempts::key.eq(key));
        diesel::delete(
            throttle_attempts::table
                .filter(of_key)
                .filter(throttle_attempts::at_ms.le(at_ms.saturating_sub(window_ms))),
        )
        .execute(c)?;
        let newest: Vec<i32> = throttle_attempts::table
            .filter(of_key)
            .order((throttle_attempts::at_ms.desc(), throttle_attempts::id.desc()))
            .select(throttle_attempts::id)
            .limit(keep as i64)
            .load(c)?;
        diesel::delete(
            throttle_attempts::table
                .filter(of_key)
                .filter(throttle_attempts::id.ne_all(newest)),
        )
        .execute(c)?;
        Ok(())
    })
}

/// Removes one attempt at `at_ms` under the key, if there is one.
pub fn take_back_attempt(
    conn: &mut DbConnection,
    scope: i32,
    key: &str,
    at_ms: i64,
) -> QueryResult<()> {
    super::with_backend!(conn, c => {
        let one: Option<i32> = throttle_attempts::table
            .filter(throttle_attempts::scope.eq(scope))
            .filter(throttle_attempts::key.eq(key))
            .filter(throttle_attempts::at_ms.eq(at_ms))
            .select(throttle_attempts::id)
            .first(c)
            .optional()?;
        if let Some(id) = one {
            diesel::delete(throttle_attempts::table.find(id)).execute(c)?;
        }
        Ok(())
    })
}

/// Forgets every attempt under the key.
pub fn clear_attempts(conn: &mut DbConnection, scope: i32, key: &str) -> QueryResult<()> {
    super::with_backend!(conn, c => {
        diesel::delete(
            throttle_attempts::table
                .filter(throttle_attempts::scope.eq(scope))
                .filter(throttle_attempts::key.eq(key)),
        )
        .execute(c)?;
        Ok(())
    })
}

/// Forgets attempts older than `before_ms` in every scope (the sweep).
pub fn delete_attempts_before(conn: &mut DbConnection, before_ms: i64) -> QueryResult<usize> {
    super::with_backend!(conn, c => diesel::delete(
        throttle_attempts::table.filter(throttle_attempts::at_ms.lt(before_ms))
    )
    .execute(c))
}
