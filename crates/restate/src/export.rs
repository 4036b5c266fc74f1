//! A run's journal read back out of Restate, as the journal `telaio run --journal` writes:
//! its header (the first side effect, `document`) and the entries its exchanges journaled,
//! with a `waited` entry for each durable wait the run's machine asked for. `telaio replay`
//! then shows the run again, offline.
//!
//! It reads the rows of Restate's introspection (`POST /query` on the admin API, whose SQL
//! [`query`] writes), and asks nothing itself. Only what the run journaled is read: the journal holds no secret, so neither does
//! the export.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;
use telaio_engine::{Entry, JournalHeader, StopCause};

use crate::runner::{DOCUMENT, SERVICE};

/// One row of Restate's `sys_journal`, as [`query`] selects it.
#[derive(Clone, Debug, Deserialize)]
pub struct JournalRow {
    /// Its place in the invocation's journal.
    pub index: u64,
    /// `Command: Run`, `Notification: Sleep`, …
    pub entry_type: String,
    /// The command's name (a side effect's), when it has one.
    #[serde(default)]
    pub name: Option<String>,
    /// The entry, as Restate shows it in JSON.
    pub entry_json: String,
    /// When Restate appended it, in milliseconds since the Unix epoch.
    pub appended_at_ms: i64,
}

/// Why a run's journal could not be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Restate has no run by that id (never started, or forgotten after its retention).
    #[error(
        "Restate has no journal of run `{0}` (never started, or past Restate's journal retention)"
    )]
    NoSuchRun(String),
    /// The run was refused before it began (an unknown workflow, inputs that do not fit).
    #[error("run `{run}` never began: {reason}")]
    NeverBegan {
        /// The run's id.
        run: String,
        /// What Restate recorded as its end, or that it has none yet.
        reason: String,
    },
    /// An entry is not what this version of Telaio journals.
    #[error("entry {index} of the Restate journal cannot be read: {reason}")]
    Unreadable {
        /// The entry's place in the journal.
        index: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// The admin API's answer is not the rows asked for.
    #[error("Restate's admin API: {0}")]
    Admin(String),
}

/// The SQL that selects run `run_id`'s journal in order (a quote in the id doubled).
pub fn query(run_id: &str) -> String {
    let key = run_id.replace('\'', "''");
    format!(
        "SELECT j.index, j.entry_type, j.name, j.entry_json, \
         CAST(j.appended_at AS BIGINT) AS appended_at_ms \
         FROM sys_journal j JOIN sys_invocation i ON j.id = i.id \
         WHERE i.target_service_name = '{SERVICE}' AND i.target_service_key = '{key}' \
         AND i.target_handler_name = 'run' ORDER BY j.index"
    )
}

/// The rows of an answer of the admin API's `POST /query` (asked for JSON) to [`query`].
///
/// # Errors
/// When the answer holds no rows of that shape, or none at all (Restate has no such run).
pub fn rows(run_id: &str, answer: &str) -> Result<Vec<JournalRow>, ExportError> {
    #[derive(Deserialize)]
    struct Rows {
        rows: Vec<JournalRow>,
    }
    let rows: Rows = serde_json::from_str(answer)
        .map_err(|e| ExportError::Admin(format!("the answer to the query is not its rows: {e}")))?;
    if rows.rows.is_empty() {
        return Err(ExportError::NoSuchRun(run_id.to_owned()));
    }
    Ok(rows.rows)
}

/// The journal of run `run_id` that `rows` (its Restate journal, in order) hold: its
/// header and its entries. A run still under way gives the entries so far (a replay says
/// it is unfinished); a run Restate ended from outside (cancelled) ends with a `stopped`
/// entry saying so.
///
/// # Errors
/// When the run never began, or an entry is not what Telaio journals.
pub fn journal(
    run_id: &str,
    rows: &[JournalRow],
) -> Result<(JournalHeader, Vec<Entry>), ExportError> {
    // Side effects and timers complete by notification, matched to their command by id.
    let mut completions: HashMap<u64, (&JournalRow, Value)> = HashMap::new();
    for row in rows
        .iter()
        .filter(|r| r.entry_type.starts_with("Notification"))
    {
        let json = parse(row)?;
        let completion = &json["Notification"]["Completion"];
        for kind in ["Run", "Sleep"] {
            if let Some(id) = completion[kind]["completion_id"].as_u64() {
                completions.insert(id, (row, completion[kind].clone()));
            }
        }
    }
    let mut header: Option<JournalHeader> = None;
    let mut entries = Vec::new();
    let mut ended = None;
    for row in rows.iter().filter(|r| r.entry_type.starts_with("Command")) {
        let json = parse(row)?;
        let command = &json["Command"];
        if let Some(run) = command.get("Run") {
            let name = run["name"].as_str().unwrap_or_default();
            // An intent holds nothing; a side effect still under way has no result yet.
            let Some((_, done)) = completion_of(run, &completions) else {
                continue;
            };
            if name.starts_with("intent: ") {
                continue;
            }
            let bytes = success(row, done)?;
            if name == DOCUMENT {
                header = Some(decode(row, &bytes)?);
            } else {
                entries.extend(decode::<Vec<Entry>>(row, &bytes)?);
            }
        } else if let Some(sleep) = command.get("Sleep") {
            // The driver's own backoff follows the attempt that asked for it; any other
            // wait is the machine's. A wait cut short is no wait over.
            let backoff = matches!(entries.last(), Some(Entry::RequestRetried { .. }));
            if let (false, Some((woke, _))) = (backoff, completion_of(sleep, &completions)) {
                let millis = woke.appended_at_ms.saturating_sub(row.appended_at_ms);
                entries.push(Entry::Waited {
                    millis: u64::try_from(millis).unwrap_or(0),
                });
            }
        } else if let Some(output) = command.get("Output") {
            ended = output["result"].get("Failure").cloned();
        }
    }
    let Some(header) = header else {
        return Err(ExportError::NeverBegan {
            run: run_id.to_owned(),
            reason: ended.map_or_else(|| "it has not begun yet".to_owned(), |f| failure(&f)),
        });
    };
    if let Some(failure) = ended {
        entries.push(Entry::Stopped {
            cause: StopCause::Cancelled,
            reason: format!("Restate ended the run: {}", failure_text(&failure)),
        });
    }
    Ok((header, entries))
}

fn parse(row: &JournalRow) -> Result<Value, ExportError> {
    serde_json::from_str(&row.entry_json).map_err(|e| ExportError::Unreadable {
        index: row.index,
        reason: e.to_string(),
    })
}

fn completion_of<'r>(
    command: &Value,
    completions: &'r HashMap<u64, (&'r JournalRow, Value)>,
) -> Option<(&'r JournalRow, &'r Value)> {
    let id = command["completion_id"].as_u64()?;
    completions.get(&id).map(|(row, v)| (*row, v))
}

/// The bytes a side effect succeeded with.
fn success(row: &JournalRow, done: &Value) -> Result<Vec<u8>, ExportError> {
    let unreadable = |reason: String| ExportError::Unreadable {
        index: row.index,
        reason,
    };
    match &done["result"] {
        Value::Object(result) => match (result.get("Success"), result.get("Failure")) {
            (Some(Value::Array(bytes)), _) => bytes
                .iter()
                .map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(|| unreadable("its result is not bytes".to_owned())),
            (_, Some(f)) => Err(unreadable(format!(
                "the side effect `{}` failed: {}",
                row.name.as_deref().unwrap_or_default(),
                failure_text(f)
            ))),
            _ => Err(unreadable(
                "its result is neither a success nor a failure".to_owned(),
            )),
        },
        _ => Err(unreadable("it has no result".to_owned())),
    }
}

fn decode<T: serde::de::DeserializeOwned>(
    row: &JournalRow,
    bytes: &[u8],
) -> Result<T, ExportError> {
    serde_json::from_slice(bytes).map_err(|e| ExportError::Unreadable {
        index: row.index,
        reason: format!(
            "`{}` is not what Telaio journals: {e}",
            row.name.as_deref().unwrap_or_default()
        ),
    })
}

fn failure(f: &Value) -> String {
    format!("Restate ended it: {}", failure_text(f))
}

/// A terminal failure as Restate shows it: `{"code": 409, "message": "cancelled"}`.
fn failure_text(f: &Value) -> String {
    let message = f["message"].as_str().unwrap_or("no message");
    match f["code"].as_u64() {
        Some(code) => format!("{message} ({code})"),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use telaio_engine::{DocumentIdentity, JOURNAL_FORMAT, PlanOptions, RunOptions};

    fn header() -> JournalHeader {
        JournalHeader {
            format: JOURNAL_FORMAT.to_owned(),
            telaio: "test".to_owned(),
            run_id: Some("r-1".to_owned()),
            started_at_ms: 1,
            document: DocumentIdentity {
                url: "file:///seed.arazzo.yaml".to_owned(),
                path: None,
                sources: Default::default(),
                sha256: "ab".repeat(32),
                parts: Default::default(),
            },
            workflow_id: "w".to_owned(),
            inputs: json!({}),
            options: RunOptions::default(),
            plan: PlanOptions::default(),
            show_sensitive: false,
            mock: false,
            loading: Default::default(),
            driver: None,
            origin: Some("restate".to_owned()),
        }
    }

    /// Rows as Restate shows them: each `(entry_json, appended_at_ms)` in order.
    fn rows(entries: &[(Value, i64)]) -> Vec<JournalRow> {
        entries
            .iter()
            .enumerate()
            .map(|(i, (json, at))| {
                let (kind, body) = json.as_object().unwrap().iter().next().unwrap();
                let (what, inner) = if kind == "Command" {
                    body.as_object().unwrap().iter().next().unwrap()
                } else {
                    body["Completion"]
                        .as_object()
                        .unwrap()
                        .iter()
                        .next()
                        .unwrap()
                };
                JournalRow {
                    index: i as u64,
                    entry_type: format!("{kind}: {what}"),
                    name: inner["name"].as_str().map(str::to_owned),
                    entry_json: json.to_string(),
                    appended_at_ms: *at,
                }
            })
            .collect()
    }

    fn run(id: u64, name: &str) -> (Value, i64) {
        (
            json!({"Command": {"Run": {"completion_id": id, "name": name}}}),
            0,
        )
    }

    fn done(id: u64, value: &impl serde::Serialize) -> (Value, i64) {
        let bytes = serde_json::to_vec(value).unwrap();
        let done = json!({"completion_id": id, "result": {"Success": bytes}});
        (json!({"Notification": {"Completion": {"Run": done}}}), 0)
    }

    fn sleep(id: u64, at: i64) -> (Value, i64) {
        let sleep = json!({"wake_up_time": at + 500, "completion_id": id, "name": ""});
        (json!({"Command": {"Sleep": sleep}}), at)
    }

    fn woke(id: u64, at: i64) -> (Value, i64) {
        let woke = json!({"completion_id": id});
        (json!({"Notification": {"Completion": {"Sleep": woke}}}), at)
    }

    fn response() -> Entry {
        Entry::Response {
            status: 200,
            headers: Vec::new(),
            body: None,
            body_bytes: 0,
            retry_after_ms: None,
            elapsed_us: 5,
        }
    }

    #[test]
    fn waits_become_entries_and_backoffs_and_intents_do_not() {
        let retried = Entry::RequestRetried {
            attempt: 2,
            reason: "ThrottlingException (HTTP 400)".to_owned(),
            millis: 20,
        };
        let restate = rows(&[
            run(1, DOCUMENT),
            done(1, &header()),
            run(2, "intent: create: POST"),
            done(2, &()),
            run(3, "create: POST"),
            done(3, &vec![response()]),
            sleep(4, 1_000),
            woke(4, 1_503),
            run(5, "poll: POST"),
            done(5, &vec![retried.clone()]),
            sleep(6, 2_000),
            woke(6, 2_020),
            run(7, "poll: POST (attempt 2)"),
            done(7, &vec![response()]),
        ]);
        let (h, entries) = journal("r-1", &restate).unwrap();
        assert_eq!(h, header());
        assert_eq!(
            entries,
            vec![
                response(),
                Entry::Waited { millis: 503 },
                retried,
                response()
            ]
        );
    }

    #[test]
    fn a_run_ended_from_outside_ends_stopped_without_the_wait_it_was_in() {
        let failure = json!({"Command": {"Output": {"result": {"Failure": {"code": 409, "message": "cancelled"}}}}});
        let restate = rows(&[
            run(1, DOCUMENT),
            done(1, &header()),
            run(2, "poll: GET"),
            done(2, &vec![response()]),
            sleep(3, 1_000),
            (failure, 1_200),
        ]);
        let (_, entries) = journal("r-1", &restate).unwrap();
        assert_eq!(
            entries,
            vec![
                response(),
                Entry::Stopped {
                    cause: StopCause::Cancelled,
                    reason: "Restate ended the run: cancelled (409)".to_owned()
                }
            ]
        );
    }

    #[test]
    fn a_run_refused_before_it_began_has_no_journal() {
        let refused = json!({"Command": {"Output": {"result": {"Failure": {"code": 404, "message": "no workflow `x` is served here"}}}}});
        let e = journal("r-2", &rows(&[(refused, 0)])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "run `r-2` never began: Restate ended it: no workflow `x` is served here (404)"
        );
    }

    #[test]
    fn what_telaio_does_not_journal_is_named() {
        let restate = rows(&[run(1, DOCUMENT), done(1, &json!({"not": "a header"}))]);
        let e = journal("r-3", &restate).unwrap_err();
        assert!(
            e.to_string().starts_with("entry 0 of the Restate journal cannot be read: `document` is not what Telaio journals"),
            "{e}"
        );
    }

    #[test]
    fn a_quote_in_a_run_id_stays_in_its_string() {
        assert!(query("x' OR '1'='1").contains("target_service_key = 'x'' OR ''1''=''1'"));
    }

    #[test]
    fn an_empty_answer_is_no_such_run() {
        let e = super::rows("r-4", r#"{"rows": []}"#).unwrap_err();
        assert!(matches!(e, ExportError::NoSuchRun(_)), "{e}");
    }
}
