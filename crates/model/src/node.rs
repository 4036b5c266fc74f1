//! A YAML/JSON value tree in which every node knows where it came from.
//!
//! [`Node`] is what the parser produces and what diagnostics look into: given a JSON Pointer to
//! a place in a document (as a JSON Schema validator or a lint rule reports it), [`Node::locate`]
//! finds the span to underline. It is not the typed Arazzo model; that is built from
//! [`Node::to_json`] by serde.

use crate::span::Span;

/// One value of a document with its source span.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Where the value is written.
    pub span: Span,
    /// The value.
    pub kind: NodeKind,
}

/// The shape of a [`Node`].
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// `null`, `~` or an empty YAML value.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer or decimal number.
    Number(serde_json::Number),
    /// A string.
    String(String),
    /// A YAML sequence or JSON array.
    Sequence(Vec<Node>),
    /// A YAML mapping or JSON object, in source order.
    Mapping(Vec<Entry>),
}

/// One `key: value` pair of a mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key, as a string (YAML keys that are numbers or booleans are written out).
    pub key: String,
    /// Where the key is written.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

/// Where a JSON Pointer lands in a node tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Located {
    /// The span of the deepest node the pointer reached.
    pub span: Span,
    /// The span of the key that names that node, when it is a mapping entry.
    pub key_span: Option<Span>,
    /// Whether the whole pointer resolved (false: `span` is the deepest existing ancestor).
    pub exact: bool,
}

impl Node {
    /// The entry for `key` when this node is a mapping.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.kind {
            // Last entry wins, as in the JSON conversion.
            NodeKind::Mapping(entries) => entries.iter().rev().find(|e| e.key == key),
            _ => None,
        }
    }

    /// The value for `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The string value, when this node is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::String(s) => Some(s),
            _ => None,
        }
    }

    /// A short name for the node's type, as JSON Schema spells it.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "boolean",
            NodeKind::Number(_) => "number",
            NodeKind::String(_) => "string",
            NodeKind::Sequence(_) => "array",
            NodeKind::Mapping(_) => "object",
        }
    }

    /// Follows an RFC 6901 JSON Pointer (`""` is this node, `/a/0/b` a descendant).
    ///
    /// Never fails: when the pointer leaves the tree, the deepest node reached is returned with
    /// `exact: false`, which is still the best place to point a message at.
    ///
    /// ```
    /// use telaio_model::parse_text;
    /// let doc = parse_text("a:\n  - b: 1\n", &Default::default()).unwrap();
    /// let at = doc.root.locate("/a/0/b");
    /// assert!(at.exact);
    /// assert_eq!((at.span.start.line, at.span.start.column), (2, 8));
    /// ```
    pub fn locate(&self, pointer: &str) -> Located {
        let mut here = Located {
            span: self.span,
            key_span: None,
            exact: true,
        };
        let mut node = self;
        let rest = match pointer.strip_prefix('/') {
            Some(rest) => rest,
            None => return here,
        };
        for raw in rest.split('/') {
            let token = unescape_token(raw);
            let next = match &node.kind {
                NodeKind::Mapping(entries) => entries
                    .iter()
                    .rev()
                    .find(|e| e.key == token)
                    .map(|e| (&e.value, Some(e.key_span))),
                NodeKind::Sequence(items) => token
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i))
                    .map(|n| (n, None)),
                _ => None,
            };
            match next {
                Some((child, key_span)) => {
                    node = child;
                    here.span = child.span;
                    here.key_span = key_span;
                }
                None => {
                    here.exact = false;
                    return here;
                }
            }
        }
        here
    }

    /// Converts the tree into a JSON value (mapping order kept; of duplicate keys the last wins).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            NodeKind::Null => Value::Null,
            NodeKind::Bool(b) => Value::Bool(*b),
            NodeKind::Number(n) => Value::Number(n.clone()),
            NodeKind::String(s) => Value::String(s.clone()),
            NodeKind::Sequence(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeKind::Mapping(entries) => {
                let mut map = serde_json::Map::with_capacity(entries.len());
                for e in entries {
                    map.insert(e.key.clone(), e.value.to_json());
                }
                Value::Object(map)
            }
        }
    }

    /// The number of nodes in this tree, this one included.
    pub fn count(&self) -> usize {
        1 + match &self.kind {
            NodeKind::Sequence(items) => items.iter().map(Node::count).sum(),
            NodeKind::Mapping(entries) => entries.iter().map(|e| e.value.count()).sum(),
            _ => 0,
        }
    }
}

/// Decodes one RFC 6901 reference token (`~1` is `/`, `~0` is `~`).
pub fn unescape_token(raw: &str) -> std::borrow::Cow<'_, str> {
    if raw.contains('~') {
        std::borrow::Cow::Owned(raw.replace("~1", "/").replace("~0", "~"))
    } else {
        std::borrow::Cow::Borrowed(raw)
    }
}

/// Encodes a string as one RFC 6901 reference token.
pub fn escape_token(raw: &str) -> std::borrow::Cow<'_, str> {
    if raw.contains(['~', '/']) {
        std::borrow::Cow::Owned(raw.replace('~', "~0").replace('/', "~1"))
    } else {
        std::borrow::Cow::Borrowed(raw)
    }
}
