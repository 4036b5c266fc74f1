//! One workflow on the HTML page: summary, description, inputs, outputs, the flow diagram and
//! the numbered steps with their operations, criteria and actions.

use std::fmt::Write;

use serde_json::Value;
use telaio_graph::{Call, Output, StepNode, WorkflowNode};

use crate::flow::Flow;
use crate::html::diagram::{self, StepCaption};
use crate::html::markup::{commonmark, esc};
use crate::html::{step_anchor, workflow_anchor};
use crate::page::{
    ActionText, CriterionText, actions, criteria, input_rows, parameter_rows, shown, target,
    valuable,
};
use crate::prose::one_line;

/// One workflow's article, drawn and detailed while the page's [`Budget`] allows.
pub(crate) fn article(out: &mut String, w: &WorkflowNode<'_>, n: usize, budget: &mut Budget) {
    let id = w.id.unwrap_or("?");
    let steps = &w.steps;
    let _ = write!(
        out,
        "<article class=\"workflow\" id=\"{}\" aria-labelledby=\"h-{0}\"><details open><summary><h3 id=\"h-{0}\"><code>{}</code></h3><span class=\"count\">{} step{}</span></summary>",
        workflow_anchor(id),
        esc(id),
        steps.len(),
        if steps.len() == 1 { "" } else { "s" }
    );
    if let Some(s) = &w.workflow.summary {
        let _ = write!(out, "<p class=\"summary\">{}</p>", esc(&one_line(s)));
    }
    if let Some(d) = &w.workflow.description {
        let _ = write!(out, "<div class=\"prose\">{}</div>", commonmark(d));
    }
    let depends: Vec<&str> = w.depends_on.iter().map(|d| d.written).collect();
    if !depends.is_empty() {
        out.push_str("<p>Runs first: ");
        for (i, d) in depends.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            let _ = write!(
                out,
                "{sep}<a href=\"#{}\"><code>{}</code></a>",
                workflow_anchor(d),
                esc(d)
            );
        }
        out.push_str("</p>");
    }
    inputs(out, w);
    if !w.outputs.is_empty() {
        out.push_str("<h4>Outputs</h4>");
        pairs(out, &w.outputs, "Output");
    }
    if steps.len() > budget.draw {
        // Said once: a document of thousands of workflows would say it thousands of times.
        if !budget.told_draw {
            budget.told_draw = true;
            let _ = write!(
                out,
                "<h4>Flow</h4><p class=\"fold-note\">From here on, diagrams are left out: a page draws at most {MAX_DRAWN_STEPS} steps in all.</p>"
            );
        }
    } else {
        budget.draw -= steps.len();
        let captions: Vec<StepCaption> = steps
            .iter()
            .map(|s| StepCaption {
                anchor: step_anchor(id, s.id.unwrap_or("?")),
                caption: target(s).method_path.or_else(|| callee(s)),
            })
            .collect();
        let _ = write!(
            out,
            "<h4>Flow</h4><figure class=\"diagram\">{}<figcaption>Solid arrows: success and the next step; dashed: failure actions; thick: a call of another workflow. Select a step to read it below.</figcaption></figure>",
            diagram::svg(&Flow::of(w), &captions, id, n)
        );
    }
    out.push_str("<h4>Steps</h4><ol class=\"steps\">");
    for step in steps {
        if budget.detail == 0 {
            if !budget.told {
                budget.told = true;
                let _ = write!(
                    out,
                    "<li class=\"fold-note\">From here on, steps are listed by id only: a page details at most {MAX_DETAILED_STEPS} steps in all.</li>"
                );
            }
            let _ = write!(
                out,
                "<li class=\"step\" id=\"{}\"><h5><code class=\"step-id\">{}</code></h5></li>",
                step_anchor(id, step.id.unwrap_or("?")),
                esc(step.id.unwrap_or("?"))
            );
            continue;
        }
        budget.detail -= 1;
        step_item(out, w, step);
    }
    out.push_str("</ol></details></article>");
}

/// What a page may still draw and detail: past these, a document of megabytes would make a
/// page of hundreds.
pub(crate) struct Budget {
    /// Steps the diagrams may still draw.
    pub draw: usize,
    /// Steps that may still be detailed.
    pub detail: usize,
    /// Whether the page has said that it lists the rest by id.
    pub told: bool,
    /// Whether the page has said that it draws no more.
    pub told_draw: bool,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            draw: MAX_DRAWN_STEPS,
            detail: MAX_DETAILED_STEPS,
            told: false,
            told_draw: false,
        }
    }
}

/// The most steps a page details (operation, parameters, criteria, actions, outputs).
const MAX_DETAILED_STEPS: usize = 5_000;

/// The most steps a page's diagrams draw, all workflows together: past them a page grows by
/// megabytes for pictures no one reads.
const MAX_DRAWN_STEPS: usize = 2_000;

/// What a step calls when it is not an operation that could be found: as written.
fn callee(step: &StepNode<'_>) -> Option<String> {
    match &step.call {
        Call::Workflow(w) => Some(format!("workflow {}", w.written)),
        Call::Operation { written, .. } => Some((*written).to_owned()),
        _ => None,
    }
}

fn inputs(out: &mut String, w: &WorkflowNode<'_>) {
    let rows = input_rows(w);
    if rows.is_empty() {
        return;
    }
    out.push_str("<h4>Inputs</h4><table class=\"inputs\"><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Type</th><th scope=\"col\">Required</th><th scope=\"col\">Description</th><th scope=\"col\">Default</th></tr></thead><tbody>");
    for row in rows {
        let _ = write!(
            out,
            "<tr><th scope=\"row\"><code>{}</code></th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(row.name),
            esc(&row.kind),
            if row.required { "yes" } else { "no" },
            esc(&one_line(row.description.unwrap_or(""))),
            row.default
                .map(|d| format!("<code>{}</code>", esc(&shown(d))))
                .unwrap_or_default()
        );
    }
    out.push_str("</tbody></table>");
}

/// A two-column table of names and values (outputs).
fn pairs(out: &mut String, items: &[Output<'_>], head: &str) {
    let _ = write!(
        out,
        "<table class=\"pairs\"><thead><tr><th scope=\"col\">{head}</th><th scope=\"col\">Value</th></tr></thead><tbody>"
    );
    for o in items {
        let _ = write!(
            out,
            "<tr><th scope=\"row\"><code>{}</code></th><td><code>{}</code></td></tr>",
            esc(o.name),
            esc(&valuable(o.value))
        );
    }
    out.push_str("</tbody></table>");
}

fn step_item(out: &mut String, w: &WorkflowNode<'_>, step: &StepNode<'_>) {
    let workflow = w.id.unwrap_or("?");
    let id = step.id.unwrap_or("?");
    let t = target(step);
    let _ = write!(
        out,
        "<li class=\"step\" id=\"{}\"><h5><code class=\"step-id\">{}</code>",
        step_anchor(workflow, id),
        esc(id)
    );
    if let Some(mp) = &t.method_path {
        let (method, path) = mp.split_once(' ').unwrap_or((mp, ""));
        // The method picks a colour; an AsyncAPI action is any string, so only known ones do.
        let lower = method.to_ascii_lowercase();
        let colour = match lower.as_str() {
            "get" | "post" | "put" | "patch" | "delete" | "head" | "options" | "trace" | "send"
            | "receive" => lower.as_str(),
            _ => "other",
        };
        let _ = write!(
            out,
            " <span class=\"op\"><span class=\"method m-{colour}\">{}</span> <code>{}</code></span>",
            esc(method),
            esc(path)
        );
    }
    if let Some(w) = &t.workflow {
        let _ = write!(
            out,
            " <span class=\"op\">calls workflow <a href=\"#{}\"><code>{}</code></a></span>",
            workflow_anchor(w),
            esc(w)
        );
    } else if let Call::Operation { written, .. } = &step.call {
        let _ = write!(out, " <code class=\"operation-id\">{}</code>", esc(written));
    }
    out.push_str("</h5>");
    if let Some(s) = &t.summary {
        let _ = write!(out, "<p class=\"op-summary\">{}</p>", esc(&one_line(s)));
    }
    if let Some(d) = &step.step.description {
        let _ = write!(out, "<div class=\"prose\">{}</div>", commonmark(d));
    }
    out.push_str("<dl>");
    let params = parameter_rows(step);
    if !params.is_empty() {
        out.push_str("<dt>Parameters</dt><dd><ul>");
        for p in params {
            let _ = write!(out, "<li><code>{}</code>", esc(p.name));
            if let Some(place) = p.place {
                let _ = write!(out, " <span class=\"in\">in {}</span>", esc(place));
            }
            if let Some(v) = &p.value {
                let _ = write!(out, " = <code>{}</code>", esc(v));
            }
            out.push_str("</li>");
        }
        out.push_str("</ul></dd>");
    }
    if let Some(body) = &step.step.request_body {
        out.push_str("<dt>Request body");
        if let Some(ct) = &body.content_type {
            let _ = write!(out, " <code>{}</code>", esc(ct));
        }
        out.push_str("</dt><dd>");
        if let Some(p) = &body.payload {
            let pretty = match p {
                Value::String(s) => s.clone(),
                other => serde_json::to_string_pretty(other).unwrap_or_default(),
            };
            let _ = write!(
                out,
                "<pre class=\"payload\"><code>{}</code></pre>",
                esc(&pretty)
            );
        }
        out.push_str("</dd>");
    }
    let success = criteria(&step.success_criteria);
    if !success.is_empty() {
        out.push_str("<dt>Success criteria</dt><dd>");
        criteria_html(out, &success);
        out.push_str("</dd>");
    }
    for (list, words) in [
        (&step.on_success, "On success"),
        (&step.on_failure, "On failure"),
    ] {
        let list = actions(w, list);
        if list.is_empty() {
            continue;
        }
        let _ = write!(out, "<dt>{words}</dt><dd><ul class=\"actions\">");
        for a in &list {
            action_html(out, a, workflow);
        }
        out.push_str("</ul></dd>");
    }
    if !step.outputs.is_empty() {
        out.push_str("<dt>Outputs</dt><dd>");
        pairs(out, &step.outputs, "Output");
        out.push_str("</dd>");
    }
    out.push_str("</dl></li>");
}

fn criteria_html(out: &mut String, list: &[CriterionText]) {
    out.push_str("<ul class=\"criteria\">");
    for c in list {
        let _ = write!(out, "<li><code>{}</code>", esc(&c.condition));
        if let Some(k) = &c.kind {
            let _ = write!(out, " <span class=\"kind\">{}</span>", esc(k));
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>");
}

fn action_html(out: &mut String, a: &ActionText, workflow: &str) {
    let _ = write!(out, "<li><code>{}</code>", esc(&a.name));
    if a.inherited {
        out.push_str(" <span class=\"kind\">(the workflow's)</span>");
    }
    let _ = write!(out, ": {}", esc(&a.verb));
    if let Some(t) = &a.target {
        let href = if a.to_step {
            step_anchor(workflow, t)
        } else {
            workflow_anchor(t)
        };
        let _ = write!(out, " <a href=\"#{href}\"><code>{}</code></a>", esc(t));
    }
    if !a.criteria.is_empty() {
        out.push_str(" when");
        criteria_html(out, &a.criteria);
    }
    out.push_str("</li>");
}
