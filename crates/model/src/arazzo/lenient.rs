//! Deserializers that never fail: a field of the wrong type reads as absent (or as a default
//! item), so that one type error in a document does not hide every other finding. The JSON
//! Schema reports the type error itself.

use indexmap::IndexMap;
use serde::de::{Deserialize, DeserializeOwned, Deserializer};
use serde_json::Value;

/// An optional field: `None` when its value has the wrong type.
pub(crate) fn opt<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> Result<Option<T>, D::Error> {
    let value = Value::deserialize(d)?;
    Ok(serde_json::from_value(value).ok())
}

/// An optional non-negative integer; `3.0` counts (JSON Schema calls it an integer).
pub(crate) fn opt_integer<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= u64::MAX as f64)
                .map(|f| f as u64)
        }),
        _ => None,
    })
}

/// A list: empty when the value is not a list; an item of the wrong shape reads as the
/// default item, so indexes (and so JSON Pointers) stay those of the document.
pub(crate) fn vec<'de, D: Deserializer<'de>, T: DeserializeOwned + Default>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .map(|item| serde_json::from_value(item).unwrap_or_default())
            .collect(),
        _ => Vec::new(),
    })
}

/// A map: empty when the value is not an object; a value of the wrong shape reads as default.
pub(crate) fn map<'de, D: Deserializer<'de>, T: DeserializeOwned + Default>(
    d: D,
) -> Result<IndexMap<String, T>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Object(entries) => entries
            .into_iter()
            .map(|(k, v)| (k, serde_json::from_value(v).unwrap_or_default()))
            .collect(),
        _ => IndexMap::new(),
    })
}
