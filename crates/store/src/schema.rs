//! The store's tables, and the migrations that bring an older store up to date. The version
//! is SQLite's `user_version`; a store newer than this code is refused, never written.

use std::path::Path;

use rusqlite::Connection;

use crate::StoreError;

/// The schema version this code writes.
pub(crate) const VERSION: i64 = 1;

/// Each migration takes the store from the version before it to its own (index + 1).
const MIGRATIONS: &[&str] = &[
    // 1: runs and their journal entries.
    "CREATE TABLE runs (
        id TEXT PRIMARY KEY NOT NULL,
        workflow_id TEXT NOT NULL,
        document TEXT NOT NULL,
        document_sha256 TEXT NOT NULL,
        status TEXT NOT NULL,
        started_at_ms INTEGER NOT NULL,
        ended_at_ms INTEGER,
        header TEXT NOT NULL,
        result TEXT,
        lease_owner TEXT,
        lease_until_ms INTEGER
    );
    CREATE INDEX runs_by_start ON runs (started_at_ms DESC, id DESC);
    CREATE INDEX runs_by_status ON runs (status, started_at_ms DESC);
    CREATE TABLE entries (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        at_ms INTEGER NOT NULL,
        entry TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
    ) WITHOUT ROWID;",
];

/// Why a file could not be read as a store; a store another process holds for a moment is
/// busy, not foreign.
pub(crate) fn not_a_store(path: &Path, e: rusqlite::Error) -> StoreError {
    if matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    ) {
        return StoreError::Sql(e);
    }
    StoreError::NotAStore {
        path: path.to_owned(),
        reason: e.to_string(),
    }
}

/// The store's schema version, after refusing a store this code must not write: a newer
/// one, or another program's database. Read in one statement, so that another process
/// migrating meanwhile is seen before or after, never half-way.
pub(crate) fn inspect(conn: &Connection, path: &Path) -> Result<i64, StoreError> {
    let (found, tables): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT user_version FROM pragma_user_version()), \
                    (SELECT count(*) FROM sqlite_master WHERE type = 'table')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|e| not_a_store(path, e))?;
    if found > VERSION {
        return Err(StoreError::Newer {
            path: path.to_owned(),
            found,
            supported: VERSION,
        });
    }
    // A database that is not empty and has no version is someone else's.
    if found == 0 && tables > 0 {
        return Err(StoreError::NotAStore {
            path: path.to_owned(),
            reason: "it holds other tables and no Telaio schema version".to_owned(),
        });
    }
    Ok(found)
}

/// Brings the store at `path` to [`VERSION`], or refuses a newer one.
pub(crate) fn migrate(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let not_a_store = |e: rusqlite::Error| not_a_store(path, e);
    let found = inspect(conn, path)?;
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(found).unwrap_or(0))
    {
        let to = i64::try_from(i).unwrap_or(i64::MAX) + 1;
        // Each step and its version change commit together, so a crash leaves either; the
        // version is read again inside, for another process may have just done the step.
        let step = || -> rusqlite::Result<()> {
            conn.execute_batch("BEGIN IMMEDIATE")?;
            let now: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if now < to {
                conn.execute_batch(sql)?;
                conn.execute_batch(&format!("PRAGMA user_version = {to}"))?;
            }
            conn.execute_batch("COMMIT")
        };
        if let Err(e) = step() {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(not_a_store(e));
        }
    }
    Ok(())
}
