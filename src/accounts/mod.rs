//! The accounts domain: who may sign up with what, how passwords are checked and
//! stored, and when log-in attempts are refused. Knows nothing about HTTP: the web
//! layer passes in form values and a client key, and renders the outcome.

pub mod api_tokens;
pub mod common_passwords;
pub mod hashing;
pub mod password;
pub mod reset;

pub mod throttle;
pub mod username;

use std::{sync::Arc, time::SystemTime};

use crate::{
    db::{self, users, DbPool},
    error::AppError,
};
use hashing::{PasswordHasher, Verified};
use throttle::Throttle;
use username::Username;

/// A user as the rest of the app sees them (never with the password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i32,
    pub username: String,
    /// Unix seconds.
    pub created_at: i64,
    /// The password changes counted when this user was read: a session started now
    /// keeps it (`db::sessions::save` refuses a session started under an older one).
    pub credentials_version: i32,
}

impl From<users::UserRow> for User {
    fn from(row: users::UserRow) -> User {
        User {
            id: row.id,
            username: row.username,
            created_at: row.created_at,
            credentials_version: row.credentials_version,
        }
    }
}

/// The form fields a message can belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Username,
    Password,
    Confirmation,
    CurrentPassword,
}

/// Messages to show beside the fields they concern.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(Field, String)>);

impl FieldErrors {
    pub fn one(field: Field, message: impl Into<String>) -> FieldErrors {
        FieldErrors(vec![(field, message.into())])
    }

    pub fn add(&mut self, field: Field, message: impl ToString) {
        self.0.push((field, message.to_string()));
    }

    pub fn get(&self, field: Field) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Values that break a rule, or a name already taken.
    #[error("some fields need attention")]
    Invalid(FieldErrors),
    /// Log in failed. The same for an unknown name and a wrong password.
    #[error("Wrong username or password.")]
    WrongCredentials,
    /// Too many attempts; try again after the refusal's wait.
    #[error("Too many attempts.")]
    Throttled(throttle::Refusal),
    /// The account no longer exists (deleted from another session).
    #[error("This account no longer exists.")]
    NoSuchUser,
    #[error(transparent)]
    Internal(#[from] AppError),
}

impl From<diesel::result::Error> for AccountError {
    fn from(error: diesel::result::Error) -> Self {
        AccountError::Internal(error.into())
    }
}

/// Stores `hash` as the user's password and ends every session of theirs, in one
/// transaction: a new password with the old sessions still live, or the other way
/// round, would be a change half made. A session that a log-in with the old password
/// starts after this commits is refused by its older credentials version: whoever else
/// knew the old password is out. The new version and how many sessions ended; for a
/// password change and an operator's reset (`reset`).
async fn replace_password_ending_sessions(
    pool: &DbPool,
    user_id: i32,
    hash: String,
) -> Result<(i32, usize), AccountError> {
    let replaced = db::run(pool, move |conn| {
        Ok(db::user_write_transaction(conn, |conn| {
            let Some(version) = users::replace_password(conn, user_id, &hash)? else {
                return Ok(None);
            };
            let ended = db::sessions::end_all_for_user(conn, user_id, db::now_unix())?;
            Ok::<_, diesel::result::Error>(Some((version, ended)))
        })?)
    })
    .await?;
    db::sessions::forget_cached();
    replaced.ok_or(AccountError::NoSuchUser)
}

/// A log-in admitted by the throttle, in flight until dropped (`Throttle::end_in_flight`,
/// in memory, so a `Drop` may do it).
struct InFlightLogIn {
    throttle: Arc<Throttle>,
    key: String,
    client: String,
    began: SystemTime,
}

impl Drop for InFlightLogIn {
    fn drop(&mut self) {
        self.throttle
            .end_in_flight(&self.key, &self.client, self.began);
    }
}

pub const USERNAME_TAKEN: &str = "That username is taken. Choose another.";
pub const PASSWORDS_DIFFER: &str = "The two passwords are not the same.";
pub const WRONG_CURRENT_PASSWORD: &str = "That is not your current password.";
pub const CURRENT_PASSWORD_MISSING: &str = "Enter your current password.";

/// Sign up, log in, change password, delete account. One per app; cheap to share.
pub struct Accounts {
    hasher: PasswordHasher,
    throttle: Arc<Throttle>,
}

impl Default for Accounts {
    fn default() -> Self {
        Accounts::new(PasswordHasher::with_default_bound(), Throttle::default())
    }
}

impl Accounts {
    pub fn new(hasher: PasswordHasher, throttle: Throttle) -> Accounts {
        Accounts {
            hasher,
            throttle: Arc::new(throttle),
        }
    }

    /// Runs `step` over the throttle. Its counts in the database (several servers over
    /// PostgreSQL) take a dozen round trips and a lock that other servers' attempts
    /// hold too, so they are made on tokio's blocking pool: on an async worker a burst
    /// of log-in attempts would stall every page the server answers. Counts in memory
    /// take a lock held for microseconds, and are made here.
    async fn throttle_step<R, F>(&self, step: F) -> Result<R, AccountError>
    where
        F: FnOnce(&Throttle) -> R + Send + 'static,
        R: Send + 'static,
    {
        if !self.throttle.blocks() {
            return Ok(step(&self.throttle));
        }
        let throttle = Arc::clone(&self.throttle);
        tokio::task::spawn_blocking(move || step(&throttle))
            .await
            .map_err(|e| AppError::internal(format!("log-in throttle task failed: {e}")).into())
    }

    /// `throttle::begin_log_in`, off the async workers (see `throttle_step`). The
    /// attempt is in flight until what this returns is dropped, however the log-in
    /// ends: returned, failed, or its request dropped mid-check.
    async fn begin_log_in(
        &self,
        key: &str,
        client: &str,
        at: SystemTime,
    ) -> Result<InFlightLogIn, AccountError> {
        let (owned_key, owned_client) = (key.to_string(), client.to_string());
        self.throttle_step(move |t| t.begin_log_in(&owned_key, &owned_client, at))
            .await?
            .map_err(AccountError::Throttled)?;
        Ok(InFlightLogIn {
            throttle: Arc::clone(&self.throttle),
            key: key.to_string(),
            client: client.to_string(),
            began: at,
        })
    }

    /// `throttle::log_in_succeeded`, off the async workers. The log-in has succeeded,
    /// so a failure here is only logged.
    async fn log_in_succeeded(&self, key: &str, client: &str, began: SystemTime) {
        let (key, client) = (key.to_string(), client.to_string());
        if let Err(error) = self
            .throttle_step(move |t| t.log_in_succeeded(&key, &client, began))
            .await
        {
            tracing::warn!(%error, "could not count a successful log-in");
        }
    }

    /// `throttle::log_in_unchecked`, off the async workers: the attempt that began at
    /// `began` ended before its password was checked. Returns `error`, the reason.
    async fn log_in_unchecked(
        &self,
        key: &str,
        client: &str,
        began: SystemTime,
        error: AccountError,
    ) -> AccountError {
        let (key, client) = (key.to_string(), client.to_string());
        if let Err(other) = self
            .throttle_step(move |t| t.log_in_unchecked(&key, &client, began))
            .await
        {
            tracing::warn!(error = %other, "could not take back an unchecked log-in attempt");
        }
        error
    }

    /// Creates an account for a sign-up from `client` (see `throttle::client_key`).
    /// The unique index decides a race for the same name: the loser gets the same
    /// "taken" message as if the name had existed before.
    pub async fn sign_up(
        &self,
        pool: &DbPool,
        username: &str,
        password: &str,
        confirmation: &str,
        client: &str,
    ) -> Result<User, AccountError> {
        let mut errors = FieldErrors::default();
        let name = Username::parse(username)
            .map_err(|e| errors.add(Field::Username, e))
            .ok();
        if let Err(e) = password::check_new_password(password, username) {
            errors.add(Field::Password, e);
        } else if hashing::normalized(password) != hashing::normalized(confirmation) {
            errors.add(Field::Confirmation, PASSWORDS_DIFFER);
        }
        let name = match name {
            Some(name) if errors.is_empty() => name,
            _ => return Err(AccountError::Invalid(errors)),
        };
        // Only well-formed attempts count: they are the ones that tell whether a name
        // is taken (or create an account); a form with a mistake in it tells nothing.
        let (counted, now) = (client.to_string(), SystemTime::now());
        self.throttle_step(move |t| t.begin_sign_up(&counted, now))
            .await?
            .map_err(|wait| AccountError::Throttled(throttle::Refusal::failures(wait)))?;
        // Spare the hash when the name is visibly taken; the insert still decides.
        let key = name.key().to_string();
        if db::run(pool, move |conn| Ok(users::find_by_key(conn, &key)?))
            .await?
            .is_some()
        {
            return Err(AccountError::Invalid(FieldErrors::one(
                Field::Username,
                USERNAME_TAKEN,
            )));
        }
        let hash = self.hasher.hash(password.to_string()).await?;
        let now = db::now_unix();
        let key = name.key().to_string();
        let user = db::run(pool, move |conn| {
            Ok(users::insert(conn, name.as_str(), name.key(), &hash, now).map(User::from))
        })
        .await?
        .map_err(|error| match error {
            users::InsertUserError::UsernameTaken => {
                AccountError::Invalid(FieldErrors::one(Field::Username, USERNAME_TAKEN))
            }
            users::InsertUserError::Database(e) => e.into(),
        })?;
        let client = client.to_string();
        if let Err(error) = self
            .throttle_step(move |t| t.signed_up(&key, &client, SystemTime::now()))
            .await
        {
            tracing::warn!(%error, "could not note the address an account was made from");
        }
        Ok(user)
    }

    /// Checks a username and password from `client` (see `throttle::client_key`).
    pub async fn log_in(
        &self,
        pool: &DbPool,
        username: &str,
        password: &str,
        client: &str,
    ) -> Result<User, AccountError> {
        let key = username::lookup_key(username);
        let began = SystemTime::now();
        let _in_flight = self.begin_log_in(&key, client, began).await?;
        let lookup = key.clone();
        let row = match db::run(pool, move |conn| Ok(users::find_by_key(conn, &lookup)?)).await {
            Ok(row) => row,
            Err(e) => return Err(self.log_in_unchecked(&key, client, began, e.into()).await),
        };
        let stored = row.as_ref().map(|r| r.password_hash.clone());
        // Unknown names verify against the dummy hash: same time, same answer.
        let verified = match self.hasher.verify_as(password.to_string(), stored).await {
            Ok(Verified::No) => return Err(AccountError::WrongCredentials),
            Ok(verified) => verified,
            Err(e) => return Err(self.log_in_unchecked(&key, client, began, e.into()).await),
        };
        let row = row.ok_or(AccountError::WrongCredentials)?;
        self.log_in_succeeded(&key, client, began).await;
        if PasswordHasher::needs_rehash(&row.password_hash) || verified == Verified::AsTypedOnly {
            self.upgrade_hash(pool, &row, password).await;
        }
        Ok(row.into())
    }

    /// Changes a logged-in user's password after checking the current one, and ends
    /// every session of the user in the same transaction. Returns the new credentials'
    /// version, under which the caller starts the user's session again.
    pub async fn change_password(
        &self,
        pool: &DbPool,
        user_id: i32,
        current: &str,
        new: &str,
        confirmation: &str,
        client: &str,
    ) -> Result<i32, AccountError> {
        let row = self
            .confirm_password(pool, user_id, current, client)
            .await?;
        if hashing::normalized(new) == hashing::normalized(current) {
            return Err(AccountError::Invalid(FieldErrors::one(
                Field::Password,
                "The new password is the same as the current one: choose a different one.",
            )));
        }
        if let Err(e) = password::check_new_password(new, &row.username) {
            return Err(AccountError::Invalid(FieldErrors::one(
                Field::Password,
                e.to_string(),
            )));
        }
        if hashing::normalized(new) != hashing::normalized(confirmation) {
            return Err(AccountError::Invalid(FieldErrors::one(
                Field::Confirmation,
                PASSWORDS_DIFFER,
            )));
        }
        let hash = self.hasher.hash(new.to_string()).await?;
        let (version, _) = replace_password_ending_sessions(pool, user_id, hash).await?;
        Ok(version)
    }

    /// Deletes a user's account, their saved profiles and all their sessions, after
    /// checking their password.
    pub async fn delete_account(
        &self,
        pool: &DbPool,
        user_id: i32,
        password: &str,
        client: &str,
    ) -> Result<(), AccountError> {
        self.confirm_password(pool, user_id, password, client)
            .await?;
        let deleted = db::run(pool, move |conn| {
            Ok(users::delete_with_data(conn, user_id)?)
        })
        .await?;
        // The cascade deleted the user's sessions behind the session module's back.
        db::sessions::forget_cached();
        if deleted {
            tracing::info!(user_id, "account deleted");
            Ok(())
        } else {
            Err(AccountError::NoSuchUser)
        }
    }

    pub async fn find(&self, pool: &DbPool, user_id: i32) -> Result<Option<User>, AccountError> {
        let row = db::run(pool, move |conn| Ok(users::find_by_id(conn, user_id)?)).await?;
        Ok(row.map(User::from))
    }

    /// Re-checks a logged-in user's password before a sensitive change. Failures count
    /// towards the same throttle as log in, so a stolen session cannot be used to guess
    /// the password either.
    async fn confirm_password(
        &self,
        pool: &DbPool,
        user_id: i32,
        password: &str,
        client: &str,
    ) -> Result<users::UserRow, AccountError> {
        // Nothing typed is not a wrong guess: it neither counts toward the throttle nor
        // is told it is the wrong password.
        if password.is_empty() {
            return Err(AccountError::Invalid(FieldErrors::one(
                Field::CurrentPassword,
                CURRENT_PASSWORD_MISSING,
            )));
        }
        let row = db::run(pool, move |conn| Ok(users::find_by_id(conn, user_id)?))
            .await?
            .ok_or(AccountError::NoSuchUser)?;
        let began = SystemTime::now();
        let _in_flight = self.begin_log_in(&row.username_key, client, began).await?;
        let verified = self
            .hasher
            .verify(password.to_string(), Some(row.password_hash.clone()))
            .await;
        match verified {
            Ok(true) => {}
            Ok(false) => {
                return Err(AccountError::Invalid(FieldErrors::one(
                    Field::CurrentPassword,
                    WRONG_CURRENT_PASSWORD,
                )))
            }
            Err(e) => {
                let key = &row.username_key;
                return Err(self.log_in_unchecked(key, client, began, e.into()).await);
            }
        }
        self.log_in_succeeded(&row.username_key, client, began)
            .await;
        Ok(row)
    }

    /// Replaces a hash made with weaker parameters, unless the password changed since
    /// `row` was read. Best effort: the log in has already succeeded, so a failure here
    /// is only logged.
    async fn upgrade_hash(&self, pool: &DbPool, row: &users::UserRow, password: &str) {
        let (user_id, was) = (row.id, row.password_hash.clone());
        let result = match self.hasher.hash(password.to_string()).await {
            Ok(hash) => db::run(pool, move |conn| {
                Ok(users::upgrade_password_hash(conn, user_id, &was, &hash)?)
            })
            .await
            .map(|_| ()),
            Err(error) => Err(error),
        };
        if let Err(error) = result {
            tracing::warn!(%error, user_id, "could not upgrade a password hash");
        }
    }
}
