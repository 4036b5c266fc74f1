//! A workflow's [`Flow`] drawn as inline SVG: the steps in one column in document order,
//! sequential edges straight down, every other edge (loops, jumps, ends, failures, calls)
//! routed in its own lane on the right with its label beside it. Colours come from the page's
//! CSS, so the diagram follows the light or dark theme.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use crate::flow::{Edge, EdgeKind, Flow, Node};
use crate::html::markup::esc;
use crate::html::step_anchor;
use crate::prose::one_line;

const GAP: f64 = 40.0;
const NODE_H: f64 = 44.0;
const PORT_GAP: f64 = 11.0;
const TOP: f64 = 56.0;
const X0: f64 = 16.0;
const LANE_GAP: f64 = 14.0;
const CHAR_W: f64 = 7.2;
const LABEL_CHARS: usize = 56;

/// What a step box says under the step id (the operation it calls).
pub(crate) struct StepCaption {
    pub anchor: String,
    pub caption: Option<String>,
}

/// The SVG of one workflow's flow; `n` makes its element ids unique in the page.
pub(crate) fn svg(flow: &Flow, captions: &[StepCaption], workflow: &str, n: usize) -> String {
    let mut rows: Vec<Node> = flow.steps.clone();
    let mut seen: HashSet<&Node> = flow.steps.iter().collect();
    for e in &flow.edges {
        for n in [&e.from, &e.to] {
            if seen.insert(n) {
                rows.push(n.clone());
            }
        }
    }
    // Terminals and called workflows after the steps, success first.
    rows[flow.steps.len()..].sort_by_key(|node| match node {
        Node::Succeeded => 0,
        Node::Failed => 1,
        _ => 2,
    });
    if rows.is_empty() {
        rows.push(Node::Succeeded);
    }
    let row_index: HashMap<&Node, usize> = rows.iter().enumerate().map(|(i, n)| (n, i)).collect();
    // Each edge's rows, looked up once: large workflows stay linear.
    let ends: Vec<(usize, usize)> = flow
        .edges
        .iter()
        .map(|e| (row_index[&e.from], row_index[&e.to]))
        .collect();
    let widest = rows
        .iter()
        .map(|r| node_text(r).chars().count())
        .chain(
            captions
                .iter()
                .filter_map(|c| c.caption.as_ref())
                .map(|c| c.chars().count() * 6 / 7),
        )
        .max()
        .unwrap_or(0);
    let w = (widest as f64 * CHAR_W + 32.0).clamp(168.0, 300.0);
    let xr = X0 + w;
    let cx = X0 + w / 2.0;

    // Which edges go straight down (the first edge between two consecutive rows), which take
    // a lane.
    let mut straight = vec![false; flow.edges.len()];
    let mut taken: HashSet<(usize, usize)> = HashSet::new();
    let mut laned = Vec::new();
    for (i, &(a, b)) in ends.iter().enumerate() {
        if b == a + 1 && taken.insert((a, b)) {
            straight[i] = true;
        } else {
            laned.push(i);
        }
    }
    // Short spans get the inner lanes; lanes are shared where spans do not overlap.
    laned.sort_by_key(|&i| (ends[i].0.abs_diff(ends[i].1), i));
    let mut lanes: Vec<Vec<(usize, usize)>> = Vec::new();
    let mut lane_of = vec![0usize; flow.edges.len()];
    for &i in &laned {
        let (a, b) = ends[i];
        let span = (a.min(b), a.max(b));
        let free = lanes
            .iter()
            .position(|used| used.iter().all(|&(lo, hi)| span.1 < lo || hi < span.0));
        let lane = free.unwrap_or_else(|| {
            lanes.push(Vec::new());
            lanes.len() - 1
        });
        lanes[lane].push(span);
        lane_of[i] = lane;
    }
    // Ports: where laned edges leave and enter a node's right side, spread over its height.
    let mut port_count = vec![0usize; rows.len()];
    let mut port_of = vec![(0usize, 0usize); flow.edges.len()];
    for &i in &laned {
        let (a, b) = ends[i];
        port_of[i].0 = port_count[a];
        port_count[a] += 1;
        port_of[i].1 = port_count[b];
        port_count[b] += 1;
    }
    // A node with many edges on its side grows, so that they stay apart.
    let heights: Vec<f64> = port_count
        .iter()
        .map(|&p| NODE_H.max(PORT_GAP * (p as f64 + 1.0)))
        .collect();
    let tops: Vec<f64> = heights
        .iter()
        .scan(TOP, |y, h| {
            let here = *y;
            *y += h + GAP;
            Some(here)
        })
        .collect();
    let top = |row: usize| tops[row];
    let port_y = |row: usize, k: usize| {
        top(row) + heights[row] * (k as f64 + 1.0) / (port_count[row] as f64 + 1.0)
    };
    let lane_x = |lane: usize| xr + 20.0 + lane as f64 * LANE_GAP;
    let label_x = lane_x(lanes.len()) + 8.0;
    // Lane labels sit in a column right of the lanes, each at its edge's exit unless another
    // is there already.
    let mut label_y = vec![0.0f64; flow.edges.len()];
    let mut placed: Vec<f64> = Vec::new();
    let mut right = xr + 16.0;
    for &i in &laned {
        let label = &flow.edges[i].label;
        if label.is_empty() {
            continue;
        }
        let mut y = port_y(ends[i].0, port_of[i].0);
        while placed.iter().any(|&u| (u - y).abs() < 13.0) {
            y += 13.0;
        }
        placed.push(y);
        label_y[i] = y;
        right = right.max(label_x + text_width(label) + 16.0);
    }
    for (i, e) in flow.edges.iter().enumerate() {
        if straight[i] && !e.label.is_empty() {
            right = right.max(cx + 8.0 + text_width(&e.label) + 16.0);
        }
    }
    let width = right;
    let bottom = tops[rows.len() - 1] + heights[rows.len() - 1];
    let height = placed.iter().fold(bottom, |m, &y| m.max(y + 8.0)) + 16.0;

    let mut out = String::with_capacity(4096);
    let id = format!("flow-{n}");
    let _ = write!(
        out,
        "<svg class=\"flow\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">\
<title id=\"{id}-title\">Flow of workflow {}</title><desc id=\"{id}-desc\">{}</desc>\
<defs><marker id=\"{id}-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" class=\"arrowhead\"/></marker></defs>",
        esc(workflow),
        esc(&describe(flow))
    );
    // Start.
    let first = top(0);
    let _ = write!(
        out,
        "<g class=\"node start\"><circle cx=\"{cx:.1}\" cy=\"18\" r=\"10\"/><text x=\"{:.1}\" y=\"22\">start</text></g>\
<g class=\"edge next\"><path d=\"M{cx:.1} 28V{:.1}\" marker-end=\"url(#{id}-arrow)\"/></g>",
        cx + 16.0,
        first - 2.0
    );
    for (row, node) in rows.iter().enumerate() {
        node_svg(
            &mut out,
            node,
            captions,
            workflow,
            (X0, top(row)),
            (w, heights[row]),
        );
    }
    for (i, e) in flow.edges.iter().enumerate() {
        let (a, b) = ends[i];
        let class = edge_class(e);
        let title = format!(
            "{} → {}{}",
            node_text(&e.from),
            node_text(&e.to),
            when(&e.label)
        );
        let _ = write!(out, "<g class=\"{class}\"><title>{}</title>", esc(&title));
        if straight[i] {
            let (y0, y1) = (top(a) + heights[a], top(b));
            let _ = write!(
                out,
                "<path d=\"M{cx:.1} {y0:.1}V{:.1}\" marker-end=\"url(#{id}-arrow)\"/>",
                y1 - 2.0
            );
            if !e.label.is_empty() {
                let _ = write!(
                    out,
                    "<text class=\"on-line\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                    cx + 8.0,
                    (y0 + y1) / 2.0 + 4.0,
                    esc(&truncate(&e.label, LABEL_CHARS))
                );
            }
        } else {
            let (ys, ye) = (port_y(a, port_of[i].0), port_y(b, port_of[i].1));
            let lx = lane_x(lane_of[i]);
            let _ = write!(
                out,
                "<path d=\"{}\" marker-end=\"url(#{id}-arrow)\"/>",
                lane_path(xr, ys, lx, ye)
            );
            if !e.label.is_empty() {
                let ly = label_y[i];
                let _ = write!(
                    out,
                    "<path class=\"leader\" d=\"M{:.1} {ys:.1}L{:.1} {:.1}\"/><text x=\"{label_x:.1}\" y=\"{:.1}\">{}</text>",
                    lx + 2.0,
                    label_x - 3.0,
                    ly,
                    ly + 4.0,
                    esc(&truncate(&e.label, LABEL_CHARS))
                );
            }
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    out
}

fn node_svg(
    out: &mut String,
    node: &Node,
    captions: &[StepCaption],
    workflow: &str,
    (x, y): (f64, f64),
    (w, h): (f64, f64),
) {
    let fit = ((w - 20.0) / CHAR_W) as usize;
    let cx = x + w / 2.0;
    match node {
        Node::Step(i, name) => {
            let caption = captions.get(*i);
            let anchor = caption.map_or_else(|| step_anchor(workflow, name), |c| c.anchor.clone());
            let _ = write!(
                out,
                "<a href=\"#{}\" class=\"node step\" data-step=\"{}\" tabindex=\"-1\"><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"6\"/>",
                esc(&anchor),
                esc(name)
            );
            match caption.and_then(|c| c.caption.as_deref()) {
                Some(sub) => {
                    let _ = write!(
                        out,
                        "<text x=\"{cx:.1}\" y=\"{:.1}\" class=\"name\">{}</text><text x=\"{cx:.1}\" y=\"{:.1}\" class=\"caption\">{}</text>",
                        y + h / 2.0 - 3.0,
                        esc(&truncate(name, fit)),
                        y + h / 2.0 + 13.0,
                        esc(&truncate(sub, fit + fit / 6))
                    );
                }
                None => {
                    let _ = write!(
                        out,
                        "<text x=\"{cx:.1}\" y=\"{:.1}\" class=\"name\">{}</text>",
                        y + h / 2.0 + 5.0,
                        esc(&truncate(name, fit))
                    );
                }
            }
            out.push_str("</a>");
        }
        other => {
            let class = match other {
                Node::Succeeded => "succeeded",
                Node::Failed => "failed",
                _ => "workflow",
            };
            let _ = write!(
                out,
                "<g class=\"node {class}\"><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"22\"/><text x=\"{cx:.1}\" y=\"{:.1}\" class=\"name\">{}</text></g>",
                y + h / 2.0 + 5.0,
                esc(&truncate(&node_text(other), fit))
            );
        }
    }
}

/// Out of the node's right side, along the lane, back into the target's right side, with
/// rounded corners.
fn lane_path(xr: f64, ys: f64, lx: f64, ye: f64) -> String {
    let r = 6.0_f64.min((ye - ys).abs() / 2.0);
    let down = if ye >= ys { 1.0 } else { -1.0 };
    format!(
        "M{xr:.1} {ys:.1}H{:.1}Q{lx:.1} {ys:.1} {lx:.1} {:.1}V{:.1}Q{lx:.1} {ye:.1} {:.1} {ye:.1}H{:.1}",
        lx - r,
        ys + down * r,
        ye - down * r,
        lx - r,
        xr + 2.0
    )
}

fn edge_class(e: &Edge) -> String {
    let kind = match e.kind {
        EdgeKind::Next => "next",
        EdgeKind::OnSuccess => "success",
        EdgeKind::OnFailure => "failure",
        EdgeKind::Retry => "retry",
        EdgeKind::Call => "call",
    };
    if e.from == e.to {
        format!("edge {kind} loop")
    } else {
        format!("edge {kind}")
    }
}

fn node_text(node: &Node) -> String {
    match node {
        Node::Step(_, name) => name.clone(),
        Node::Succeeded => "succeeded".to_owned(),
        Node::Failed => "failed".to_owned(),
        Node::Workflow(w) => format!("workflow {w}"),
    }
}

fn when(label: &str) -> String {
    if label.is_empty() {
        String::new()
    } else {
        format!(" ({label})")
    }
}

/// The diagram in words, for screen readers: every edge, in order.
fn describe(flow: &Flow) -> String {
    let mut parts = Vec::with_capacity(flow.edges.len() + 1);
    if let Some(first) = flow.steps.first() {
        parts.push(format!("Starts at {}.", node_text(first)));
    }
    for e in &flow.edges {
        let how = match (e.kind, e.from == e.to) {
            (EdgeKind::Retry, _) => "retries",
            (EdgeKind::Call, _) => "runs",
            (_, true) => "loops back to itself",
            (EdgeKind::OnFailure, _) => "on failure goes to",
            _ => "goes to",
        };
        let target = if e.from == e.to {
            String::new()
        } else {
            format!(" {}", node_text(&e.to))
        };
        parts.push(format!(
            "{} {how}{target}{}.",
            node_text(&e.from),
            when(&e.label)
        ));
    }
    parts.join(" ")
}

/// About how wide a label is drawn, at most [`LABEL_CHARS`] characters of 12 px monospace.
fn text_width(label: &str) -> f64 {
    label.chars().count().min(LABEL_CHARS) as f64 * CHAR_W
}

fn truncate(s: &str, max: usize) -> String {
    let s = one_line(s);
    if s.chars().count() <= max {
        return s;
    }
    let cut: String = s.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_polling_step_draws_a_loop() {
        let document = json!({"arazzo": "1.0.1", "info": {"title": "t", "version": "1"},
            "sourceDescriptions": [], "workflows": [{"workflowId": "w", "steps": [
            {"stepId": "create", "operationId": "create"},
            {"stepId": "poll", "operationId": "get", "onSuccess": [
                {"name": "again", "type": "goto", "stepId": "poll",
                 "criteria": [{"condition": "$.Status == 'CREATED'"}]}]}]}]});
        let url = telaio_model::Url::parse("file:///w.arazzo.json").unwrap();
        let options = telaio_model::LoadOptions::default();
        let document =
            telaio_model::ArazzoDocument::from_text(url, document.to_string(), &options).unwrap();
        let bundle = telaio_model::Bundle::without_sources(document);
        let graph = telaio_graph::Graph::of(&bundle).unwrap();
        let flow = Flow::of(&graph.workflows[0]);
        let svg = svg(&flow, &[], "w", 0);
        assert!(svg.contains("class=\"edge success loop\""), "{svg}");
        assert!(svg.contains("$.Status == &#39;CREATED&#39;"), "{svg}");
        assert!(svg.contains("poll loops back to itself"), "{svg}");
        assert!(svg.contains("class=\"node succeeded\""), "{svg}");
    }

    #[test]
    fn an_empty_workflow_still_draws() {
        let svg = svg(&Flow::default(), &[], "w", 3);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("flow-3-arrow"));
    }
}
