//! After a step: the success or failure action that applies (`end`, `goto` a step or a
//! workflow, `retry`), the poll interval before going back, and the jump itself.

use std::time::Duration;

use serde_json::{Map, Value};
use telaio_expr::Trace;

use super::{Flow, Machine, Pending, Resume, Via, object};
use crate::event::{ActionKind, Event, Limit, WaitReason};
use telaio_plan::{ActionKindPlan, ActionPlan, RetryFirst, StepPlan};

/// The longest wait a `Retry-After` or `retryAfter` can ask for.
use crate::http::LONGEST_RETRY_WAIT;

impl<'p> Machine<'p> {
    fn matches(&self, action: &ActionPlan) -> bool {
        let scope = self.scope();
        action
            .criteria
            .iter()
            .all(|c| c.evaluate(&scope, &mut Trace::off()).passed)
    }

    /// The inputs a `goto` passes to the workflow it goes to.
    fn action_inputs(&self, action: &ActionPlan) -> Value {
        if action.parameters.is_empty() {
            return object();
        }
        let scope = self.scope();
        let mut missing = Vec::new();
        let inputs: Map<String, Value> = action
            .parameters
            .iter()
            .filter_map(|p| {
                Some((
                    p.name.clone(),
                    p.value.evaluate_present(&scope, &mut missing)?,
                ))
            })
            .collect();
        Value::Object(inputs)
    }

    pub(super) fn on_success(&mut self, step: &'p StepPlan) -> Flow {
        let here = self.frame().step;
        let Some(action) = step.on_success.iter().find(|a| self.matches(a)) else {
            return self.jump(here + 1);
        };
        self.taken(step, action);
        match &action.kind {
            ActionKindPlan::End => Flow::Finish(true),
            ActionKindPlan::GotoStep(i) => self.goto(*i),
            ActionKindPlan::GotoWorkflow(w) => {
                let inputs = self.action_inputs(action);
                self.transfer(w, inputs, true)
            }
            // The plan only puts retries among failure actions.
            ActionKindPlan::Retry { .. } => self.jump(here + 1),
        }
    }

    pub(super) fn on_failure(&mut self, step: &'p StepPlan, reason: String) -> Flow {
        let here = self.frame().step;
        // A retry the run cannot afford gives way to the next matching action; if none
        // matches, the step fails saying why it was not retried.
        let mut reason = reason;
        for action in &step.on_failure {
            if !self.matches(action) {
                continue;
            }
            match &action.kind {
                ActionKindPlan::Retry {
                    after,
                    limit,
                    first,
                } => {
                    let key = (here, action.name.clone());
                    let used = self.frame().retries.get(&key).copied().unwrap_or(0);
                    // An exhausted retry gives way to the next matching failure action.
                    if used >= *limit {
                        continue;
                    }
                    // The server's `Retry-After` wins over the document's `retryAfter`.
                    let server = self
                        .frame()
                        .exchange
                        .response
                        .as_ref()
                        .and_then(|r| r.retry_after);
                    let asked = server
                        .or_else(|| {
                            after.filter(|s| s.is_finite() && *s > 0.0).map(|s| {
                                Duration::from_secs_f64(s.min(LONGEST_RETRY_WAIT.as_secs_f64()))
                            })
                        })
                        .unwrap_or_default();
                    let wait = asked.min(LONGEST_RETRY_WAIT);
                    // A wait the run cannot afford ends the step now, rather than holding the
                    // run until its deadline to fail there.
                    if let Some((why, limit)) = self.unaffordable(wait, server.is_some()) {
                        reason = format!("{reason}; {why}");
                        if limit.is_some() {
                            self.top().exchange.limit = limit;
                        }
                        continue;
                    }
                    self.top().retries.insert(key, used + 1);
                    let (attempt, limit) = (used + 1, *limit);
                    self.taken_as(step, action, ActionKind::Retry { attempt, limit });
                    let label = WaitReason::Retry { attempt, limit };
                    let Some(first) = first else {
                        return self.wait(wait, Pending::RetryAfterWait, label);
                    };
                    let f = self.top();
                    f.resume = Some(Resume {
                        step: here,
                        attempt: f.attempt,
                        wait,
                        label,
                    });
                    return match first {
                        RetryFirst::Step(i) => self.jump(*i),
                        RetryFirst::Workflow(w) => self.enter(w, object(), Via::BeforeRetry),
                    };
                }
                ActionKindPlan::End => {
                    self.taken(step, action);
                    return self.fail_here(reason);
                }
                ActionKindPlan::GotoStep(i) => {
                    self.taken(step, action);
                    return self.goto(*i);
                }
                ActionKindPlan::GotoWorkflow(w) => {
                    self.taken(step, action);
                    let inputs = self.action_inputs(action);
                    return self.transfer(w, inputs, false);
                }
            }
        }
        self.fail_here(reason)
    }

    /// Records an action other than a retry (whose count only the caller knows).
    fn taken(&mut self, step: &StepPlan, action: &ActionPlan) {
        let kind = match &action.kind {
            ActionKindPlan::End => ActionKind::End,
            ActionKindPlan::GotoStep(i) => ActionKind::GotoStep {
                step_id: self.frame().workflow.steps[*i].id.clone(),
            },
            ActionKindPlan::GotoWorkflow(w) => ActionKind::GotoWorkflow {
                workflow_id: w.clone(),
            },
            ActionKindPlan::Retry { limit, .. } => ActionKind::Retry {
                attempt: 1,
                limit: *limit,
            },
        };
        self.taken_as(step, action, kind);
    }

    fn taken_as(&mut self, step: &StepPlan, action: &ActionPlan, kind: ActionKind) {
        self.events.push(Event::ActionTaken {
            step_id: step.id.clone(),
            name: action.name.clone(),
            action: kind,
        });
    }

    /// A `goto` a step: going back (polling) waits the poll interval first.
    fn goto(&mut self, target: usize) -> Flow {
        let here = self.frame().step;
        if target <= here && !self.options.poll_interval.is_zero() {
            return self.wait(
                self.options.poll_interval,
                Pending::StepAfterWait(target),
                WaitReason::PollInterval,
            );
        }
        self.jump(target)
    }

    /// Why a retry cannot wait `wait` (asked for by the server when `from_server`): past the
    /// run's deadline or a called workflow's, or, for a server's `Retry-After`, past
    /// [`super::RunOptions::max_retry_wait`].
    fn unaffordable(&self, wait: Duration, from_server: bool) -> Option<(String, Option<Limit>)> {
        let secs = |d: Duration| format!("{} s", seconds(d));
        let asked = if from_server {
            format!("the server asks to wait {} (Retry-After)", secs(wait))
        } else {
            format!("the retry waits {}", secs(wait))
        };
        if from_server && wait > self.options.max_retry_wait {
            return Some((
                format!(
                    "{asked}, longer than the {} a retry may wait",
                    secs(self.options.max_retry_wait)
                ),
                Some(Limit::RetryWait),
            ));
        }
        let step = self.time_left();
        let run = self.run_time_left();
        let left = [step, run].into_iter().flatten().min()?;
        // The run's deadline is the user's to raise; a step's timeout is the document's.
        let limit = (run == Some(left)).then_some(Limit::Deadline);
        (wait > left).then(|| {
            (
                format!("{asked}, and the run has {} left", secs(left)),
                limit,
            )
        })
    }

    fn wait(&mut self, duration: Duration, then: Pending, reason: WaitReason) -> Flow {
        if duration.is_zero() {
            return self.after_wait(then);
        }
        // Past a called workflow's deadline, or the run's, the wait is pointless: it ends
        // there, and the event says how long it really was.
        let left = [self.time_left(), self.run_time_left()]
            .into_iter()
            .flatten()
            .min();
        let duration = left.map_or(duration, |left| left.min(duration));
        self.waiting = duration;
        let step_id = self.current_step().id.clone();
        self.events.push(Event::Waited {
            step_id,
            millis: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
            reason,
        });
        self.pending = then;
        Flow::Emit(super::Command::Wait(duration))
    }

    /// Goes on after a wait (or instead of a zero one).
    pub(super) fn after_wait(&mut self, then: Pending) -> Flow {
        match then {
            Pending::RetryAfterWait => {
                self.top().attempt += 1;
                Flow::RunStep
            }
            Pending::StepAfterWait(i) => self.jump(i),
            Pending::Nothing | Pending::Response => Flow::RunStep,
        }
    }

    /// Back from what a retry ran first: to the failed step, for its retry.
    pub(super) fn come_back(&mut self) -> Flow {
        let f = self.top();
        let Some(back) = f.resume.take() else {
            return self.abort("internal: nothing to come back to".into());
        };
        f.step = back.step;
        f.attempt = back.attempt;
        self.wait(back.wait, Pending::RetryAfterWait, back.label)
    }

    /// Moves to a step as a fresh start: first attempt, its retry budgets renewed.
    pub(super) fn jump(&mut self, target: usize) -> Flow {
        let f = self.top();
        f.retries.retain(|(s, _), _| *s != target);
        f.step = target;
        f.attempt = 1;
        Flow::RunStep
    }
}

/// A duration in seconds as messages say it: `1.5`, `300`, `0.3` (to the millisecond, without
/// trailing zeros).
///
/// ```
/// use std::time::Duration;
/// assert_eq!(telaio_run::seconds(Duration::from_millis(300)), "0.3");
/// assert_eq!(telaio_run::seconds(Duration::from_secs(600)), "600");
/// ```
pub fn seconds(d: Duration) -> String {
    let text = format!("{:.3}", d.as_secs_f64());
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}
