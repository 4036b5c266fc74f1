//! `telaio runs resume`: an interrupted run goes on. Its journal in the store is fed back to
//! the machine (nothing is sent for it), then the run goes on live, recorded after what it had
//! recorded, with the settings it was started with (flags given here override them) and its
//! secrets got again from where `telaio run` gets them.

use std::io::IsTerminal;
use std::time::Duration;

use serde_json::Value;
use telaio_engine::{AwsSetup, Driver, DriverOptions, InDoubt, MASK, ResumeError};
use telaio_store::{Lease, RunStatus, Store};

use crate::args::{InDoubtChoice, ReplayOptions, RunOutput, RunsResumeArgs};
use crate::credentials::{credentials, known_schemes, missing_credentials};
use crate::render::{Progress, outcome_json, print_outcome, usage_error};
use crate::run::{interrupted, pairs};
use crate::store::{Recording, host, now_ms};
use crate::watch::Watch;
use crate::{exit, term};

pub(crate) fn run(mut store: Store, args: &RunsResumeArgs) -> u8 {
    match resume(&mut store, args) {
        Ok(prepared) => go_on(store, args, prepared),
        Err(e) => {
            usage_error(&e);
            exit::USAGE
        }
    }
}

/// A run ready to go on.
struct Prepared {
    run: telaio_store::RunRecord,
    plan: telaio_engine::Plan,
    header: telaio_engine::JournalHeader,
    inputs: Value,
    credentials: telaio_engine::Credentials,
    /// Its journal, as the store gave it up.
    recorded: telaio_engine::Recorded,
}

fn resume(store: &mut Store, args: &RunsResumeArgs) -> Result<Prepared, String> {
    let run = store.find(&args.run).map_err(|e| e.to_string())?;
    let id = run.summary.id.clone();
    if run.header.mock && args.servers.is_empty() {
        return Err(format!(
            "run {id} ran against an in-process mock (`--mock`), which ended with it: there is nothing to resume it against (`--server NAME=URL` names a server to go on with)"
        ));
    }
    if !run.summary.status.resumable() {
        return Err(format!(
            "run {id} has ended ({}): there is nothing to resume; `telaio runs replay {id}` shows it again",
            run.summary.status
        ));
    }
    let mut header = run.header.clone();
    for (name, url) in pairs(&args.servers, "--server")? {
        header.plan.servers.insert(name, url);
    }
    // Flags given here override what the run was started with.
    if let Some(s) = args.poll_interval {
        header.options.poll_interval = crate::run::seconds(s, "--poll-interval")?;
    }
    if let Some(s) = args.deadline {
        header.options.deadline = Some(crate::run::seconds(s, "--deadline")?);
    }
    if let Some(n) = args.max_steps {
        header.options.max_steps = n;
    }
    if let Some(s) = args.max_retry_wait {
        header.options.max_retry_wait = crate::run::seconds(s, "--max-retry-wait")?;
    }
    let mut limits = header
        .driver
        .unwrap_or_else(|| DriverOptions::default().limits());
    if let Some(s) = args.timeout {
        limits.request_timeout = crate::run::seconds(s, "--timeout")?;
    }
    if let Some(n) = args.max_response_bytes {
        limits.max_response_bytes = n;
    }
    if let Some(n) = args.transport_retries {
        limits.transport_retries = n;
    }
    header.driver = Some(limits);
    for (name, path) in pairs(&args.sources, "--source")? {
        let path = std::path::absolute(&path).unwrap_or_else(|_| std::path::PathBuf::from(&path));
        header.loading.substitutes.insert(name, path);
    }
    // A server's credentials are never stored: one given with them is given again.
    let servers = header.plan.servers.iter();
    let unstored = servers
        .filter(|(_, url)| url.contains(MASK))
        .map(|(n, _)| n);
    if let Some(flags) = again(unstored, "--server", "URL") {
        return Err(format!(
            "run {id} was started with credentials in a server URL, which the store does not keep: give it again with {flags}"
        ));
    }
    let (plan, bundle) = crate::replay::load_for(
        &header,
        &ReplayOptions {
            output: args.output,
            force: args.force,
            document: None,
            trace: None,
        },
    )
    .map_err(|e| format!("run {id}: {e}"))?;
    // Secret inputs are stored masked: they must be given again.
    let mut inputs = header.inputs.clone();
    for (name, value) in pairs(&args.inputs, "--input")? {
        if let Some(map) = inputs.as_object_mut() {
            let typed = match map.get(&name) {
                Some(Value::String(_)) | None => Value::String(value),
                Some(_) => serde_json::from_str(&value).unwrap_or(Value::String(value)),
            };
            map.insert(name, typed);
        }
    }
    let masked = inputs.as_object().into_iter().flatten();
    let masked = masked.filter(|(_, v)| holds_mask(v)).map(|(k, _)| k);
    if let Some(flags) = again(masked, "--input", "...") {
        return Err(format!(
            "run {id} had secret inputs, which the store keeps masked: give them again with {flags}"
        ));
    }
    let aws = AwsSetup::find(
        std::env::vars(),
        std::env::var_os("HOME")
            .map(std::path::PathBuf::from)
            .as_deref(),
        header.plan.server_variables.get("region").cloned(),
        None,
    );
    let credentials = credentials(args.credentials.as_deref(), aws, &known_schemes(&bundle))
        .map_err(|e| e.join("; "))?;
    let missing = missing_credentials(&plan, &credentials);
    if !missing.is_empty() {
        return Err(missing.join("; "));
    }
    // One process drives a run: a holder that is alive keeps it. Taken last, once nothing
    // else can refuse the resume, so a refused one leaves the run as it was.
    let here = host();
    let taken = store
        .take_up(&id, &crate::store::lease(), now_ms(), |owner| {
            Lease::holder(owner, &here)
        })
        .map_err(|e| e.to_string())?;
    Ok(Prepared {
        run,
        plan,
        header,
        inputs,
        credentials,
        recorded: telaio_engine::Recorded {
            entries: taken.entries,
            waited: Duration::from_millis(taken.waited_ms),
            interrupted: taken.interrupted,
        },
    })
}

/// `FLAG NAME=VALUE` for each name, as a person gives them again; `None` for no name.
fn again<'a>(names: impl Iterator<Item = &'a String>, flag: &str, value: &str) -> Option<String> {
    let flags: Vec<String> = names
        .map(|name| format!("{flag} {}={value}", term::clean(name)))
        .collect();
    (!flags.is_empty()).then(|| flags.join(" "))
}

/// Whether a value holds a masked secret anywhere (a secret field deep inside, or a secret
/// masked within a longer string): sent as it is, it would send the mask.
fn holds_mask(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains(MASK),
        Value::Array(items) => items.iter().any(holds_mask),
        Value::Object(map) => map.values().any(holds_mask),
        _ => false,
    }
}

fn go_on(store: Store, args: &RunsResumeArgs, p: Prepared) -> u8 {
    let id = p.run.summary.id.clone();
    let Some(runtime) = crate::runtime() else {
        return exit::USAGE;
    };
    let mut options = DriverOptions {
        deadline: p
            .header
            .options
            .deadline
            .unwrap_or(DriverOptions::default().deadline),
        show_sensitive: p.header.show_sensitive,
        ..DriverOptions::default()
    };
    if let Some(limits) = p.header.driver {
        options = options.with_limits(limits);
    }
    let driver = match Driver::new(options) {
        Ok(d) => d.with_credentials(p.credentials),
        Err(e) => {
            usage_error(&e.to_string());
            return exit::USAGE;
        }
    };
    term::eprintln(&format!(
        "resuming run {id} after {} recorded entries",
        p.recorded.entries.len()
    ));
    let live = args.output == RunOutput::Human && std::io::stderr().is_terminal();
    let seq = u64::try_from(p.recorded.entries.len()).unwrap_or(u64::MAX);
    let mut watch = Watch {
        progress: live.then(Progress::default),
        trace: None,
        journal: None,
        record: Some(Recording::resume(store, id.clone(), seq)),
        replaying: false,
    };
    let in_doubt = match args.in_doubt {
        InDoubtChoice::Ask => InDoubt::Ask,
        InDoubtChoice::Resend => InDoubt::Resend,
        InDoubtChoice::Fail => InDoubt::Fail,
    };
    let signalled = std::sync::atomic::AtomicU8::new(0);
    let resumed = runtime.block_on(driver.resume_until(
        &p.plan,
        &p.header,
        p.inputs,
        p.recorded,
        in_doubt,
        &mut watch,
        interrupted(&signalled),
    ));
    let record = watch.record.take();
    let mut unwritten = watch.finish();
    let signalled = signalled.into_inner();
    let code = match resumed {
        Ok(outcome) => {
            let signal = crate::run::signal_that_stopped(&outcome, signalled);
            let status = match (signal, outcome.succeeded) {
                (0, true) => RunStatus::Succeeded,
                (0, false) => RunStatus::Failed,
                _ => RunStatus::Interrupted,
            };
            let result = outcome_json(&outcome, signal != 0, Some(id.as_str()));
            if let Some(record) = record
                && let Err(e) = record.finish(status, &result)
            {
                unwritten.push(e);
            }
            print_outcome(args.output, &outcome, signal != 0, Some(id.as_str()));
            match signal {
                0 if outcome.succeeded => exit::OK,
                0 => exit::INVALID,
                code => code,
            }
        }
        Err(e @ ResumeError::InDoubt { .. }) => {
            if let Some(record) = record
                && let Err(e) = record.leave(RunStatus::InDoubt)
            {
                unwritten.push(e);
            }
            usage_error(&format!(
                "run {id} stopped before going on: {e}. `telaio runs resume {id} --in-doubt resend` sends it again; `--in-doubt fail` ends the run failed"
            ));
            exit::INVALID
        }
        Err(e) => {
            if let Some(record) = record
                && let Err(e) = record.leave(RunStatus::Interrupted)
            {
                unwritten.push(e);
            }
            usage_error(&format!(
                "run {id} cannot go on: {e}; the document's workflow no longer matches its journal"
            ));
            exit::USAGE
        }
    };
    crate::render::with_unwritten(code, &unwritten)
}
