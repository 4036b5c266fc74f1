//! Following `$ref`s inside API descriptions, across files, with cycle detection.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::Value;
use url::Url;

use crate::{ApiDescription, LoadError, Loader, Source};

/// Where a chain of `$ref`s ends.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// The file holding the final value.
    pub url: Url,
    /// Its description.
    pub api: Arc<ApiDescription>,
    /// JSON Pointer to the value within it.
    pub pointer: String,
}

impl Resolved {
    /// The value the chain ends at.
    pub fn value(&self) -> &Value {
        // `deref` only returns pointers it has checked.
        self.api
            .document
            .pointer(&self.pointer)
            .unwrap_or(&Value::Null)
    }
}

/// Why a `$ref` could not be followed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RefError {
    /// The file it names could not be loaded.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The pointer names nothing in the file.
    #[error("`{reference}` points at nothing")]
    Missing {
        /// The reference as resolved.
        reference: String,
    },
    /// The chain comes back to where it has been.
    #[error("`{reference}` is part of a `$ref` cycle")]
    Cycle {
        /// The reference that closes the cycle.
        reference: String,
    },
    /// The reference names a file that is not an API description.
    #[error("`{reference}` does not point into an API description")]
    NotAnApi {
        /// The reference as resolved.
        reference: String,
    },
}

/// Most `$ref` hops followed for one value.
const MAX_HOPS: usize = 64;

impl Loader {
    /// Follows `$ref`s from the value at `pointer` in `api` (read from `url`) until a value
    /// that is not a reference.
    pub fn deref(
        &self,
        url: &Url,
        api: &Arc<ApiDescription>,
        pointer: &str,
    ) -> Result<Resolved, RefError> {
        let mut here = Resolved {
            url: url.clone(),
            api: api.clone(),
            pointer: pointer.to_owned(),
        };
        let mut seen = HashSet::new();
        for _ in 0..MAX_HOPS {
            let value =
                here.api
                    .document
                    .pointer(&here.pointer)
                    .ok_or_else(|| RefError::Missing {
                        reference: format!("{}#{}", here.url, here.pointer),
                    })?;
            let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
                return Ok(here);
            };
            let target = here.url.join(reference).map_err(|e| LoadError::BadUrl {
                reference: reference.to_owned(),
                message: e.to_string(),
            })?;
            if !seen.insert(target.to_string()) {
                return Err(RefError::Cycle {
                    reference: reference.to_owned(),
                });
            }
            let pointer = target
                .fragment()
                .map(crate::resolve::percent_decode)
                .unwrap_or_default();
            if here.url.scheme() != "file" && target.scheme() == "file" {
                return Err(RefError::Load(LoadError::LocalFromRemote { url: target }));
            }
            let mut file = target.clone();
            file.set_fragment(None);
            let mut same = here.url.clone();
            same.set_fragment(None);
            let api = if file == same {
                here.api.clone()
            } else {
                match self.load_source(&file, None)? {
                    Source::Api(api) => api,
                    Source::Arazzo(_) => {
                        return Err(RefError::NotAnApi {
                            reference: reference.to_owned(),
                        });
                    }
                }
            };
            here = Resolved {
                url: file,
                api,
                pointer,
            };
        }
        Err(RefError::Cycle {
            reference: here.pointer,
        })
    }
}
