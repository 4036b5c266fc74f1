//! Where a document's local sources may be read from: a document names its sources, and one
//! written by someone else must not make a program read `~/.aws/credentials`. The loader asks
//! here before it reads a local source.

use std::path::Path;

use url::Url;

use crate::LoadError;

/// Where a [`crate::Loader`] reads local source descriptions from. A document names its sources,
/// and a document written by someone else must not make a program read
/// `~/.aws/credentials`: a program that loads such documents confines its loader
/// ([`crate::Loader::confine_sources`]); the `telaio` commands confine to the document's tree.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Confinement {
    /// Below the document's tree: the nearest folder above it that holds `.git` (its
    /// repository), or its own folder when it is in none.
    DocumentTree,
    /// Below the document's tree or any of these folders.
    Within(Vec<std::path::PathBuf>),
    /// Anywhere (a [`crate::Loader::new`]'s default: the program's own documents).
    #[default]
    Anywhere,
}

/// The tree a local document's sources are read from (see [`Confinement::DocumentTree`]).
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::create_dir_all(dir.path().join("repo/.git")).unwrap();
/// std::fs::create_dir_all(dir.path().join("repo/flows")).unwrap();
/// let doc = dir.path().join("repo/flows/a.arazzo.yaml");
/// assert_eq!(telaio_model::document_tree(&doc), dir.path().join("repo").canonicalize().unwrap());
/// let loose = dir.path().join("b.arazzo.yaml");
/// assert_eq!(telaio_model::document_tree(&loose), dir.path().canonicalize().unwrap());
/// // A path through the repository that leaves it is not in it.
/// std::fs::create_dir_all(dir.path().join("other")).unwrap();
/// let outside = dir.path().join("repo/../other/c.arazzo.yaml");
/// assert_eq!(telaio_model::document_tree(&outside), dir.path().join("other").canonicalize().unwrap());
/// ```
pub fn document_tree(document: &Path) -> std::path::PathBuf {
    // `/work/main/../shared/x.yaml` is not below `/work/main`: the path as it really is.
    let document = resolved(document);
    let folder = document.parent().unwrap_or(&document);
    folder
        .ancestors()
        .find(|a| a.join(".git").exists())
        .unwrap_or(folder)
        .to_path_buf()
}

/// `path` with `.` and `..` taken out as written, for paths that do not exist (yet).
fn lexically_normal(path: &Path) -> std::path::PathBuf {
    let mut out = std::path::PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// `path` with its links resolved as far as it exists: the deepest existing ancestor
/// canonicalised, the rest appended as written (without `.` and `..`), so that a missing
/// file below a linked folder (macOS's `/tmp`) is still seen where it would be.
fn resolved(path: &Path) -> std::path::PathBuf {
    // Relative to the working folder first: `..` at the front of a relative path
    // (`--source-root ../shared`) has nothing to go up from otherwise.
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let normal = lexically_normal(&absolute);
    for base in normal.ancestors() {
        if let Ok(real) = base.canonicalize() {
            let rest = normal.strip_prefix(base).unwrap_or(Path::new(""));
            return real.join(rest);
        }
    }
    normal
}

/// Whether `path` is below `root`, links resolved where they exist.
pub(crate) fn is_below(path: &Path, root: &Path) -> bool {
    resolved(path).starts_with(resolved(root))
}

impl Confinement {
    /// Whether a local source may be read for `document`; refused, the error names the
    /// document's tree.
    pub(crate) fn check(&self, document: &Url, source: &Url) -> Result<(), LoadError> {
        let (Ok(doc), Ok(path)) = (document.to_file_path(), source.to_file_path()) else {
            return Ok(());
        };
        let tree = document_tree(&doc);
        let allowed = match self {
            Confinement::Anywhere => true,
            Confinement::DocumentTree => is_below(&path, &tree),
            Confinement::Within(roots) => {
                is_below(&path, &tree) || roots.iter().any(|r| is_below(&path, r))
            }
        };
        if allowed {
            Ok(())
        } else {
            Err(LoadError::OutsideRoot {
                url: source.clone(),
                root: tree,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relative_root_that_goes_up_is_read_from_the_working_folder() {
        let here = std::env::current_dir().unwrap();
        let Some(parent) = here.parent() else { return };
        let name = here.file_name().unwrap();
        let inside = here.join("a/b.yaml");
        let root = Path::new("..").join(name);
        assert!(is_below(&inside, &root));
        assert!(!is_below(&parent.join("elsewhere/b.yaml"), &root));
    }
}
