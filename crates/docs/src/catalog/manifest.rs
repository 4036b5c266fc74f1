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
    pub telaio: String,
    pub documents: Vec<Record>,
}

/// One rendered document.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Record {
    pub entry: Entry,
    /// The files it read, as they were.
    pub inputs: Vec<Stamp>,
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
}

impl Manifest {
    /// The manifest in `out`, or an empty one when it is missing, unreadable or of another
    /// version of Telaio (everything is rendered again).
    pub fn read(out: &Path) -> Manifest {
        std::fs::read(out.join(FILE))
            .ok()
            .and_then(|b| serde_json::from_slice::<Manifest>(&b).ok())
            .filter(|m| m.telaio == env!("CARGO_PKG_VERSION"))
            .unwrap_or_default()
    }

    /// The record of `file`, when its page can be reused: nothing it read has changed and the
    /// page is still there.
    pub fn reusable(&self, file: &str, out: &Path) -> Option<&Record> {
        self.documents
            .iter()
            .find(|r| r.entry.file == file)
            .filter(|r| out.join(&r.entry.page).is_file())
            .filter(|r| r.inputs.iter().all(Stamp::unchanged))
    }

    pub fn write(&self, out: &Path) -> std::io::Result<()> {
        let json = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        std::fs::write(out.join(FILE), json)
    }
}
