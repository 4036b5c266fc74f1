//! `telaio replay`: a run's journal replayed offline. The document is read again (from where
//! the journal says it was, with the sources it was run with) and its plan is fed the
//! journal's entries: the progress, the result and the exit status are the run's, and
//! nothing is sent.

use std::io::{BufRead, IsTerminal};
use std::path::Path;

use telaio_engine::{
    Credentials, DocumentIdentity, Entry, JOURNAL_FORMAT, JournalHeader, Plan, ReplayError,
    StopCause, replay,
};
use telaio_model::Loader;

use crate::args::{ReplayArgs, ReplayOptions, RunOutput};
use crate::render::{Progress, print_outcome, usage_error};
use crate::watch::{Lines, MAX_JOURNAL_LINE, Watch};
use crate::{exit, loading, term};

/// The longest journal line read: the longest the run writes.
const MAX_LINE_BYTES: u64 = MAX_JOURNAL_LINE as u64;

pub(crate) fn run(args: &ReplayArgs) -> u8 {
    let read = read_journal(&args.journal).and_then(|(header, entries)| {
        let plan = plan_for(&header, &args.options)?;
        Ok((header, entries, plan))
    });
    let (header, mut entries, plan) = match read {
        Ok(r) => r,
        Err(e) => {
            usage_error(&e);
            return exit::USAGE;
        }
    };
    let name = args.journal.display().to_string();
    let code = replay_entries(&header, &plan, &mut entries, &args.options, &name);
    match entries.error.take() {
        // A line that is no entry says so, whatever the replay made of the lines before it.
        Some(error) => {
            usage_error(&error);
            exit::USAGE
        }
        None => code,
    }
}

/// Replays `entries` of the run `header` starts, showing its progress and result as the run
/// did; `name` names the journal in messages. The exit status is the run's.
pub(crate) fn replay_entries(
    header: &JournalHeader,
    plan: &Plan,
    entries: &mut dyn Iterator<Item = Entry>,
    args: &ReplayOptions,
    name: &str,
) -> u8 {
    let live = args.output == RunOutput::Human && std::io::stderr().is_terminal();
    // The run's own first line, as it printed it.
    if let Some(id) = &header.run_id {
        term::eprintln(&format!("run {id}"));
    }
    let trace = match args.trace.as_deref().map(|p| Lines::create("trace", p)) {
        Some(Err(e)) => {
            usage_error(&e);
            return exit::USAGE;
        }
        trace => trace.and_then(Result::ok),
    };
    let mut watch = Watch {
        progress: live.then(Progress::default),
        trace,
        journal: None,
        record: None,
        replaying: false,
    };
    // The journal holds no secret, so there is none to learn; sensitive data is masked as it
    // was in the run (shown, when the run showed it).
    let redactor = telaio_engine::redactor(
        plan,
        &header.inputs,
        &Credentials::default(),
        header.show_sensitive,
    );
    let code = match replay(plan, header, entries, redactor, &mut watch) {
        Ok(replayed) => {
            let signal = match replayed.stopped {
                Some(StopCause::Signal { number }) => Some(number),
                _ => None,
            };
            print_outcome(
                args.output,
                &replayed.outcome,
                signal.is_some(),
                header.run_id.as_deref(),
            );
            match signal {
                // As the run exited: 128 + the signal's number.
                Some(n) => 128u8.saturating_add(n),
                None if replayed.outcome.succeeded => exit::OK,
                None => exit::INVALID,
            }
        }
        Err(e @ ReplayError::Unfinished { .. }) => {
            usage_error(&format!("{name}: {e} (the run crashed or was killed)"));
            exit::INVALID
        }
        Err(e) => {
            usage_error(&format!(
                "{name}: {e}; the document's workflow no longer matches the journal"
            ));
            exit::USAGE
        }
    };
    crate::render::with_unwritten(code, &watch.finish())
}

/// The most steps and the deepest nesting a replayed journal may ask for: a journal may
/// come from someone else, and a replay must end.
const MAX_REPLAY_STEPS: u64 = 10_000_000;
const MAX_REPLAY_DEPTH: usize = 1_000;

/// The journal's entries, read one line at a time as the replay asks for them. A line that
/// is not an entry ends them, and says why (see [`Entries::error`]); an unfinished last line
/// (the run was killed while writing it) ends them as the end of the file does.
struct Entries {
    path: std::path::PathBuf,
    lines: std::io::BufReader<std::fs::File>,
    number: usize,
    line: String,
    error: Option<String>,
}

impl Iterator for Entries {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        loop {
            self.number += 1;
            let number = self.number;
            let path = self.path.display();
            self.line.clear();
            let read =
                std::io::Read::take(&mut self.lines, MAX_LINE_BYTES).read_line(&mut self.line);
            let read = match read {
                Ok(0) => return None,
                Ok(n) => n,
                Err(e) => {
                    self.error = Some(format!("{path}:{number}: cannot read: {e}"));
                    return None;
                }
            };
            let whole = self.line.ends_with('\n');
            if !whole && read as u64 == MAX_LINE_BYTES {
                self.error = Some(format!(
                    "{path}:{number}: the line is longer than {MAX_LINE_BYTES} bytes"
                ));
                return None;
            }
            if self.line.trim().is_empty() {
                continue;
            }
            return match serde_json::from_str(&self.line) {
                Ok(entry) => Some(entry),
                // Cut off mid-line: the run stopped while writing it.
                Err(_) if !whole => None,
                Err(e) => {
                    self.error = Some(format!("{path}:{number}:{}: {e}", e.column().max(1)));
                    None
                }
            };
        }
    }
}

/// The header, checked, and the entries after it.
fn read_journal(path: &Path) -> Result<(JournalHeader, Entries), String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut lines = std::io::BufReader::new(file);
    let mut line = String::new();
    std::io::Read::take(&mut lines, MAX_LINE_BYTES)
        .read_line(&mut line)
        .map_err(|e| format!("{}:1: cannot read: {e}", path.display()))?;
    if line.trim().is_empty() {
        return Err(format!("{} is empty: not a journal", path.display()));
    }
    let foreign = |f: &str| {
        format!(
            "{}:1: a journal in format `{}`, which this Telaio does not read (it reads `{JOURNAL_FORMAT}`)",
            path.display(),
            term::clean(f)
        )
    };
    let header: JournalHeader = serde_json::from_str(&line).map_err(|e| {
        let format = serde_json::from_str::<serde_json::Value>(&line)
            .ok()
            .and_then(|v| v.get("format")?.as_str().map(str::to_owned));
        match format {
            Some(f) if f != JOURNAL_FORMAT => foreign(&f),
            _ => format!(
                "{}: not a journal ({}:1:{}: {e})",
                path.display(),
                path.display(),
                e.column().max(1)
            ),
        }
    })?;
    if header.format != JOURNAL_FORMAT {
        return Err(foreign(&header.format));
    }
    if header.options.max_steps > MAX_REPLAY_STEPS || header.options.max_depth > MAX_REPLAY_DEPTH {
        return Err(format!(
            "{}:1: the journal asks for up to {} steps {} deep; a replay allows at most {MAX_REPLAY_STEPS} steps {MAX_REPLAY_DEPTH} deep",
            path.display(),
            header.options.max_steps,
            header.options.max_depth
        ));
    }
    Ok((
        header,
        Entries {
            path: path.to_owned(),
            lines,
            number: 1,
            line: String::new(),
            error: None,
        },
    ))
}

/// The plan of the journal's document, as it was run: its sources from where they were read,
/// the same servers and options. A document that changed since is refused unless `--force`.
pub(crate) fn plan_for(header: &JournalHeader, args: &ReplayOptions) -> Result<Plan, String> {
    load_for(header, args).map(|(plan, _)| plan)
}

/// [`plan_for`], with the document as loaded.
pub(crate) fn load_for(
    header: &JournalHeader,
    args: &ReplayOptions,
) -> Result<(Plan, telaio_model::Bundle), String> {
    let url = match args.document.as_ref().or(header.document.path.as_ref()) {
        Some(path) => Loader::url_for_path(path).map_err(|e| e.to_string())?,
        None => url::Url::parse(&header.document.url)
            .map_err(|e| format!("the journal names no document it can read: {e}"))?,
    };
    if url.scheme() != "file" {
        return Err(format!(
            "the journal's document is {}; replay reads documents from files only, to send nothing",
            term::clean(url.as_str())
        ));
    }
    // Read as the run read it: the same substitutes, base and roots, never a remote file.
    let loader = loading::loader(&loading::replayed(&header.loading), &[])?;
    let bundle = loader.load_bundle(&url).map_err(|e| {
        format!("cannot read the journal's document: {e}; replay needs it where the run read it")
    })?;
    let now = DocumentIdentity::of(&bundle);
    let changes = header.document.changes(&now);
    if !changes.is_empty() && !args.force {
        return Err(format!(
            "{} changed since the run started ({}), so the run could take another path; pass \
             --force to go on anyway",
            bundle.document.source.name,
            changes.join(", ")
        ));
    }
    let plan =
        Plan::compile_workflow(&bundle, &header.plan, &header.workflow_id).map_err(|errors| {
            errors
                .iter()
                .map(telaio_engine::PlanError::located)
                .collect::<Vec<_>>()
                .join("; ")
        })?;
    Ok((plan, bundle))
}
