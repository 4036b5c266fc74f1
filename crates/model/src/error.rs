//! Why a document or source could not be loaded.

use url::Url;

use crate::source::display_name;
use crate::syntax::SyntaxError;

/// Why a file could not be loaded. Messages name the file as a person would (a relative path
/// where possible) and say what to do when that is clear.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// Nothing exists at the path.
    #[error("{} does not exist", display_name(.url))]
    NotFound {
        /// The URL that was resolved.
        url: Url,
    },
    /// The path names a directory.
    #[error("{} is a directory, not a file", display_name(.url))]
    IsDirectory {
        /// The URL that was resolved.
        url: Url,
    },
    /// The path names something that is not a regular file (a FIFO, a device).
    #[error("{} is not a regular file", display_name(.url))]
    NotAFile {
        /// The URL that was resolved.
        url: Url,
    },
    /// A remote document named a local file.
    #[error(
        "{url} is a local file named by a remote document; remote documents may only name remote sources"
    )]
    LocalFromRemote {
        /// The local URL that was refused.
        url: Url,
    },
    /// A local source outside the folders sources may be read from.
    #[error("{} is outside {}, the folder source descriptions are read from", display_name(.url), .root.display())]
    OutsideRoot {
        /// The URL that was refused.
        url: Url,
        /// The folder reads are confined to (the document's repository or folder).
        root: std::path::PathBuf,
    },
    /// Reading failed.
    #[error("cannot read {}: {message}", display_name(.url))]
    Io {
        /// The URL that was resolved.
        url: Url,
        /// The operating system's reason.
        message: String,
    },
    /// The file is larger than the limit.
    #[error("{} is {} the {} limit", display_name(.url),
        .size.map_or_else(|| "larger than".to_owned(), |s| format!("{}, over", human_bytes(s))), human_bytes(*.limit))]
    TooLarge {
        /// The URL that was resolved.
        url: Url,
        /// The size, when known before reading.
        size: Option<u64>,
        /// The limit in bytes.
        limit: u64,
    },
    /// The URL is remote and remote loading was not allowed.
    #[error("{url} is remote, and remote loading is off")]
    RemoteNotAllowed {
        /// The URL that was resolved.
        url: Url,
    },
    /// The URL scheme is not one Telaio reads.
    #[error("{url}: only local files and http(s) URLs can be loaded")]
    UnsupportedScheme {
        /// The URL that was resolved.
        url: Url,
    },
    /// A remote fetch failed.
    #[error("cannot fetch {url}: {message}")]
    Remote {
        /// The URL that was fetched.
        url: Url,
        /// What went wrong.
        message: String,
    },
    /// The text is not YAML or JSON.
    #[error("{}:{}: {}", display_name(.url), .error.position, .error.message)]
    Syntax {
        /// The file.
        url: Url,
        /// Where and why parsing failed.
        error: SyntaxError,
    },
    /// The file parsed but is not an OpenAPI, AsyncAPI or Arazzo document.
    #[error("{} is not an OpenAPI, AsyncAPI or Arazzo document ({found})", display_name(.url))]
    NotADescription {
        /// The file.
        url: Url,
        /// What was found instead.
        found: String,
    },
    /// A reference could not be turned into a URL.
    #[error("`{reference}` is not a valid URI reference: {message}")]
    BadUrl {
        /// The reference as written.
        reference: String,
        /// Why it is invalid.
        message: String,
    },
}

impl LoadError {
    /// The URL the error is about, when there is one.
    pub fn url(&self) -> Option<&Url> {
        match self {
            LoadError::NotFound { url }
            | LoadError::IsDirectory { url }
            | LoadError::NotAFile { url }
            | LoadError::LocalFromRemote { url }
            | LoadError::OutsideRoot { url, .. }
            | LoadError::Io { url, .. }
            | LoadError::TooLarge { url, .. }
            | LoadError::RemoteNotAllowed { url }
            | LoadError::UnsupportedScheme { url }
            | LoadError::Remote { url, .. }
            | LoadError::Syntax { url, .. }
            | LoadError::NotADescription { url, .. } => Some(url),
            LoadError::BadUrl { .. } => None,
        }
    }
}

/// `1.5 MiB`, `300 B`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
