//! Finding what a step calls: `operationId` (plain or `$sourceDescriptions.<name>.<id>`),
//! `operationPath` (`{$sourceDescriptions.<name>.url}#/paths/...`) and `workflowId`.
//!
//! One mechanism for the linter (is the target there?) and the engine (what do I call?).

use crate::{ApiDescription, Arazzo, Bundle, LoadedSource, Operation, SourceType, Workflow};

/// The answer to "which operation does this step call?".
#[derive(Clone, Debug)]
pub enum OperationLookup<'b> {
    /// Found, in this source.
    Found {
        /// The source holding the operation.
        source: &'b LoadedSource,
        /// The operation.
        operation: &'b Operation,
    },
    /// A qualified reference names a source the document does not have.
    UnknownSource {
        /// The name used.
        name: String,
    },
    /// The reference is not of a form Telaio understands.
    Malformed {
        /// What is wrong.
        reason: String,
    },
    /// Not in any loaded source; `unloaded` lists sources that could not be searched.
    NotFound {
        /// The sources searched.
        searched: Vec<&'b LoadedSource>,
        /// Sources that could hold it but did not load.
        unloaded: Vec<&'b LoadedSource>,
    },
    /// An unqualified operationId found in several sources.
    Ambiguous {
        /// Every match.
        candidates: Vec<(&'b LoadedSource, &'b Operation)>,
    },
}

/// The answer to "which workflow does this step or action run?".
#[derive(Clone, Debug)]
pub enum WorkflowLookup<'b> {
    /// A workflow of this document.
    Local(&'b Workflow),
    /// A workflow of an `arazzo` source.
    External {
        /// The source document.
        source: &'b LoadedSource,
        /// The workflow.
        workflow: &'b Workflow,
    },
    /// The source exists but did not load, so the workflow cannot be checked.
    Unloaded(&'b LoadedSource),
    /// The source is an API description, which has no workflows.
    NotArazzo(&'b LoadedSource),
    /// A qualified reference names a source the document does not have.
    UnknownSource {
        /// The name used.
        name: String,
    },
    /// No such workflow.
    NotFound,
}

/// Splits `$sourceDescriptions.<name>.<rest>`.
pub fn split_qualified(reference: &str) -> Option<(&str, &str)> {
    reference
        .strip_prefix("$sourceDescriptions.")
        .and_then(|r| r.split_once('.'))
}

impl Bundle {
    /// Candidate sources for operations: OpenAPI / AsyncAPI (declared or undeclared type).
    fn api_sources(&self) -> impl Iterator<Item = &LoadedSource> {
        let model = self.document.model.as_ref().ok();
        self.sources.iter().filter(move |s| {
            let declared = model
                .and_then(|m| m.source_descriptions.get(s.index))
                .and_then(|sd| sd.source_type.as_ref());
            declared != Some(&SourceType::Arazzo) && s.arazzo().is_none()
        })
    }

    /// The number of API (non-`arazzo`) source descriptions: the spec's condition for
    /// requiring qualified operationIds. A source counts unless it is declared `arazzo` or
    /// turned out to be an Arazzo document.
    pub fn api_source_count(&self) -> usize {
        let Ok(model) = &self.document.model else {
            return 0;
        };
        model
            .source_descriptions
            .iter()
            .enumerate()
            .filter(|(i, sd)| {
                sd.source_type.as_ref() != Some(&SourceType::Arazzo)
                    && !self
                        .sources
                        .iter()
                        .any(|s| s.index == *i && s.arazzo().is_some())
            })
            .count()
    }

    /// Finds the operation a step's `operationId` names.
    pub fn find_operation_id(&self, operation_id: &str) -> OperationLookup<'_> {
        if let Some((name, id)) = split_qualified(operation_id) {
            let Some(source) = self.source(name) else {
                return OperationLookup::UnknownSource {
                    name: name.to_owned(),
                };
            };
            return match source.api() {
                Some(api) => match api.operation_by_id_leniently(id) {
                    Some(operation) => OperationLookup::Found { source, operation },
                    None => OperationLookup::NotFound {
                        searched: vec![source],
                        unloaded: Vec::new(),
                    },
                },
                None => OperationLookup::NotFound {
                    searched: Vec::new(),
                    unloaded: vec![source],
                },
            };
        }
        let mut candidates = Vec::new();
        let mut searched = Vec::new();
        let mut unloaded = Vec::new();
        for source in self.api_sources() {
            match source.api() {
                Some(api) => {
                    searched.push(source);
                    if let Some(op) = api.operation_by_id(operation_id) {
                        candidates.push((source, op));
                    }
                }
                None => unloaded.push(source),
            }
        }
        // Failing an exact match anywhere, a match that differs only in case (the linter
        // reports it as `lenient-reference`).
        if candidates.is_empty() {
            for source in &searched {
                if let Some(op) = source
                    .api()
                    .and_then(|a| a.operation_by_id_leniently(operation_id))
                {
                    candidates.push((source, op));
                }
            }
        }
        // Then `<source>.<operationId>`, as other tools write it (the linter reports it).
        if candidates.is_empty()
            && let Some((name, op)) = self.source_dot_operation(operation_id)
        {
            candidates.push((name, op));
        }
        match candidates.len() {
            0 => OperationLookup::NotFound { searched, unloaded },
            1 => {
                let (source, operation) = candidates[0];
                OperationLookup::Found { source, operation }
            }
            _ => OperationLookup::Ambiguous { candidates },
        }
    }

    /// An `operationId` written `<source>.<operationId>` (other tools' shorthand for
    /// `$sourceDescriptions.<source>.<operationId>`), when a source has that name and that
    /// operation.
    pub fn source_dot_operation(&self, written: &str) -> Option<(&LoadedSource, &Operation)> {
        let (name, id) = written.split_once('.')?;
        let source = self.source_exact(name)?;
        Some((source, source.api()?.operation_by_id(id)?))
    }

    /// Finds the operation an `operationPath` names.
    pub fn find_operation_path(&self, operation_path: &str) -> OperationLookup<'_> {
        let Some((source_part, pointer)) = operation_path.split_once('#') else {
            return OperationLookup::Malformed {
                reason:
                    "it should be `{$sourceDescriptions.<name>.url}#<JSON Pointer>`, and has no `#`"
                        .into(),
            };
        };
        let source = if let Some(inner) = source_part
            .strip_prefix('{')
            .and_then(|s| s.strip_suffix('}'))
        {
            match split_qualified(inner) {
                Some((name, "url")) => match self.source(name) {
                    Some(s) => s,
                    None => {
                        return OperationLookup::UnknownSource {
                            name: name.to_owned(),
                        };
                    }
                },
                _ => match self.source_named_leniently(source_part) {
                    Some(s) => s,
                    None => {
                        return OperationLookup::Malformed {
                            reason: format!(
                                "`{source_part}` should be `{{$sourceDescriptions.<name>.url}}`"
                            ),
                        };
                    }
                },
            }
        } else {
            // A literal URL is accepted when it is exactly one source's `url`.
            let model = self.document.model.as_ref().ok();
            let by_url = self.sources.iter().find(|s| {
                model
                    .and_then(|m| m.source_descriptions.get(s.index))
                    .and_then(|sd| sd.url.as_deref())
                    == Some(source_part)
            });
            match by_url.or_else(|| self.source_named_leniently(source_part)) {
                Some(s) => s,
                None => {
                    return OperationLookup::Malformed {
                        reason: format!(
                            "`{source_part}` is neither `{{$sourceDescriptions.<name>.url}}` nor the url or name of a source description"
                        ),
                    };
                }
            }
        };
        let Some(api) = source.api() else {
            return OperationLookup::NotFound {
                searched: Vec::new(),
                unloaded: vec![source],
            };
        };
        let pointer = percent_decode(pointer);
        match api.operation_at_leniently(&pointer) {
            Some(operation) => OperationLookup::Found { source, operation },
            None => OperationLookup::NotFound {
                searched: vec![source],
                unloaded: Vec::new(),
            },
        }
    }

    /// The source an `operationPath` names in a form other tools accept though the spec
    /// does not: `pets`, `$sourceDescriptions.pets`, `$sourceDescriptions.pets.url`, or
    /// `{$sourceDescriptions.pets}` before the `#` (the linter points them out).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use telaio_model::{ArazzoDocument, Bundle, LoadOptions, Loader};
    /// let text = "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: pets, url: ./pets.yaml}]\nworkflows: []\n";
    /// let url = telaio_model::Url::parse("file:///tmp/x.arazzo.yaml").unwrap();
    /// let document = Arc::new(ArazzoDocument::from_text(url, text.into(), &LoadOptions::default()).unwrap());
    /// let sources = Loader::new(LoadOptions::default()).load_sources(&document);
    /// let bundle = Bundle { document, sources, linked: Vec::new() };
    /// for form in ["pets", "$sourceDescriptions.pets", "{$sourceDescriptions.pets}", "$sourceDescriptions.pets.url"] {
    ///     assert_eq!(bundle.source_named_leniently(form).unwrap().name, "pets");
    /// }
    /// assert!(bundle.source_named_leniently("{$sourceDescriptions.pets.url}").is_none());
    /// ```
    pub fn source_named_leniently(&self, source_part: &str) -> Option<&LoadedSource> {
        let bare = source_part
            .strip_prefix("{$sourceDescriptions.")
            .and_then(|s| s.strip_suffix('}'))
            .filter(|s| !s.ends_with(".url"))
            .or_else(|| {
                let rest = source_part.strip_prefix("$sourceDescriptions.")?;
                Some(rest.strip_suffix(".url").unwrap_or(rest))
            })
            .unwrap_or(source_part);
        if bare.is_empty() || bare.contains(['{', '}', '/']) {
            return None;
        }
        self.source(bare)
    }

    /// Finds the workflow a `workflowId` (plain or qualified) names.
    pub fn find_workflow(&self, workflow_id: &str) -> WorkflowLookup<'_> {
        if let Some((name, id)) = split_qualified(workflow_id) {
            let Some(source) = self.source(name) else {
                return WorkflowLookup::UnknownSource {
                    name: name.to_owned(),
                };
            };
            if source.api().is_some() {
                return WorkflowLookup::NotArazzo(source);
            }
            return match source.arazzo().and_then(|d| d.model.as_ref().ok()) {
                Some(model) => find_in(model, id).map_or(WorkflowLookup::NotFound, |workflow| {
                    WorkflowLookup::External { source, workflow }
                }),
                None => WorkflowLookup::Unloaded(source),
            };
        }
        match self
            .document
            .model
            .as_ref()
            .ok()
            .and_then(|m| find_in(m, workflow_id))
        {
            Some(w) => WorkflowLookup::Local(w),
            None => WorkflowLookup::NotFound,
        }
    }
}

fn find_in<'m>(model: &'m Arazzo, id: &str) -> Option<&'m Workflow> {
    model.workflow(id)
}

impl ApiDescription {
    /// The operationIds of this description (for suggestions).
    pub fn operation_ids(&self) -> impl Iterator<Item = &str> {
        self.operations()
            .iter()
            .filter_map(|o| o.operation_id.as_deref())
    }
}

/// Decodes `%XX` escapes (JSON Pointers in URI fragments may be percent-encoded).
pub fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Which `{variable}` of a path template a path parameter fills.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathSlot<'p> {
    /// The template has `{name}`.
    Exact,
    /// The template has no `{name}`, but exactly one variable that differs from it only in
    /// case, `_` and `-` (`pet_id` for `{petId}`): the one the author meant.
    Lenient(&'p str),
    /// No variable of the template is meant.
    Missing,
}

/// Finds the variable of `path` (an OpenAPI path key) that the parameter `name` fills.
///
/// ```
/// use telaio_model::{PathSlot, path_slot};
/// assert_eq!(path_slot("/pet/{petId}/coupons", "petId"), PathSlot::Exact);
/// assert_eq!(path_slot("/pet/{petId}/coupons", "pet_id"), PathSlot::Lenient("petId"));
/// assert_eq!(path_slot("/pet/{petId}/coupons", "owner"), PathSlot::Missing);
/// ```
pub fn path_slot<'p>(path: &'p str, name: &str) -> PathSlot<'p> {
    let variables = path
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(v, _)| v));
    let folded = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, '_' | '-'))
            .flat_map(char::to_lowercase)
            .collect()
    };
    let wanted = folded(name);
    let mut lenient = None;
    let mut count = 0;
    for v in variables {
        if v == name {
            return PathSlot::Exact;
        }
        if folded(v) == wanted {
            lenient = Some(v);
            count += 1;
        }
    }
    match lenient {
        Some(v) if count == 1 => PathSlot::Lenient(v),
        _ => PathSlot::Missing,
    }
}
