//! What the last `catalog` run rendered, kept in the output folder so that the next run
//! renders only documents whose files changed: a document's page is reused while the document
//! and every file it read (its API descriptions, linked Arazzo documents) keep their size and
//! modification time, and Telaio's version is the same.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::catalog::Entry;

/// The manifest's file name in the output folder.
pub(crate) const FILE: &str = ".telaio-catalog.json";

#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub settings: Settings,
    pub documents: Vec<Record>,
}

/// What the pages were rendered under: a page is reused only under the same.
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Settings {
    pub telaio: String,
    /// The catalog's folder.
    pub root: PathBuf,
    /// The caller's other settings ([`crate::CatalogOptions::settings`]).
    pub settings: String,
}

/// One rendered document.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Record {
    pub entry: Entry,
    /// The files it read, as they were; the document's own first.
    pub inputs: Vec<Stamp>,
    /// False when it read something that is not a local file (a remote source), whose
    /// changes cannot be seen.
    pub reusable: bool,
}

/// A file's size and modification time (`None` when it did not exist).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Stamp {
    pub path: PathBuf,
    pub seen: Option<(u64, u128)>,
}

impl Stamp {
    pub fn of(path: &Path) -> Stamp {
        let seen = std::fs::metadata(path).ok().map(|m| {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            (m.len(), modified)
        });
        Stamp {
            path: path.to_owned(),
            seen,
        }
    }

    pub fn unchanged(&self) -> bool {
        Stamp::of(&self.path) == *self
    }

    /// Whether the file was modified at or after `time`.
    pub fn modified_since(&self, time: std::time::SystemTime) -> bool {
        let since = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        self.seen.is_some_and(|(_, modified)| modified >= since)
    }
}

impl Manifest {
    /// The manifest in `out`, or an empty one when it is missing or unreadable.
    pub fn read(out: &Path) -> Manifest {
        std::fs::read(out.join(FILE))
            .ok()
            .and_then(|b| serde_json::from_slice::<Manifest>(&b).ok())
            .unwrap_or_default()
    }

    /// The record of the document at `path`, when its page can be reused: it is the same
    /// page, nothing the document read has changed, and the page is still there.
    pub fn reusable(&self, path: &Path, page: &str, out: &Path) -> Option<&Record> {
        self.documents
            .iter()
            .find(|r| r.inputs.first().is_some_and(|s| s.path == path))
            .filter(|r| r.reusable && r.entry.page == page)
            .filter(|r| out.join(&r.entry.page).is_file())
            .filter(|r| r.inputs.iter().all(Stamp::unchanged))
    }

    pub fn write(&self, out: &Path) -> std::io::Result<()> {
        let json = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        super::files::write(out, Path::new(FILE), &json).map(drop)
    }
}
