//! The `timeout` of a step that calls a workflow: the called workflow, with everything it
//! calls in turn, must end within it. The machine knows no clock, so it keeps the time the
//! run has spent on what the driver reported: each exchange's duration and each wait. That
//! leaves out only the machine's own work between them (microseconds).

use std::time::Duration;

use super::{Flow, Machine};

/// Why a run stopped at its deadline (whoever noticed it: the machine on its clock, or a
/// driver on the wall clock).
pub(crate) fn reason(deadline: Duration) -> String {
    format!(
        "the run reached its deadline of {} s",
        super::actions::seconds(deadline)
    )
}

/// When a called workflow must have ended.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline {
    /// On the run's clock.
    pub at: Duration,
    /// The step's timeout, for the message.
    pub limit: Duration,
}

impl Machine<'_> {
    /// A deadline for a workflow a step is about to call: a workflow that took another's
    /// place by `goto` keeps that one's, otherwise the calling step's `timeout` starts now.
    pub(super) fn deadline_for_call(&mut self) -> Option<Deadline> {
        self.handed_deadline.take().or_else(|| {
            let limit = self.current_step().timeout?;
            Some(Deadline {
                at: self.clock.saturating_add(limit),
                limit,
            })
        })
    }

    /// The time left before the nearest deadline of the workflows in progress.
    pub(super) fn time_left(&self) -> Option<Duration> {
        self.frames
            .iter()
            .filter_map(|f| f.deadline)
            .map(|d| d.at.saturating_sub(self.clock))
            .min()
    }

    /// The time left before the run's own deadline.
    pub(super) fn run_time_left(&self) -> Option<Duration> {
        self.options.deadline.map(|d| d.saturating_sub(self.clock))
    }

    /// Moves the run's clock on by what the driver spent.
    pub(super) fn tick(&mut self, spent: Duration) {
        self.clock = self.clock.saturating_add(spent);
    }

    /// When the outermost workflow whose deadline has passed exists: it and everything it
    /// called stop, and the step that called it fails.
    pub(super) fn time_out(&mut self) -> Option<Flow> {
        let k = self
            .frames
            .iter()
            .position(|f| f.deadline.is_some_and(|d| d.at <= self.clock))?;
        let limit = self.frames[k].deadline.map(|d| d.limit).unwrap_or_default();
        let called = self.frames[k].workflow.id.clone();
        let reason = format!(
            "workflow `{called}` did not end within the step's timeout of {} ms",
            limit.as_millis()
        );
        while self.frames.len() > k {
            self.close_top(&reason);
        }
        if self.frames.is_empty() {
            // Only a called workflow gets a deadline, so its caller is still there.
            return Some(self.abort("internal: a timed-out workflow had no caller".into()));
        }
        self.top().exchange.callee = Some((false, Some(reason)));
        Some(Flow::Judge)
    }
}
