//! Queries on `users`. Usernames are unique by `username_key` (the lower-cased name);
//! the unique index, not a check beforehand, decides between two sign-ups racing for
//! the same name.

use diesel::{
    prelude::*,
    result::{DatabaseErrorKind, Error as DieselError},
};

use super::schema::{api_tokens, sessions, taste_profiles, users};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i32,
    pub username: String,
    pub username_key: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Unix seconds.
    pub created_at: i64,
    /// How many times the password was changed (see `replace_password`).
    pub credentials_version: i32,
}

#[derive(Debug, thiserror::Error)]
pub enum InsertUserError {
    #[error("the username is taken")]
    UsernameTaken,
    #[error(transparent)]
    Database(#[from] DieselError),
}

/// Inserts a user. A name already taken in any case is `UsernameTaken`, also when
/// another insert wins a race a moment earlier.
pub fn insert(
    conn: &mut crate::db::DbConnection,
    username: &str,
    username_key: &str,
    password_hash: &str,
    created_at: i64,
) -> Result<UserRow, InsertUserError> {
    crate::db::with_backend!(conn, conn => {
    // In a transaction of its own: `RETURNING` hands the row back before an
    // autocommit's commit runs, and an error there (a full disk) went unseen, so a
    // sign-up was answered as done and logged in to an account that was not stored.
    conn.transaction(|conn| {
        diesel::insert_into(users::table)
            .values((
                users::username.eq(username),
                users::username_key.eq(username_key),
                users::password_hash.eq(password_hash),
                users::created_at.eq(created_at),
            ))
            .returning(UserRow::as_returning())
            .get_result(conn)
    })
        .map_err(|error| match error {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                InsertUserError::UsernameTaken
            }
            other => InsertUserError::Database(other),
        })
    })
}

pub fn find_by_key(
    conn: &mut crate::db::DbConnection,
    username_key: &str,
) -> QueryResult<Option<UserRow>> {
    crate::db::with_backend!(conn, conn => {
    users::table
        .filter(users::username_key.eq(username_key))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
    })
}

/// Whether any account exists.
pub fn any(conn: &mut crate::db::DbConnection) -> QueryResult<bool> {
    crate::db::with_backend!(conn, conn => {
    diesel::select(diesel::dsl::exists(users::table.select(users::id))).get_result(conn)
    })
}

pub fn find_by_id(conn: &mut crate::db::DbConnection, id: i32) -> QueryResult<Option<UserRow>> {
    crate::db::with_backend!(conn, conn => {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()
    })
}

/// Replaces a user's password hash with another of the same password (made with
/// stronger parameters), if it is still `was`. Returns whether it was replaced. A
/// password changed meanwhile (on another device, while the upgrade was hashing) is
/// kept: writing the new hash anyway would bring the old password back.
pub fn upgrade_password_hash(
    conn: &mut crate::db::DbConnection,
    id: i32,
    was: &str,
    password_hash: &str,
) -> QueryResult<bool> {
    crate::db::with_backend!(conn, conn => {
    let changed = diesel::update(
        users::table
            .find(id)
            .filter(users::password_hash.eq(was)),
    )
    .set(users::password_hash.eq(password_hash))
    .execute(conn)?;
    Ok(changed > 0)
    })
}

/// A new password, chosen by the user: the hash replaced and the credentials' version
/// counted up, so that a session started under the old password is not stored (see
/// `db::sessions::save`). Returns the new version, or `None` if the user is gone. A hash
/// upgraded for the same password (`upgrade_password_hash`) keeps the version.
pub fn replace_password(
    conn: &mut crate::db::DbConnection,
    id: i32,
    password_hash: &str,
) -> QueryResult<Option<i32>> {
    crate::db::with_backend!(conn, conn => {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(password_hash),
            users::credentials_version.eq(users::credentials_version + 1),
        ))
        .returning(users::credentials_version)
        .get_result(conn)
        .optional()
    })
}

/// Deletes a user with everything that is theirs: taste profiles, API tokens, sessions,
/// the user row, in one transaction. (The foreign keys cascade too; deleting explicitly keeps
/// this correct even on a connection without `foreign_keys=ON`.) Returns whether the
/// user existed.
pub fn delete_with_data(conn: &mut crate::db::DbConnection, id: i32) -> QueryResult<bool> {
    super::user_write_transaction(conn, |conn| {
        crate::db::with_backend!(conn, conn => {
            diesel::delete(taste_profiles::table.filter(taste_profiles::user_id.eq(id)))
                .execute(conn)?;
            diesel::delete(api_tokens::table.filter(api_tokens::user_id.eq(id))).execute(conn)?;
            diesel::delete(sessions::table.filter(sessions::user_id.eq(id))).execute(conn)?;
            let deleted = diesel::delete(users::table.find(id)).execute(conn)?;
            Ok(deleted > 0)
        })
        .and_then(|deleted| {
            super::sessions::announce(conn)?;
            Ok(deleted)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> crate::db::DbConnection {
        let mut conn = diesel::SqliteConnection::establish(":memory:").unwrap();
        crate::db::apply_pragmas(&mut conn).unwrap();
        let mut conn = crate::db::DbConnection::Sqlite(conn);
        crate::db::run_migrations(&mut conn).unwrap();
        conn
    }

    #[test]
    fn names_are_unique_in_any_case() {
        let mut conn = conn();
        let ada = insert(&mut conn, "Ada", "ada", "$hash", 1).unwrap();
        assert_eq!(find_by_key(&mut conn, "ada").unwrap(), Some(ada.clone()));
        assert_eq!(find_by_id(&mut conn, ada.id).unwrap(), Some(ada));
        assert!(matches!(
            insert(&mut conn, "ADA", "ada", "$hash", 2),
            Err(InsertUserError::UsernameTaken)
        ));
    }

    /// A write that fails at its commit (a full disk fails there, when SQLite writes
    /// the log) is an error, not a user that the caller then logs in and that is gone:
    /// `INSERT … RETURNING` hands its row back before an autocommit's commit runs. A
    /// deferred foreign-key check fails at the same point, and stands in for the disk.
    #[test]
    fn a_sign_up_whose_commit_fails_is_an_error() {
        let mut conn = conn();
        diesel::sql_query(
            "CREATE TABLE commit_fails (user_id INTEGER NOT NULL REFERENCES users (id) \
             DEFERRABLE INITIALLY DEFERRED)",
        )
        .execute(&mut conn)
        .unwrap();
        diesel::sql_query(
            "CREATE TRIGGER orphan AFTER INSERT ON users BEGIN \
             INSERT INTO commit_fails VALUES (NEW.id + 1000); END",
        )
        .execute(&mut conn)
        .unwrap();
        assert!(matches!(
            insert(&mut conn, "ada", "ada", "$hash", 1),
            Err(InsertUserError::Database(_))
        ));
        assert_eq!(find_by_key(&mut conn, "ada").unwrap(), None);
    }

    #[test]
    fn password_hashes_can_be_replaced() {
        let mut conn = conn();
        let ada = insert(&mut conn, "ada", "ada", "$old", 1).unwrap();
        assert!(upgrade_password_hash(&mut conn, ada.id, "$old", "$new").unwrap());
        let hash = |conn: &mut _| find_by_id(conn, ada.id).unwrap().unwrap().password_hash;
        assert_eq!(hash(&mut conn), "$new");
        assert!(!upgrade_password_hash(&mut conn, ada.id + 1, "$new", "$newer").unwrap());
        // The password changed since the upgrade read it: the change stays.
        assert!(!upgrade_password_hash(&mut conn, ada.id, "$old", "$stale").unwrap());
        assert_eq!(hash(&mut conn), "$new");
    }

    #[test]
    fn deleting_a_user_deletes_their_sessions_profiles_and_tokens_only() {
        let mut conn = conn();
        // Without the foreign keys' cascade (the import's connection turns them off),
        // the explicit deletes alone must leave nothing of the user behind: an API
        // token left over would sign in as the next user given the same id.
        diesel::sql_query("PRAGMA foreign_keys = OFF")
            .execute(&mut conn)
            .unwrap();
        let ada = insert(&mut conn, "ada", "ada", "$h", 1).unwrap();
        let bob = insert(&mut conn, "bob", "bob", "$h", 1).unwrap();
        for (user, sid) in [(ada.id, "s-ada"), (bob.id, "s-bob")] {
            diesel::insert_into(sessions::table)
                .values((
                    sessions::id.eq(sid),
                    sessions::data.eq("{}"),
                    sessions::expires_at.eq(i64::MAX),
                    sessions::user_id.eq(Some(user)),
                ))
                .execute(&mut conn)
                .unwrap();
            diesel::insert_into(taste_profiles::table)
                .values((
                    taste_profiles::user_id.eq(user),
                    taste_profiles::name.eq("mine"),
                    taste_profiles::settings.eq("{}"),
                    taste_profiles::created_at.eq(1i64),
                    taste_profiles::updated_at.eq(1i64),
                ))
                .execute(&mut conn)
                .unwrap();
            diesel::insert_into(api_tokens::table)
                .values((
                    api_tokens::user_id.eq(user),
                    api_tokens::name.eq("script"),
                    api_tokens::token_hash.eq(format!("hash-{user}")),
                    api_tokens::hint.eq("abcd"),
                    api_tokens::created_at.eq(1i64),
                ))
                .execute(&mut conn)
                .unwrap();
        }
        assert!(delete_with_data(&mut conn, ada.id).unwrap());
        assert!(!delete_with_data(&mut conn, ada.id).unwrap());
        let left_sessions: Vec<String> = sessions::table
            .select(sessions::id)
            .load(&mut conn)
            .unwrap();
        assert_eq!(left_sessions, vec!["s-bob".to_string()]);
        let left_profiles: Vec<i32> = taste_profiles::table
            .select(taste_profiles::user_id)
            .load(&mut conn)
            .unwrap();
        assert_eq!(left_profiles, vec![bob.id]);
        let left_tokens: Vec<i32> = api_tokens::table
            .select(api_tokens::user_id)
            .load(&mut conn)
            .unwrap();
        assert_eq!(left_tokens, vec![bob.id]);
        assert_eq!(find_by_id(&mut conn, ada.id).unwrap(), None);
    }
}
