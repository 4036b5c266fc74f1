//! `telaio run FILE --inputs-jsonl INPUTS.jsonl`: the workflow once per line of inputs, many
//! at once, each run recorded in the store; one JSON result per line on stdout, in the order
//! of the lines, and a summary on stderr. The runs go through the same service as `telaio
//! serve`'s, without HTTP.

use std::io::{BufRead, Write};
use std::sync::Arc;

use futures_util::stream::{self, StreamExt};
use serde_json::{Value, json};
use telaio_serve::{Service, StartError};

use crate::args::RunArgs;
use crate::render::usage_error;
use crate::{exit, term};

/// The longest line of inputs read.
const MAX_LINE: usize = 1024 * 1024;

pub(crate) fn run(args: &RunArgs, inputs: &std::path::Path) -> u8 {
    match batch(args, inputs) {
        Ok(code) => code,
        Err(messages) => {
            for m in messages {
                usage_error(&m);
            }
            exit::USAGE
        }
    }
}

fn batch(args: &RunArgs, inputs: &std::path::Path) -> Result<u8, Vec<String>> {
    if args.no_store {
        return Err(vec![
            "--inputs-jsonl records every run in the store: drop --no-store".to_owned(),
        ]);
    }
    let file = std::fs::File::open(inputs)
        .map_err(|e| vec![format!("cannot read {}: {e}", inputs.display())])?;
    let settings = &args.settings;
    let aws = crate::setup::aws(settings);
    let mut read = crate::served::read(
        settings,
        &args.file,
        aws.region.as_deref(),
        &mut Default::default(),
        true,
    )?;
    let workflow = chosen(&read, args.workflow.as_deref())?;
    read.workflows.retain(|w| w.workflow_id == workflow);
    // Requests in flight at once, and as many runs again waiting their turn to start.
    let window = args.concurrency.max(1) * 4;
    let service = crate::serve::service(
        settings,
        &args.store,
        crate::served::Planned {
            workflows: read.workflows,
            schemes: read.schemes,
            paces: read.paces,
            pages: Vec::new(),
        },
        aws,
        (args.concurrency.max(1), window),
        "batch",
    )?;
    let runtime = crate::served::runtime()?;
    let mock = read.mock;
    runtime.block_on(async move {
        if let Some(mock) = mock {
            mock.spawn().map_err(|e| vec![e])?;
        }
        let started = std::time::Instant::now();
        let lines = std::io::BufReader::new(file)
            .lines()
            .enumerate()
            .filter(|(_, line)| line.as_ref().map_or(true, |l| !l.trim().is_empty()));
        let results = stream::iter(lines)
            .map(|(n, line)| one(service.clone(), workflow.clone(), n + 1, line))
            .buffered(window);
        tokio::pin!(results);
        // A signal stops the runs under way at a safe point; every line still gets its
        // result (those not started say so).
        let signalled = Arc::new(std::sync::atomic::AtomicU8::new(0));
        let watcher = {
            let (service, signalled) = (service.clone(), signalled.clone());
            tokio::spawn(async move {
                let code = crate::run::signal().await;
                signalled.store(code, std::sync::atomic::Ordering::SeqCst);
                term::eprintln(
                    "stopping: runs under way stop at a safe point and are recorded; again to stop at once",
                );
                crate::run::exit_on_second_signal();
                service.shut_down().await;
            })
        };
        let mut tally = Tally::default();
        let mut out = std::io::stdout().lock();
        while let Some(result) = results.next().await {
            tally.count(&result);
            let _ = writeln!(out, "{result}");
            let _ = out.flush();
        }
        let signalled = signalled.load(std::sync::atomic::Ordering::SeqCst);
        if signalled == 0 {
            watcher.abort();
        }
        term::eprintln(&tally.summary(started.elapsed(), signalled != 0));
        Ok(match signalled {
            0 if tally.all_succeeded() => exit::OK,
            0 => exit::INVALID,
            code => 128 + code,
        })
    })
}

/// The workflow to run: the one named, or the document's only one (that can run).
fn chosen(read: &crate::served::Read, named: Option<&str>) -> Result<String, Vec<String>> {
    let why = |id: &str| {
        read.left_out
            .iter()
            .find(|(left, _)| left == id)
            .map(|(_, why)| vec![format!("workflow `{}` cannot run: {why}", term::clean(id))])
    };
    match named {
        Some(id) if read.workflows.iter().any(|w| w.workflow_id == id) => Ok(id.to_owned()),
        Some(id) => {
            Err(why(id)
                .unwrap_or_else(|| vec![format!("there is no workflow `{}`", term::clean(id))]))
        }
        None => match (read.workflows.as_slice(), read.left_out.as_slice()) {
            ([only], []) => Ok(only.workflow_id.clone()),
            ([], [(id, _)]) => Err(why(id).unwrap_or_default()),
            _ => Err(vec![
                "the document has several workflows; choose one with --workflow".to_owned(),
            ]),
        },
    }
}

/// One line's run: started, then its result; a line that is not an object of inputs, or
/// whose inputs do not fit, is a result of its own (`"status": "invalid"`).
async fn one(
    service: Arc<Service>,
    workflow: String,
    line_number: usize,
    line: std::io::Result<String>,
) -> Value {
    let invalid = |reason: String| json!({"line": line_number, "workflowId": workflow, "status": "invalid", "error": {"reason": reason}});
    let line = match line {
        Ok(l) if l.len() > MAX_LINE => {
            return invalid(format!("the line is longer than {MAX_LINE} bytes"));
        }
        Ok(l) => l,
        Err(e) => return invalid(format!("cannot read the line: {e}")),
    };
    let inputs = match serde_json::from_str::<Value>(&line) {
        Ok(Value::Object(inputs)) => inputs,
        Ok(_) => return invalid("a line holds an object of inputs".to_owned()),
        Err(e) => return invalid(format!("not JSON: {e}")),
    };
    loop {
        match service.start(&workflow, None, None, inputs.clone()) {
            Ok(telaio_serve::Started { id, .. }) => {
                let mut result = service
                    .result(&id)
                    .await
                    .unwrap_or_else(|| json!({"runId": id.as_str(), "status": "unknown"}));
                result["line"] = json!(line_number);
                return result;
            }
            // As many runs are under way as the window holds: one ends soon.
            Err(StartError::Full(_)) => {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await
            }
            Err(StartError::Inputs(problems)) => return invalid(problems.join("; ")),
            Err(StartError::Stopping) => {
                return json!({"line": line_number, "workflowId": workflow, "status": "not-started"});
            }
            Err(e) => return invalid(e.to_string()),
        }
    }
}

/// How the runs went.
#[derive(Default)]
struct Tally {
    succeeded: usize,
    failed: usize,
    invalid: usize,
    interrupted: usize,
    not_started: usize,
}

impl Tally {
    fn count(&mut self, result: &Value) {
        match result["status"].as_str() {
            Some("succeeded") => self.succeeded += 1,
            Some("invalid") => self.invalid += 1,
            Some("interrupted") => self.interrupted += 1,
            Some("not-started") => self.not_started += 1,
            _ => self.failed += 1,
        }
    }

    fn all_succeeded(&self) -> bool {
        self.failed + self.invalid + self.interrupted + self.not_started == 0
    }

    fn summary(&self, took: std::time::Duration, stopped: bool) -> String {
        let runs =
            self.succeeded + self.failed + self.invalid + self.interrupted + self.not_started;
        let mut parts = vec![format!("{} succeeded", self.succeeded)];
        for (n, what) in [
            (self.failed, "failed"),
            (self.invalid, "invalid"),
            (self.interrupted, "interrupted"),
            (self.not_started, "not started"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        format!(
            "{runs} run{}{}: {} in {} s",
            if runs == 1 { "" } else { "s" },
            if stopped { ", stopped" } else { "" },
            parts.join(", "),
            telaio_engine::seconds(took)
        )
    }
}
