//! The loader the commands share: local files, http(s) only with `--allow-remote`, and
//! source descriptions substituted with `--source NAME=PATH`.

use std::path::Path;

use telaio_model::{Bundle, LoadOptions, Loader};

use crate::args::LoadArgs;
use crate::remote::RemoteFetcher;

/// A loader as the arguments ask.
pub(crate) fn loader(args: &LoadArgs) -> Result<Loader, String> {
    let options = LoadOptions {
        max_document_bytes: args.max_document_size,
        ..LoadOptions::default()
    };
    let mut loader = if args.allow_remote {
        Loader::with_fetcher(Box::new(RemoteFetcher::new()?), options)
    } else {
        Loader::new(options)
    };
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

/// The `--source` names a document does not have: a typo would otherwise leave the
/// document's own source in place without a word.
pub(crate) fn unknown_sources(args: &LoadArgs, bundle: &Bundle) -> Vec<String> {
    args.sources
        .iter()
        .filter_map(|pair| pair.split_once('=').map(|(name, _)| name))
        .filter_map(|name| bundle.unknown_source("--source", name))
        .collect()
}
