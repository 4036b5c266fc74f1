//! What can go wrong with a store, each case naming the file.

use std::path::PathBuf;

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The folder or the file could not be created.
    #[error("cannot create {}: {source}", path.display())]
    Folder {
        /// The folder or file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// SQLite could not open the file.
    #[error("cannot open the run store {}: {source}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        source: rusqlite::Error,
    },
    /// The file is not a run store (not SQLite, corrupt, or another program's database).
    #[error("{} is not a Telaio run store: {reason}", path.display())]
    NotAStore {
        /// The file.
        path: PathBuf,
        /// What SQLite or the schema check said.
        reason: String,
    },
    /// The store was written by a newer Telaio.
    #[error(
        "the run store {} has schema version {found}, newer than this Telaio reads ({supported}); use a newer Telaio, or another store",
        path.display()
    )]
    Newer {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest this version reads.
        supported: i64,
    },
    /// No run has that id (or starts with it).
    #[error("no run `{0}` in the store")]
    NoSuchRun(String),
    /// The run's lease was taken by another process (this one was thought gone): it
    /// drives the run now, and this one must stop.
    #[error("run {0} is no longer held by this process: another took it over, and drives it now")]
    LeaseLost(String),
    /// Another process drives the run.
    #[error(
        "run {run} is being driven by {owner}; it can be resumed once that process has stopped"
    )]
    Held {
        /// The run.
        run: String,
        /// Its lease's holder.
        owner: String,
    },
    /// More than one run starts with that prefix.
    #[error("`{prefix}` is the start of {count} run ids; give more of it")]
    Ambiguous {
        /// The prefix given.
        prefix: String,
        /// How many runs it names.
        count: usize,
    },
    /// A stored entry could not be read back.
    #[error("entry {seq} of run {run} cannot be read: {reason}")]
    BadEntry {
        /// The run.
        run: String,
        /// The entry's number.
        seq: usize,
        /// Why.
        reason: String,
    },
    /// A query failed (a full disk, a locked store past the busy timeout).
    #[error("the run store failed: {0}")]
    Sql(#[from] rusqlite::Error),
    /// A value could not be written as JSON.
    #[error("cannot encode a record: {0}")]
    Json(#[from] serde_json::Error),
}

impl StoreError {
    /// Whether another process held the store at that moment (trying again may work).
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            StoreError::Sql(e) if matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            )
        )
    }
}
