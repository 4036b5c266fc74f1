//! Loading an Arazzo document and the sources it names, with a cache shared across documents.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use url::Url;

use crate::api::ApiDescription;
use crate::arazzo::{Arazzo, SourceType};
use crate::confine::Confinement;
use crate::fetch::{Fetcher, FileFetcher};
use crate::node::Node;
use crate::source::{SourceText, display_name};
use crate::syntax::{DuplicateKey, ParseLimits, parse_text};
use crate::{Bundle, LoadError, MAX_LINKED_DOCUMENTS, NodeKind};

/// Limits that apply to every file a [`Loader`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadOptions {
    /// Limits on the parsed tree.
    pub parse: ParseLimits,
    /// Largest file accepted, in bytes.
    pub max_document_bytes: u64,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            parse: ParseLimits::default(),
            max_document_bytes: 20 * 1024 * 1024,
        }
    }
}

/// An Arazzo document as read: its text, node tree, JSON value and typed model.
#[derive(Debug)]
pub struct ArazzoDocument {
    /// The file's name and text.
    pub source: Arc<SourceText>,
    /// The tree with spans, for pointing at places.
    pub root: Node,
    /// Keys written twice in one mapping.
    pub duplicate_keys: Vec<DuplicateKey>,
    /// The document as JSON (what the JSON Schema validates).
    pub json: Value,
    /// The typed model, or why serde could not build it (the schema says more).
    pub model: Result<Arazzo, String>,
}

impl ArazzoDocument {
    /// Builds a document from text that has already been read.
    ///
    /// ```
    /// use telaio_model::{ArazzoDocument, LoadOptions};
    /// let url = url::Url::parse("file:///tmp/x.arazzo.yaml").unwrap();
    /// let text = "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\n";
    /// let doc = ArazzoDocument::from_text(url, text.into(), &LoadOptions::default()).unwrap();
    /// assert_eq!(doc.model.unwrap().arazzo, "1.0.1");
    /// ```
    pub fn from_text(url: Url, text: String, options: &LoadOptions) -> Result<Self, LoadError> {
        let parsed = parse_text(&text, &options.parse).map_err(|error| LoadError::Syntax {
            url: url.clone(),
            error,
        })?;
        let json = parsed.root.to_json();
        let model = match parsed.root.kind {
            NodeKind::Mapping(_) => Arazzo::deserialize_from(&json),
            _ => Err(format!(
                "the top level is {}, not an object",
                parsed.root.type_name()
            )),
        };
        let name = display_name(&url);
        Ok(ArazzoDocument {
            source: Arc::new(SourceText::new(url, name, text)),
            root: parsed.root,
            duplicate_keys: parsed.duplicate_keys,
            json,
            model,
        })
    }
}

impl Arazzo {
    fn deserialize_from(json: &Value) -> Result<Arazzo, String> {
        serde::Deserialize::deserialize(json).map_err(|e: serde_json::Error| e.to_string())
    }
}

/// What a source description turned out to be.
#[derive(Clone, Debug)]
pub enum Source {
    /// An OpenAPI or AsyncAPI description.
    Api(Arc<ApiDescription>),
    /// Another Arazzo document.
    Arazzo(Arc<ArazzoDocument>),
}

/// One source description of a document, loaded or with the reason it could not be.
#[derive(Clone, Debug)]
pub struct LoadedSource {
    /// Position of the source in `sourceDescriptions`.
    pub index: usize,
    /// The source's `name`.
    pub name: String,
    /// The source's `url`, resolved against the document.
    pub url: Option<Url>,
    /// The loaded source.
    pub content: Result<Source, LoadError>,
    /// When the source is missing next to the document but its relative URL names a file
    /// from one of the document's ancestor folders: that folder (see
    /// [`Loader::resolve_sources_against`]).
    pub found_above: Option<std::path::PathBuf>,
}

impl LoadedSource {
    /// The API description, when the source is one and loaded.
    pub fn api(&self) -> Option<&ApiDescription> {
        match &self.content {
            Ok(Source::Api(api)) => Some(api),
            _ => None,
        }
    }

    /// The API description, shared, for whoever keeps it beyond the bundle (a plan reading
    /// an operation's responses later).
    pub fn shared_api(&self) -> Option<&Arc<ApiDescription>> {
        match &self.content {
            Ok(Source::Api(api)) => Some(api),
            _ => None,
        }
    }

    /// The Arazzo document, when the source is one and loaded.
    pub fn arazzo(&self) -> Option<&ArazzoDocument> {
        match &self.content {
            Ok(Source::Arazzo(doc)) => Some(doc),
            _ => None,
        }
    }
}

/// Loads documents and their sources; each file is read and parsed once per loader.
///
/// ```no_run
/// use telaio_model::{Loader, LoadOptions};
/// let loader = Loader::new(LoadOptions::default());
/// let url = Loader::url_for_path("workflow.arazzo.yaml".as_ref()).unwrap();
/// let bundle = loader.load_bundle(&url).unwrap();
/// for source in &bundle.sources {
///     println!("{}: {}", source.name, source.content.is_ok());
/// }
/// ```
pub struct Loader {
    fetcher: Box<dyn Fetcher>,
    options: LoadOptions,
    cache: Mutex<HashMap<Url, Result<Source, LoadError>>>,
    /// Source descriptions read from elsewhere than their `url`, by name.
    substitutes: HashMap<String, Url>,
    /// The folder relative source URLs resolve against, instead of the document's.
    source_base: Option<Url>,
    /// Where local sources may be read from.
    confinement: Confinement,
}

impl std::fmt::Debug for Loader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loader")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Loader {
    /// A loader for local files.
    pub fn new(options: LoadOptions) -> Self {
        Self::with_fetcher(Box::new(FileFetcher), options)
    }

    /// A loader that reads through `fetcher` (e.g. one that allows remote URLs).
    pub fn with_fetcher(fetcher: Box<dyn Fetcher>, options: LoadOptions) -> Self {
        Loader {
            fetcher,
            options,
            cache: Mutex::new(HashMap::new()),
            substitutes: HashMap::new(),
            source_base: None,
            confinement: Confinement::default(),
        }
    }

    /// Resolves relative source URLs against `folder` instead of each document's folder: many
    /// catalogs write them relative to the repository's root. Reading below `folder` is
    /// allowed too.
    pub fn resolve_sources_against(mut self, folder: &Path) -> Result<Self, LoadError> {
        let mut url = Self::url_for_path(folder)?;
        if !url.path().ends_with('/') {
            url.set_path(&format!("{}/", url.path()));
        }
        match &mut self.confinement {
            Confinement::Within(roots) => roots.push(folder.to_path_buf()),
            Confinement::DocumentTree => {
                self.confinement = Confinement::Within(vec![folder.to_path_buf()]);
            }
            Confinement::Anywhere => {}
        }
        self.source_base = Some(url);
        Ok(self)
    }

    /// Where local sources may be read from (by default, anywhere: see [`Confinement`]).
    pub fn confine_sources(mut self, confinement: Confinement) -> Self {
        self.confinement = confinement;
        self
    }

    /// When a relative local source is missing next to the document but exists relative to
    /// one of the document's ancestor folders (a catalog that writes URLs from its root),
    /// that folder.
    fn found_above(&self, document: &Url, reference: &str) -> Option<std::path::PathBuf> {
        if reference.contains("://") || reference.starts_with('/') {
            return None;
        }
        let doc = document.to_file_path().ok()?;
        let relative = percent_decoded_path(reference)?;
        // Only what looks like an API description, named plainly downwards: the answer names
        // folders outside the document's tree, so it must not tell of anything else there.
        let plain = relative.components().all(|c| match c {
            std::path::Component::Normal(name) => !name.to_string_lossy().starts_with('.'),
            _ => false,
        });
        let described = relative
            .extension()
            .is_some_and(|e| matches!(e.to_str(), Some("yaml" | "yml" | "json")));
        if !plain || !described {
            return None;
        }
        doc.parent()?
            .ancestors()
            .skip(1)
            .take(8)
            .find(|a| a.join(&relative).is_file())
            .map(Path::to_path_buf)
    }

    /// Reads the source description `name` from `url` instead of the URL the document gives:
    /// a local copy of a remote API description, or a variant of it for testing. The user's
    /// own choice, so a local file may stand in even for a remote document's source.
    ///
    /// ```
    /// # use telaio_model::{LoadOptions, Loader};
    /// let copy = Loader::url_for_path(std::path::Path::new("petstore.yaml")).unwrap();
    /// let loader = Loader::new(LoadOptions::default()).substitute_source("petStore", copy);
    /// # let _ = loader;
    /// ```
    pub fn substitute_source(mut self, name: &str, url: Url) -> Self {
        self.substitutes.insert(name.to_owned(), url);
        self
    }

    /// The loader's limits.
    pub fn options(&self) -> &LoadOptions {
        &self.options
    }

    /// The URL of a local path (made absolute), or of an `http(s)://` argument.
    pub fn url_for_path(path: &Path) -> Result<Url, LoadError> {
        let text = path.to_string_lossy();
        if text.starts_with("http://") || text.starts_with("https://") {
            return Url::parse(&text).map_err(|e| LoadError::BadUrl {
                reference: text.into_owned(),
                message: e.to_string(),
            });
        }
        let absolute = std::path::absolute(path).map_err(|e| LoadError::BadUrl {
            reference: text.clone().into_owned(),
            message: e.to_string(),
        })?;
        Url::from_file_path(&absolute).map_err(|()| LoadError::BadUrl {
            reference: text.into_owned(),
            message: "not an absolute path".into(),
        })
    }

    /// Reads the text at a URL, within the size limit.
    pub fn read_text(&self, url: &Url) -> Result<String, LoadError> {
        let bytes = self.fetcher.fetch(url, self.options.max_document_bytes)?;
        let text = crate::decode_text(&bytes).map_err(|error| LoadError::Syntax {
            url: url.clone(),
            error,
        })?;
        Ok(text.into_owned())
    }

    /// Reads and parses one Arazzo document (its sources are not loaded).
    pub fn load_document(&self, url: &Url) -> Result<ArazzoDocument, LoadError> {
        let text = self.read_text(url)?;
        ArazzoDocument::from_text(url.clone(), text, &self.options)
    }

    /// Reads an Arazzo document and loads each of its source descriptions.
    ///
    /// Only the document itself failing to load is an error; a source that fails is recorded
    /// in [`LoadedSource::content`].
    pub fn load_bundle(&self, url: &Url) -> Result<Bundle, LoadError> {
        let document = Arc::new(self.load_document(url)?);
        let sources = self.load_sources_within(&document, url);
        let mut bundle = Bundle {
            document,
            sources,
            linked: Vec::new(),
        };
        bundle.linked = self.load_linked(&bundle);
        Ok(bundle)
    }

    /// The bundles of the Arazzo documents `root` reaches through `arazzo` sources, breadth
    /// first, each document once (documents that name each other are fine), at most
    /// [`MAX_LINKED_DOCUMENTS`].
    fn load_linked(&self, root: &Bundle) -> Vec<Bundle> {
        let mut seen = vec![root.document.source.url.clone()];
        let mut linked: Vec<Bundle> = Vec::new();
        let mut next = 0;
        loop {
            let from = if next == 0 { root } else { &linked[next - 1] };
            let found: Vec<Arc<ArazzoDocument>> = from
                .sources
                .iter()
                .filter_map(|s| match &s.content {
                    Ok(Source::Arazzo(doc)) => Some(doc.clone()),
                    _ => None,
                })
                .filter(|doc| !seen.contains(&doc.source.url))
                .collect();
            for document in found {
                if linked.len() >= MAX_LINKED_DOCUMENTS || seen.contains(&document.source.url) {
                    continue;
                }
                seen.push(document.source.url.clone());
                // A linked document's sources are confined to the tree of the document the
                // program was given, not to the linked one's.
                let sources = self.load_sources_within(&document, &root.document.source.url);
                linked.push(Bundle {
                    document,
                    sources,
                    linked: Vec::new(),
                });
            }
            next += 1;
            if next > linked.len() {
                return linked;
            }
        }
    }

    /// Loads the source descriptions of a document.
    pub fn load_sources(&self, document: &Arc<ArazzoDocument>) -> Vec<LoadedSource> {
        self.load_sources_within(document, &document.source.url)
    }

    /// [`Loader::load_sources`], confined to the tree of the document at `owner`.
    fn load_sources_within(
        &self,
        document: &Arc<ArazzoDocument>,
        owner: &Url,
    ) -> Vec<LoadedSource> {
        let Ok(model) = &document.model else {
            return Vec::new();
        };
        let base = &document.source.url;
        model
            .source_descriptions
            .iter()
            .enumerate()
            .filter_map(|(index, sd)| {
                let name = sd.name.clone()?;
                if let Some(substitute) = self.substitutes.get(&name) {
                    return Some(LoadedSource {
                        index,
                        name,
                        url: Some(substitute.clone()),
                        content: self.load_source(substitute, sd.source_type.as_ref()),
                        found_above: None,
                    });
                }
                let reference = sd.url.as_deref()?;
                let against = match &self.source_base {
                    Some(folder) if base.scheme() == "file" => folder,
                    _ => base,
                };
                let url = against.join(reference).map_err(|e| LoadError::BadUrl {
                    reference: reference.to_owned(),
                    message: e.to_string(),
                });
                let content = match &url {
                    // A source that is this very document needs no second read.
                    Ok(u) if strip_fragment(u) == *base => Ok(Source::Arazzo(document.clone())),
                    // A document from the network must not make Telaio read local files.
                    Ok(u) if base.scheme() != "file" && u.scheme() == "file" => {
                        Err(LoadError::LocalFromRemote { url: u.clone() })
                    }
                    Ok(u) if u.scheme() == "file" => self
                        .confinement
                        .check(owner, u)
                        .and_then(|()| self.load_source(u, sd.source_type.as_ref())),
                    Ok(u) => self.load_source(u, sd.source_type.as_ref()),
                    Err(e) => Err(e.clone()),
                };
                let found_above = match &content {
                    Err(LoadError::NotFound { .. }) if self.source_base.is_none() => {
                        self.found_above(base, reference)
                    }
                    _ => None,
                };
                Some(LoadedSource {
                    index,
                    name,
                    url: url.ok(),
                    content,
                    found_above,
                })
            })
            .collect()
    }

    /// Loads one source description (cached by URL, without its fragment).
    pub fn load_source(
        &self,
        url: &Url,
        declared: Option<&SourceType>,
    ) -> Result<Source, LoadError> {
        let key = strip_fragment(url);
        if let Some(hit) = self.lock().get(&key) {
            return hit.clone();
        }
        let result = self.read_source(&key, declared);
        self.lock().insert(key, result.clone());
        result
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Url, Result<Source, LoadError>>> {
        // A panic while holding the lock cannot leave the map half-written, so go on.
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn read_source(&self, url: &Url, declared: Option<&SourceType>) -> Result<Source, LoadError> {
        let text = self.read_text(url)?;
        if declared == Some(&SourceType::Arazzo) {
            let doc = ArazzoDocument::from_text(url.clone(), text, &self.options)?;
            // Only a document that says it is one: its findings quote its lines, and a file
            // declared `type: arazzo` may be anything (`.env`).
            if doc.json.get("arazzo").is_none() {
                return Err(LoadError::NotADescription {
                    url: url.clone(),
                    found: describe(&doc.json),
                });
            }
            return Ok(Source::Arazzo(Arc::new(doc)));
        }
        let value = self.parse_value(url, &text)?;
        if value.get("arazzo").is_some() {
            return ArazzoDocument::from_text(url.clone(), text, &self.options)
                .map(|d| Source::Arazzo(Arc::new(d)));
        }
        let found = describe(&value);
        ApiDescription::new(value)
            .map(|api| Source::Api(Arc::new(api)))
            .ok_or_else(|| LoadError::NotADescription {
                url: url.clone(),
                found,
            })
    }

    /// Parses a text that needs no spans: JSON goes through serde_json (fast), the rest
    /// through the YAML parser.
    fn parse_value(&self, url: &Url, text: &str) -> Result<Value, LoadError> {
        if text.trim_start().starts_with('{')
            && let Ok(v) = serde_json::from_str(text)
        {
            return Ok(v);
        }
        parse_text(text, &self.options.parse)
            .map(|p| p.root.to_json())
            .map_err(|error| LoadError::Syntax {
                url: url.clone(),
                error,
            })
    }
}

fn strip_fragment(url: &Url) -> Url {
    let mut u = url.clone();
    u.set_fragment(None);
    u
}

/// What a file that is not a description holds, in words that quote none of it: a file named
/// as a source may be anything (a hostile document may name a secrets file), and this
/// message reaches terminals and catalog pages.
fn describe(value: &Value) -> String {
    match value {
        Value::Object(o) if o.is_empty() => "an empty object".into(),
        Value::Object(o) => format!(
            "an object of {} field{} without `openapi`, `swagger` or `asyncapi`",
            o.len(),
            if o.len() == 1 { "" } else { "s" }
        ),
        Value::Null => "an empty document".into(),
        Value::Array(_) => "a list at the top level".into(),
        _ => "a scalar at the top level".into(),
    }
}

/// A relative URL reference as a relative path (`%20` decoded), without query or fragment.
fn percent_decoded_path(reference: &str) -> Option<std::path::PathBuf> {
    let path = reference.split(['?', '#']).next()?;
    if path.is_empty() {
        return None;
    }
    Some(std::path::PathBuf::from(crate::resolve::percent_decode(
        path,
    )))
}
