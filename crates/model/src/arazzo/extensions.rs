//! Specification extensions: the `x-...` fields every Arazzo object may carry.

use indexmap::IndexMap;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;

/// The `x-...` fields of one object, in source order. Other unknown fields are dropped here
/// (the JSON Schema reports them).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extensions(pub IndexMap<String, Value>);

impl Extensions {
    /// The value of one extension, e.g. `get("x-provider")`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }
}

impl<'de> Deserialize<'de> for Extensions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Extensions;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Extensions, A::Error> {
                let mut out = IndexMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value: Value = map.next_value()?;
                    if key.starts_with("x-") {
                        out.insert(key, value);
                    }
                }
                Ok(Extensions(out))
            }
        }
        d.deserialize_map(V)
    }
}
