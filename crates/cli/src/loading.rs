//! What the commands read: documents through the loader they share (local files, http(s)
//! only with `--allow-remote`, source descriptions substituted with `--source NAME=PATH`), and
//! the files given on the command line (inputs, credentials, scenarios), each within a size
//! limit.

use std::path::{Path, PathBuf};

use telaio_model::{Bundle, Confinement, LoadOptions, Loader};

use crate::args::LoadArgs;
use crate::remote::RemoteFetcher;

/// A loader as the arguments ask. Sources are read below each document's tree, the folders
/// of `--source-root` and `--source-base`, and `folders` (those the command was given).
pub(crate) fn loader(args: &LoadArgs, folders: &[&Path]) -> Result<Loader, String> {
    let options = LoadOptions {
        max_document_bytes: args.max_document_size,
        ..LoadOptions::default()
    };
    let mut loader = if args.allow_remote {
        let total = std::time::Duration::try_from_secs_f64(args.remote_timeout)
            .ok()
            .filter(|t| !t.is_zero())
            .ok_or_else(|| {
                format!(
                    "--remote-timeout must be a positive number of seconds, not {}",
                    args.remote_timeout
                )
            })?;
        Loader::with_fetcher(
            Box::new(RemoteFetcher::new(args.allow_private_hosts, total)?),
            options,
        )
    } else {
        Loader::new(options)
    };
    for root in &args.source_root {
        // An empty root would be below every path: it would allow every file.
        if root.as_os_str().is_empty() || !root.is_dir() {
            return Err(format!(
                "--source-root takes a folder, and `{}` is none",
                root.display()
            ));
        }
    }
    let roots: Vec<PathBuf> = (args.source_root.iter().map(PathBuf::as_path))
        .chain(folders.iter().copied())
        .map(Path::to_path_buf)
        .collect();
    // A document written by someone else must not make Telaio read files outside its tree.
    loader = loader.confine_sources(if roots.is_empty() {
        Confinement::DocumentTree
    } else {
        Confinement::Within(roots)
    });
    if let Some(base) = &args.source_base {
        if !base.is_dir() {
            return Err(format!("--source-base {} is not a folder", base.display()));
        }
        loader = loader
            .resolve_sources_against(base)
            .map_err(|e| e.to_string())?;
    }
    for pair in &args.sources {
        let (name, place) = pair
            .split_once('=')
            .filter(|(name, place)| !name.is_empty() && !place.is_empty())
            .ok_or_else(|| format!("--source takes NAME=PATH, not `{pair}`"))?;
        let url = Loader::url_for_path(Path::new(place)).map_err(|e| e.to_string())?;
        loader = loader.substitute_source(name, url);
    }
    Ok(loader)
}

/// How a run's sources were read, for its journal: paths made absolute, so that a replay
/// from another folder reads the same files.
pub(crate) fn record(args: &LoadArgs) -> telaio_engine::Loading {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    telaio_engine::Loading {
        substitutes: args
            .sources
            .iter()
            .filter_map(|pair| pair.split_once('='))
            .map(|(name, place)| (name.to_owned(), absolute(Path::new(place))))
            .collect(),
        source_base: args.source_base.as_deref().map(absolute),
        source_roots: args.source_root.iter().map(|p| absolute(p)).collect(),
        max_document_bytes: (args.max_document_size != LoadOptions::default().max_document_bytes)
            .then_some(args.max_document_size),
    }
}

/// The loading arguments a journal's run had (never remote: a replay sends nothing).
pub(crate) fn replayed(record: &telaio_engine::Loading) -> LoadArgs {
    LoadArgs {
        allow_remote: false,
        allow_private_hosts: false,
        remote_timeout: 30.0,
        sources: record
            .substitutes
            .iter()
            .map(|(name, path)| format!("{name}={}", path.display()))
            .collect(),
        source_base: record.source_base.clone(),
        // A root gone since allows nothing (nothing is below it); it is no mistake of
        // whoever replays the run.
        source_root: (record.source_roots.iter())
            .filter(|r| r.is_dir())
            .cloned()
            .collect(),
        max_document_size: record
            .max_document_bytes
            .unwrap_or(LoadOptions::default().max_document_bytes),
    }
}

/// The `--source` names a document does not have: a typo would otherwise leave the
/// document's own source in place without a word.
pub(crate) fn unknown_sources(args: &LoadArgs, bundle: &Bundle) -> Vec<String> {
    args.sources
        .iter()
        .filter_map(|pair| pair.split_once('=').map(|(name, _)| name))
        .filter_map(|name| bundle.unknown_source("--source", name))
        .collect()
}

/// The largest `--inputs` file.
pub(crate) const MAX_INPUTS_FILE: u64 = 10 * 1024 * 1024;
/// The largest `--credentials` file.
pub(crate) const MAX_CREDENTIALS_FILE: u64 = 1024 * 1024;
/// The largest `--scenario` (or `--mock`) file.
pub(crate) const MAX_SCENARIO_FILE: u64 = 10 * 1024 * 1024;

/// The text of a file given on the command line, at most `limit` bytes (a FIFO or a device
/// is refused rather than read forever).
pub(crate) fn read_text_file(path: &Path, limit: u64) -> Result<String, String> {
    let url = Loader::url_for_path(path).map_err(|e| e.to_string())?;
    let bytes = telaio_model::read_file(&url, limit).map_err(|e| e.to_string())?;
    let text = telaio_model::decode_text(&bytes)
        .map_err(|e| format!("{}:{}: {}", path.display(), e.position, e.message))?;
    Ok(text.into_owned())
}

/// A YAML or JSON file given on the command line (inputs, credentials), as JSON.
pub(crate) fn read_data_file(path: &Path, limit: u64) -> Result<serde_json::Value, String> {
    let text = read_text_file(path, limit)?;
    Ok(
        telaio_model::parse_text(&text, &LoadOptions::default().parse)
            .map_err(|e| format!("{}:{}: {}", path.display(), e.position, e.message))?
            .root
            .to_json(),
    )
}
