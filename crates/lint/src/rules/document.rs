//! Rules about the document as a whole: can it be read, and is it Arazzo at all?

use telaio_model::{ArazzoDocument, LoadError, NodeKind, Span, SpecVersion};

use crate::Diagnostic;
use crate::rule::declare_rule;

declare_rule! {
    /// ## What it checks
    /// That the file can be read and parsed as YAML 1.2 or JSON, within Telaio's limits
    /// (file size, nesting depth, YAML alias expansion), and is valid UTF-8.
    ///
    /// ## Why it matters
    /// Nothing else can be checked in a file that does not parse.
    ///
    /// ## Example
    /// ```yaml
    /// info:
    ///   title: Pets
    ///    version: 1.0.0     # indented one space too far
    /// ```
    ///
    /// ## Instead
    /// ```yaml
    /// info:
    ///   title: Pets
    ///   version: 1.0.0
    /// ```
    Syntax = "syntax", Error, "the file is readable YAML or JSON";
}

declare_rule! {
    /// ## What it checks
    /// That the top level of the document is an object with an `arazzo` field.
    ///
    /// ## Why it matters
    /// An Arazzo document is an object; a list, a scalar or an object without `arazzo` is
    /// some other kind of file (often an OpenAPI description passed by mistake).
    ///
    /// ## Example
    /// ```yaml
    /// - workflowId: adopt
    /// ```
    ///
    /// ## Instead
    /// ```yaml
    /// arazzo: 1.0.1
    /// info: {title: Pets, version: 1.0.0}
    /// sourceDescriptions: [...]
    /// workflows:
    ///   - workflowId: adopt
    /// ```
    NotArazzo = "not-arazzo", Error, "the document is an object with an `arazzo` field";
}

declare_rule! {
    /// ## What it checks
    /// That `arazzo` names a version Telaio knows: 1.0.x (1.0.0, 1.0.1) or 1.1.x.
    ///
    /// ## Why it matters
    /// The version decides which schema and which rules apply.
    ///
    /// ## Example
    /// ```yaml
    /// arazzo: 1.0     # a YAML number, and not a full version
    /// ```
    ///
    /// ## Instead
    /// ```yaml
    /// arazzo: 1.0.1
    /// ```
    ArazzoVersion = "arazzo-version", Error, "`arazzo` is a known specification version";
}

declare_rule! {
    /// ## What it checks
    /// That no mapping has the same key twice.
    ///
    /// ## Why it matters
    /// YAML forbids it and JSON leaves it undefined: one of the two values is silently lost
    /// (Telaio, like most parsers, keeps the last). Two outputs with one name is the usual case.
    ///
    /// ## Example
    /// ```yaml
    /// outputs:
    ///   id: $response.body#/id
    ///   id: $response.body#/petId
    /// ```
    ///
    /// ## Instead
    /// Keep one of them, or give them different names.
    DuplicateKey = "duplicate-key", Error, "no mapping has the same key twice";
}

pub(crate) const RULES: [crate::Rule; 4] = [
    Syntax::RULE,
    NotArazzo::RULE,
    ArazzoVersion::RULE,
    DuplicateKey::RULE,
];

pub(crate) fn load_failure(file: &str, error: &LoadError) -> Diagnostic {
    let (span, message) = match error {
        LoadError::Syntax { error, .. } => (
            Some(Span::new(error.position, error.position)),
            error.message.clone(),
        ),
        other => (None, other.to_string()),
    };
    let remedy =
        matches!(error, LoadError::TooLarge { .. }).then_some(crate::Remedy::RaiseSizeLimit);
    Diagnostic {
        rule: Syntax::RULE.id,
        severity: Syntax::RULE.severity,
        message,
        file: file.to_owned(),
        span,
        source: None,
        hint: None,
        remedy,
    }
}

/// Checks what must hold before the schema can apply; returns the version when it does.
pub(crate) fn check(doc: &ArazzoDocument, out: &mut Vec<Diagnostic>) -> Option<SpecVersion> {
    let at = |rule: &crate::Rule, span: Span, message: String| {
        Diagnostic::new(rule, &doc.source, span, message)
    };
    for dup in &doc.duplicate_keys {
        out.push(
            at(
                &DuplicateKey::RULE,
                dup.again,
                format!(
                    "the key `{}` is written twice in this mapping; the last value wins",
                    dup.key
                ),
            )
            .with_hint(format!("first written at line {}", dup.first.start.line)),
        );
    }
    if !matches!(doc.root.kind, NodeKind::Mapping(_)) {
        out.push(at(
            &NotArazzo::RULE,
            doc.root.span,
            format!(
                "the top level is {}, not an Arazzo object",
                article(doc.root.type_name())
            ),
        ));
        return None;
    }
    let Some(entry) = doc.root.entry("arazzo") else {
        let hint = ["openapi", "swagger", "asyncapi"]
            .into_iter()
            .find(|k| doc.root.get(k).is_some())
            .map(|k| {
                format!(
                    "this looks like an {} description; pass the Arazzo document that names it",
                    k.replace("api", "API")
                        .replace("openAPI", "OpenAPI")
                        .replace("asyncAPI", "AsyncAPI")
                )
            });
        let d = at(
            &NotArazzo::RULE,
            Span::point(doc.root.span.start),
            "the document has no `arazzo` field, so it is not an Arazzo document".into(),
        );
        out.push(match hint {
            Some(h) => d.with_hint(h),
            None => d.with_hint("start the document with `arazzo: 1.0.1` (or `1.1.0`)"),
        });
        return None;
    };
    let text = match &entry.value.kind {
        NodeKind::String(s) => s.clone(),
        NodeKind::Number(n) => n.to_string(),
        _ => String::new(),
    };
    match SpecVersion::parse(&text) {
        Some(v) if matches!(entry.value.kind, NodeKind::String(_)) => Some(v),
        _ => {
            let d = at(
                &ArazzoVersion::RULE,
                entry.value.span,
                format!("`arazzo: {text}` is not a version Telaio knows (1.0.0, 1.0.1, 1.1.0)"),
            );
            out.push(if matches!(entry.value.kind, NodeKind::Number(_)) {
                d.with_hint("write the full version as a string, e.g. `arazzo: 1.0.1`")
            } else {
                d
            });
            None
        }
    }
}

fn article(type_name: &str) -> String {
    match type_name {
        "array" | "object" => format!("an {type_name}"),
        "null" => "empty".to_owned(),
        other => format!("a {other}"),
    }
}
