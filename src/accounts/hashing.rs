//! argon2id password hashing, off the async executor and bounded in concurrency.
//!
//! Each hash takes ~19 MiB and tens of milliseconds of one core. Hashes run on a few
//! long-lived worker threads of their own (one per core), never on the async executor:
//! page loads stay responsive, a flood of log-in attempts queues up, and the 19 MiB
//! blocks are reused by the same threads. (On tokio's blocking pool every hash could land
//! on a different thread, and the allocator kept a 19 MiB block per thread: a log-in
//! flood grew the server past 2 GB.)

use std::sync::{mpsc, Arc, Mutex};

use argon2::{
    password_hash::{phc::PasswordHash, PasswordHasher as _, PasswordVerifier as _},
    Algorithm, Argon2, Params, Version,
};
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

/// OWASP's recommended argon2id parameters: 19 MiB of memory, 2 passes, 1 lane.
pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const LANES: u32 = 1;

fn argon2() -> Argon2<'static> {
    let params = Params::new(
        MEMORY_KIB,
        ITERATIONS,
        LANES,
        Some(Params::DEFAULT_OUTPUT_LEN),
    )
    .expect("the constant argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

type Job = Box<dyn FnOnce() + Send>;

/// Hashes and verifies passwords. Cheap to clone.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// Work for the hashing threads; they end when the last hasher is dropped.
    jobs: mpsc::Sender<Job>,
    /// A real hash of a random password: log in with an unknown username verifies
    /// against it, so it costs the same time as a wrong password for a real user.
    dummy_hash: Arc<str>,
}

impl PasswordHasher {
    /// At most `max_concurrent` hashes run at once. Computes the dummy hash now (one
    /// hash, at start-up).
    pub fn new(max_concurrent: usize) -> PasswordHasher {
        let random: [u8; 32] = rand::random();
        let dummy_hash =
            hash_now(&random).expect("hashing random bytes with valid parameters cannot fail");
        let workers = max_concurrent.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..workers {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || loop {
                    // Holding the lock only while taking a job lets the others work.
                    let job = match queue.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return, // every sender is gone
                    }
                });
            if let Err(error) = spawned {
                tracing::error!(%error, "cannot start a password hashing thread");
            }
        }
        PasswordHasher {
            permits: Arc::new(Semaphore::new(workers)),
            jobs,
            dummy_hash: dummy_hash.into(),
        }
    }

    /// One concurrent hash per core: more would only queue inside the CPU.
    pub fn with_default_bound() -> PasswordHasher {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        PasswordHasher::new(cores)
    }

    /// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) for a new password.
    pub async fn hash(&self, password: String) -> AppResult<String> {
        self.run(move || hash_now(password.as_bytes())).await
    }

    /// Whether `password` matches `stored`. With no stored hash (unknown user) it
    /// verifies against the dummy hash and answers false, taking the same time.
    pub async fn verify(&self, password: String, stored: Option<String>) -> AppResult<bool> {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| self.dummy_hash.to_string());
        let matches = self
            .run(move || Ok(verify_now(password.as_bytes(), &stored)))
            .await?;
        Ok(known && matches)
    }

    /// Whether a stored hash was made with weaker parameters than today's, so it
    /// should be replaced at the next successful log in.
    pub fn needs_rehash(stored: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(stored) else {
            return true;
        };
        let Ok(params) = Params::try_from(&parsed) else {
            return true;
        };
        parsed.algorithm != Algorithm::Argon2id.ident()
            || params.m_cost() < MEMORY_KIB
            || params.t_cost() < ITERATIONS
            || params.p_cost() < LANES
    }

    async fn run<T, F>(&self, work: F) -> AppResult<T>
    where
        F: FnOnce() -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| AppError::internal("password hasher closed"))?;
        // The permit moves into the job: if the request is cancelled while the hash
        // runs, the slot stays taken until the work really ends.
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(work());
            drop(permit);
        });
        self.jobs
            .send(job)
            .map_err(|_| AppError::internal("password hashing threads are gone"))?;
        result
            .await
            .map_err(|_| AppError::internal("password hashing job was dropped"))?
    }
}

fn hash_now(password: &[u8]) -> AppResult<String> {
    argon2()
        .hash_password(password)
        .map(|hash| hash.to_string())
        .map_err(|e| AppError::internal(format!("password hashing failed: {e}")))
}

fn verify_now(password: &[u8], stored: &str) -> bool {
    match PasswordHash::new(stored) {
        // The parameters come from the stored string, so old hashes still verify.
        Ok(parsed) => argon2().verify_password(password, &parsed).is_ok(),
        Err(error) => {
            tracing::error!(%error, "stored password hash is not a valid PHC string");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_carry_owasp_parameters() {
        let hasher = PasswordHasher::new(2);
        let hash = hasher
            .hash("correct horse battery".to_string())
            .await
            .unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(!PasswordHasher::needs_rehash(&hash));
        assert!(hasher
            .verify("correct horse battery".to_string(), Some(hash.clone()))
            .await
            .unwrap());
        assert!(!hasher
            .verify("correct horse battery ".to_string(), Some(hash))
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn unknown_users_never_verify() {
        let hasher = PasswordHasher::new(1);
        assert!(!hasher
            .verify("anything at all".to_string(), None)
            .await
            .unwrap());
        assert!(hasher
            .dummy_hash
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    }

    #[test]
    fn weaker_or_foreign_hashes_need_rehashing() {
        assert!(PasswordHasher::needs_rehash("not a hash"));
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8, 1, 1, None).unwrap(),
        )
        .hash_password(b"pw")
        .unwrap()
        .to_string();
        assert!(PasswordHasher::needs_rehash(&weak));
    }
}
