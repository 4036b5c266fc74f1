//! Helpers shared by the docs tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The specification's examples, in `crates/engine/tests/oai-examples/`.
pub const OAI_EXAMPLES: [&str; 5] = [
    "pet-coupons.arazzo.yaml",
    "bnpl-arazzo.yaml",
    "oauth.arazzo.yaml",
    "FAPI-PAR.arazzo.yaml",
    "LoginAndRetrievePets.arazzo.yaml",
];

/// The seed workflow.
pub const SEED: &str =
    "examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml";

/// A path in the repository.
pub fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

/// The outline of an HTML page: its landmarks, headings, tables, lists, diagram nodes and
/// edges and source lines, one element per line, indented by depth. Styles and scripts are
/// left out; text is kept only where it names something (headings, diagram titles).
pub fn outline(html: &str) -> String {
    const SHOWN: [&str; 25] = [
        "header", "nav", "main", "footer", "section", "article", "details", "summary", "h1", "h2",
        "h3", "h4", "h5", "table", "thead", "tbody", "tr", "ol", "ul", "li", "figure", "svg", "g",
        "a", "pre",
    ];
    const VOID: [&str; 6] = ["meta", "br", "img", "input", "hr", "link"];
    let mut out = String::new();
    let mut stack: Vec<(String, bool)> = Vec::new();
    let mut rest = html;
    let mut pending_text: Option<usize> = None;
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        if let Some(at) = pending_text
            && !text.trim().is_empty()
        {
            out.insert_str(at, &format!(" \"{}\"", text.trim()));
            pending_text = None;
        }
        rest = &rest[lt..];
        let gt = rest.find('>').expect("a closed tag");
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            while let Some((open, _)) = stack.pop() {
                if open == name {
                    break;
                }
            }
            pending_text = None;
            continue;
        }
        if tag.starts_with('!') {
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if name == "style" || name == "script" {
            let close = format!("</{name}>");
            rest = &rest[rest.find(&close).expect("closed") + close.len()..];
            continue;
        }
        let self_closing = tag.ends_with('/') || VOID.contains(&name.as_str());
        let shown = SHOWN.contains(&name.as_str());
        // Links show only inside the diagram, where they are its step boxes.
        let in_svg = stack.iter().any(|(n, _)| n == "svg");
        if shown && (name != "a" || in_svg) {
            let depth = stack.iter().filter(|(_, s)| *s).count();
            let mut line = format!("{}{name}", "  ".repeat(depth));
            for attr in ["id", "class", "data-step"] {
                if let Some(v) = attribute(tag, attr) {
                    let sigil = match attr {
                        "id" => "#".to_owned(),
                        "class" => ".".to_owned(),
                        other => format!("[{other}="),
                    };
                    let v = if attr == "class" {
                        v.replace(' ', ".")
                    } else {
                        v
                    };
                    let end = if attr.starts_with("data") { "]" } else { "" };
                    line.push_str(&format!("{sigil}{v}{end}"));
                }
            }
            out.push_str(&line);
            if name.starts_with('h') || name == "summary" || name == "g" {
                pending_text = Some(out.len());
            }
            out.push('\n');
        }
        if !self_closing {
            stack.push((name, shown));
        }
    }
    out
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].to_owned())
}
