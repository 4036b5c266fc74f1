//! Every place of a document that holds an expression, with a JSON Pointer to it.
//!
//! Rules that look at expressions (syntax, `$steps` references, components) walk this one list
//! instead of each walking the document.

use serde_json::Value;
use telaio_expr::{Condition, Expression, Template, ValueExpression};
use telaio_model::{
    Arazzo, Criterion, CriterionType, OnFailure, OnSuccess, ParameterOrReusable, Reusable, Valuable,
};

/// What the string at a site must be.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Role<'a> {
    /// A literal, a whole-string runtime expression or a `{$...}` template.
    Value,
    /// A criterion's or selector's `context`: one runtime expression.
    Context,
    /// A Reusable Object's `reference` to a component of this kind.
    Reference(ComponentKind),
    /// A criterion's `condition`.
    Condition(&'a Criterion),
    /// A Selector Object's `selector`, in the language of its `type`.
    Selector(Option<&'a CriterionType>),
    /// A payload replacement's `target`, in the language of its `targetSelectorType`.
    Target(Option<&'a CriterionType>),
}

/// The kinds of reusable components.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ComponentKind {
    Parameters,
    SuccessActions,
    FailureActions,
}

impl ComponentKind {
    pub fn key(self) -> &'static str {
        match self {
            ComponentKind::Parameters => "parameters",
            ComponentKind::SuccessActions => "successActions",
            ComponentKind::FailureActions => "failureActions",
        }
    }
}

/// When, in a step's life, a site is evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Building the request (parameters, body).
    Request,
    /// After the response (criteria, outputs, actions).
    Response,
    /// The workflow's outputs, after all steps.
    WorkflowOutputs,
    /// Inside `components`: any workflow may use it.
    Component,
}

/// One expression-bearing string.
#[derive(Clone, Debug)]
pub(crate) struct Site<'a> {
    pub pointer: String,
    pub text: &'a str,
    pub role: Role<'a>,
    pub workflow: Option<usize>,
    pub step: Option<usize>,
    pub phase: Phase,
}

impl Site<'_> {
    /// The runtime expressions in this site, when it parses.
    pub fn expressions(&self) -> Vec<Expression> {
        match self.role {
            Role::Value => match ValueExpression::parse(self.text) {
                Ok(ValueExpression::Expression(e)) => vec![e],
                Ok(ValueExpression::Template(t)) => t.expressions().cloned().collect(),
                _ => Vec::new(),
            },
            Role::Context | Role::Reference(_) => {
                Expression::parse(self.text).into_iter().collect()
            }
            Role::Condition(c) => match c.kind() {
                CriterionType::Simple => Condition::parse(self.text)
                    .map(|c| c.expressions().into_iter().cloned().collect())
                    .unwrap_or_default(),
                _ => Template::parse(self.text)
                    .map(|t| t.expressions().cloned().collect())
                    .unwrap_or_default(),
            },
            // Selectors and targets hold no runtime expressions.
            Role::Selector(_) | Role::Target(_) => Vec::new(),
        }
    }
}

struct Collector<'a> {
    out: Vec<Site<'a>>,
    workflow: Option<usize>,
    step: Option<usize>,
}

pub(crate) fn collect_sites(model: &Arazzo) -> Vec<Site<'_>> {
    let mut c = Collector {
        out: Vec::new(),
        workflow: None,
        step: None,
    };
    for (wi, w) in model.workflows.iter().enumerate() {
        let wp = format!("/workflows/{wi}");
        c.workflow = Some(wi);
        c.step = None;
        c.parameters(&format!("{wp}/parameters"), &w.parameters, Phase::Request);
        c.success_actions(&format!("{wp}/successActions"), &w.success_actions);
        c.failure_actions(&format!("{wp}/failureActions"), &w.failure_actions);
        for (si, s) in w.steps.iter().enumerate() {
            let sp = format!("{wp}/steps/{si}");
            c.step = Some(si);
            c.parameters(&format!("{sp}/parameters"), &s.parameters, Phase::Request);
            if let Some(body) = &s.request_body {
                if let Some(payload) = &body.payload {
                    c.payload(format!("{sp}/requestBody/payload"), payload);
                }
                for (ri, r) in body.replacements.iter().enumerate() {
                    if let Some(target) = &r.target {
                        c.push(
                            format!("{sp}/requestBody/replacements/{ri}/target"),
                            target,
                            Role::Target(r.target_selector_type.as_ref()),
                            Phase::Request,
                        );
                    }
                    c.valuable(
                        format!("{sp}/requestBody/replacements/{ri}/value"),
                        &r.value,
                        Phase::Request,
                    );
                }
            }
            c.criteria(&format!("{sp}/successCriteria"), &s.success_criteria);
            c.success_actions(&format!("{sp}/onSuccess"), &s.on_success);
            c.failure_actions(&format!("{sp}/onFailure"), &s.on_failure);
            for (name, v) in &s.outputs {
                c.valuable(format!("{sp}/outputs/{}", esc(name)), v, Phase::Response);
            }
        }
        c.step = None;
        for (name, v) in &w.outputs {
            c.valuable(
                format!("{wp}/outputs/{}", esc(name)),
                v,
                Phase::WorkflowOutputs,
            );
        }
    }
    if let Some(components) = &model.components {
        c.workflow = None;
        c.step = None;
        for (name, p) in &components.parameters {
            c.valuable(
                format!("/components/parameters/{}/value", esc(name)),
                &p.value,
                Phase::Component,
            );
        }
        for (name, a) in &components.success_actions {
            let p = format!("/components/successActions/{}", esc(name));
            c.criteria_in(&format!("{p}/criteria"), &a.criteria, Phase::Component);
            c.parameters(&format!("{p}/parameters"), &a.parameters, Phase::Component);
        }
        for (name, a) in &components.failure_actions {
            let p = format!("/components/failureActions/{}", esc(name));
            c.criteria_in(&format!("{p}/criteria"), &a.criteria, Phase::Component);
            c.parameters(&format!("{p}/parameters"), &a.parameters, Phase::Component);
        }
    }
    c.out
}

fn esc(key: &str) -> std::borrow::Cow<'_, str> {
    telaio_model::escape_token(key)
}

impl<'a> Collector<'a> {
    fn push(&mut self, pointer: String, text: &'a str, role: Role<'a>, phase: Phase) {
        self.out.push(Site {
            pointer,
            text,
            role,
            workflow: self.workflow,
            step: self.step,
            phase,
        });
    }

    fn reusable(&mut self, pointer: &str, r: &'a Reusable, kind: ComponentKind, phase: Phase) {
        self.push(
            format!("{pointer}/reference"),
            &r.reference,
            Role::Reference(kind),
            phase,
        );
        if let Some(v) = &r.value {
            self.payload_in(format!("{pointer}/value"), v, phase);
        }
    }

    fn parameters(&mut self, pointer: &str, params: &'a [ParameterOrReusable], phase: Phase) {
        for (i, p) in params.iter().enumerate() {
            let pp = format!("{pointer}/{i}");
            match p {
                ParameterOrReusable::Reusable(r) => {
                    self.reusable(&pp, r, ComponentKind::Parameters, phase);
                }
                ParameterOrReusable::Parameter(p) => {
                    self.valuable(format!("{pp}/value"), &p.value, phase);
                }
            }
        }
    }

    fn valuable(&mut self, pointer: String, v: &'a Valuable, phase: Phase) {
        match v {
            Valuable::Value(value) => self.payload_in(pointer, value, phase),
            Valuable::Selector(s) => {
                if let Some(ctx) = &s.context {
                    self.push(format!("{pointer}/context"), ctx, Role::Context, phase);
                }
                if let Some(selector) = &s.selector {
                    let role = Role::Selector(s.selector_type.as_ref());
                    self.push(format!("{pointer}/selector"), selector, role, phase);
                }
            }
        }
    }

    fn payload(&mut self, pointer: String, value: &'a Value) {
        self.payload_in(pointer, value, Phase::Request);
    }

    /// Every string inside a value (payloads may hold expressions at any depth).
    fn payload_in(&mut self, pointer: String, value: &'a Value, phase: Phase) {
        let mut stack = vec![(pointer, value)];
        while let Some((p, v)) = stack.pop() {
            match v {
                Value::String(s) => self.push(p, s, Role::Value, phase),
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate().rev() {
                        stack.push((format!("{p}/{i}"), item));
                    }
                }
                Value::Object(map) => {
                    for (k, item) in map.iter().rev() {
                        stack.push((format!("{p}/{}", esc(k)), item));
                    }
                }
                _ => {}
            }
        }
    }

    fn criteria(&mut self, pointer: &str, criteria: &'a [Criterion]) {
        self.criteria_in(pointer, criteria, Phase::Response);
    }

    fn criteria_in(&mut self, pointer: &str, criteria: &'a [Criterion], phase: Phase) {
        for (i, c) in criteria.iter().enumerate() {
            let cp = format!("{pointer}/{i}");
            if let Some(ctx) = &c.context {
                self.push(format!("{cp}/context"), ctx, Role::Context, phase);
            }
            if let Some(cond) = &c.condition {
                self.push(format!("{cp}/condition"), cond, Role::Condition(c), phase);
            }
        }
    }

    fn success_actions(&mut self, pointer: &str, actions: &'a [OnSuccess]) {
        for (i, a) in actions.iter().enumerate() {
            let ap = format!("{pointer}/{i}");
            match a {
                OnSuccess::Reusable(r) => {
                    self.reusable(&ap, r, ComponentKind::SuccessActions, Phase::Response);
                }
                OnSuccess::Action(a) => {
                    self.criteria(&format!("{ap}/criteria"), &a.criteria);
                    self.parameters(&format!("{ap}/parameters"), &a.parameters, Phase::Response);
                }
            }
        }
    }

    fn failure_actions(&mut self, pointer: &str, actions: &'a [OnFailure]) {
        for (i, a) in actions.iter().enumerate() {
            let ap = format!("{pointer}/{i}");
            match a {
                OnFailure::Reusable(r) => {
                    self.reusable(&ap, r, ComponentKind::FailureActions, Phase::Response);
                }
                OnFailure::Action(a) => {
                    self.criteria(&format!("{ap}/criteria"), &a.criteria);
                    self.parameters(&format!("{ap}/parameters"), &a.parameters, Phase::Response);
                }
            }
        }
    }
}
