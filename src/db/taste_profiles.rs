//! Queries on `taste_profiles`: a user's saved slider settings (`MatchSettings` as JSON).
//!
//! Each user has at most one *current* row (`is_current`, restored on their next visit)
//! and any number of *named* profiles. The current row is stored under the empty name,
//! which no named profile can have (names are 1..60 characters after trimming), so the
//! `UNIQUE (user_id, name)` constraint makes "at most one current row" hold without a
//! second index and lets saving it be one upsert. Every query filters by `user_id`:
//! another user's profile is indistinguishable from one that does not exist.

use diesel::{
    prelude::*,
    result::{DatabaseErrorKind, Error as DieselError},
};

use super::schema::taste_profiles;

/// The name the current-settings row is stored under.
const CURRENT_NAME: &str = "";

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = taste_profiles)]
pub struct ProfileRow {
    pub id: i32,
    pub user_id: i32,
    pub name: String,
    /// `MatchSettings` as JSON.
    pub settings: String,
    pub is_current: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileWriteError {
    #[error("the name is taken")]
    NameTaken,
    /// The user already has the most named profiles allowed (`insert_named`'s `max`).
    #[error("too many profiles")]
    TooMany,
    #[error(transparent)]
    Database(#[from] DieselError),
}

fn name_taken(error: DieselError) -> ProfileWriteError {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            ProfileWriteError::NameTaken
        }
        other => ProfileWriteError::Database(other),
    }
}

/// The user's current settings (JSON), if they have saved any.
pub fn current(conn: &mut crate::db::DbConnection, user_id: i32) -> QueryResult<Option<String>> {
    crate::db::with_backend!(conn, conn => {
    taste_profiles::table
        .filter(taste_profiles::user_id.eq(user_id))
        .filter(taste_profiles::is_current.eq(true))
        .select(taste_profiles::settings)
        .first(conn)
        .optional()
    })
}

/// Saves the user's current settings, replacing the previous ones (one upsert).
pub fn save_current(
    conn: &mut crate::db::DbConnection,
    user_id: i32,
    settings: &str,
    now: i64,
) -> QueryResult<()> {
    crate::db::with_backend!(conn, conn => {
    diesel::insert_into(taste_profiles::table)
        .values((
            taste_profiles::user_id.eq(user_id),
            taste_profiles::name.eq(CURRENT_NAME),
            taste_profiles::settings.eq(settings),
            taste_profiles::is_current.eq(true),
            taste_profiles::created_at.eq(now),
            taste_profiles::updated_at.eq(now),
        ))
        .on_conflict((taste_profiles::user_id, taste_profiles::name))
        .do_update()
        .set((
            taste_profiles::settings.eq(settings),
            taste_profiles::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
    })
}

/// The user's named profiles, by name.
pub fn list(conn: &mut crate::db::DbConnection, user_id: i32) -> QueryResult<Vec<ProfileRow>> {
    crate::db::with_backend!(conn, conn => {
    taste_profiles::table
        .filter(taste_profiles::user_id.eq(user_id))
        .filter(taste_profiles::is_current.eq(false))
        .order((taste_profiles::name.asc(), taste_profiles::id.asc()))
        .select(ProfileRow::as_select())
        .load(conn)
    })
}

/// One of the user's named profiles; `None` if it does not exist or is someone else's.
pub fn find(
    conn: &mut crate::db::DbConnection,
    user_id: i32,
    id: i32,
) -> QueryResult<Option<ProfileRow>> {
    crate::db::with_backend!(conn, conn => {
    taste_profiles::table
        .filter(taste_profiles::id.eq(id))
        .filter(taste_profiles::user_id.eq(user_id))
        .filter(taste_profiles::is_current.eq(false))
        .select(ProfileRow::as_select())
        .first(conn)
        .optional()
    })
}

/// Saves a new named profile. A name the user already has is `NameTaken` (decided by
/// the unique index, so two racing saves cannot both win); a user who already has `max`
/// named profiles gets `TooMany` (counted in the same users' write transaction as the
/// insert, so two racing saves cannot both pass the count).
pub fn insert_named(
    conn: &mut crate::db::DbConnection,
    user_id: i32,
    name: &str,
    settings: &str,
    now: i64,
    max: usize,
) -> Result<ProfileRow, ProfileWriteError> {
    crate::db::user_write_transaction(conn, |conn| {
        let named = count_named(conn, user_id)?;
        if usize::try_from(named).map_or(true, |n| n >= max) {
            return Err(ProfileWriteError::TooMany);
        }
        if named_in_any_case(conn, user_id, name, None)? {
            return Err(ProfileWriteError::NameTaken);
        }
        insert_row(conn, user_id, name, settings, now)
    })
}

/// Whether another of the user's named profiles (not `except`) has this name in any
/// case. The unique index counts case, so "Sunday morning" and "sunday MORNING" sat
/// side by side in the list, beside a message that spoke of names as one. A user has
/// at most a hundred, all read.
fn named_in_any_case(
    conn: &mut crate::db::DbConnection,
    user_id: i32,
    name: &str,
    except: Option<i32>,
) -> QueryResult<bool> {
    let names: Vec<(i32, String)> = crate::db::with_backend!(conn, conn => {
        taste_profiles::table
            .filter(taste_profiles::user_id.eq(user_id))
            .filter(taste_profiles::is_current.eq(false))
            .select((taste_profiles::id, taste_profiles::name))
            .load(conn)
    })?;
    let wanted = name.to_lowercase();
    Ok(names
        .into_iter()
        .any(|(id, other)| Some(id) != except && other.to_lowercase() == wanted))
}

/// How many named profiles the user has.
pub fn count_named(conn: &mut crate::db::DbConnection, user_id: i32) -> QueryResult<i64> {
    crate::db::with_backend!(conn, conn => {
    taste_profiles::table
        .filter(taste_profiles::user_id.eq(user_id))
        .filter(taste_profiles::is_current.eq(false))
        .count()
        .get_result(conn)
    })
}

fn insert_row(
    conn: &mut crate::db::DbConnection,
    user_id: i32,
    name: &str,
    settings: &str,
    now: i64,
) -> Result<ProfileRow, ProfileWriteError> {
    crate::db::with_backend!(conn, conn => {
    diesel::insert_into(taste_profiles::table)
        .values((
            taste_profiles::user_id.eq(user_id),
            taste_profiles::name.eq(name),
            taste_profiles::settings.eq(settings),
            taste_profiles::is_current.eq(false),
            taste_profiles::created_at.eq(now),
            taste_profiles::updated_at.eq(now),
        ))
        .returning(ProfileRow::as_returning())
        .get_result(conn)
        .map_err(name_taken)
    })
}

/// Renames one of the user's named profiles. `Ok(false)` if there is no such profile.
pub fn rename(
    conn: &mut crate::db::DbConnection,
    user_id: i32,
    id: i32,
    name: &str,
    now: i64,
) -> Result<bool, ProfileWriteError> {
    crate::db::user_write_transaction(conn, |conn| {
        if named_in_any_case(conn, user_id, name, Some(id))? {
            return Err(ProfileWriteError::NameTaken);
        }
        crate::db::with_backend!(conn, conn => {
        let changed = diesel::update(
            taste_profiles::table
                .filter(taste_profiles::id.eq(id))
                .filter(taste_profiles::user_id.eq(user_id))
                .filter(taste_profiles::is_current.eq(false)),
        )
        .set((
            taste_profiles::name.eq(name),
            taste_profiles::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(name_taken)?;
        Ok(changed > 0)
        })
    })
}

/// Deletes one of the user's named profiles. Returns whether there was one.
pub fn delete(conn: &mut crate::db::DbConnection, user_id: i32, id: i32) -> QueryResult<bool> {
    crate::db::with_backend!(conn, conn => {
    let deleted = diesel::delete(
        taste_profiles::table
            .filter(taste_profiles::id.eq(id))
            .filter(taste_profiles::user_id.eq(user_id))
            .filter(taste_profiles::is_current.eq(false)),
    )
    .execute(conn)?;
    Ok(deleted > 0)
    })
}
