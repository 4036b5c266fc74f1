//! API descriptions named by source descriptions: OpenAPI 2.0/3.0/3.1 and AsyncAPI 2.x/3.x.
//!
//! They are kept as JSON values (Telaio does not model all of OpenAPI) with an index of their
//! operations, built once at load time, so that steps resolve `operationId` and `operationPath`
//! in constant time. `$ref`s are followed on demand by [`crate::Bundle::deref`].

mod index;

pub use index::{Channel, Operation};

use std::collections::HashMap;

use serde_json::Value;

/// The kind and version family of an API description.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ApiKind {
    /// Swagger / OpenAPI 2.0.
    OpenApi2,
    /// OpenAPI 3.0.x.
    OpenApi30,
    /// OpenAPI 3.1.x (and later 3.x).
    OpenApi31,
    /// AsyncAPI 2.x.
    AsyncApi2,
    /// AsyncAPI 3.x.
    AsyncApi3,
}

impl ApiKind {
    /// Recognises a description by its top-level version field.
    pub fn detect(doc: &Value) -> Option<(ApiKind, String)> {
        let field = |k: &str| doc.get(k).map(version_text);
        if let Some(v) = field("openapi") {
            let kind = if v.starts_with("3.0") {
                ApiKind::OpenApi30
            } else if v.starts_with('3') {
                ApiKind::OpenApi31
            } else {
                return None;
            };
            return Some((kind, v));
        }
        if let Some(v) = field("swagger") {
            return v.starts_with('2').then_some((ApiKind::OpenApi2, v));
        }
        if let Some(v) = field("asyncapi") {
            let kind = if v.starts_with('2') {
                ApiKind::AsyncApi2
            } else if v.starts_with('3') {
                ApiKind::AsyncApi3
            } else {
                return None;
            };
            return Some((kind, v));
        }
        None
    }

    /// Whether this is an OpenAPI (or Swagger) description.
    pub fn is_openapi(self) -> bool {
        matches!(
            self,
            ApiKind::OpenApi2 | ApiKind::OpenApi30 | ApiKind::OpenApi31
        )
    }

    /// A human name, e.g. `OpenAPI 3.0`.
    pub fn name(self) -> &'static str {
        match self {
            ApiKind::OpenApi2 => "OpenAPI 2.0",
            ApiKind::OpenApi30 => "OpenAPI 3.0",
            ApiKind::OpenApi31 => "OpenAPI 3.1",
            ApiKind::AsyncApi2 => "AsyncAPI 2",
            ApiKind::AsyncApi3 => "AsyncAPI 3",
        }
    }
}

fn version_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One loaded API description with its operation index.
#[derive(Debug)]
pub struct ApiDescription {
    /// What kind of description this is.
    pub kind: ApiKind,
    /// The version string as written (`3.0.3`, `2.0`, ...).
    pub version: String,
    /// The whole document.
    pub document: Value,
    operations: Vec<Operation>,
    by_id: HashMap<String, usize>,
    by_path: HashMap<(String, String), usize>,
    channels: Vec<Channel>,
}

impl ApiDescription {
    /// Indexes a parsed document; `None` when it is not an OpenAPI or AsyncAPI description.
    ///
    /// ```
    /// use telaio_model::ApiDescription;
    /// let doc = serde_json::json!({
    ///     "openapi": "3.0.3",
    ///     "paths": {"/pets/{id}": {"get": {"operationId": "getPet"}}}
    /// });
    /// let api = ApiDescription::new(doc).unwrap();
    /// let op = api.operation_by_id("getPet").unwrap();
    /// assert_eq!((op.method.as_str(), op.path.as_str()), ("get", "/pets/{id}"));
    /// assert_eq!(op.pointer, "/paths/~1pets~1{id}/get");
    /// ```
    pub fn new(document: Value) -> Option<ApiDescription> {
        let (kind, version) = ApiKind::detect(&document)?;
        let (operations, channels) = index::build(kind, &document);
        let mut by_id = HashMap::with_capacity(operations.len());
        let mut by_path = HashMap::with_capacity(operations.len());
        for (i, op) in operations.iter().enumerate() {
            if let Some(id) = &op.operation_id {
                by_id.entry(id.clone()).or_insert(i);
            }
            by_path
                .entry((op.path.clone(), op.method.clone()))
                .or_insert(i);
        }
        Some(ApiDescription {
            kind,
            version,
            document,
            operations,
            by_id,
            by_path,
            channels,
        })
    }

    /// All operations, in document order.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// The operation with exactly this `operationId`.
    pub fn operation_by_id(&self, id: &str) -> Option<&Operation> {
        self.by_id.get(id).map(|&i| &self.operations[i])
    }

    /// The operation with this `operationId`; failing an exact match, the one operation whose
    /// id matches when case is ignored (`PAR` for `Par`, as an official Arazzo example
    /// writes). Callers that accept this should say so, as the linter does.
    pub fn operation_by_id_leniently(&self, id: &str) -> Option<&Operation> {
        if let Some(op) = self.operation_by_id(id) {
            return Some(op);
        }
        let mut matches = self.operations.iter().filter(|o| {
            o.operation_id
                .as_deref()
                .is_some_and(|o| o.eq_ignore_ascii_case(id))
        });
        match (matches.next(), matches.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    }

    /// The operation at this path key and (lower-case) method.
    pub fn operation_by_path(&self, path: &str, method: &str) -> Option<&Operation> {
        self.by_path
            .get(&(path.to_owned(), method.to_ascii_lowercase()))
            .map(|&i| &self.operations[i])
    }

    /// The operation whose object sits at this JSON Pointer (as an `operationPath` names it).
    pub fn operation_at(&self, pointer: &str) -> Option<&Operation> {
        self.operations.iter().find(|o| o.pointer == pointer)
    }

    /// The operation at this pointer; failing that, when the pointer names a path item with
    /// exactly one operation (`#/paths/~1pet~1findByStatus`, as an official Arazzo example
    /// writes), that operation. Callers that accept this should say so, as the linter does.
    pub fn operation_at_leniently(&self, pointer: &str) -> Option<&Operation> {
        if let Some(op) = self.operation_at(pointer) {
            return Some(op);
        }
        let mut in_item = self.operations.iter().filter(|o| {
            o.pointer
                .strip_prefix(pointer)
                .and_then(|rest| rest.strip_prefix('/'))
                .is_some_and(|method| !method.contains('/'))
        });
        match (in_item.next(), in_item.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        }
    }

    /// AsyncAPI channels.
    pub fn channels(&self) -> &[Channel] {
        &self.channels
    }

    /// The security schemes (`components.securitySchemes`, or 2.0 `securityDefinitions`).
    pub fn security_schemes(&self) -> Option<&serde_json::Map<String, Value>> {
        match self.kind {
            ApiKind::OpenApi2 => self.document.get("securityDefinitions"),
            _ => self
                .document
                .get("components")
                .and_then(|c| c.get("securitySchemes")),
        }
        .and_then(Value::as_object)
    }

    /// The `servers` list (OpenAPI 3, AsyncAPI); Swagger 2.0 has `host`/`basePath` instead.
    pub fn servers(&self) -> Option<&Value> {
        self.document.get("servers")
    }
}
