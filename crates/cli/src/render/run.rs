//! A run for people and tools: live progress on stderr (a line per step attempt), then the
//! result, as text or as one JSON object.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use serde_json::Value;
use telaio_engine::{ActionKind, Event, Limit, Outcome, RunError, SourceSpot};

use crate::args::RunOutput;
use crate::term::clean;

pub(crate) const OK: Style = AnsiColor::Green.on_default().bold();
pub(crate) const FAIL: Style = AnsiColor::Red.on_default().bold();
const WARN: Style = AnsiColor::Yellow.on_default().bold();
const DIM: Style = Style::new().dimmed();
const GUTTER: Style = AnsiColor::Blue.on_default().bold();
pub(crate) const BOLD: Style = Style::new().bold();

/// Live progress on stderr: a line per step attempt.
#[derive(Default)]
pub(crate) struct Progress {
    target: String,
    attempt: u32,
}

impl Progress {
    pub(crate) fn show(&mut self, e: &Event) {
        let mut err = anstream::stderr().lock();
        let _ = match e {
            Event::StepStarted {
                target, attempt, ..
            } => {
                self.target = clean(target).into_owned();
                self.attempt = *attempt;
                Ok(())
            }
            Event::ResponseReceived {
                step_id,
                status,
                elapsed_us,
                ..
            } => {
                let style = if (200..400).contains(status) {
                    OK
                } else {
                    FAIL
                };
                let again = if self.attempt > 1 {
                    format!(" (attempt {})", self.attempt)
                } else {
                    String::new()
                };
                writeln!(
                    err,
                    "  {style}{status}{style:#} {BOLD}{}{BOLD:#}{again} {DIM}{} · {:.1} ms{DIM:#}",
                    clean(step_id),
                    self.target,
                    *elapsed_us as f64 / 1000.0
                )
            }
            Event::TransportFailed { step_id, reason } => writeln!(
                err,
                "  {FAIL}ERR{FAIL:#} {BOLD}{}{BOLD:#} {DIM}{}{DIM:#} {}",
                clean(step_id),
                self.target,
                clean(reason)
            ),
            Event::StepFinished {
                step_id,
                succeeded: false,
                reason: Some(reason),
                at,
            } => writeln!(
                err,
                "      {FAIL}✗{FAIL:#} {}: {}",
                clean(step_id),
                clean(reason)
            )
            .and_then(|()| match at {
                Some(at) => writeln!(
                    err,
                    "        {GUTTER}-->{GUTTER:#} {}",
                    clean(&at.to_string())
                ),
                None => Ok(()),
            }),
            Event::ActionTaken { name, action, .. } if *action != ActionKind::End => {
                writeln!(
                    err,
                    "      {DIM}→ {} ({}){DIM:#}",
                    clean(&action.to_string()),
                    clean(name)
                )
            }
            Event::RequestRetried {
                step_id,
                attempt,
                reason,
                millis,
            } => writeln!(
                err,
                "  {WARN}RETRY{WARN:#} {BOLD}{}{BOLD:#} {DIM}{} · {} · attempt {attempt} after {millis} ms{DIM:#}",
                clean(step_id),
                self.target,
                clean(reason)
            ),
            Event::Waited { millis, reason, .. } => {
                writeln!(
                    err,
                    "      {DIM}… waiting {} ms ({}){DIM:#}",
                    millis, reason
                )
            }
            _ => Ok(()),
        };
    }
}

/// Where a failed criterion is written, as `validate` shows a finding: the file, line and
/// column, the line, and a caret under the condition.
fn write_spot(out: &mut impl Write, spot: &SourceSpot) -> std::io::Result<()> {
    let line_no = spot.line.to_string();
    let pad = " ".repeat(line_no.len() + 2);
    writeln!(
        out,
        "{pad}{GUTTER}-->{GUTTER:#} {}",
        clean(&spot.to_string())
    )?;
    writeln!(out, "{pad} {GUTTER}|{GUTTER:#}")?;
    writeln!(out, "  {GUTTER}{line_no} |{GUTTER:#} {}", clean(&spot.text))?;
    let before: String = spot.text.chars().take(spot.caret).collect();
    writeln!(
        out,
        "{pad} {GUTTER}|{GUTTER:#} {}{FAIL}^{FAIL:#}",
        " ".repeat(clean(&before).chars().count())
    )
}

/// The flag that sets a run's limit: what a user turns when a run must go further.
fn flag(limit: Limit) -> &'static str {
    match limit {
        Limit::Steps => "--max-steps",
        Limit::Depth => "--max-depth",
        Limit::RetryWait => "--max-retry-wait",
        Limit::Deadline => "--deadline",
        Limit::RequestTimeout => "--timeout",
        Limit::ResponseSize => "--max-response-bytes",
    }
}

/// The reason a run failed, with the flag of the limit that decided it.
fn reason(e: &RunError) -> String {
    match e.limit {
        Some(limit) => format!("{} ({})", e.reason, flag(limit)),
        None => e.reason.clone(),
    }
}

/// The result as `--output json` prints it (and the store keeps it): status, outputs, steps,
/// the error (a limit named by its flag), and the run's id when it was recorded.
pub(crate) fn outcome_json(outcome: &Outcome, interrupted: bool, run_id: Option<&str>) -> Value {
    telaio_engine::result_json(outcome, status_of(outcome, interrupted), run_id, &reason)
}

/// `succeeded`, `failed`, or `interrupted` for a run a signal stopped.
pub(crate) fn status_of(outcome: &Outcome, interrupted: bool) -> &'static str {
    telaio_engine::status_word(outcome, interrupted)
}

pub(crate) fn print_outcome(
    output: RunOutput,
    outcome: &Outcome,
    interrupted: bool,
    run_id: Option<&str>,
) {
    let status = status_of(outcome, interrupted);
    match output {
        RunOutput::Json => {
            crate::term::print_json(&outcome_json(outcome, interrupted, run_id));
        }
        RunOutput::Human => {
            let mut err = anstream::stderr().lock();
            let style = if outcome.succeeded { OK } else { FAIL };
            let _ = writeln!(
                err,
                "{style}{status}{style:#}: workflow `{}`",
                clean(&outcome.workflow_id)
            );
            if let Some(e) = &outcome.error {
                let at = e
                    .step_id
                    .as_deref()
                    .map(|s| format!(" at step `{}`", clean(s)))
                    .unwrap_or_default();
                let _ = writeln!(err, "  {FAIL}error{FAIL:#}{at}: {}", clean(&reason(e)));
                if let Some(spot) = &e.at {
                    let _ = write_spot(&mut err, spot);
                }
            }
            drop(err);
            crate::term::print_json(&outcome.outputs);
        }
    }
}
