//! `telaio runs`: the runs recorded in the store. `list` and `prune` read and trim the store;
//! `show`, `replay` and `export` read one run's journal, `show` and `replay` by replaying it
//! through the machine (so a request is shown as the run built it, masked as it was).

use std::io::Write;
use std::time::Duration;

use serde_json::{Value, json};
use telaio_engine::{Credentials, Event, Record, replay};
use telaio_store::{ListFilter, RunRecord, RunStatus, RunSummary, Store};

use crate::args::{
    ExportFormat, RunOutput, RunsArgs, RunsCommand, RunsExportArgs, RunsListArgs, RunsShowArgs,
};
use crate::render::usage_error;
use crate::term::{clean, print_json};
use crate::{exit, replay as replay_cmd};

pub(crate) fn run(args: &RunsArgs) -> u8 {
    let store = match crate::store::open(&args.store) {
        Ok(s) => s,
        Err(e) => {
            usage_error(&e);
            return exit::USAGE;
        }
    };
    let done = match &args.command {
        RunsCommand::List(a) => list(&store, a),
        RunsCommand::Show(a) => show(&store, a),
        RunsCommand::Replay(a) => return replay_run(&store, &a.run, &a.options),
        RunsCommand::Export(a) => export(&store, a),
        RunsCommand::Prune(a) => prune(store, &a.older_than),
        RunsCommand::Resume(a) => return crate::resume::run(store, a),
    };
    match done {
        Ok(()) => exit::OK,
        Err(e) => {
            usage_error(&e);
            exit::USAGE
        }
    }
}

/// `90s`, `15m`, `12h`, `7d`, `2w`.
///
/// A duration is a whole number and one unit; anything else is refused with the forms it
/// takes.
pub(crate) fn duration(text: &str) -> Result<Duration, String> {
    let bad = || {
        format!(
            "`{}` is not a duration: write it as 90s, 15m, 12h, 7d or 2w",
            clean(text)
        )
    };
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().map_err(|_| bad())?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return Err(bad()),
    };
    Ok(Duration::from_secs(n.saturating_mul(seconds)))
}

fn list(store: &Store, args: &RunsListArgs) -> Result<(), String> {
    let status = args
        .status
        .as_deref()
        .map(|s| {
            RunStatus::named(s).ok_or_else(|| {
                format!(
                    "no run status `{}`: it is one of running, succeeded, failed, interrupted, in-doubt",
                    clean(s)
                )
            })
        })
        .transpose()?;
    let since_ms = args.since.as_deref().map(duration).transpose()?.map(|d| {
        crate::store::now_ms().saturating_sub(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    });
    let runs = store
        .list(&ListFilter {
            status,
            workflow: args.workflow.clone(),
            since_ms,
            limit: args.limit,
        })
        .map_err(|e| e.to_string())?;
    match args.output {
        RunOutput::Json => print_json(&Value::Array(runs.iter().map(summary_json).collect())),
        RunOutput::Human => {
            let mut out = anstream::stdout().lock();
            if runs.is_empty() {
                let _ = writeln!(out, "no runs in {}", store.path().display());
            }
            for r in &runs {
                let _ = writeln!(
                    out,
                    "{}  {:<11}  {}  {}  {}",
                    r.id,
                    shown_status(r).as_str(),
                    time(r.started_at_ms),
                    took(r),
                    clean(&r.workflow_id)
                );
            }
        }
    }
    Ok(())
}

/// The status as a person should read it: a run left `running` by a process that is gone
/// was interrupted.
fn shown_status(r: &RunSummary) -> RunStatus {
    r.status_now(&crate::store::host(), crate::store::now_ms())
}

fn summary_json(r: &RunSummary) -> Value {
    json!({
        "runId": r.id.as_str(),
        "workflowId": r.workflow_id,
        "document": r.document,
        "status": shown_status(r).as_str(),
        "startedAtMs": r.started_at_ms,
        "endedAtMs": r.ended_at_ms,
    })
}

/// A time as UTC, to the second: `2026-12-03 11:52:07Z`.
fn time(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil(i64::try_from(days).unwrap_or(0));
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// A time as ISO 8601 in UTC, to the millisecond: `2026-12-03T11:52:07.123Z`.
pub(crate) fn iso8601(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil(i64::try_from(days).unwrap_or(0));
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        ms % 1000
    )
}

/// The calendar date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// How long a run took (`1.2 s`), or `-` while it has not ended.
fn took(r: &RunSummary) -> String {
    match r.ended_at_ms {
        Some(end) => format!(
            "{:>8}",
            format!(
                "{} s",
                telaio_engine::seconds(Duration::from_millis(end.saturating_sub(r.started_at_ms)))
            )
        ),
        None => format!("{:>8}", "-"),
    }
}

fn show(store: &Store, args: &RunsShowArgs) -> Result<(), String> {
    let record = store.find(&args.run).map_err(|e| e.to_string())?;
    let entries = store
        .entries(&record.summary.id)
        .map_err(|e| e.to_string())?;
    let entry_count = entries.len();
    let journal = (args.output == RunOutput::Json)
        .then(|| serde_json::to_value(&entries).unwrap_or_default());
    // The answers' bodies as recorded (masked as in the run), in the order they came.
    let human = args.output == RunOutput::Human;
    let bodies: Vec<Option<String>> = entries
        .iter()
        .filter(|_| human)
        .filter_map(|entry| match entry {
            telaio_engine::Entry::Response { body, .. } => Some(body.as_ref().map(|b| match b {
                telaio_engine::JournalBody::Json(v) => shown_json(v),
                telaio_engine::JournalBody::Text(t) => cut(t, BODY_SHOWN).into_owned(),
            })),
            _ => None,
        })
        .collect();
    // The timeline is the run's own events, had again from its journal: requests as the run
    // built them, responses, waits, retries, actions, masked as in the run.
    let (events, replayed) = match timeline(&record, entries) {
        Ok(events) => (events, Ok(())),
        Err(e) => (Vec::new(), Err(e)),
    };
    match args.output {
        RunOutput::Json => {
            let mut v = summary_json(&record.summary);
            v["header"] = serde_json::to_value(&record.header).unwrap_or_default();
            v["result"] = record.result.clone().unwrap_or(Value::Null);
            v["entries"] = json!(entry_count);
            v["events"] = serde_json::to_value(&events).unwrap_or_default();
            // The answers as recorded (bodies as read, masked as in the run).
            v["journal"] = journal.unwrap_or_default();
            if let Err(e) = &replayed {
                v["timelineUnavailable"] = json!(e);
            }
            print_json(&v);
        }
        RunOutput::Human => {
            let mut out = anstream::stdout().lock();
            let _ = write_show(
                &mut out,
                &record,
                &events,
                &bodies,
                replayed.err().as_deref(),
            );
        }
    }
    Ok(())
}

/// The run's events, had again by replaying its journal through the machine (so requests
/// show as the run built them, masked as in the run). A run cut short replays to where it was:
/// its events so far are what there is.
fn timeline(record: &RunRecord, entries: Vec<telaio_engine::Entry>) -> Result<Vec<Record>, String> {
    let plan = crate::replay::plan_for(&record.header, &no_options())?;
    let redactor = telaio_engine::redactor(
        &plan,
        &record.header.inputs,
        &Credentials::default(),
        record.header.show_sensitive,
    );
    let mut events: Vec<Record> = Vec::new();
    let mut collect = |r: &Record| events.push(r.clone());
    let _ = replay(&plan, &record.header, entries, redactor, &mut collect);
    Ok(events)
}

/// Replay options with nothing asked: the document from where the run read it, unchanged.
fn no_options() -> crate::args::ReplayOptions {
    crate::args::ReplayOptions {
        output: RunOutput::Human,
        force: false,
        document: None,
        trace: None,
    }
}

/// How much of a response body `runs show` prints on its line (all of it is in
/// `--output json` and in `runs export`).
const BODY_SHOWN: usize = 240;

/// `text` cut to about `most` bytes (at a character boundary), saying how much was left out.
fn cut(text: &str, most: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= most {
        return text.into();
    }
    let start = prefix(text, most);
    format!("{start}… ({} more bytes)", text.len() - start.len()).into()
}

/// The first `most` bytes of `text`, or fewer, ending at a character boundary.
fn prefix(text: &str, most: usize) -> &str {
    let end = (0..=most.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    &text[..end]
}

/// A JSON body's start, as compact JSON: written out only as far as it is shown.
fn shown_json(v: &Value) -> String {
    struct Upto(Vec<u8>);
    impl Write for Upto {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.0.len() > BODY_SHOWN * 4 {
                // Enough: the rest is not shown.
                return Err(std::io::ErrorKind::WriteZero.into());
            }
            self.0.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut out = Upto(Vec::new());
    let whole = serde_json::to_writer(&mut out, v).is_ok();
    let text = String::from_utf8_lossy(&out.0);
    if whole {
        cut(&text, BODY_SHOWN).into_owned()
    } else {
        format!("{}… (more)", prefix(&text, BODY_SHOWN))
    }
}

fn write_show(
    out: &mut impl Write,
    record: &RunRecord,
    events: &[Record],
    bodies: &[Option<String>],
    unavailable: Option<&str>,
) -> std::io::Result<()> {
    let mut bodies = bodies.iter();
    let r = &record.summary;
    writeln!(out, "run {}", r.id)?;
    writeln!(out, "  workflow  {}", clean(&r.workflow_id))?;
    writeln!(out, "  document  {}", clean(&r.document))?;
    writeln!(out, "  status    {}", shown_status(r))?;
    writeln!(out, "  started   {}", time(r.started_at_ms))?;
    if let Some(end) = r.ended_at_ms {
        writeln!(out, "  ended     {} ({})", time(end), took(r).trim())?;
    }
    writeln!(
        out,
        "  inputs    {}",
        clean(&record.header.inputs.to_string())
    )?;
    writeln!(out)?;
    if let Some(why) = unavailable {
        writeln!(out, "no timeline: {}", clean(why))?;
        writeln!(out, "{} journal entries are recorded", record.entries)?;
        return Ok(());
    }
    for record in events {
        let at = format!(
            "{:>9}",
            format!(
                "{} s",
                telaio_engine::seconds(Duration::from_micros(record.at_us))
            )
        );
        let line = match &record.event {
            Event::StepStarted {
                step_id,
                attempt,
                target,
                ..
            } => format!("step {} #{attempt}: {}", clean(step_id), clean(target)),
            Event::RequestSent {
                method,
                url,
                body_bytes,
                ..
            } => format!("  → {method} {} ({body_bytes} bytes)", clean(url)),
            Event::ResponseReceived {
                status,
                body_bytes,
                elapsed_us,
                ..
            } => {
                let mut line = format!(
                    "  ← {status} ({body_bytes} bytes, {:.1} ms)",
                    *elapsed_us as f64 / 1000.0
                );
                if let Some(Some(body)) = bodies.next() {
                    line.push_str(&format!("\n{:>9}      {}", "", clean(body)));
                }
                line
            }
            Event::TransportFailed { reason, .. } => format!("  ✗ {}", clean(reason)),
            Event::RequestRetried {
                attempt,
                reason,
                millis,
                ..
            } => format!("  ↻ attempt {attempt} after {millis} ms: {}", clean(reason)),
            Event::Waited { millis, reason, .. } => format!("  … waited {millis} ms ({reason})"),
            Event::StepFinished {
                step_id,
                succeeded,
                reason,
                ..
            } => match (succeeded, reason) {
                (true, _) => format!("  ✓ {}", clean(step_id)),
                (false, r) => format!(
                    "  ✗ {}: {}",
                    clean(step_id),
                    clean(r.as_deref().unwrap_or("failed"))
                ),
            },
            Event::ActionTaken { name, action, .. } => {
                format!("  → {} ({})", clean(&action.to_string()), clean(name))
            }
            Event::RunFinished {
                succeeded,
                outputs,
                error,
            } => {
                let mut line = format!(
                    "{} · outputs {}",
                    if *succeeded { "succeeded" } else { "failed" },
                    clean(&outputs.to_string())
                );
                if let Some(e) = error {
                    line.push_str(&format!(" · {}", clean(&e.reason)));
                }
                line
            }
            _ => continue,
        };
        writeln!(out, "{at}  {line}")?;
    }
    if !events
        .iter()
        .any(|r| matches!(r.event, Event::RunFinished { .. }))
    {
        writeln!(out, "(the journal ends here: the run was cut short)")?;
    }
    Ok(())
}

fn replay_run(store: &Store, run: &str, options: &crate::args::ReplayOptions) -> u8 {
    let read = store.find(run).and_then(|r| {
        let entries = store.entries(&r.summary.id)?;
        Ok((r, entries))
    });
    let (record, entries) = match read {
        Ok(r) => r,
        Err(e) => {
            usage_error(&e.to_string());
            return exit::USAGE;
        }
    };
    let plan = match replay_cmd::plan_for(&record.header, options) {
        Ok(p) => p,
        Err(e) => {
            usage_error(&e);
            return exit::USAGE;
        }
    };
    let name = format!("run {}", record.summary.id);
    replay_cmd::replay_entries(
        &record.header,
        &plan,
        &mut entries.into_iter(),
        options,
        &name,
    )
}

fn export(store: &Store, args: &RunsExportArgs) -> Result<(), String> {
    let record = store.find(&args.run).map_err(|e| e.to_string())?;
    let lines = store
        .entries_json(&record.summary.id)
        .map_err(|e| e.to_string())?;
    match args.format {
        ExportFormat::Har => {
            let entries = store
                .entries(&record.summary.id)
                .map_err(|e| e.to_string())?;
            let events = timeline(&record, entries.clone())
                .map_err(|e| format!("run {}: {e}", record.summary.id))?;
            print_json(&crate::har::har(
                record.header.started_at_ms,
                &events,
                &entries,
            ));
        }
        ExportFormat::Jsonl => print_journal(&record.header, lines.iter())?,
    }
    Ok(())
}

/// Prints a journal: its header, then one entry per line (`entries`, each JSON already).
pub(crate) fn print_journal<L: std::fmt::Display>(
    header: &telaio_engine::JournalHeader,
    entries: impl Iterator<Item = L>,
) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    let header = serde_json::to_string(header).map_err(|e| e.to_string())?;
    let mut entries = entries;
    let written = writeln!(out, "{header}")
        .and_then(|()| entries.try_for_each(|l| writeln!(out, "{l}")))
        .and_then(|()| out.flush());
    // A closed pipe (`| head`) is the reader's choice, not a failure.
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write the export: {e}"))
        }
        _ => Ok(()),
    }
}

fn prune(mut store: Store, older_than: &str) -> Result<(), String> {
    let age = duration(older_than)?;
    let before =
        crate::store::now_ms().saturating_sub(u64::try_from(age.as_millis()).unwrap_or(u64::MAX));
    let gone = store.prune(before).map_err(|e| e.to_string())?;
    crate::term::eprintln(&format!(
        "pruned {gone} run{} that ended before {}",
        if gone == 1 { "" } else { "s" },
        time(before)
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_one_unit() {
        assert_eq!(duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(duration("7d").unwrap(), Duration::from_secs(7 * 86_400));
        assert_eq!(duration("2w").unwrap(), Duration::from_secs(14 * 86_400));
        for bad in ["", "d", "7", "7 days", "-1d", "1.5h"] {
            assert!(duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_are_utc_dates() {
        assert_eq!(time(0), "1970-01-01 00:00:00Z");
        assert_eq!(time(1_796_298_727_000), "2026-12-03 11:52:07Z");
        assert_eq!(time(951_782_400_000), "2000-02-29 00:00:00Z");
    }
}
