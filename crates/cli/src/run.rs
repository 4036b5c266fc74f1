//! `telaio run`: load, check, plan and run one workflow; show progress on a terminal and the
//! result on stdout.

use std::io::IsTerminal;
use std::time::Duration;

use serde_json::{Value, json};
use telaio_engine::{
    Credentials, DocumentIdentity, Driver, Event, InputSource, JOURNAL_FORMAT, JournalHeader, Plan,
    PlanError, PlanOptions, Redactor, RunProblem, Stop, StopCause, dry_run, prepare_inputs,
    prepare_inputs_for_dry_run,
};
use telaio_lint::{LintOptions, Severity};
use telaio_model::Loader;

use crate::args::{RunArgs, RunOutput};
use crate::credentials::{
    KnownSchemes, credentials, explain_auth, known_schemes, missing_credentials,
};
use crate::render::{Progress, outcome_json, print_outcome, usage_error, write_diagnostic};
use crate::term::clean;
use crate::watch::{Lines, Watch};
use crate::{exit, loading};
use telaio_store::{RunId, RunStatus};

pub(crate) fn run(args: &RunArgs) -> u8 {
    let aws = crate::setup::aws(&args.settings);
    let prepared = prepare(args, aws.region.as_deref()).and_then(|p| {
        #[cfg(feature = "aws-provider-chain")]
        let aws = crate::credentials::provider_chain(&p.plan, aws);
        let credentials = credentials(args.settings.credentials.as_deref(), aws, &p.schemes)?;
        Ok((p, credentials))
    });
    let (prepared, credentials) = match prepared {
        Ok(p) => p,
        Err(messages) => {
            for m in messages {
                usage_error(&m);
            }
            return exit::USAGE;
        }
    };
    let Prepared {
        plan,
        workflow,
        inputs,
        ..
    } = &prepared;
    if args.explain_auth {
        explain_auth(plan, &credentials);
        return exit::OK;
    }
    // Found now rather than at the first request: a setup error, before anything is sent.
    if !args.dry_run {
        let missing = missing_credentials(plan, &credentials);
        if !missing.is_empty() {
            for m in &missing {
                usage_error(m);
            }
            return exit::USAGE;
        }
    }
    let redactor =
        telaio_engine::redactor(plan, inputs, &credentials, args.settings.show_sensitive);
    if args.dry_run {
        let steps = dry_run(plan, workflow, inputs.clone());
        let shown: Vec<Value> = steps
            .iter()
            .map(|s| {
                let request = s.request.as_ref().map(|r| {
                    let event = redactor.event(&Event::RequestSent {
                        step_id: s.step_id.clone(),
                        method: r.method.clone(),
                        url: r.url.clone(),
                        headers: r.headers.clone(),
                        body_bytes: r.body.as_ref().map_or(0, Vec::len),
                    });
                    let body = r.body.as_ref().map(|b| redactor.text(&String::from_utf8_lossy(b)));
                    let mut v = serde_json::to_value(&event).unwrap_or_default();
                    v["body"] = json!(body);
                    v
                });
                json!({"stepId": s.step_id, "request": request, "workflow": s.workflow, "unknown": s.unknown})
            })
            .collect();
        crate::term::print_json(&Value::Array(shown));
        return exit::OK;
    }
    execute(args, prepared, credentials, &redactor)
}

pub(crate) fn seconds(s: f64, what: &str) -> Result<Duration, String> {
    Duration::try_from_secs_f64(s)
        .map_err(|_| format!("{what} must be a number of seconds, not {s}"))
}

pub(crate) fn pairs(list: &[String], flag: &str) -> Result<Vec<(String, String)>, String> {
    list.iter()
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .ok_or_else(|| format!("{flag} takes NAME=VALUE, not `{p}`"))
        })
        .collect()
}

/// What a run needs, ready: the plan, the workflow, its inputs, and the mock to serve.
struct Prepared {
    plan: Plan,
    workflow: String,
    inputs: Value,
    mock: Option<crate::mock::Bound>,
    /// What a credentials file may name.
    schemes: KnownSchemes,
    /// The choices the plan was made with, and the document as loaded (for a journal).
    plan_options: PlanOptions,
    /// `--rate-limit`: API origins and their requests a second.
    paces: Vec<(String, f64)>,
    document: Option<DocumentIdentity>,
}

/// Everything that can go wrong before the first request, reported all at once.
fn prepare(args: &RunArgs, region: Option<&str>) -> Result<Prepared, Vec<String>> {
    let loader = loading::loader(&args.settings.load, &[]).map_err(|e| vec![e])?;
    let url = Loader::url_for_path(&args.file).map_err(|e| vec![e.to_string()])?;
    let bundle = loader.load_bundle(&url).map_err(|e| vec![e.to_string()])?;
    let unknown = loading::unknown_sources(&args.settings.load, &bundle);
    if !unknown.is_empty() {
        return Err(unknown);
    }
    let workflow = choose_workflow(&bundle, args.workflow.as_deref()).map_err(|e| vec![e])?;
    let diagnostics = findings(&bundle);
    let errors = blocking(&bundle, &workflow, &diagnostics);
    if !errors.is_empty() {
        let mut err = anstream::stderr().lock();
        for d in &errors {
            let _ = write_diagnostic(&mut err, d);
        }
        return Err(vec![format!(
            "{} has {} error{}; `telaio validate` explains them",
            args.file.display(),
            errors.len(),
            if errors.len() == 1 { "" } else { "s" }
        )]);
    }
    let (options, mock) = crate::setup::plan_options(&args.settings, &bundle, region, true)?;
    let paces = crate::setup::paces(&args.settings, &bundle, &options, true)?;
    // Only what this workflow reaches: a broken workflow it never runs stops nothing.
    let plan = Plan::compile_workflow(&bundle, &options, &workflow)
        .map_err(|errors| errors.iter().map(PlanError::located).collect::<Vec<_>>())?;
    // A dry run sends nothing, so it needs no server and shows what it cannot reach.
    if !args.dry_run {
        let problems = plan.problems();
        if !problems.is_empty() {
            return Err(problems.iter().map(|p| problem_message(p, args)).collect());
        }
    }
    let inputs = gather_inputs(args).map_err(|e| vec![e])?;
    let schema = plan
        .workflow(&workflow)
        .and_then(|w| w.inputs_schema.clone());
    let inputs = if args.dry_run {
        // Inputs the run would require are shown as unknown, not refused.
        let (inputs, absent) = prepare_inputs_for_dry_run(schema.as_ref(), inputs)?;
        if !absent.is_empty() {
            crate::term::eprintln(&format!(
                "note: no value for required input{} {}; the requests show where they go",
                if absent.len() == 1 { "" } else { "s" },
                absent
                    .iter()
                    .map(|n| format!("`{}`", clean(n)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        inputs
    } else {
        prepare_inputs(schema.as_ref(), inputs)?
    };
    Ok(Prepared {
        plan,
        workflow,
        inputs,
        mock,
        schemes: known_schemes(&bundle),
        plan_options: options,
        paces,
        // Hashing every source costs time a run recorded nowhere need not spend.
        document: (args.journal.is_some() || !args.no_store).then(|| DocumentIdentity::of(&bundle)),
    })
}

/// What the linter finds that can keep a workflow from running (no schema check, which the
/// planner's own checks cover for running, and no advice).
pub(crate) fn findings(bundle: &telaio_model::Bundle) -> Vec<telaio_lint::Diagnostic> {
    telaio_lint::lint(
        bundle,
        &LintOptions {
            skip_schema: true,
            skip_advice: true,
            ..LintOptions::default()
        },
    )
}

/// The errors that keep `workflow` from running: those of the document's workflows it can
/// reach and of the document as a whole. Errors in workflows it never runs do not count, nor
/// do sources that did not load (the plan finds those the run needs, and says so), nor
/// linked documents' errors (the plan checks the linked workflows the run reaches).
pub(crate) fn blocking<'d>(
    bundle: &telaio_model::Bundle,
    workflow: &str,
    diagnostics: &'d [telaio_lint::Diagnostic],
) -> Vec<&'d telaio_lint::Diagnostic> {
    let doc = &bundle.document;
    let unreached: Vec<telaio_model::Span> = match &doc.model {
        Ok(model) => {
            let mut reached = vec![false; model.workflows.len()];
            for i in model.reachable_from(workflow) {
                reached[i] = true;
            }
            (0..model.workflows.len())
                .filter(|&i| !reached[i])
                .map(|i| doc.root.locate(&format!("/workflows/{i}")).span)
                .collect()
        }
        Err(_) => Vec::new(),
    };
    let inside =
        |span: &telaio_model::Span, at: telaio_model::Position| span.start <= at && at <= span.end;
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .filter(|d| d.source.as_ref().is_none_or(|s| s.url == doc.source.url))
        .filter(|d| !d.rule.starts_with("source-"))
        .filter(|d| {
            d.span
                .is_none_or(|at| !unreached.iter().any(|w| inside(w, at.start)))
        })
        .collect()
}

/// The workflow to run: the one named, or the document's only one.
fn choose_workflow(bundle: &telaio_model::Bundle, named: Option<&str>) -> Result<String, String> {
    let ids: Vec<&str> = bundle
        .document
        .model
        .as_ref()
        .map(|m| {
            m.workflows
                .iter()
                .filter_map(|w| w.workflow_id.as_deref())
                .collect()
        })
        .unwrap_or_default();
    let listed = |ids: &[&str]| {
        ids.iter()
            .map(|w| format!("`{w}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (named, ids.as_slice()) {
        (_, []) => Err("the document has no workflows, so there is nothing to run".to_owned()),
        (Some(id), all) if all.contains(&id) => Ok(id.to_owned()),
        (Some(id), all) => Err(format!(
            "there is no workflow `{id}`; the document has {}",
            listed(all)
        )),
        (None, [only]) => Ok((*only).to_owned()),
        (None, all) => Err(format!(
            "the document has {} workflows; choose one with --workflow: {}",
            all.len(),
            all.join(", ")
        )),
    }
}

/// What keeps the run from starting, with the flag that mends it.
fn problem_message(problem: &RunProblem, args: &RunArgs) -> String {
    match problem {
        RunProblem::NoServer { source } => {
            format!("{problem}; pass --server {source}=<url> (a dry run, --dry-run, needs none)")
        }
        RunProblem::Unavailable { remote: true, .. } if !args.settings.load.allow_remote => {
            format!("{problem}; pass --allow-remote, or --source NAME=PATH for a local copy")
        }
        RunProblem::Unavailable { .. } => problem.to_string(),
    }
}

fn gather_inputs(args: &RunArgs) -> Result<Vec<(String, InputSource)>, String> {
    let mut out = Vec::new();
    if let Some(path) = &args.inputs_file {
        let Value::Object(map) = loading::read_data_file(path, loading::MAX_INPUTS_FILE)? else {
            return Err(format!("{} must hold an object of inputs", path.display()));
        };
        out.extend(map.into_iter().map(|(k, v)| (k, InputSource::Json(v))));
    }
    for (k, v) in pairs(&args.inputs, "--input")? {
        out.push((k, InputSource::Text(v)));
    }
    for (k, v) in pairs(&args.inputs_json, "--input-json")? {
        let value =
            serde_json::from_str(&v).map_err(|e| format!("--input-json {k}: not JSON: {e}"))?;
        out.push((k, InputSource::Json(value)));
    }
    Ok(out)
}

fn execute(
    args: &RunArgs,
    prepared: Prepared,
    credentials: Credentials,
    redactor: &Redactor,
) -> u8 {
    let options = crate::setup::limits(&args.settings);
    let (mut run_options, driver_options) = match options {
        Ok(o) => o,
        Err(e) => {
            usage_error(&e);
            return exit::USAGE;
        }
    };
    let limits = driver_options.limits();
    let driver = match Driver::new(driver_options) {
        // The driver masks every event and the outcome as `redactor` does, learning the
        // secrets the run computes.
        Ok(d) => prepared
            .paces
            .iter()
            .fold(d.with_credentials(credentials), |d, (origin, n)| {
                d.with_rate_limit(origin, *n)
            }),
        Err(e) => {
            usage_error(&e.to_string());
            return exit::USAGE;
        }
    };
    let Some(runtime) = crate::runtime() else {
        return exit::USAGE;
    };
    let Prepared {
        plan,
        workflow,
        inputs,
        mock,
        plan_options,
        document,
        ..
    } = prepared;
    let live = args.output == RunOutput::Human && std::io::stderr().is_terminal();
    let opened = (|| -> Result<Watch, String> {
        let trace = args
            .trace
            .as_deref()
            .map(|path| Lines::create("trace", path))
            .transpose()?;
        let store = (!args.no_store)
            .then(|| crate::store::open(&args.store))
            .transpose()?;
        let run_id = store.as_ref().map(|_| RunId::new());
        // A stored run's idempotency keys come from its id, so a resume makes the same ones.
        run_options.idempotency_seed = run_id.as_ref().map(RunId::bytes);
        let header = document.map(|document| {
            JournalHeader {
                format: JOURNAL_FORMAT.to_owned(),
                telaio: env!("CARGO_PKG_VERSION").to_owned(),
                run_id: run_id.as_ref().map(ToString::to_string),
                started_at_ms: crate::store::now_ms(),
                document,
                workflow_id: workflow.clone(),
                inputs: redactor.masked_inputs(&inputs),
                options: run_options,
                plan: plan_options,
                show_sensitive: args.settings.show_sensitive,
                mock: args.settings.mock.is_some(),
                loading: loading::record(&args.settings.load),
                driver: Some(limits),
                origin: None,
            }
            .with_urls_masked()
        });
        let journal = match (&args.journal, &header) {
            (Some(path), Some(header)) => Some(Watch::open_journal(path, header)?),
            _ => None,
        };
        let record = match (store, run_id, &header) {
            (Some(store), Some(id), Some(header)) => {
                Some(crate::store::Recording::begin(store, id, header)?)
            }
            _ => None,
        };
        if let Some(r) = &record {
            crate::term::eprintln(&format!("run {}", r.run()));
        }
        Ok(Watch {
            progress: live.then(Progress::default),
            trace,
            journal,
            record,
            replaying: false,
        })
    })();
    let mut watch = match opened {
        Ok(w) => w,
        Err(e) => {
            usage_error(&e);
            return exit::USAGE;
        }
    };
    // Ctrl-C or SIGTERM stops the run where it is: the trace keeps what happened, and the
    // result says what was done and where it stopped.
    let signalled = std::sync::atomic::AtomicU8::new(0);
    let outcome = runtime.block_on(async {
        if let Some(mock) = mock
            && let Err(e) = mock.spawn()
        {
            usage_error(&e);
            return None;
        }
        Some(
            driver
                .run_until(
                    &plan,
                    &workflow,
                    inputs,
                    run_options,
                    &mut watch,
                    interrupted(&signalled),
                )
                .await,
        )
    });
    let Some(outcome) = outcome else {
        return exit::USAGE;
    };
    let signal = signal_that_stopped(&outcome, signalled.into_inner());
    let record = watch.record.take();
    let run_id = record.as_ref().map(|r| r.run().to_string());
    let mut unwritten = watch.finish();
    if let Some(record) = record {
        let status = match (signal, outcome.succeeded) {
            (0, true) => RunStatus::Succeeded,
            (0, false) => RunStatus::Failed,
            _ => RunStatus::Interrupted,
        };
        let result = outcome_json(&outcome, signal != 0, run_id.as_deref());
        if let Err(e) = record.finish(status, &result) {
            unwritten.push(e);
        }
    }
    print_outcome(args.output, &outcome, signal != 0, run_id.as_deref());
    if signal != 0
        && let Some(id) = &run_id
    {
        crate::term::eprintln(&format!("resume it with: telaio runs resume {id}"));
    }
    for e in &unwritten {
        usage_error(e);
    }
    match signal {
        0 if !unwritten.is_empty() => exit::USAGE,
        0 if outcome.succeeded => exit::OK,
        0 => exit::INVALID,
        // 128 + the signal's number, as shells report a command a signal ended.
        code => code,
    }
}

/// The exit status `signalled` noted when a signal stopped the run; 0 when none came, or
/// when the run finished on its own before it could stop (its last answer came in first).
pub(crate) fn signal_that_stopped(outcome: &telaio_engine::Outcome, signalled: u8) -> u8 {
    match outcome.stopped {
        Some(StopCause::Signal { .. }) => signalled,
        _ => 0,
    }
}

/// Completes on Ctrl-C (SIGINT) or SIGTERM, with the reason, noting the exit status.
pub(crate) async fn interrupted(signalled: &std::sync::atomic::AtomicU8) -> Stop {
    use std::sync::atomic::Ordering;
    let (code, stop) = match signal().await {
        2 => (
            130,
            Stop {
                cause: StopCause::Signal { number: 2 },
                reason: "interrupted (Ctrl-C)".to_owned(),
            },
        ),
        n => (
            128 + n,
            Stop {
                cause: StopCause::Signal { number: n },
                reason: "stopped by SIGTERM".to_owned(),
            },
        ),
    };
    signalled.store(code, Ordering::SeqCst);
    // The run stops at its next safe point (a request in flight is let finish, so its answer
    // is recorded); a second signal does not wait for it. What is recorded stays whole:
    // each entry is written, and committed, at once.
    crate::term::eprintln("stopping once the request in flight is answered; again to stop at once");
    exit_on_second_signal();
    stop
}

/// After a first signal: a second one exits at once (what is recorded stays whole, each
/// entry written and committed as it came).
pub(crate) fn exit_on_second_signal() {
    tokio::spawn(async move {
        let again = signal().await;
        std::process::exit(i32::from(if again == 2 { 130 } else { 128 + again }));
    });
}

/// The next Ctrl-C (SIGINT) or SIGTERM, by its number.
pub(crate) async fn signal() -> u8 {
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => 2,
        () = terminate => 15,
    }
}
