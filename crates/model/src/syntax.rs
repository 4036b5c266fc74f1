//! Text to [`Node`] tree: YAML 1.2 (and so JSON) with spans, within limits.
//!
//! The tree is built from parser events with an explicit stack, so input nesting cannot
//! overflow Telaio's own stack; the depth, and the number of nodes that YAML aliases may expand
//! to, are bounded ([`ParseLimits`]), which defuses "billion laughs" documents. This module does
//! no I/O and knows nothing of Arazzo.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span as YSpan, Tag};

use crate::node::{Entry, Node, NodeKind};
use crate::span::{Position, Span};

/// Bounds on what a parse may build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseLimits {
    /// Deepest nesting of sequences and mappings accepted.
    pub max_depth: usize,
    /// Most nodes that YAML aliases (`*name`) may add to the tree, all aliases together.
    pub max_alias_nodes: usize,
    /// Most bytes of text that YAML aliases may copy, all aliases together (one long string
    /// aliased many times is a bomb too).
    pub max_alias_bytes: usize,
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits {
            max_depth: 256,
            max_alias_nodes: 100_000,
            max_alias_bytes: 4 * 1024 * 1024,
        }
    }
}

/// Why a text could not be read as a YAML or JSON document.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SyntaxError {
    /// What went wrong, in one sentence without a trailing period.
    pub message: String,
    /// Where it went wrong.
    pub position: Position,
}

/// A key written twice in one mapping. YAML forbids it; JSON leaves it undefined. The last value
/// is the one kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The key.
    pub key: String,
    /// Where the key first appears.
    pub first: Span,
    /// Where it appears again.
    pub again: Span,
}

/// The outcome of parsing one text.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedText {
    /// The document's root value.
    pub root: Node,
    /// Keys written more than once in the same mapping.
    pub duplicate_keys: Vec<DuplicateKey>,
}

/// Decodes bytes as UTF-8 text, dropping a byte-order mark.
///
/// An invalid sequence is reported at its line and column.
pub fn decode_utf8(bytes: &[u8]) -> Result<&str, SyntaxError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        // Everything before `valid_up_to` is valid, so this cannot fail.
        let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
        let line = valid.matches('\n').count() + 1;
        let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        SyntaxError {
            message: format!(
                "the file is not valid UTF-8 (byte 0x{:02X} at offset {})",
                bytes[e.valid_up_to()],
                e.valid_up_to()
            ),
            position: Position::new(to_u32(line), to_u32(column)),
        }
    })
}

/// Whether the text's top level is a mapping with the key `key`, read as a stream of events
/// that stops at the answer: no tree is built, and nested values are only skipped over.
/// `None` when the text does not parse before the answer is known.
///
/// ```
/// use telaio_model::top_level_has_key;
/// assert_eq!(top_level_has_key("info: {a: 1}\narazzo: 1.0.1\n", "arazzo"), Some(true));
/// assert_eq!(top_level_has_key("{\"dependencies\": {\"arazzo\": \"1\"}}", "arazzo"), Some(false));
/// assert_eq!(top_level_has_key("[{\"arazzo\": \"1.0.1\"}]", "arazzo"), Some(false));
/// assert_eq!(top_level_has_key("a: [unclosed\n", "arazzo"), None);
/// ```
pub fn top_level_has_key(text: &str, key: &str) -> Option<bool> {
    let mut parser = Parser::new_from_str(text);
    // Depth of nesting; at depth 1 (inside the top mapping), whether a key comes next.
    let mut depth = 0usize;
    let mut expect_key = true;
    while let Some(event) = parser.next_event() {
        let (event, _) = event.ok()?;
        match event {
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if depth == 0 && !matches!(event, Event::MappingStart(..)) {
                    return Some(false);
                }
                depth += 1;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                depth -= 1;
                match depth {
                    0 => return Some(false),
                    // A value (or a complex key) at the top level ends.
                    1 => expect_key = !expect_key,
                    _ => {}
                }
            }
            Event::Scalar(value, ..) if depth == 1 => {
                if expect_key && value == key {
                    return Some(true);
                }
                expect_key = !expect_key;
            }
            Event::Alias(_) if depth == 1 => expect_key = !expect_key,
            Event::Scalar(..) | Event::Alias(_) if depth == 0 => return Some(false),
            _ => {}
        }
    }
    Some(false)
}

/// Parses a YAML or JSON text into a [`Node`] tree.
///
/// ```
/// use telaio_model::{parse_text, NodeKind};
/// let parsed = parse_text("arazzo: 1.0.1\nsteps: [1, 2]\n", &Default::default()).unwrap();
/// assert_eq!(parsed.root.get("arazzo").and_then(|n| n.as_str()), Some("1.0.1"));
/// assert!(matches!(parsed.root.get("steps").unwrap().kind, NodeKind::Sequence(_)));
/// ```
pub fn parse_text(text: &str, limits: &ParseLimits) -> Result<ParsedText, SyntaxError> {
    Builder::new(limits).run(text)
}

enum Frame {
    Sequence {
        start: Position,
        anchor: usize,
        items: Vec<Node>,
    },
    Mapping {
        start: Position,
        anchor: usize,
        entries: Vec<Entry>,
        /// Where each key was first written, to find duplicates in constant time.
        seen: HashMap<String, Span>,
        key: Option<(String, Span, bool)>,
    },
}

/// What copying a node through an alias costs.
#[derive(Clone, Copy, Debug)]
struct Weight {
    nodes: usize,
    bytes: usize,
}

impl Weight {
    fn of(node: &Node) -> Weight {
        let mut w = Weight { nodes: 0, bytes: 0 };
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            w.nodes += 1;
            match &n.kind {
                NodeKind::String(s) => w.bytes += s.len(),
                NodeKind::Sequence(items) => stack.extend(items),
                NodeKind::Mapping(entries) => {
                    for e in entries {
                        w.bytes += e.key.len();
                        stack.push(&e.value);
                    }
                }
                _ => {}
            }
        }
        w
    }
}

struct Builder<'l> {
    limits: &'l ParseLimits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, Weight)>,
    alias_nodes: usize,
    alias_bytes: usize,
    root: Option<Node>,
    duplicate_keys: Vec<DuplicateKey>,
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn position(m: &Marker) -> Position {
    Position::new(to_u32(m.line()), to_u32(m.col() + 1))
}

fn span(s: &YSpan) -> Span {
    Span::new(position(&s.start), position(&s.end))
}

impl<'l> Builder<'l> {
    fn new(limits: &'l ParseLimits) -> Self {
        Builder {
            limits,
            stack: Vec::new(),
            anchors: HashMap::new(),
            alias_nodes: 0,
            alias_bytes: 0,
            root: None,
            duplicate_keys: Vec::new(),
        }
    }

    fn run(mut self, text: &str) -> Result<ParsedText, SyntaxError> {
        let mut parser = Parser::new_from_str(text);
        let mut documents = 0usize;
        while let Some(event) = parser.next_event() {
            let (event, ys) = event.map_err(|e| SyntaxError {
                message: match e.info() {
                    // The scanner's own bound on flow nesting, said the way ours is.
                    "recursion limit exceeded" => "the document nests too deeply".to_owned(),
                    info => info.to_owned(),
                },
                position: position(e.marker()),
            })?;
            let sp = span(&ys);
            match event {
                Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => {}
                Event::DocumentStart(_) => {
                    documents += 1;
                    if documents > 1 {
                        return Err(SyntaxError {
                            message: "the file holds more than one YAML document (`---`); \
                                      an Arazzo or API description is a single document"
                                .into(),
                            position: sp.start,
                        });
                    }
                }
                Event::Alias(id) => {
                    let (node, weight) = self.anchors.get(&id).ok_or_else(|| SyntaxError {
                        message: "alias to an unknown anchor".into(),
                        position: sp.start,
                    })?;
                    self.alias_nodes += weight.nodes;
                    self.alias_bytes += weight.bytes;
                    if self.alias_nodes > self.limits.max_alias_nodes
                        || self.alias_bytes > self.limits.max_alias_bytes
                    {
                        return Err(SyntaxError {
                            message: format!(
                                "YAML aliases expand to more than {} nodes or {} of text; \
                                 this looks like an alias bomb",
                                self.limits.max_alias_nodes,
                                crate::human_bytes(self.limits.max_alias_bytes as u64)
                            ),
                            position: sp.start,
                        });
                    }
                    // The copy points at the alias, so messages about it land where it is used.
                    let mut copy = node.clone();
                    copy.span = sp;
                    self.complete(copy, 0, false)?;
                }
                Event::Scalar(value, style, anchor, tag) => {
                    let kind = resolve_scalar(value, style, tag.as_deref());
                    let plain = style == ScalarStyle::Plain;
                    self.complete(Node { span: sp, kind }, anchor, plain)?;
                }
                Event::SequenceStart(anchor, _) => {
                    self.open(sp.start)?;
                    self.stack.push(Frame::Sequence {
                        start: sp.start,
                        anchor,
                        items: Vec::new(),
                    });
                }
                Event::MappingStart(anchor, _) => {
                    self.open(sp.start)?;
                    self.stack.push(Frame::Mapping {
                        start: sp.start,
                        anchor,
                        entries: Vec::new(),
                        seen: HashMap::new(),
                        key: None,
                    });
                }
                Event::SequenceEnd => match self.stack.pop() {
                    Some(Frame::Sequence {
                        start,
                        anchor,
                        items,
                    }) => {
                        let node = Node {
                            span: Span::new(start, sp.end),
                            kind: NodeKind::Sequence(items),
                        };
                        self.complete(node, anchor, false)?;
                    }
                    _ => return Err(unbalanced(sp.start)),
                },
                Event::MappingEnd => match self.stack.pop() {
                    Some(Frame::Mapping {
                        start,
                        anchor,
                        entries,
                        ..
                    }) => {
                        let entries = self.merge_keys(entries);
                        let node = Node {
                            span: Span::new(start, sp.end),
                            kind: NodeKind::Mapping(entries),
                        };
                        self.complete(node, anchor, false)?;
                    }
                    _ => return Err(unbalanced(sp.start)),
                },
            }
        }
        let root = self.root.unwrap_or(Node {
            span: Span::point(Position::new(1, 1)),
            kind: NodeKind::Null,
        });
        Ok(ParsedText {
            root,
            duplicate_keys: self.duplicate_keys,
        })
    }

    fn open(&self, at: Position) -> Result<(), SyntaxError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(SyntaxError {
                message: format!(
                    "the document nests deeper than {} levels",
                    self.limits.max_depth
                ),
                position: at,
            });
        }
        Ok(())
    }

    /// Hands a finished node to its parent (or makes it the root).
    fn complete(&mut self, node: Node, anchor: usize, plain: bool) -> Result<(), SyntaxError> {
        if anchor != 0 {
            let weight = Weight::of(&node);
            self.anchors.insert(anchor, (node.clone(), weight));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Sequence { items, .. }) => items.push(node),
            Some(Frame::Mapping {
                entries, seen, key, ..
            }) => match key.take() {
                None => {
                    let text = match node.kind {
                        NodeKind::String(s) => s,
                        NodeKind::Null => "null".to_owned(),
                        NodeKind::Bool(b) => b.to_string(),
                        NodeKind::Number(n) => n.to_string(),
                        NodeKind::Sequence(_) | NodeKind::Mapping(_) => {
                            return Err(SyntaxError {
                                message: "a mapping key must be a string, \
                                          not a sequence or a mapping"
                                    .into(),
                                position: node.span.start,
                            });
                        }
                    };
                    *key = Some((text, node.span, plain));
                }
                Some((k, key_span, plain_key)) => {
                    match seen.get(&k) {
                        Some(first) => self.duplicate_keys.push(DuplicateKey {
                            key: k.clone(),
                            first: *first,
                            again: key_span,
                        }),
                        None => {
                            seen.insert(k.clone(), key_span);
                        }
                    }
                    // A plain `<<` key is a YAML merge key, expanded when the mapping closes.
                    let k = if plain_key && k == "<<" {
                        MERGE_KEY.to_owned()
                    } else {
                        k
                    };
                    entries.push(Entry {
                        key: k,
                        key_span,
                        value: node,
                    });
                }
            },
        }
        Ok(())
    }

    /// Expands YAML merge keys (`<<: *base`): merged entries never override explicit ones.
    fn merge_keys(&mut self, entries: Vec<Entry>) -> Vec<Entry> {
        if !entries.iter().any(|e| e.key == MERGE_KEY) {
            return entries;
        }
        let (merges, mut own): (Vec<Entry>, Vec<Entry>) =
            entries.into_iter().partition(|e| e.key == MERGE_KEY);
        for merge in merges {
            let sources = match merge.value.kind {
                NodeKind::Mapping(m) => vec![m],
                NodeKind::Sequence(items) => items
                    .into_iter()
                    .filter_map(|n| match n.kind {
                        NodeKind::Mapping(m) => Some(m),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for source in sources {
                for entry in source {
                    if !own.iter().any(|e| e.key == entry.key) {
                        own.push(entry);
                    }
                }
            }
        }
        own
    }
}

/// A key no YAML document can spell, standing for `<<` until merges are expanded.
const MERGE_KEY: &str = "\u{0}<<";

fn unbalanced(at: Position) -> SyntaxError {
    SyntaxError {
        message: "unbalanced sequence or mapping".into(),
        position: at,
    }
}

/// Resolves a scalar by the YAML 1.2 core schema (plain scalars) or its explicit core tag.
fn resolve_scalar(value: Cow<'_, str>, style: ScalarStyle, tag: Option<&Tag>) -> NodeKind {
    if let Some(tag) = tag.filter(|t| t.is_yaml_core_schema() || t.handle == "!!") {
        return match tag.suffix.as_str() {
            "str" | "binary" | "timestamp" => NodeKind::String(value.into_owned()),
            "null" => NodeKind::Null,
            "bool" | "int" | "float" => resolve_plain(value),
            _ => resolve_plain(value),
        };
    }
    match style {
        ScalarStyle::Plain => resolve_plain(value),
        _ => NodeKind::String(value.into_owned()),
    }
}

fn resolve_plain(value: Cow<'_, str>) -> NodeKind {
    match value.as_ref() {
        "" | "~" | "null" | "Null" | "NULL" => return NodeKind::Null,
        "true" | "True" | "TRUE" => return NodeKind::Bool(true),
        "false" | "False" | "FALSE" => return NodeKind::Bool(false),
        _ => {}
    }
    if let Some(n) = parse_number(&value) {
        return NodeKind::Number(n);
    }
    NodeKind::String(value.into_owned())
}

fn parse_number(s: &str) -> Option<serde_json::Number> {
    let first = s.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    if let Some(hex) = s.strip_prefix("0x") {
        return u64::from_str_radix(hex, 16).ok().map(Into::into);
    }
    if let Some(oct) = s.strip_prefix("0o") {
        return u64::from_str_radix(oct, 8).ok().map(Into::into);
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(i) = s.parse::<i64>() {
            return Some(i.into());
        }
        if let Ok(u) = s.trim_start_matches('+').parse::<u64>() {
            return Some(u.into());
        }
    }
    if is_yaml_float(digits) {
        return s
            .trim_start_matches('+')
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64);
    }
    None
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, the core schema's finite floats.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exp = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}
