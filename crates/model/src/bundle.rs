//! A loaded document with its sources, and what can be asked of it by name: a source, a
//! linked document, whether a name the caller gives exists.

use std::sync::Arc;

use url::Url;

use crate::loader::{ArazzoDocument, LoadedSource};

/// An Arazzo document with its source descriptions loaded.
#[derive(Debug)]
pub struct Bundle {
    /// The document.
    pub document: Arc<ArazzoDocument>,
    /// Its source descriptions, in document order.
    pub sources: Vec<LoadedSource>,
    /// The bundles of the other Arazzo documents its `arazzo` sources name, directly or
    /// through one another, each once (their own `linked` is empty): a workflow of another
    /// document runs against that document's sources.
    pub linked: Vec<Bundle>,
}

impl Bundle {
    /// A bundle of one document whose sources are not loaded: for reading its workflows
    /// without their APIs (an operation is then not found, a workflow of another document
    /// is unloaded).
    ///
    /// ```
    /// use telaio_model::{ArazzoDocument, Bundle, LoadOptions, Url};
    /// let text = "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: []\nworkflows: []\n";
    /// let url = Url::parse("file:///tmp/t.arazzo.yaml").unwrap();
    /// let document = ArazzoDocument::from_text(url, text.into(), &LoadOptions::default()).unwrap();
    /// assert!(Bundle::without_sources(document).sources.is_empty());
    /// ```
    pub fn without_sources(document: ArazzoDocument) -> Bundle {
        Bundle {
            document: Arc::new(document),
            sources: Vec::new(),
            linked: Vec::new(),
        }
    }

    /// The source with this `name`; failing an exact match, the one source whose name
    /// matches when case is ignored (authors write `userAPI` for `UserAPI`; the linter
    /// reports it).
    pub fn source(&self, name: &str) -> Option<&LoadedSource> {
        self.source_exact(name).or_else(|| {
            let mut matches = self
                .sources
                .iter()
                .filter(|s| s.name.eq_ignore_ascii_case(name));
            match (matches.next(), matches.next()) {
                (Some(one), None) => Some(one),
                _ => None,
            }
        })
    }

    /// The bundle of an Arazzo document among this one's [`Bundle::linked`] (or this one).
    pub fn linked_bundle(&self, url: &Url) -> Option<&Bundle> {
        std::iter::once(self)
            .chain(&self.linked)
            .find(|b| b.document.source.url == *url)
    }

    /// The source with exactly this `name`.
    pub fn source_exact(&self, name: &str) -> Option<&LoadedSource> {
        self.sources.iter().find(|s| s.name == name)
    }

    /// When `flag` (a command-line option such as `--server`) names a source neither the
    /// document nor a document it links has, the message saying so; a typo must not leave
    /// the option unused silently. (Such options apply to every source of that name.)
    pub fn unknown_source(&self, flag: &str, name: &str) -> Option<String> {
        let all = || {
            std::iter::once(self)
                .chain(&self.linked)
                .flat_map(|b| &b.sources)
        };
        if all().any(|s| s.name == name) {
            return None;
        }
        // Each name once, in the order the documents give them (linked documents repeat
        // names, not always next to each other).
        let mut names: Vec<&str> = Vec::new();
        for n in all().map(|s| s.name.as_str()) {
            if !names.contains(&n) {
                names.push(n);
            }
        }
        Some(format!(
            "{flag} names `{name}`, but the source descriptions are {}",
            names.join(", ")
        ))
    }
}

/// The most other Arazzo documents one bundle links to, directly or not.
pub const MAX_LINKED_DOCUMENTS: usize = 64;
