//! A tool call: the workflow started as a run of the service (checked, recorded in the
//! store), followed to its end with a progress notification per step attempt, action and
//! wait when the client asked for progress, and stopped at a safe point when the client
//! cancels. A run that fails is a tool result with `isError`, not a protocol error.

use std::collections::HashMap;
use std::sync::Arc;

use rmcp::RoleServer;
use rmcp::model::{CallToolResult, ContentBlock, ProgressNotificationParam, ProgressToken};
use rmcp::service::{Peer, RequestContext};
use serde_json::{Value, json};
use telaio_engine::{Event, Record};
use telaio_serve::{Service, StartError};

/// Runs workflow `index` of the service's catalog with `arguments` as its inputs.
pub(crate) async fn call(
    service: &Arc<Service>,
    index: usize,
    arguments: serde_json::Map<String, Value>,
    context: &RequestContext<RoleServer>,
) -> CallToolResult {
    let served = service.catalog().get(index);
    let started = service.start_at(index, arguments);
    let (id, mut feed) = match started {
        Ok(started) => (started.id, started.feed),
        Err(StartError::Inputs(problems)) => {
            let text = format!(
                "The inputs do not fit the workflow `{}`:\n- {}",
                served.workflow_id,
                problems.join("\n- ")
            );
            return CallToolResult::structured_error(json!({
                "status": "invalid-inputs",
                "problems": problems,
            }))
            .with_text(text);
        }
        Err(e) => return CallToolResult::error(vec![ContentBlock::text(e.to_string())]),
    };
    let mut progress = context
        .meta
        .get_progress_token()
        .map(|token| Progress::new(token, context.peer.clone()));
    let mut cancelled = false;
    let result = loop {
        tokio::select! {
            () = context.ct.cancelled(), if !cancelled => {
                // The run stops at its next safe point and is recorded as cancelled; its
                // result goes nowhere (the client gave up on it).
                cancelled = true;
                progress = None;
                service.cancel(id.as_str());
            }
            news = feed.next() => {
                // Each notification is written before the next, and all before the result.
                if let Some(p) = &mut progress {
                    for text in &news.events {
                        p.see(text).await;
                    }
                }
                if let Some(result) = news.result {
                    break result;
                }
            }
        }
    };
    result_of(&served.workflow_id, result)
}

/// The tool result of a run's result (`telaio run --output json`'s shape).
fn result_of(workflow_id: &str, result: Value) -> CallToolResult {
    let status = result["status"].as_str().unwrap_or("unknown").to_owned();
    let run = result["runId"].as_str().unwrap_or_default().to_owned();
    let mut structured = json!({
        "runId": run,
        "status": status,
        "outputs": result.get("outputs").cloned().unwrap_or_else(|| json!({})),
    });
    if let Some(error) = result.get("error").filter(|e| !e.is_null()) {
        structured["error"] = error.clone();
    }
    if status == "succeeded" {
        let text = format!("`{workflow_id}` succeeded (run {run}).");
        CallToolResult::structured(structured).with_text(text)
    } else {
        let reason = result["error"]["reason"]
            .as_str()
            .unwrap_or("no reason given");
        let text = match result["error"]["stepId"].as_str() {
            Some(step) => {
                format!("`{workflow_id}` {status} at step `{step}` (run {run}): {reason}")
            }
            None => format!("`{workflow_id}` {status} (run {run}): {reason}"),
        };
        CallToolResult::structured_error(structured).with_text(text)
    }
}

/// A short text first, for clients that read only text; the structured content after it,
/// as JSON.
trait WithText {
    fn with_text(self, text: String) -> Self;
}

impl WithText for CallToolResult {
    fn with_text(mut self, text: String) -> Self {
        self.content.insert(0, ContentBlock::text(text));
        self
    }
}

/// Progress notifications for one call: one per step attempt, action and wait, numbered.
struct Progress {
    token: ProgressToken,
    peer: Peer<RoleServer>,
    sent: u32,
    messages: Messages,
}

impl Progress {
    fn new(token: ProgressToken, peer: Peer<RoleServer>) -> Progress {
        Progress {
            token,
            peer,
            sent: 0,
            messages: Messages::default(),
        }
    }

    /// Tells the client of the event `text` (a record as JSON), when it is news to it.
    async fn see(&mut self, text: &str) {
        let Ok(record) = serde_json::from_str::<Record>(text) else {
            return;
        };
        let Some(message) = self.messages.of(&record.event) else {
            return;
        };
        self.sent += 1;
        let param = ProgressNotificationParam::new(self.token.clone(), f64::from(self.sent))
            .with_message(message);
        // A client gone is told nothing more; the run goes on to its end and its record.
        let _ = self.peer.notify_progress(param).await;
    }
}

/// The words of a run's progress: each step's attempts counted over the run (a poll loop
/// goes back to its step, each time an attempt more).
#[derive(Default)]
pub(crate) struct Messages {
    attempts: HashMap<String, u32>,
}

impl Messages {
    /// What a person following the run wants to hear of `event`: a step's attempt, the
    /// action after it, a wait (`pollResults: attempt 4`, `pollResults: stillRunning`).
    pub(crate) fn of(&mut self, event: &Event) -> Option<String> {
        match event {
            Event::StepStarted {
                step_id, target, ..
            } => {
                let n = self.attempts.entry(step_id.clone()).or_default();
                *n += 1;
                Some(if *n == 1 {
                    format!("{step_id}: {target}")
                } else {
                    format!("{step_id}: attempt {n}")
                })
            }
            Event::ActionTaken { step_id, name, .. } if name != "(next step)" => {
                Some(format!("{step_id}: {name}"))
            }
            Event::StepFinished {
                step_id,
                succeeded: false,
                reason: Some(reason),
                ..
            } => Some(format!("{step_id}: {reason}")),
            Event::Waited {
                step_id,
                millis,
                reason,
            } => Some(format!(
                "{step_id}: waiting {} ({reason})",
                duration(*millis)
            )),
            _ => None,
        }
    }
}

/// `250 ms`, `5 s`, `1.5 s`.
fn duration(millis: u64) -> String {
    if millis < 1000 {
        format!("{millis} ms")
    } else if millis.is_multiple_of(1000) {
        format!("{} s", millis / 1000)
    } else {
        format!("{:.1} s", millis as f64 / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use telaio_engine::{ActionKind, WaitReason};

    #[test]
    fn a_poll_loop_reads_as_attempts_actions_and_waits() {
        let mut words = Messages::default();
        let start = |attempt| Event::StepStarted {
            workflow_id: "w".into(),
            step_id: "poll".into(),
            attempt,
            target: "GET /status".into(),
        };
        let said: Vec<Option<String>> = vec![
            words.of(&start(1)),
            words.of(&Event::ActionTaken {
                step_id: "poll".into(),
                name: "stillRunning".into(),
                action: ActionKind::GotoStep {
                    step_id: "poll".into(),
                },
            }),
            words.of(&Event::Waited {
                step_id: "poll".into(),
                millis: 1500,
                reason: WaitReason::PollInterval,
            }),
            // A goto back starts the step afresh (attempt 1 again): it is the second.
            words.of(&start(1)),
            words.of(&Event::ActionTaken {
                step_id: "poll".into(),
                name: "(next step)".into(),
                action: ActionKind::End,
            }),
        ];
        assert_eq!(
            said,
            [
                Some("poll: GET /status".to_owned()),
                Some("poll: stillRunning".to_owned()),
                Some("poll: waiting 1.5 s (poll interval)".to_owned()),
                Some("poll: attempt 2".to_owned()),
                None,
            ]
        );
    }
}
