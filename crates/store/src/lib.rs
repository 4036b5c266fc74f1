//! # telaio-store: runs kept in SQLite
//!
//! Every run gets an id (a UUID v7, so ids sort by time) and a row: the journal header it
//! started with (document identity, workflow, masked inputs, limits, plan choices), its status,
//! its times, its result, and its journal entries as they come — the same masked entries a
//! `--journal` file holds, so what was answered can be replayed and a run resumed.
//!
//! The store is one SQLite file in WAL mode with a busy timeout, so several `telaio`
//! processes share it. Its schema is versioned: an older store is upgraded when opened, a
//! newer one refused. Each entry is committed before the run sends its next request.
//!
//! This crate keeps records; it does not run workflows, read documents or mask anything
//! (what it is handed was masked by the run's session).
//!
//! ```
//! use telaio_store::{ListFilter, Store};
//! let dir = tempfile::tempdir().unwrap();
//! let store = Store::open(&dir.path().join("runs.db")).unwrap();
//! assert!(store.list(&ListFilter::default()).unwrap().is_empty());
//! ```
#![deny(missing_docs)]

mod error;
mod lease;
mod record;
mod recorder;
mod schema;

pub use error::StoreError;
pub use lease::{Holder, Lease};
pub use record::{ListFilter, RunId, RunRecord, RunStatus, RunSummary};
pub use recorder::{LEASE_MS, Recorder};

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use telaio_run::{Entry, JournalHeader};

/// How long a process waits for another that is writing the store.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A run store: one SQLite file.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens the store at `path`, creating it (and its folder, readable by its owner only)
    /// when it is not there, and upgrading an older schema.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let at = |source| StoreError::Open {
            path: path.to_owned(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
            && !parent.exists()
        {
            create_private_dir(parent).map_err(|e| StoreError::Folder {
                path: parent.to_owned(),
                source: e,
            })?;
        }
        // Created readable by its owner only, before SQLite makes its WAL beside it with the
        // same mode: the store holds responses.
        create_private_file(path).map_err(|e| StoreError::Folder {
            path: path.to_owned(),
            source: e,
        })?;
        let conn = Connection::open(path).map_err(at)?;
        let store = Store {
            conn,
            path: path.to_owned(),
        };
        // Another process creating or upgrading the store holds it for a moment, and a
        // switch to WAL is refused rather than waited for while it does: try again.
        let started = std::time::Instant::now();
        loop {
            // Another program's database is refused before it is switched to WAL.
            let ready = schema::inspect(&store.conn, path)
                .and_then(|_| store.configure().map_err(|e| store.unreadable(e)))
                .and_then(|()| schema::migrate(&store.conn, path));
            match ready {
                Err(e) if e.is_busy() && started.elapsed() < BUSY_TIMEOUT => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                other => return other.map(|()| store),
            }
        }
    }

    /// Where the store is by default: `$XDG_DATA_HOME/telaio/runs.db`, else
    /// `~/.local/share/telaio/runs.db` (`None` when neither variable is set).
    ///
    /// ```
    /// let path = telaio_store::Store::default_path_from(None, Some("/home/ada".as_ref()));
    /// assert_eq!(path.unwrap(), std::path::Path::new("/home/ada/.local/share/telaio/runs.db"));
    /// ```
    pub fn default_path_from(xdg_data_home: Option<&Path>, home: Option<&Path>) -> Option<PathBuf> {
        let base = match xdg_data_home.filter(|p| p.is_absolute()) {
            Some(data) => data.to_owned(),
            None => home?.join(".local").join("share"),
        };
        Some(base.join("telaio").join("runs.db"))
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn configure(&self) -> rusqlite::Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        // WAL: readers never wait for the writer, and several processes share the file.
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(rusqlite::Error::InvalidQuery);
        }
        // NORMAL in WAL mode: a commit survives the process (a crash, `kill -9`); a power
        // loss may take the last commits back, never leave the file inconsistent. See the
        // README for why; [`Store::sync_fully`] (`--fsync`) makes each commit reach the disk.
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(())
    }

    /// Makes each commit reach the disk before it returns (`synchronous = FULL`): a power
    /// loss then loses no recorded entry, at the cost of an fsync per entry.
    pub fn sync_fully(&self) -> Result<(), StoreError> {
        self.conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(StoreError::from)
    }

    fn unreadable(&self, e: rusqlite::Error) -> StoreError {
        schema::not_a_store(&self.path, e)
    }

    /// Records a new run with its id (see [`RunId::new`]), started with this header. The
    /// run is `running`, leased to `lease`'s holder.
    pub fn begin(
        &mut self,
        id: &RunId,
        header: &JournalHeader,
        lease: &Lease,
    ) -> Result<(), StoreError> {
        let text = serde_json::to_string(header)?;
        self.conn.execute(
            "INSERT INTO runs (id, workflow_id, document, document_sha256, status, started_at_ms, header, lease_owner, lease_until_ms)
             VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?6, ?7, ?8)",
            params![
                id.as_str(),
                header.workflow_id,
                header
                    .document
                    .path
                    .as_ref()
                    .map_or_else(|| header.document.url.clone(), |p| p.display().to_string()),
                header.document.sha256,
                i64_of(header.started_at_ms),
                text,
                lease.owner,
                i64_of(lease.until_ms),
            ],
        )?;
        Ok(())
    }

    /// Appends the journal entry numbered `seq` (from 1), already serialised as JSON and
    /// written at `at_ms`, to a run `lease` holds ([`StoreError::LeaseLost`] when another
    /// process took the run over). It is committed when this returns.
    pub fn append(
        &mut self,
        run: &RunId,
        lease: &Lease,
        seq: u64,
        at_ms: u64,
        entry_json: &str,
    ) -> Result<(), StoreError> {
        // Prepared once per store: a poll loop appends thousands. The lease is checked in
        // the same statement: a process whose lease was taken over records nothing more.
        let added = self
            .conn
            .prepare_cached(
                "INSERT INTO entries (run_id, seq, at_ms, entry) SELECT ?1, ?2, ?3, ?4 \
                 WHERE EXISTS (SELECT 1 FROM runs WHERE id = ?1 AND lease_owner = ?5)",
            )?
            .execute(params![
                run.as_str(),
                i64_of(seq),
                i64_of(at_ms),
                entry_json,
                lease.owner
            ])?;
        if added == 0 {
            return Err(StoreError::LeaseLost(run.as_str().to_owned()));
        }
        Ok(())
    }

    /// When a run's last entry was written (milliseconds since the epoch), if it has one: a
    /// resume waits what is left of a wait from there.
    pub fn last_entry_at(&self, run: &RunId) -> Result<Option<u64>, StoreError> {
        let at: Option<i64> = self.conn.query_row(
            "SELECT max(at_ms) FROM entries WHERE run_id = ?1",
            [run.as_str()],
            |r| r.get(0),
        )?;
        Ok(at.map(|a| u64::try_from(a).unwrap_or(0)))
    }

    /// Takes back a run's entries after the first `keep` (the interruption a resume goes on
    /// from), so that its journal reads as if the run had not stopped there.
    pub fn truncate(&mut self, run: &RunId, keep: u64) -> Result<(), StoreError> {
        self.conn.execute(
            "DELETE FROM entries WHERE run_id = ?1 AND seq > ?2",
            params![run.as_str(), i64_of(keep)],
        )?;
        Ok(())
    }

    /// Sets the status of a run `lease` holds and lets the lease go (a resume stopped
    /// before a call in doubt).
    pub fn set_status(
        &mut self,
        run: &RunId,
        lease: &Lease,
        status: RunStatus,
    ) -> Result<(), StoreError> {
        let changed = self.conn.execute(
            "UPDATE runs SET status = ?2, lease_owner = NULL, lease_until_ms = NULL WHERE id = ?1 AND lease_owner = ?3",
            params![run.as_str(), status.as_str(), lease.owner],
        )?;
        self.held(run, changed)
    }

    /// Records how a run `lease` holds ended: its status, when, and its result (the JSON
    /// `telaio run --output json` prints). The lease is let go.
    pub fn finish(
        &mut self,
        run: &RunId,
        lease: &Lease,
        status: RunStatus,
        ended_at_ms: u64,
        result: &Value,
    ) -> Result<(), StoreError> {
        let changed = self.conn.execute(
            "UPDATE runs SET status = ?2, ended_at_ms = ?3, result = ?4, lease_owner = NULL, lease_until_ms = NULL WHERE id = ?1 AND lease_owner = ?5",
            params![
                run.as_str(),
                status.as_str(),
                i64_of(ended_at_ms),
                serde_json::to_string(result)?,
                lease.owner
            ],
        )?;
        self.held(run, changed)
    }

    /// `Ok` when an update by a lease's holder changed the run; else why not: the run is
    /// not there, or another holds it.
    fn held(&self, run: &RunId, changed: usize) -> Result<(), StoreError> {
        if changed > 0 {
            return Ok(());
        }
        let exists: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM runs WHERE id = ?1)",
            [run.as_str()],
            |r| r.get(0),
        )?;
        Err(if exists {
            StoreError::LeaseLost(run.as_str().to_owned())
        } else {
            StoreError::NoSuchRun(run.as_str().to_owned())
        })
    }

    /// Runs, newest first.
    pub fn list(&self, filter: &ListFilter) -> Result<Vec<RunSummary>, StoreError> {
        record::list(&self.conn, filter)
    }

    /// The run with this id, or the one run whose id starts with it.
    pub fn find(&self, id: &str) -> Result<RunRecord, StoreError> {
        record::find(&self.conn, id)
    }

    /// A run's journal entries, in order, as stored (JSON text).
    pub fn entries_json(&self, run: &RunId) -> Result<Vec<String>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT entry FROM entries WHERE run_id = ?1 ORDER BY seq")?;
        let rows = statement.query_map([run.as_str()], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A run's journal entries, in order.
    pub fn entries(&self, run: &RunId) -> Result<Vec<Entry>, StoreError> {
        self.entries_json(run)?
            .iter()
            .enumerate()
            .map(|(i, text)| {
                serde_json::from_str(text).map_err(|e| StoreError::BadEntry {
                    run: run.as_str().to_owned(),
                    seq: i + 1,
                    reason: e.to_string(),
                })
            })
            .collect()
    }

    /// Deletes the runs that ended (succeeded or failed) before `before_ms` (milliseconds
    /// since the epoch), with their entries; runs that may still go on (running,
    /// interrupted, in doubt) and runs someone holds are kept. Returns how many went.
    pub fn prune(&mut self, before_ms: u64) -> Result<usize, StoreError> {
        const ENDED: &str = "status IN ('succeeded', 'failed') AND lease_owner IS NULL AND ended_at_ms IS NOT NULL AND ended_at_ms < ?1";
        let tx = self.conn.transaction()?;
        tx.execute(
            &format!("DELETE FROM entries WHERE run_id IN (SELECT id FROM runs WHERE {ENDED})"),
            [i64_of(before_ms)],
        )?;
        let gone = tx.execute(
            &format!("DELETE FROM runs WHERE {ENDED}"),
            [i64_of(before_ms)],
        )?;
        tx.commit()?;
        Ok(gone)
    }

    /// Takes a run's lease for `lease`, when nobody holds it or it is stale (`holder` says
    /// its process is gone, or, for one that cannot be known, its time is up): one run is
    /// never driven by two processes at once. Returns the holder that keeps it, when
    /// another does.
    pub fn take_lease(
        &mut self,
        run: &RunId,
        lease: &Lease,
        now_ms: u64,
        holder: impl Fn(&str) -> Holder,
    ) -> Result<Option<String>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let held: Option<(Option<String>, Option<i64>)> = tx
            .query_row(
                "SELECT lease_owner, lease_until_ms FROM runs WHERE id = ?1",
                [run.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((owner, until)) = held else {
            return Err(StoreError::NoSuchRun(run.as_str().to_owned()));
        };
        if let Some(owner) = owner
            && owner != lease.owner
        {
            let keeps = match holder(&owner) {
                Holder::Alive => true,
                Holder::Gone => false,
                Holder::Unknown => until.is_some_and(|u| u > i64_of(now_ms)),
            };
            if keeps {
                return Ok(Some(owner));
            }
        }
        tx.execute(
            "UPDATE runs SET lease_owner = ?2, lease_until_ms = ?3, status = 'running', ended_at_ms = NULL, result = NULL WHERE id = ?1",
            params![run.as_str(), lease.owner, i64_of(lease.until_ms)],
        )?;
        tx.commit()?;
        Ok(None)
    }

    /// Takes a run up to go on with it: its lease taken for `lease` (refused with
    /// [`StoreError::Held`] while `holder` says its holder keeps it), a trailing interruption
    /// taken back (the run goes on from before it, and its journal reads as if it had not
    /// stopped there), and its entries read.
    pub fn take_up(
        &mut self,
        run: &RunId,
        lease: &Lease,
        now_ms: u64,
        holder: impl Fn(&str) -> Holder,
    ) -> Result<TakenUp, StoreError> {
        if let Some(owner) = self.take_lease(run, lease, now_ms, holder)? {
            return Err(StoreError::Held {
                run: run.as_str().to_owned(),
                owner,
            });
        }
        let mut entries = self.entries(run)?;
        let interrupted = entries.last().is_some_and(Entry::is_interruption);
        if interrupted {
            entries.pop();
            self.truncate(run, u64::try_from(entries.len()).unwrap_or(u64::MAX))?;
        }
        let last = self.last_entry_at(run)?;
        Ok(TakenUp {
            entries,
            waited_ms: last.map_or(0, |at| now_ms.saturating_sub(at)),
            interrupted,
        })
    }

    /// Extends a lease this process holds ([`StoreError::LeaseLost`] when it no longer
    /// does).
    pub fn renew_lease(&mut self, run: &RunId, lease: &Lease) -> Result<(), StoreError> {
        let renewed = self.conn.execute(
            "UPDATE runs SET lease_until_ms = ?3 WHERE id = ?1 AND lease_owner = ?2",
            params![run.as_str(), lease.owner, i64_of(lease.until_ms)],
        )?;
        if renewed == 0 {
            return Err(StoreError::LeaseLost(run.as_str().to_owned()));
        }
        Ok(())
    }
}

/// A run taken up to go on with: its entries, and how long ago the last was written (a
/// wait it was in is waited out from then).
#[derive(Debug)]
pub struct TakenUp {
    /// Its journal entries, an interruption at the end taken back.
    pub entries: Vec<Entry>,
    /// Milliseconds since its last entry was written.
    pub waited_ms: u64,
    /// Whether it ended with an interruption, now taken back: the request it makes next was
    /// never sent.
    pub interrupted: bool,
}

/// SQLite integers are signed; times and counts past `i64::MAX` do not happen, and are
/// clamped rather than wrapped.
fn i64_of(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn create_private_dir(path: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)
}

/// Creates the file, readable by its owner only, when it is not there (an existing store
/// keeps its mode: someone may share it on purpose).
fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}
