//! What keeps a planned run from starting although its document is right: operations of
//! sources that did not load, sources with no server, AsyncAPI steps. A dry run shows them; a
//! run asks for them to be mended first.

use std::fmt;

use super::{Plan, TargetPlan};

impl Plan {
    /// What keeps the planned workflows from running although the document is right, once
    /// per cause: operations of sources that did not load, sources with no server, AsyncAPI
    /// steps. A dry run shows them; a run should refuse to start while there are any.
    pub fn problems(&self) -> Vec<RunProblem> {
        let mut out: Vec<RunProblem> = Vec::new();
        for w in &self.workflows {
            for s in &w.steps {
                let problem = match &s.target {
                    TargetPlan::Unavailable { reason, remote } => RunProblem::Unavailable {
                        workflow_id: w.id.clone(),
                        step_id: s.id.clone(),
                        reason: reason.clone(),
                        remote: *remote,
                    },
                    TargetPlan::Operation(op) if op.server.is_none() => RunProblem::NoServer {
                        source: op.source.clone(),
                    },
                    _ => continue,
                };
                if !out.contains(&problem) {
                    out.push(problem);
                }
            }
        }
        out
    }
}

/// Why a planned workflow cannot run as things stand (see [`Plan::problems`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunProblem {
    /// A step calls what this run cannot reach.
    Unavailable {
        /// The workflow (plan id).
        workflow_id: String,
        /// The step.
        step_id: String,
        /// Why.
        reason: String,
        /// Whether loading remote sources would have found it.
        remote: bool,
    },
    /// A source's operations are called, and neither its description nor the run names a
    /// server for it.
    NoServer {
        /// The source description's name.
        source: String,
    },
}

impl fmt::Display for RunProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunProblem::Unavailable {
                workflow_id,
                step_id,
                reason,
                ..
            } => write!(f, "workflow `{workflow_id}`, step `{step_id}`: {reason}"),
            RunProblem::NoServer { source } => {
                write!(f, "source `{source}` names no server")
            }
        }
    }
}
