//! The runtime state one evaluation sees: the current frame's inputs, step outputs, request
//! and response, and the outputs of workflows that have finished.

use std::collections::HashMap;

use serde_json::Value;
use telaio_expr::{Body, MessageKind, Scope, WorkflowPart};

use super::request::Built;
use super::{Finished, Frame};
use telaio_plan::{DocumentPlan, Plan};

/// A read-only view of the run for expression evaluation.
pub(crate) struct RunScope<'a> {
    pub plan: &'a Plan,
    pub frame: &'a Frame<'a>,
    pub finished: &'a HashMap<String, Finished>,
}

impl RunScope<'_> {
    /// The document of the current workflow.
    fn document(&self) -> &DocumentPlan {
        self.plan.document_of(self.frame.workflow)
    }

    /// A query or path parameter of the request as sent (`$request.query.x`, `.path.x`).
    fn sent(
        &self,
        message: MessageKind,
        list: fn(&Built) -> &Vec<(String, String)>,
        name: &str,
    ) -> Option<&str> {
        let built = self
            .frame
            .exchange
            .request
            .as_ref()
            .filter(|_| message == MessageKind::Request)?;
        list(built)
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Scope for RunScope<'_> {
    fn url(&self) -> Option<&str> {
        self.frame
            .exchange
            .request
            .as_ref()
            .map(|b| b.request.url.as_str())
    }
    fn method(&self) -> Option<&str> {
        self.frame
            .exchange
            .request
            .as_ref()
            .map(|b| b.request.method.as_str())
    }
    fn status_code(&self) -> Option<u16> {
        self.frame.exchange.response.as_ref().map(|r| r.status)
    }
    fn header(&self, message: MessageKind, name: &str) -> Option<&str> {
        match message {
            MessageKind::Request => self.frame.exchange.request.as_ref()?.request.header(name),
            MessageKind::Response => self.frame.exchange.response.as_ref()?.header(name),
            MessageKind::Message => None,
        }
    }
    fn query(&self, message: MessageKind, name: &str) -> Option<&str> {
        self.sent(message, |b| &b.query, name)
    }
    fn path_param(&self, message: MessageKind, name: &str) -> Option<&str> {
        self.sent(message, |b| &b.path, name)
    }
    fn body(&self, message: MessageKind) -> Option<&Body> {
        match message {
            MessageKind::Request => self.frame.exchange.request_body.as_ref(),
            MessageKind::Response => self.frame.exchange.response.as_ref()?.body.as_ref(),
            MessageKind::Message => None,
        }
    }
    fn inputs(&self) -> Option<&Value> {
        Some(&self.frame.inputs)
    }
    fn outputs(&self) -> Option<&Value> {
        // In a workflow step, `$outputs` are the called workflow's.
        self.frame
            .exchange
            .callee_outputs
            .as_ref()
            .or(Some(&self.frame.workflow_outputs))
    }
    fn step_outputs(&self, step_id: &str) -> Option<&Value> {
        self.frame.step_outputs.get(step_id)
    }
    fn workflow(&self, workflow_id: &str, part: WorkflowPart) -> Option<&Value> {
        // Ids in expressions are those of the workflow's own document.
        let prefix = &self.document().prefix;
        let done = if prefix.is_empty() {
            self.finished.get(workflow_id)
        } else {
            self.finished.get(&format!("{prefix}{workflow_id}"))
        }?;
        Some(match part {
            WorkflowPart::Inputs => &done.inputs,
            WorkflowPart::Outputs => &done.outputs,
        })
    }
    fn source_description(&self, name: &str, reference: &str) -> Option<Value> {
        self.document().sources.get(name)?.get(reference).cloned()
    }
    fn component(&self, kind: &str, name: &str) -> Option<&Value> {
        self.document().components.get(kind)?.get(name)
    }
    fn self_uri(&self) -> Option<&str> {
        self.document().self_uri.as_deref()
    }
}
