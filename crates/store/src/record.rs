//! What the store says of a run: its id, status and times (a summary, for lists), and its
//! header and result (the record, for `show`, `replay` and `resume`).

use std::fmt;

use rusqlite::{Connection, Row, params};
use serde_json::Value;
use telaio_run::JournalHeader;

use crate::StoreError;

/// A run's id: a UUID v7, so that ids sort by the time they were made.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RunId(String);

impl RunId {
    /// A new id, for a run starting now.
    pub fn new() -> RunId {
        RunId(uuid::Uuid::now_v7().to_string())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id's 16 bytes (all zero for an id that is not a UUID, which [`RunId::new`] never
    /// makes): a seed for what must be the same each time the run is resumed.
    pub fn bytes(&self) -> [u8; 16] {
        uuid::Uuid::parse_str(&self.0).map_or([0; 16], |u| *u.as_bytes())
    }
}

impl Default for RunId {
    fn default() -> Self {
        RunId::new()
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RunStatus {
    /// Going, or cut short by a crash (its lease then says nobody drives it).
    Running,
    /// Ended, its workflow succeeded.
    Succeeded,
    /// Ended, its workflow failed (or a limit stopped it).
    Failed,
    /// Stopped by the user (Ctrl-C, SIGTERM) at a safe point; it can be resumed.
    Interrupted,
    /// Stopped on resume before a request that may or may not have taken effect.
    InDoubt,
}

impl RunStatus {
    /// The status as stored and shown: `running`, `succeeded`, `failed`, `interrupted`,
    /// `in-doubt`.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Interrupted => "interrupted",
            RunStatus::InDoubt => "in-doubt",
        }
    }

    /// The status a name gives.
    ///
    /// ```
    /// use telaio_store::RunStatus;
    /// assert_eq!(RunStatus::named("in-doubt"), Some(RunStatus::InDoubt));
    /// assert_eq!(RunStatus::named("done"), None);
    /// ```
    pub fn named(name: &str) -> Option<RunStatus> {
        [
            RunStatus::Running,
            RunStatus::Succeeded,
            RunStatus::Failed,
            RunStatus::Interrupted,
            RunStatus::InDoubt,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }

    /// Whether a run in this status may go on (`resume`).
    pub fn resumable(self) -> bool {
        matches!(
            self,
            RunStatus::Running | RunStatus::Interrupted | RunStatus::InDoubt
        )
    }
}

impl fmt::Display for RunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which runs to list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListFilter {
    /// Only runs in this status.
    pub status: Option<RunStatus>,
    /// Only runs of this workflow.
    pub workflow: Option<String>,
    /// Only runs started at or after this time (milliseconds since the Unix epoch).
    pub since_ms: Option<u64>,
    /// At most this many.
    pub limit: usize,
}

impl Default for ListFilter {
    fn default() -> Self {
        ListFilter {
            status: None,
            workflow: None,
            since_ms: None,
            limit: 20,
        }
    }
}

/// A run at a glance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunSummary {
    /// Its id.
    pub id: RunId,
    /// The workflow it runs.
    pub workflow_id: String,
    /// The document: its path, or its URL when it was not a local file.
    pub document: String,
    /// Where it is.
    pub status: RunStatus,
    /// When it started (milliseconds since the Unix epoch).
    pub started_at_ms: u64,
    /// When it ended.
    pub ended_at_ms: Option<u64>,
    /// Who drives it, while someone does (`host:pid`).
    pub lease_owner: Option<String>,
    /// Until when the lease holds.
    pub lease_until_ms: Option<u64>,
}

impl RunSummary {
    /// Where the run is as seen from `host` at `now_ms`: a `running` run whose process is
    /// gone, or whose lease ran out, is `interrupted` (it can be resumed).
    pub fn status_now(&self, host: &str, now_ms: u64) -> RunStatus {
        use crate::{Holder, Lease};
        match (&self.status, &self.lease_owner) {
            (RunStatus::Running, Some(owner)) => match Lease::holder(owner, host) {
                Holder::Alive => RunStatus::Running,
                Holder::Gone => RunStatus::Interrupted,
                Holder::Unknown if self.lease_until_ms.is_some_and(|u| u < now_ms) => {
                    RunStatus::Interrupted
                }
                Holder::Unknown => RunStatus::Running,
            },
            (status, _) => *status,
        }
    }
}

/// A run, whole but for its entries ([`crate::Store::entries`]).
#[derive(Clone, Debug, PartialEq)]
pub struct RunRecord {
    /// The run at a glance.
    pub summary: RunSummary,
    /// The header it started with (document identity, workflow, masked inputs, limits).
    pub header: JournalHeader,
    /// Its result, once it ended (what `telaio run --output json` printed).
    pub result: Option<Value>,
    /// How many journal entries it has.
    pub entries: u64,
}

const SUMMARY_COLUMNS: &str =
    "id, workflow_id, document, status, started_at_ms, ended_at_ms, lease_owner, lease_until_ms";

fn summary(row: &Row<'_>) -> rusqlite::Result<RunSummary> {
    let status: String = row.get(3)?;
    let unsigned = |n: Option<i64>| n.map(|n| u64::try_from(n).unwrap_or(0));
    Ok(RunSummary {
        id: RunId(row.get(0)?),
        workflow_id: row.get(1)?,
        document: row.get(2)?,
        status: RunStatus::named(&status).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                3,
                rusqlite::types::Type::Text,
                format!("unknown run status `{status}`").into(),
            )
        })?,
        started_at_ms: unsigned(row.get(4)?).unwrap_or(0),
        ended_at_ms: unsigned(row.get(5)?),
        lease_owner: row.get(6)?,
        lease_until_ms: unsigned(row.get(7)?),
    })
}

pub(crate) fn list(conn: &Connection, filter: &ListFilter) -> Result<Vec<RunSummary>, StoreError> {
    let mut sql = format!("SELECT {SUMMARY_COLUMNS} FROM runs WHERE 1 = 1");
    if filter.status.is_some() {
        sql.push_str(" AND status = ?1");
    }
    if filter.workflow.is_some() {
        sql.push_str(" AND workflow_id = ?2");
    }
    if filter.since_ms.is_some() {
        sql.push_str(" AND started_at_ms >= ?3");
    }
    sql.push_str(" ORDER BY started_at_ms DESC, id DESC LIMIT ?4");
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(
        params![
            filter.status.map(RunStatus::as_str),
            filter.workflow,
            filter
                .since_ms
                .map(|s| i64::try_from(s).unwrap_or(i64::MAX)),
            i64::try_from(filter.limit).unwrap_or(i64::MAX),
        ],
        summary,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn find(conn: &Connection, id: &str) -> Result<RunRecord, StoreError> {
    // An id, or the start of one (as with git's commits); `%` and `_` are not in ids.
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(StoreError::NoSuchRun(id.to_owned()));
    }
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {SUMMARY_COLUMNS}, header, result, (SELECT count(*) FROM entries WHERE run_id = runs.id)
         FROM runs WHERE id >= ?1 AND id < ?1 || 'g' ORDER BY id LIMIT 2"
    ))?;
    let mut found = statement
        .query_map([id.to_ascii_lowercase()], |row| {
            Ok((
                summary(row)?,
                row.get::<_, String>(8)?,
                row.get::<_, Option<String>>(9)?,
                row.get::<_, i64>(10)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    if found.len() > 1 {
        let count: i64 = conn.query_row(
            "SELECT count(*) FROM runs WHERE id >= ?1 AND id < ?1 || 'g'",
            [id.to_ascii_lowercase()],
            |r| r.get(0),
        )?;
        return Err(StoreError::Ambiguous {
            prefix: id.to_owned(),
            count: usize::try_from(count).unwrap_or(usize::MAX),
        });
    }
    let Some((summary, header, result, entries)) = found.pop() else {
        return Err(StoreError::NoSuchRun(id.to_owned()));
    };
    let bad = |what: &str, e: serde_json::Error| StoreError::BadEntry {
        run: summary.id.to_string(),
        seq: 0,
        reason: format!("its {what} cannot be read: {e}"),
    };
    Ok(RunRecord {
        header: serde_json::from_str(&header).map_err(|e| bad("header", e))?,
        result: result
            .map(|r| serde_json::from_str(&r))
            .transpose()
            .map_err(|e| bad("result", e))?,
        entries: u64::try_from(entries).unwrap_or(0),
        summary,
    })
}
