//! Building the operation and channel index of an API description.

use serde_json::Value;

use super::ApiKind;
use crate::node::escape_token;

/// HTTP methods that a path item may hold, in OpenAPI's order.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation of an API description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation {
    /// The `operationId`, when the operation has one.
    pub operation_id: Option<String>,
    /// The path key (`/pets/{id}`), or the channel / webhook name.
    pub path: String,
    /// Lower-case HTTP method, or the AsyncAPI action (`send`, `receive`, `publish`, `subscribe`).
    pub method: String,
    /// JSON Pointer to the operation object within the document.
    pub pointer: String,
    /// The operation's `summary`.
    pub summary: Option<String>,
}

/// One AsyncAPI channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Channel {
    /// The channel's key in `channels`.
    pub name: String,
    /// The channel address (3.x `address`, 2.x the key).
    pub address: Option<String>,
    /// JSON Pointer to the channel object.
    pub pointer: String,
}

pub(super) fn build(kind: ApiKind, doc: &Value) -> (Vec<Operation>, Vec<Channel>) {
    let mut ops = Vec::new();
    let mut channels = Vec::new();
    match kind {
        ApiKind::OpenApi2 | ApiKind::OpenApi30 | ApiKind::OpenApi31 => {
            index_path_items(doc, "paths", &mut ops);
            index_path_items(doc, "webhooks", &mut ops);
        }
        ApiKind::AsyncApi2 => {
            for (name, channel) in entries(doc.get("channels")) {
                let pointer = format!("/channels/{}", escape_token(name));
                for action in ["publish", "subscribe"] {
                    if let Some(op) = channel.get(action) {
                        ops.push(Operation {
                            operation_id: string(op, "operationId"),
                            path: name.clone(),
                            method: action.to_owned(),
                            pointer: format!("{pointer}/{action}"),
                            summary: string(op, "summary"),
                        });
                    }
                }
                channels.push(Channel {
                    name: name.clone(),
                    address: Some(name.clone()),
                    pointer,
                });
            }
        }
        ApiKind::AsyncApi3 => {
            for (name, channel) in entries(doc.get("channels")) {
                channels.push(Channel {
                    name: name.clone(),
                    address: string(channel, "address"),
                    pointer: format!("/channels/{}", escape_token(name)),
                });
            }
            for (id, op) in entries(doc.get("operations")) {
                let channel = op
                    .get("channel")
                    .and_then(|c| c.get("$ref"))
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/channels/"))
                    .map(|c| crate::node::unescape_token(c).into_owned())
                    .unwrap_or_default();
                ops.push(Operation {
                    operation_id: Some(id.clone()),
                    path: channel,
                    method: string(op, "action").unwrap_or_default(),
                    pointer: format!("/operations/{}", escape_token(id)),
                    summary: string(op, "summary"),
                });
            }
        }
    }
    (ops, channels)
}

fn index_path_items(doc: &Value, section: &str, ops: &mut Vec<Operation>) {
    for (path, item) in entries(doc.get(section)) {
        // A path item that is itself a local `$ref` is indexed under its own path key.
        let item = match item.get("$ref").and_then(Value::as_str) {
            Some(r) => r
                .strip_prefix('#')
                .and_then(|p| doc.pointer(p))
                .unwrap_or(item),
            None => item,
        };
        let base = format!("/{section}/{}", escape_token(path));
        for method in METHODS {
            if let Some(op) = item.get(method).filter(|o| o.is_object()) {
                ops.push(Operation {
                    operation_id: string(op, "operationId"),
                    path: path.clone(),
                    method: method.to_owned(),
                    pointer: format!("{base}/{method}"),
                    summary: string(op, "summary"),
                });
            }
        }
    }
}

fn entries(v: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
    v.and_then(Value::as_object).into_iter().flatten()
}

fn string(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}
