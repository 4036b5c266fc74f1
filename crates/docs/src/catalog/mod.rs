//! A browsable catalog of a folder of Arazzo documents: a page per document (see
//! [`html`](crate::html)) and an `index.html` listing every workflow with its provider, tags,
//! summary and step count, with totals, filters and a search that works offline.
//!
//! One broken file never stops the catalog: a document that cannot be loaded or validated
//! still gets a page saying why, and the index marks it. Documents are rendered on every core,
//! and a second run renders only what changed since the first (see `manifest`).

mod files;
mod index;
mod manifest;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};
use telaio_lint::{Diagnostic, Severity};
use telaio_model::Loader;

use crate::facts::Facts;
use crate::prose::count;
use crate::rendered::render_document;
use manifest::{Manifest, Record, Stamp};

/// How to build a catalog.
#[derive(Clone, Debug, Default)]
pub struct CatalogOptions {
    /// Documents rendered at once; 0 means one per core.
    pub jobs: usize,
    /// Render every page again, even those whose files did not change.
    pub force: bool,
    /// Whatever else shapes the pages, such as how the loader was set up (substituted
    /// sources, remote loading): pages rendered under other settings are not reused.
    pub settings: String,
}

/// What a catalog run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CatalogSummary {
    /// Documents found.
    pub documents: usize,
    /// Pages rendered by this run.
    pub rendered: usize,
    /// Pages kept from the previous run because nothing they show changed.
    pub reused: usize,
    /// Documents that could not be loaded at all.
    pub unloadable: usize,
    /// Documents the validator reports errors in (including the unloadable ones).
    pub invalid: usize,
    /// Workflows in all documents.
    pub workflows: usize,
    /// Distinct API descriptions the documents use.
    pub source_apis: usize,
    /// Distinct providers.
    pub providers: usize,
    /// The index page.
    pub index: PathBuf,
}

impl CatalogSummary {
    /// "192 workflows · 57 source APIs · 11 providers in 192 documents".
    pub fn totals(&self) -> String {
        format!(
            "{} · {} · {} in {}",
            count(self.workflows, "workflow"),
            count(self.source_apis, "source API"),
            count(self.providers, "provider"),
            count(self.documents, "document")
        )
    }

    /// "3 documents with errors, 1 could not be loaded", when there are any.
    pub fn problems(&self) -> Option<String> {
        (self.invalid > 0).then(|| {
            let mut line = format!("{} with errors", count(self.invalid, "document"));
            if self.unloadable > 0 {
                line.push_str(&format!(", {} could not be loaded", self.unloadable));
            }
            line
        })
    }
}

/// Why a catalog could not be built (a broken document is never one of these).
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The folder could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The folder or file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The folder holds no Arazzo documents.
    #[error("{} holds no Arazzo documents (YAML or JSON files with a top-level `arazzo` key)", .0.display())]
    Empty(PathBuf),
    /// A page or the index could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// A document as the index lists it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// The document, relative to the catalog's folder, with `/`.
    pub file: String,
    /// Its page, relative to the output folder, with `/`.
    pub page: String,
    /// What it holds; `None` when it could not be loaded.
    pub facts: Option<Facts>,
    pub errors: usize,
    pub warnings: usize,
    /// The first error, for the index.
    pub problem: Option<String>,
    /// The API descriptions it uses, by URL.
    pub apis: Vec<String>,
}

/// Renders the catalog of the documents below `root` into `out`.
///
/// ```no_run
/// use telaio_model::{LoadOptions, Loader};
/// let loader = Loader::new(LoadOptions::default());
/// let summary = telaio_docs::catalog(
///     "workflows".as_ref(),
///     "site".as_ref(),
///     &loader,
///     &telaio_docs::CatalogOptions::default(),
/// )
/// .unwrap();
/// println!("{} workflows in {}", summary.workflows, summary.index.display());
/// ```
pub fn catalog(
    root: &Path,
    out: &Path,
    loader: &Loader,
    options: &CatalogOptions,
) -> Result<CatalogSummary, CatalogError> {
    let read_error = |source| CatalogError::Read {
        path: root.to_owned(),
        source,
    };
    let root = root.canonicalize().map_err(read_error)?;
    let files = telaio_model::arazzo_files(&root).map_err(|source| CatalogError::Read {
        path: root.clone(),
        source,
    })?;
    if files.is_empty() {
        return Err(CatalogError::Empty(root));
    }
    std::fs::create_dir_all(out).map_err(|source| CatalogError::Write {
        path: out.to_owned(),
        source,
    })?;
    let previous = Manifest::read(out);
    let settings = manifest::Settings {
        telaio: env!("CARGO_PKG_VERSION").to_owned(),
        root: root.clone(),
        settings: options.settings.clone(),
    };
    let reuse = !options.force && previous.settings == settings;
    let relative: Vec<String> = files.iter().map(|f| relative(&root, f)).collect();
    let pages = page_paths(&relative);
    // A document that is gone takes its page with it. Before rendering, so that a page whose
    // name only changes case is written after its old name is removed.
    let current: HashSet<&str> = pages.iter().map(String::as_str).collect();
    for old in &previous.documents {
        if !current.contains(old.entry.page.as_str()) && is_page_path(&old.entry.page) {
            let _ = files::remove(out, Path::new(&old.entry.page));
        }
    }
    let next = AtomicUsize::new(0);
    let reused = AtomicUsize::new(0);
    let jobs = match options.jobs {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    }
    .min(files.len());
    let mut records: Vec<(usize, Result<Record, CatalogError>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..jobs)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(file) = files.get(i) else {
                            break done;
                        };
                        let reused_record = reuse
                            .then(|| previous.reusable(file, &pages[i], out))
                            .flatten();
                        if let Some(r) = reused_record {
                            reused.fetch_add(1, Ordering::Relaxed);
                            done.push((i, Ok(r.clone())));
                            continue;
                        }
                        let page = Document {
                            path: file,
                            file: &relative[i],
                            page: &pages[i],
                        };
                        done.push((i, page.render(loader, out)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    records.sort_by_key(|(i, _)| *i);
    let records: Vec<Record> = records
        .into_iter()
        .map(|(_, r)| r)
        .collect::<Result<_, _>>()?;
    let entries: Vec<&Entry> = records.iter().map(|r| &r.entry).collect();
    let totals = index::Totals::of(&entries);
    let index_path = out.join("index.html");
    files::write(
        out,
        Path::new("index.html"),
        index::index(&entries, &totals).as_bytes(),
    )
    .map_err(|source| CatalogError::Write {
        path: index_path.clone(),
        source,
    })?;
    let manifest = Manifest {
        settings,
        documents: records,
    };
    // The manifest only saves time; failing to write it costs the next run a full render.
    let _ = manifest.write(out);
    let reused = reused.into_inner();
    Ok(CatalogSummary {
        documents: files.len(),
        rendered: files.len() - reused,
        reused,
        unloadable: totals.unloadable,
        invalid: totals.invalid,
        workflows: totals.workflows,
        source_apis: totals.source_apis,
        providers: totals.providers,
        index: index_path,
    })
}

/// One document to render.
struct Document<'a> {
    path: &'a Path,
    file: &'a str,
    page: &'a str,
}

impl Document<'_> {
    fn render(&self, loader: &Loader, out: &Path) -> Result<Record, CatalogError> {
        let depth = self.page.matches('/').count();
        let index = format!("{}index.html", "../".repeat(depth));
        // The document's stamp comes first, and from before it is read: an edit made while it
        // renders makes the next run render it again.
        let before = Stamp::of(self.path);
        let started = std::time::SystemTime::now();
        let rendered = render_document(loader, self.path, self.file, Some(&index));
        let target = out.join(self.page);
        let write_error = |source| CatalogError::Write {
            path: target.clone(),
            source,
        };
        files::write(out, Path::new(self.page), rendered.html.as_bytes()).map_err(write_error)?;
        let errors: Vec<&Diagnostic> = rendered
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        let entry = Entry {
            file: self.file.to_owned(),
            page: self.page.to_owned(),
            errors: errors.len(),
            warnings: rendered.diagnostics.len() - errors.len(),
            problem: errors.first().map(|d| d.message.clone()),
            facts: rendered.facts,
            apis: rendered.apis,
        };
        let inputs: Vec<Stamp> = std::iter::once(before)
            .chain(rendered.files.iter().skip(1).map(|p| Stamp::of(p)))
            .collect();
        // A file changed while the page rendered may or may not be in it: render it again.
        let settled = inputs.iter().all(|s| !s.modified_since(started));
        Ok(Record {
            entry,
            inputs,
            reusable: rendered.reusable && settled,
        })
    }
}

/// Whether a page path from a manifest is one this module writes: relative, inside the
/// output folder, ending in `.html` (a manifest is a file anyone could have edited).
fn is_page_path(page: &str) -> bool {
    let path = Path::new(page);
    page.ends_with(".html")
        && path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// `root/a/b.yml` → `a/b.yml`.
fn relative(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap_or(file);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Each document's page: `a/b.yml` → `a/b.html`, or `a/b.yml.html` when `a/b.json` exists
/// too; never `index.html` at the top, and never two alike even where case is ignored.
fn page_paths(files: &[String]) -> Vec<String> {
    let stem = |f: &str| {
        let name_start = f.rfind('/').map_or(0, |i| i + 1);
        match f[name_start..].rfind('.') {
            Some(dot) => f[..name_start + dot].to_owned(),
            None => f.to_owned(),
        }
    };
    let mut stems: HashMap<String, usize> = HashMap::new();
    for f in files {
        *stems.entry(stem(f).to_lowercase()).or_default() += 1;
    }
    let mut used: HashSet<String> = HashSet::from(["index.html".to_owned()]);
    files
        .iter()
        .map(|f| {
            let s = stem(f);
            let short = (stems[&s.to_lowercase()] == 1).then(|| format!("{s}.html"));
            let numbered = (2..).map(|n| format!("{s}-{n}.html"));
            short
                .into_iter()
                .chain(std::iter::once(format!("{f}.html")))
                .chain(numbered)
                .find(|page| used.insert(page.to_lowercase()))
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_paths_never_collide() {
        let files = [
            "a/x.yml",
            "a/x.json",
            "a/x.yml.json",
            "b/y.yaml",
            "index.yaml",
            "Pets.yaml",
            "pets.json",
        ]
        .map(String::from);
        assert!(is_page_path("a/b.html") && !is_page_path("../x.html"));
        assert!(!is_page_path("/etc/x.html") && !is_page_path("a/b.yml"));
        assert_eq!(
            page_paths(&files),
            [
                "a/x.yml.html",
                "a/x.json.html",
                "a/x.yml.json.html",
                "b/y.html",
                "index.yaml.html",
                "Pets.yaml.html",
                "pets.json.html"
            ]
        );
    }
}
