//! Reading bytes from a URL: the only I/O the model does, behind a trait.
//!
//! [`FileFetcher`] reads local files and refuses remote URLs; a program that allows remote
//! loading supplies its own [`Fetcher`] (the CLI does, with `--allow-remote`).

use std::io::Read;

use url::Url;

use crate::LoadError;

/// Reads the bytes a URL names.
pub trait Fetcher: Send + Sync {
    /// The bytes at `url`, at most `max_bytes` of them (more is [`LoadError::TooLarge`]).
    fn fetch(&self, url: &Url, max_bytes: u64) -> Result<Vec<u8>, LoadError>;
}

/// Reads `file:` URLs from the file system; refuses every other scheme.
#[derive(Clone, Copy, Debug, Default)]
pub struct FileFetcher;

impl Fetcher for FileFetcher {
    fn fetch(&self, url: &Url, max_bytes: u64) -> Result<Vec<u8>, LoadError> {
        match url.scheme() {
            "file" => read_file(url, max_bytes),
            "http" | "https" => Err(LoadError::RemoteNotAllowed { url: url.clone() }),
            _ => Err(LoadError::UnsupportedScheme { url: url.clone() }),
        }
    }
}

/// Reads a local file named by a `file:` URL, within a size limit.
pub fn read_file(url: &Url, max_bytes: u64) -> Result<Vec<u8>, LoadError> {
    let path = url
        .to_file_path()
        .map_err(|()| LoadError::UnsupportedScheme { url: url.clone() })?;
    let io = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => LoadError::NotFound { url: url.clone() },
        _ => LoadError::Io {
            url: url.clone(),
            message: e.to_string(),
        },
    };
    let meta = std::fs::metadata(&path).map_err(io)?;
    if meta.is_dir() {
        return Err(LoadError::IsDirectory { url: url.clone() });
    }
    // A FIFO or a device would block or never end.
    if !meta.is_file() {
        return Err(LoadError::NotAFile { url: url.clone() });
    }
    if meta.len() > max_bytes {
        return Err(LoadError::TooLarge {
            url: url.clone(),
            size: Some(meta.len()),
            limit: max_bytes,
        });
    }
    // The limit is enforced while reading too: files grow, and /dev/zero has no size.
    let file = std::fs::File::open(&path).map_err(io)?;
    read_limited(file, url, max_bytes).map_err(|e| match e {
        ReadLimited::TooLarge(e) => e,
        ReadLimited::Io(e) => io(e),
    })
}

/// Why [`read_limited`] stopped.
#[derive(Debug)]
pub enum ReadLimited {
    /// More than the limit was available.
    TooLarge(LoadError),
    /// The reader failed.
    Io(std::io::Error),
}

/// Reads at most `max_bytes` from `reader`; more is [`LoadError::TooLarge`] for `url`.
pub fn read_limited(reader: impl Read, url: &Url, max_bytes: u64) -> Result<Vec<u8>, ReadLimited> {
    let mut bytes = Vec::new();
    reader
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadLimited::Io)?;
    if bytes.len() as u64 > max_bytes {
        return Err(ReadLimited::TooLarge(LoadError::TooLarge {
            url: url.clone(),
            size: None,
            limit: max_bytes,
        }));
    }
    Ok(bytes)
}
