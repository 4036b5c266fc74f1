//! # telaio-plan: document → plan
//!
//! Everything about a workflow that can be decided before it runs is decided here, once, from
//! the document's graph (`telaio-graph`, which has merged actions and parameters and typed
//! their targets): operations resolved to method + URL template, values and criteria
//! compiled, workflow references turned into plan ids across documents, the security each
//! operation asks for read from its API description. A problem names its place in the
//! document ([`PlanError::at`]). The run (`telaio-run`) then only
//! evaluates. Nothing here sends, waits or reads a clock.
#![deny(missing_docs)]

mod actions;
mod body;
mod linker;
mod media;
mod operation;
mod output_types;
mod parameters;
mod problems;
pub mod schema;
mod security;
mod spot;
mod values;
mod workflow_inputs;

pub use media::is_json;
pub use security::{Scheme, SchemeKind, Security, scheme_kind, security};
pub use spot::SourceSpot;
pub use workflow_inputs::{InputSource, prepare_inputs, prepare_inputs_for_dry_run};

pub use actions::{ActionKindPlan, ActionPlan, RetryFirst};
pub use body::{BodyPlan, ReplacementTarget};
pub use operation::{DeclaredParam, Described, OperationPlan, server_url};
pub use output_types::masked_schema;
pub use problems::RunProblem;
pub use values::ValuePlan;

use linker::{Context, Linker};

use std::collections::HashMap;
use std::fmt;

use serde_json::Value;
use telaio_expr::CompiledCriterion;
use telaio_graph::{Call, Graph, Problem, StepNode, WorkflowNode};
use telaio_model::{Bundle, ParameterIn, PathSlot, path_slot};

/// A problem that keeps a workflow from running.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanError {
    /// The workflow.
    pub workflow_id: String,
    /// The step, when the problem is in one.
    pub step_id: Option<String>,
    /// What is wrong.
    pub message: String,
    /// Where in the document, when the problem is in one place of it.
    pub at: Option<SourceSpot>,
}

impl PlanError {
    /// The error with its place in front (`doc.arazzo.yaml:12:9: workflow ...`), for a reader
    /// without the document at hand; [`fmt::Display`] leaves the place to whoever shows it.
    pub fn located(&self) -> String {
        match &self.at {
            Some(at) => format!("{at}: {self}"),
            None => self.to_string(),
        }
    }
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Problems of the run as a whole (a `--server` for no source) belong to no workflow.
        if self.workflow_id.is_empty() {
            return f.write_str(&self.message);
        }
        match &self.step_id {
            Some(s) => write!(
                f,
                "workflow `{}`, step `{s}`: {}",
                self.workflow_id, self.message
            ),
            None => write!(f, "workflow `{}`: {}", self.workflow_id, self.message),
        }
    }
}

/// Choices that shape the plan.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanOptions {
    /// Server URL overrides by source description name (`--server name=url`).
    pub servers: HashMap<String, String>,
    /// Values for server URL variables, over their defaults (`{region}` from the AWS region).
    pub server_variables: HashMap<String, String>,
    /// Authentication forced on a source whatever its description says, by source name:
    /// `aws-sigv4` (`--auth name=aws-sigv4`).
    pub auth: HashMap<String, String>,
}

/// Every workflow of a document, and those of other documents it calls, ready to run.
#[derive(Debug)]
pub struct Plan {
    /// The document's workflows first, then those of other documents.
    workflows: Vec<WorkflowPlan>,
    /// How many of `workflows` are the document's own.
    own: usize,
    /// By document: the run's document first, then those reached through `arazzo` sources.
    documents: Vec<DocumentPlan>,
    /// Property names the API descriptions mark sensitive.
    sensitive: Vec<String>,
}

/// What expressions in a workflow see of its document.
#[derive(Debug)]
pub struct DocumentPlan {
    /// Prepended to the document's workflow ids to make plan ids (empty for the run's own).
    pub prefix: String,
    /// `$sourceDescriptions.<name>` fields (`name`, `url`, `type`).
    pub sources: HashMap<String, Value>,
    /// The document's `components`, for `$components` expressions.
    pub components: Value,
    /// The document's `$self`.
    pub self_uri: Option<String>,
}

/// A workflow, ready to run.
#[derive(Debug)]
pub struct WorkflowPlan {
    /// Its plan id: the `workflowId`, or for a workflow of another Arazzo document, the
    /// names of the sources that lead there and its `workflowId` (`other.login`).
    pub id: String,
    /// Its document (an index into the plan's documents).
    pub(crate) document: usize,
    /// The JSON Schema of its inputs (with `$ref`s into `components.inputs` inlined).
    pub inputs_schema: Option<Value>,
    /// Its steps, in order.
    pub steps: Vec<StepPlan>,
    /// Its outputs.
    pub outputs: Vec<(String, ValuePlan)>,
    /// Workflows to run first, by plan id.
    pub depends_on: Vec<String>,
    /// Whether its inputs schema marks any input secret (whose values must then be masked
    /// wherever they appear).
    pub has_secret_inputs: bool,
    /// The inputs schema, compiled once.
    inputs_compiled: Option<workflow_inputs::CompiledInputs>,
}

impl WorkflowPlan {
    /// Types, defaults and validates inputs given to this workflow (by a step that calls it,
    /// or an action that goes to it), with its schema compiled once for the whole plan.
    pub fn prepare_inputs(&self, given: Vec<(String, InputSource)>) -> Result<Value, Vec<String>> {
        workflow_inputs::prepare_compiled(
            self.inputs_schema.as_ref(),
            self.inputs_compiled.as_ref(),
            given,
        )
    }
}

/// What a step calls.
#[derive(Debug)]
pub enum TargetPlan {
    /// An API operation.
    Operation(OperationPlan),
    /// Another workflow, by plan id (see [`WorkflowPlan::id`]).
    Workflow(String),
    /// Something the document names correctly but this run cannot call: an operation of a
    /// source that did not load (remote without `--allow-remote`, a missing file), or an
    /// AsyncAPI channel. A dry run shows it; a run is refused before it starts (see
    /// [`Plan::problems`]).
    Unavailable {
        /// Why, in a sentence.
        reason: String,
        /// Whether loading remote sources (not allowed for this run) would have found it.
        remote: bool,
    },
}

/// A parameter to send (or, for workflow steps, an input to pass).
#[derive(Debug)]
pub struct ParamPlan {
    /// Its name.
    pub name: String,
    /// Where it goes (`None` for workflow inputs).
    pub location: Option<ParameterIn>,
    /// Its value.
    pub value: ValuePlan,
}

/// A step, ready to run.
#[derive(Debug)]
pub struct StepPlan {
    /// Its id.
    pub id: String,
    /// What it calls.
    pub target: TargetPlan,
    /// Parameters: the workflow's, overridden by the step's by name and location.
    pub parameters: Vec<ParamPlan>,
    /// The request body.
    pub body: Option<BodyPlan>,
    /// All must hold for success; none means "a 2xx status".
    pub success_criteria: Vec<CompiledCriterion>,
    /// Where each success criterion is written (its `condition`), in the same order.
    pub success_criteria_at: Vec<Option<SourceSpot>>,
    /// Success actions, the step's first.
    pub on_success: Vec<ActionPlan>,
    /// Failure actions, the step's first.
    pub on_failure: Vec<ActionPlan>,
    /// Outputs, evaluated after each attempt.
    pub outputs: Vec<(String, ValuePlan)>,
    /// The step's own time limit (1.1 `timeout`, milliseconds).
    pub timeout: Option<std::time::Duration>,
    /// Steps that must have completed first (1.1 `dependsOn`).
    pub depends_on: Vec<String>,
}

impl StepPlan {
    /// `GET /pets/{id}` or `workflow login`, for progress lines.
    pub fn describe(&self) -> String {
        match &self.target {
            TargetPlan::Operation(op) => format!("{} {}", op.method, op.path),
            TargetPlan::Workflow(w) => format!("workflow {w}"),
            TargetPlan::Unavailable { .. } => "unavailable".to_owned(),
        }
    }
}

impl Plan {
    /// Plans every workflow of a loaded document; every problem is listed.
    pub fn compile(bundle: &Bundle, options: &PlanOptions) -> Result<Plan, Vec<PlanError>> {
        Self::compile_from(bundle, options, None)
    }

    /// Plans one workflow of the document and what it can reach (the workflows its steps,
    /// actions and `dependsOn` name, in this document or another): a run of `a` does not
    /// stop at a problem of a workflow it never runs.
    ///
    /// ```no_run
    /// # use telaio_plan::{Plan, PlanOptions};
    /// # fn f(bundle: &telaio_model::Bundle) {
    /// let plan = Plan::compile_workflow(bundle, &PlanOptions::default(), "adopt").unwrap();
    /// assert!(plan.workflow("adopt").is_some());
    /// # }
    /// ```
    pub fn compile_workflow(
        bundle: &Bundle,
        options: &PlanOptions,
        workflow_id: &str,
    ) -> Result<Plan, Vec<PlanError>> {
        Self::compile_from(bundle, options, Some(workflow_id))
    }

    fn compile_from(
        bundle: &Bundle,
        options: &PlanOptions,
        root: Option<&str>,
    ) -> Result<Plan, Vec<PlanError>> {
        let Some(graph) = Graph::of(bundle) else {
            return Err(vec![PlanError {
                workflow_id: String::new(),
                step_id: None,
                message: "the document is not an Arazzo document".into(),
                at: None,
            }]);
        };
        let mut errors = Vec::new();
        // A server for a source the document does not have would silently send the run to
        // the description's own server.
        let named = (options.servers.keys().map(|n| ("a server override", n)))
            .chain(options.auth.keys().map(|n| ("an auth override", n)));
        for (flag, name) in named {
            if let Some(message) = bundle.unknown_source(flag, name) {
                errors.push(PlanError {
                    workflow_id: String::new(),
                    step_id: None,
                    message,
                    at: None,
                });
            }
        }
        let linker = Linker::new(bundle, graph, root.is_none());
        let mut workflows = Vec::new();
        let plan = |document: usize, w: &WorkflowNode<'_>, errors: &mut Vec<PlanError>| {
            let cx = Context {
                linker: &linker,
                document,
                bundle: linker.bundle(document),
            };
            match plan_workflow(&cx, w, options) {
                Ok(p) => Some(p),
                Err(mut e) => {
                    errors.append(&mut e);
                    None
                }
            }
        };
        match root {
            None => {
                for w in &linker.graph(0).workflows {
                    workflows.extend(plan(0, w, &mut errors));
                }
            }
            Some(id) => {
                if let Err(message) = linker.resolve_written(0, id) {
                    errors.push(PlanError {
                        workflow_id: String::new(),
                        step_id: None,
                        message,
                        at: None,
                    });
                }
            }
        }
        // Workflows as references reach them (planning one may reach more).
        while let Some((document, id)) = linker.next_wanted() {
            let graph = linker.graph(document);
            if let Some(w) = graph.workflow(&id) {
                workflows.extend(plan(document, w, &mut errors));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        // The document's own workflows first (in the order planned), then other documents'.
        workflows.sort_by_key(|w| w.document != 0);
        let own = workflows.iter().filter(|w| w.document == 0).count();
        let mut sensitive = Vec::new();
        for b in std::iter::once(bundle).chain(&bundle.linked) {
            for api in b.sources.iter().filter_map(|s| s.api()) {
                crate::schema::sensitive_properties(&api.document, &mut sensitive);
            }
        }
        Ok(Plan {
            workflows,
            own,
            documents: linker.into_documents(),
            sensitive,
        })
    }

    /// What expressions in this workflow see of its document.
    pub fn document_of(&self, workflow: &WorkflowPlan) -> &DocumentPlan {
        // Every workflow's document is planned with it.
        &self.documents[workflow.document]
    }

    /// The workflow with this plan id (see [`WorkflowPlan::id`]).
    pub fn workflow(&self, id: &str) -> Option<&WorkflowPlan> {
        self.workflows.iter().find(|w| w.id == id)
    }

    /// The property names the API descriptions mark sensitive (`x-sensitive: true`), whose
    /// values a redactor shows by size only.
    pub fn sensitive_properties(&self) -> &[String] {
        &self.sensitive
    }

    /// The document's own workflows, in document order.
    pub fn workflows(&self) -> &[WorkflowPlan] {
        &self.workflows[..self.own]
    }

    /// Every planned workflow: the document's own, then those of other documents that a run
    /// can reach (what credentials and redaction must cover).
    pub fn all_workflows(&self) -> &[WorkflowPlan] {
        &self.workflows
    }
}

fn plan_workflow(
    cx: &Context<'_, '_>,
    w: &WorkflowNode<'_>,
    options: &PlanOptions,
) -> Result<WorkflowPlan, Vec<PlanError>> {
    let id = cx.linker.plan_id(cx.document, w.id.unwrap_or_default());
    let mut errors = Vec::new();
    let err = |step: Option<&str>, message: String, at: Option<&telaio_graph::Place>| PlanError {
        workflow_id: id.clone(),
        step_id: step.map(str::to_owned),
        message,
        at: at.and_then(|p| cx.spot(p)),
    };
    let mut steps = Vec::new();
    for s in &w.steps {
        let sid = s.id.unwrap_or("?");
        match plan_step(cx, s, options) {
            Ok(p) => steps.push(p),
            Err(messages) => errors.extend(
                messages
                    .into_iter()
                    .map(|(m, at)| err(Some(sid), m, Some(at.unwrap_or(&s.place)))),
            ),
        }
    }
    let mut outputs = Vec::new();
    for o in &w.outputs {
        match ValuePlan::from_valuable(o.value) {
            Ok(p) => outputs.push((o.name.to_owned(), p)),
            Err(e) => errors.push(err(
                None,
                format!("output `{}`: {}", o.name, e.message),
                Some(&o.place),
            )),
        }
    }
    let mut depends_on = Vec::new();
    for d in &w.depends_on {
        match cx.workflow(d) {
            Ok(key) => depends_on.push(key),
            Err(e) => errors.push(err(None, format!("dependsOn: {e}"), Some(&d.place))),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let inputs_schema = w.inputs().cloned();
    Ok(WorkflowPlan {
        id: id.clone(),
        document: cx.document,
        has_secret_inputs: inputs_schema
            .as_ref()
            .is_some_and(crate::schema::has_secret_inputs),
        inputs_compiled: inputs_schema.as_ref().map(workflow_inputs::compile_inputs),
        inputs_schema,
        steps,
        outputs,
        depends_on,
    })
}

/// A problem of a step: what is wrong, and where when the graph knows.
type StepError<'s> = (String, Option<&'s telaio_graph::Place>);

fn plan_step<'s>(
    cx: &Context<'_, '_>,
    s: &'s StepNode<'_>,
    options: &PlanOptions,
) -> Result<StepPlan, Vec<StepError<'s>>> {
    let mut errors: Vec<StepError<'s>> = s
        .problems()
        .map(|Problem { place, kind }| (kind.to_string(), Some(place)))
        .collect();
    let target = match &s.call {
        Call::Operation { written, lookup } => operation::target(lookup.clone(), written, options),
        Call::Workflow(w) => cx.workflow(w).map(TargetPlan::Workflow),
        Call::Channel(_) => Ok(TargetPlan::Unavailable {
            reason: "AsyncAPI steps (`channelPath`) are not run by this version".to_owned(),
            remote: false,
        }),
        Call::Unclear => Err("the step names no operation or workflow (or several)".to_owned()),
    };
    let target = target.map_err(|e| errors.push((e, None))).ok();
    let operation_step = matches!(target, Some(TargetPlan::Operation(_)));
    let mut parameters = Vec::with_capacity(s.parameters.len());
    for p in &s.parameters {
        match parameters::lower(p) {
            Ok(p) => parameters.push(p),
            Err(e) => errors.push((e, Some(&p.place))),
        }
    }
    if let Some(TargetPlan::Operation(op)) = &target {
        // `pet_id` for `{petId}`: filled as meant (the linter warns, `lenient-reference`).
        for p in parameters
            .iter_mut()
            .filter(|p| p.location == Some(ParameterIn::Path))
        {
            if let PathSlot::Lenient(actual) = path_slot(&op.path, &p.name) {
                p.name = actual.to_owned();
            }
        }
    }
    if operation_step {
        for p in s.parameters.iter().filter(|p| p.location.is_none()) {
            errors.push((
                format!(
                    "parameter `{}` has no `in`; an operation's parameters say where they go",
                    p.name
                ),
                Some(&p.place),
            ));
        }
    }
    let body = s
        .step
        .request_body
        .as_ref()
        .and_then(|b| match body::lower(b) {
            Ok(body) => Some(body),
            Err(e) => {
                errors.push((e, None));
                None
            }
        });
    let success_criteria = actions::criteria(&s.success_criteria)
        .map_err(|e| errors.push((e, None)))
        .ok()
        .unwrap_or_default();
    let on_success = actions::lower(&s.on_success, cx)
        .map_err(|e| errors.push((e, None)))
        .ok()
        .unwrap_or_default();
    let on_failure = actions::lower(&s.on_failure, cx)
        .map_err(|e| errors.push((e, None)))
        .ok()
        .unwrap_or_default();
    let mut outputs = Vec::new();
    for o in &s.outputs {
        match ValuePlan::from_valuable(o.value) {
            Ok(p) => outputs.push((o.name.to_owned(), p)),
            Err(e) => errors.push((
                format!("output `{}`: {}", o.name, e.message),
                Some(&o.place),
            )),
        }
    }
    match target {
        Some(target) if errors.is_empty() => Ok(StepPlan {
            id: s.id.unwrap_or_default().to_owned(),
            target,
            parameters,
            body,
            success_criteria_at: s
                .success_criteria
                .iter()
                .map(|c| cx.spot(&c.condition_place()))
                .collect(),
            success_criteria,
            on_success,
            on_failure,
            outputs,
            timeout: s.step.timeout.map(std::time::Duration::from_millis),
            depends_on: s.step.depends_on.clone(),
        }),
        _ => Err(errors),
    }
}
