//! argon2id password hashing, off the async executor and bounded in concurrency.
//!
//! Each hash takes ~19 MiB and tens of milliseconds of one core. Hashes run on a few
//! long-lived worker threads of their own (one per two cores), never on the async executor:
//! page loads stay responsive and a flood of log-in attempts queues up. Each worker keeps
//! one memory area that every hash it runs works in (argon2 writes every block before
//! reading it, so no clearing is needed between hashes), and hands it back after two
//! seconds without work, or at once after hashing a new password. Letting argon2 allocate
//! per hash cost either memory or time: on tokio's blocking pool a log-in flood grew the
//! server past 2 GB; on two threads glibc still kept three blocks per thread (about 540 MiB
//! after a flood), and handing every block back to the system made a log in about a third
//! slower (page faults). The PHC strings are built and checked here with the same types
//! argon2's own `PasswordHasher` uses; tests check both ways round that the two agree.

use std::{
    collections::VecDeque,
    sync::{Arc, Condvar, Mutex, OnceLock},
    time::Duration,
};

use argon2::{
    password_hash::phc::{Output, ParamsString, PasswordHash, Salt},
    Algorithm, Argon2, Block, Params, Version,
};
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

/// How a password matched its stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes,
    /// Only as typed, not normalized: the hash predates normalizing.
    AsTypedOnly,
}

/// A password as it is hashed: in Unicode's NFKC form, as NIST SP 800-63B (5.1.1.2)
/// asks, so that "é" typed as one character or as "e" and a combining accent (as some
/// keyboards and systems send it) is one password. ASCII is already in that form.
pub fn normalized(password: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::UnicodeNormalization;
    if password.is_ascii() {
        std::borrow::Cow::Borrowed(password)
    } else {
        std::borrow::Cow::Owned(password.nfkc().collect())
    }
}

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

/// A hashing job, given its worker's memory area.
type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// How long a worker keeps its 19 MiB area without work. A burst of log-ins reuses it
/// (allocating it per hash made each log-in a third slower in page faults); a server
/// with nobody logging in holds none (it was 19 MiB per worker for the process's life).
const KEEP_AREA_IDLE: Duration = Duration::from_secs(2);

/// The hashing threads' queue: every worker waits on it (with a time-out while it holds
/// an area), which a `std::sync::mpsc` receiver shared behind a lock cannot do.
#[derive(Default)]
struct JobQueue {
    state: Mutex<QueueState>,
    ready: Condvar,
}

#[derive(Default)]
struct QueueState {
    jobs: VecDeque<Job>,
    closed: bool,
}

impl JobQueue {
    fn push(&self, job: Job) {
        if let Ok(mut state) = self.state.lock() {
            state.jobs.push_back(job);
        }
        self.ready.notify_one();
    }

    fn close(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.closed = true;
        }
        self.ready.notify_all();
    }
}

/// The hashers' handle on the queue: when the last hasher is dropped, the workers end.
struct Jobs(Arc<JobQueue>);

impl Drop for Jobs {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// One worker: takes jobs until the queue closes, handing its memory area back after
/// `keep_idle` without one.
fn work_through(queue: &JobQueue, keep_idle: Duration) {
    let mut memory: Vec<Block> = Vec::new();
    loop {
        let job = {
            let Ok(mut state) = queue.state.lock() else {
                return;
            };
            loop {
                if let Some(job) = state.jobs.pop_front() {
                    break Some(job);
                }
                if state.closed {
                    return;
                }
                if memory.is_empty() {
                    state = match queue.ready.wait(state) {
                        Ok(state) => state,
                        Err(_) => return,
                    };
                } else {
                    let (next, waited) = match queue.ready.wait_timeout(state, keep_idle) {
                        Ok(woken) => woken,
                        Err(_) => return,
                    };
                    state = next;
                    if waited.timed_out() && state.jobs.is_empty() {
                        break None;
                    }
                }
            }
        };
        match job {
            Some(job) => {
                if memory.is_empty() {
                    // About to map a new 19 MiB area: first hand back what the
                    // allocator holds freed (pages the serving threads' caches and
                    // answers left in glibc's arenas), so a log-in adds its area to
                    // what is in use rather than to that. At most once per idle spell.
                    crate::memory::trim_heap();
                }
                job(&mut memory)
            }
            // Blocks this large are mapped on their own (`memory::tune_allocator`), so
            // this returns them to the system.
            None => memory = Vec::new(),
        }
    }
}

/// Salt length: the PHC recommendation (16 bytes), as argon2's own hasher uses.
const SALT_LEN: usize = 16;

/// Hashes and verifies passwords. Cheap to clone.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// Work for the hashing threads; they end when the last hasher is dropped.
    jobs: Arc<Jobs>,
    /// A real hash of a random password: log in with an unknown username verifies
    /// against it, so it costs the same time as a wrong password for a real user.
    /// Made by the first hashing thread as it starts, not by the caller: a hash is
    /// about 40 ms of CPU, which the server's start-up used to wait for.
    dummy_hash: Arc<OnceLock<String>>,
}

impl PasswordHasher {
    /// At most `max_concurrent` hashes run at once. The dummy hash is made in the
    /// background (one hash, at start-up).
    pub fn new(max_concurrent: usize) -> PasswordHasher {
        PasswordHasher::with_idle_release(max_concurrent, KEEP_AREA_IDLE)
    }

    /// As `new`, with a worker handing its memory area back after `keep_idle` without
    /// work.
    fn with_idle_release(max_concurrent: usize, keep_idle: Duration) -> PasswordHasher {
        let dummy_hash = Arc::new(OnceLock::new());
        let workers = max_concurrent.max(1);
        let queue = Arc::new(JobQueue::default());
        for n in 0..workers {
            let queue = queue.clone();
            let dummy = (n == 0).then(|| dummy_hash.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || {
                    if let Some(dummy) = dummy {
                        // In memory freed right after, as the worker keeps none yet.
                        dummy_of(&dummy, &mut Vec::new());
                    }
                    work_through(&queue, keep_idle)
                });
            if let Err(error) = spawned {
                tracing::error!(%error, "cannot start a password hashing thread");
            }
        }
        PasswordHasher {
            permits: Arc::new(Semaphore::new(workers)),
            jobs: Arc::new(Jobs(queue)),
            dummy_hash,
        }
    }

    /// One concurrent hash per two cores (at least one): a flood of log-in attempts
    /// then leaves the other half of the machine to everything else, and holds one
    /// 19 MiB area per worker instead of one per core.
    pub fn with_default_bound() -> PasswordHasher {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        PasswordHasher::new(cores.div_ceil(2))
    }

    /// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) for a new password.
    ///
    /// The worker hands its area back right after: a new password (a sign-up, a
    /// change) comes alone, not in bursts as log-ins do, and the 19 MiB kept for two
    /// seconds after one added to whatever the next requests load (at 1.2M tracks a
    /// sign-up followed by a first perfect-song answer peaked 19 MiB higher).
    pub async fn hash(&self, password: String) -> AppResult<String> {
        self.run(move |memory| {
            let hashed = hash_now(memory, normalized(&password).as_bytes());
            *memory = Vec::new();
            hashed
        })
        .await
    }

    /// Whether `password` matches `stored`. With no stored hash (unknown user) it
    /// verifies against the dummy hash and answers false, taking the same time.
    pub async fn verify(&self, password: String, stored: Option<String>) -> AppResult<bool> {
        Ok(self.verify_as(password, stored).await? != Verified::No)
    }

    /// As `verify`, saying also whether the password matched only as typed, not
    /// normalized (`normalized`): a hash made before passwords were normalized, which
    /// the caller replaces so that every way of typing the password opens the account.
    pub async fn verify_as(&self, password: String, stored: Option<String>) -> AppResult<Verified> {
        let known = stored.is_some();
        let dummy = self.dummy_hash.clone();
        let verified = self
            .run(move |memory| {
                // Waits for the first thread's hash if it is being made (only in the
                // first moments after start-up), or makes it.
                let stored = match &stored {
                    Some(stored) => stored.as_str(),
                    None => dummy_of(&dummy, memory),
                };
                let normalized = normalized(&password);
                if verify_now(memory, normalized.as_bytes(), stored) {
                    return Ok(Verified::Yes);
                }
                // Depends on the password alone, never on whether the user exists: an
                // unknown name takes the same second round.
                if normalized != password && verify_now(memory, password.as_bytes(), stored) {
                    return Ok(Verified::AsTypedOnly);
                }
                Ok(Verified::No)
            })
            .await?;
        Ok(if known { verified } else { Verified::No })
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
        F: FnOnce(&mut Vec<Block>) -> AppResult<T> + Send + 'static,
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
        let job: Job = Box::new(move |memory| {
            let _ = done.send(work(memory));
            drop(permit);
        });
        self.jobs.0.push(job);
        result
            .await
            .map_err(|_| AppError::internal("password hashing job was dropped"))?
    }
}

/// argon2 of `password` with `salt` into `out`, working in `memory` (grown to what the
/// parameters need, and kept for the next hash).
fn argon2_into(
    argon: &Argon2,
    params: &Params,
    memory: &mut Vec<Block>,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), argon2::Error> {
    let needed = params.block_count();
    if memory.len() < needed {
        memory.resize(needed, Block::new());
    }
    argon.hash_password_into_with_memory(password, salt, out, &mut memory[..needed])
}

/// The dummy hash (see `PasswordHasher::dummy_hash`), made on first use.
fn dummy_of<'a>(dummy: &'a OnceLock<String>, memory: &mut Vec<Block>) -> &'a str {
    dummy.get_or_init(|| {
        let random: [u8; 32] = rand::random();
        hash_now(memory, &random).expect("hashing random bytes with valid parameters cannot fail")
    })
}

fn hash_now(memory: &mut Vec<Block>, password: &[u8]) -> AppResult<String> {
    let failed =
        |e: &dyn std::fmt::Display| AppError::internal(format!("password hashing failed: {e}"));
    let params = argon2().params().clone();
    let salt_bytes: [u8; SALT_LEN] = rand::random();
    let salt = Salt::new(&salt_bytes).map_err(|e| failed(&e))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2_into(&argon2(), &params, memory, password, &salt, &mut out).map_err(|e| failed(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| failed(&e))?,
        salt: Some(salt),
        hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
    };
    Ok(phc.to_string())
}

fn verify_now(memory: &mut Vec<Block>, password: &[u8], stored: &str) -> bool {
    match recompute(memory, password, stored) {
        // `Output`'s equality is constant-time.
        Ok((expected, computed)) => expected == computed,
        Err(error) => {
            tracing::error!(%error, "stored password hash cannot be checked");
            false
        }
    }
}

/// The stored output and the one `password` gives with the stored algorithm, version,
/// parameters and salt (so hashes made with older parameters still verify).
fn recompute(
    memory: &mut Vec<Block>,
    password: &[u8],
    stored: &str,
) -> Result<(Output, Output), String> {
    let parsed = PasswordHash::new(stored).map_err(|e| e.to_string())?;
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return Err("the stored hash has no salt or no output".into());
    };
    let algorithm = Algorithm::try_from(parsed.algorithm.as_str()).map_err(|e| e.to_string())?;
    let version = match parsed.version {
        Some(v) => Version::try_from(v).map_err(|e| e.to_string())?,
        None => Version::default(),
    };
    let params = Params::try_from(&parsed).map_err(|e| e.to_string())?;
    let argon = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    argon2_into(&argon, &params, memory, password, salt, &mut out).map_err(|e| e.to_string())?;
    let computed = Output::new(&out).map_err(|e| e.to_string())?;
    Ok((*expected, computed))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "café naïve résumé 42" with composed accents (NFC) and with combining ones (NFD).
    const COMPOSED: &str = "caf\u{e9} na\u{ef}ve r\u{e9}sum\u{e9} 42";
    const DECOMPOSED: &str = "cafe\u{301} nai\u{308}ve re\u{301}sume\u{301} 42";

    #[tokio::test]
    async fn a_password_is_one_however_its_accents_are_encoded() {
        let hasher = PasswordHasher::new(1);
        let hash = hasher.hash(COMPOSED.to_string()).await.unwrap();
        for typed in [COMPOSED, DECOMPOSED] {
            assert_eq!(
                hasher
                    .verify_as(typed.to_string(), Some(hash.clone()))
                    .await
                    .unwrap(),
                Verified::Yes,
                "{typed:?}"
            );
        }
        let hash = hasher.hash(DECOMPOSED.to_string()).await.unwrap();
        assert!(hasher
            .verify(COMPOSED.to_string(), Some(hash))
            .await
            .unwrap());
    }

    /// A hash made before passwords were normalized, of a password typed decomposed,
    /// still opens the account typed the same way, and says so (the log-in replaces it).
    #[tokio::test]
    async fn a_hash_of_the_password_as_typed_still_verifies() {
        let hasher = PasswordHasher::new(1);
        let mut memory = Vec::new();
        let old = hash_now(&mut memory, DECOMPOSED.as_bytes()).unwrap();
        assert_eq!(
            hasher
                .verify_as(DECOMPOSED.to_string(), Some(old.clone()))
                .await
                .unwrap(),
            Verified::AsTypedOnly
        );
        assert_eq!(
            hasher
                .verify_as("wrong \u{e9}".to_string(), Some(old))
                .await
                .unwrap(),
            Verified::No
        );
        // An unknown user never verifies, whatever the password.
        assert_eq!(
            hasher
                .verify_as(DECOMPOSED.to_string(), None)
                .await
                .unwrap(),
            Verified::No
        );
    }

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
            .get()
            .is_some_and(|hash| hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$")));
    }

    /// Our PHC strings and argon2's own hasher agree both ways, including on hashes made
    /// with other parameters, and the kept memory serves hashes of different sizes.
    #[test]
    fn hashes_agree_with_argon2s_own_hasher() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let mut memory = Vec::new();
        let ours = hash_now(&mut memory, b"pw one").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(argon2().verify_password(b"pw one", &parsed).is_ok());
        assert!(argon2().verify_password(b"pw two", &parsed).is_err());

        let small = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(64, 1, 1, None).unwrap(),
        );
        for theirs in [
            argon2().hash_password(b"pw one").unwrap().to_string(),
            small.hash_password(b"pw one").unwrap().to_string(),
        ] {
            assert!(verify_now(&mut memory, b"pw one", &theirs), "{theirs}");
            assert!(!verify_now(&mut memory, b"pw two", &theirs), "{theirs}");
        }
        assert!(!verify_now(
            &mut memory,
            b"pw one",
            "$argon2id$v=19$nonsense"
        ));
        assert!(
            verify_now(&mut memory, b"pw one", &ours),
            "after a smaller hash"
        );
    }

    /// A worker keeps its area from one log-in to the next, hands it back once it has
    /// had no work for the idle time, and at once after hashing a new password.
    #[tokio::test]
    async fn an_idle_worker_hands_its_area_back() {
        let hasher = PasswordHasher::with_idle_release(1, Duration::from_millis(100));
        let area = || hasher.run(|memory| Ok(memory.len()));
        let stored = hasher.hash("pw".to_string()).await.unwrap();
        assert_eq!(area().await.unwrap(), 0, "kept after a new password's hash");
        assert!(hasher.verify("pw".to_string(), Some(stored)).await.unwrap());
        assert_eq!(area().await.unwrap(), MEMORY_KIB as usize);
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(area().await.unwrap(), 0);
    }

    #[test]
    fn weaker_or_foreign_hashes_need_rehashing() {
        assert!(PasswordHasher::needs_rehash("not a hash"));
        use argon2::password_hash::PasswordHasher as _;
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
