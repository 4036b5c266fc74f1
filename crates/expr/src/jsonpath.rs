//! JSONPath conditions: RFC 9535 queries, and the non-RFC comparison shape much of the real
//! catalog writes (`$.Status == 'CREATED'`), translated into an equivalent RFC 9535 query.
//!
//! The translation wraps the comparison in a filter over the root with absolute queries,
//! `$[?$.Status == 'CREATED']`, which selects something exactly when the comparison holds (a
//! root that has the compared member has at least one child to select). `.length` at the end
//! of a path becomes `length(...)`, and Jayway's `x empty true|false` becomes a length test.

use serde_json_path::JsonPath;

use crate::ExprError;

/// A compiled JSONPath condition.
#[derive(Clone, Debug)]
pub struct JsonPathCondition {
    query: JsonPath,
    /// For a translated comparison: the same test over `[value]` with the root at `$[0]`, for
    /// values the direct query cannot see (scalars, empty objects and arrays).
    wrapped: Option<JsonPath>,
    /// Whether the query is a single filter on the root (`$[?count(@.pets) > 0]`): on an
    /// object root it also tests the root itself (see [`JsonPathCondition::is_match`]).
    filters_root: bool,
    /// The RFC 9535 text of `query`.
    pub rfc9535: String,
    /// Whether the condition was written in the non-RFC comparison shape and translated.
    pub translated: bool,
}

impl JsonPathCondition {
    /// Compiles a condition: as RFC 9535 if it is one, else through the comparison shape.
    ///
    /// ```
    /// use telaio_expr::JsonPathCondition;
    /// let c = JsonPathCondition::compile("$.Status == 'CREATED'").unwrap();
    /// assert!(c.translated);
    /// assert_eq!(c.rfc9535, "$[?$.Status == 'CREATED']");
    /// assert!(c.is_match(&serde_json::json!({"Status": "CREATED"})));
    /// assert!(!c.is_match(&serde_json::json!({"Status": "FAILED"})));
    /// let rfc = JsonPathCondition::compile("$.pets[*]").unwrap();
    /// assert!(!rfc.translated);
    /// ```
    pub fn compile(condition: &str) -> Result<JsonPathCondition, ExprError> {
        crate::limits::check(
            condition,
            crate::limits::Language::JsonPath,
            crate::limits::MAX_JSONPATH_NESTING,
        )?;
        match JsonPath::parse(condition) {
            Ok(query) => Ok(JsonPathCondition {
                query,
                wrapped: None,
                filters_root: single_root_filter(condition),
                rfc9535: condition.to_owned(),
                translated: false,
            }),
            Err(rfc_error) => {
                let translated = translate(condition).and_then(|t| {
                    let direct = t.replace(ROOT, "$");
                    let query = JsonPath::parse(&direct).ok()?;
                    let wrapped = JsonPath::parse(&t.replace(ROOT, "$[0]")).ok()?;
                    Some((direct, query, wrapped))
                });
                match translated {
                    Some((rfc9535, query, wrapped)) => Ok(JsonPathCondition {
                        query,
                        wrapped: Some(wrapped),
                        filters_root: false,
                        rfc9535,
                        translated: true,
                    }),
                    None => Err(ExprError::new(
                        format!(
                            "not a valid RFC 9535 JSONPath: {}",
                            first_line(&rfc_error.to_string())
                        ),
                        rfc_error_offset(&rfc_error, condition),
                    )),
                }
            }
        }
    }

    /// Compiles a condition declared as `draft-goessner-dispatch-jsonpath-00`: RFC 9535 where
    /// the two agree, with the Goessner script forms that have an RFC equivalent rewritten
    /// (see [`translate_goessner`]).
    pub fn compile_goessner(condition: &str) -> Result<JsonPathCondition, ExprError> {
        match JsonPathCondition::compile(condition) {
            Ok(c) => Ok(c),
            Err(e) => match translate_goessner(condition) {
                Some(rfc) => JsonPathCondition::compile(&rfc).map(|c| JsonPathCondition {
                    translated: true,
                    ..c
                }),
                None => Err(e),
            },
        }
    }

    /// Whether the query selects at least one node of `value`. For a translated comparison:
    /// whether the comparison holds.
    ///
    /// A single filter on the root, `$[?count(@.pets) > 0]`, on an object root also tests the
    /// root itself: the specification gives exactly this condition on `$response.body` as
    /// "pass if response body contains at least one pet", which RFC 9535 alone reads as a test
    /// of the body's members. The members are still tested as RFC 9535 says (so
    /// `$[?@ == 'CREATED']` still finds a member), and on an array root only the items are.
    ///
    /// ```
    /// use telaio_expr::JsonPathCondition;
    /// let c = JsonPathCondition::compile("$[?count(@.pets) > 0]").unwrap();
    /// assert!(c.is_match(&serde_json::json!({"pets": [{"id": 1}]})));
    /// assert!(!c.is_match(&serde_json::json!({"cats": [{"id": 2}]})));
    /// let member = JsonPathCondition::compile("$[?@ == 'CREATED']").unwrap();
    /// assert!(member.is_match(&serde_json::json!({"Status": "CREATED"})));
    /// assert!(c.is_match(&serde_json::json!([{"pets": [1]}, {"pets": []}])));
    /// ```
    pub fn is_match(&self, value: &serde_json::Value) -> bool {
        use serde_json::Value;
        if self.filters_root
            && value.is_object()
            && !self
                .query
                .query(&Value::Array(vec![value.clone()]))
                .is_empty()
        {
            return true;
        }
        let has_children = match value {
            Value::Object(o) => !o.is_empty(),
            Value::Array(a) => !a.is_empty(),
            _ => false,
        };
        match &self.wrapped {
            // `$[?test]` selects the root's children when the test holds: it needs children.
            Some(wrapped) if !has_children => {
                !wrapped.query(&Value::Array(vec![value.clone()])).is_empty()
            }
            _ => !self.query.query(value).is_empty(),
        }
    }

    /// The compiled query.
    pub fn query(&self) -> &JsonPath {
        &self.query
    }
}

/// Whether a query is one filter selector on the root and nothing more: `$[?…]`.
fn single_root_filter(query: &str) -> bool {
    let Some(rest) = query.trim().strip_prefix("$[?") else {
        return false;
    };
    let mut depth = 1usize;
    let mut quote: Option<char> = None;
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => {
                depth -= 1;
                if depth == 0 {
                    return rest[i + 1..].trim().is_empty();
                }
            }
            _ => {}
        }
    }
    false
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

fn rfc_error_offset(e: &serde_json_path::ParseError, text: &str) -> usize {
    e.position().min(text.chars().count())
}

/// Translates the comparison shape into RFC 9535, or `None` when the text is not of that shape.
///
/// ```
/// use telaio_expr::translate_comparison;
/// assert_eq!(
///     translate_comparison(r#"$.status == "a" || $.items.length > 0"#).as_deref(),
///     Some("$[?$.status == 'a' || length($.items) > 0]")
/// );
/// assert_eq!(translate_comparison("$.a[0] empty false").as_deref(), Some("$[?length($.a[0]) > 0]"));
/// assert_eq!(translate_comparison("$.pets[*]"), None);
/// ```
pub fn translate_comparison(condition: &str) -> Option<String> {
    translate(condition).map(|t| t.replace(ROOT, "$"))
}

/// The comparison shape in RFC 9535, with [`ROOT`] standing for the root.
fn translate(condition: &str) -> Option<String> {
    let mut t = Translator {
        text: condition,
        pos: 0,
        out: String::from("$[?"),
        compared: false,
        depth: 0,
    };
    t.or()?;
    t.skip_ws();
    // A bare path is RFC 9535 already (or broken in another way): not our shape.
    (t.pos == condition.len() && t.compared).then(|| {
        t.out.push(']');
        t.out
    })
}

/// Stands for the root in a translation: `$` for the direct query, `$[0]` for the query over
/// the value wrapped in an array.
const ROOT: &str = "\u{1}";

/// A member segment: `.name` when RFC 9535 shorthand allows, else `['name']`.
fn member(name: &str) -> String {
    let shorthand = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if shorthand {
        format!(".{name}")
    } else {
        format!("['{}']", name.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

struct Translator<'t> {
    text: &'t str,
    pos: usize,
    out: String,
    compared: bool,
    depth: usize,
}

impl<'t> Translator<'t> {
    fn rest(&self) -> &'t str {
        &self.text[self.pos..]
    }

    fn skip_ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.text.len() - trimmed.len();
    }

    fn eat(&mut self, s: &str) -> bool {
        self.skip_ws();
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Option<()> {
        self.and()?;
        while self.eat("||") {
            self.out.push_str(" || ");
            self.and()?;
        }
        Some(())
    }

    fn and(&mut self) -> Option<()> {
        self.unary()?;
        while self.eat("&&") {
            self.out.push_str(" && ");
            self.unary()?;
        }
        Some(())
    }

    fn unary(&mut self) -> Option<()> {
        self.depth += 1;
        if self.depth > crate::limits::MAX_JSONPATH_NESTING {
            return None;
        }
        let r = if self.eat("(") {
            self.out.push('(');
            self.or()?;
            self.eat(")").then(|| self.out.push(')'))
        } else if self.rest().starts_with('!') && !self.rest().starts_with("!=") {
            self.pos += 1;
            self.out.push('!');
            self.unary()
        } else {
            self.comparison()
        };
        self.depth -= 1;
        r
    }

    fn comparison(&mut self) -> Option<()> {
        let left = self.operand()?;
        self.skip_ws();
        if let Some(rest) = self.rest().strip_prefix("empty") {
            let rest = rest.trim_start();
            let (negated, len) = if rest.starts_with("true") {
                (false, 4)
            } else if rest.starts_with("false") {
                (true, 5)
            } else {
                return None;
            };
            let path = left.starts_with(ROOT).then(|| left.clone())?;
            self.pos = self.text.len() - rest.len() + len;
            let test = if negated { "> 0" } else { "== 0" };
            self.out.push_str(&format!("length({path}) {test}"));
            self.compared = true;
            return Some(());
        }
        let op = ["==", "!=", "<=", ">=", "<", ">"]
            .into_iter()
            .find(|op| self.rest().starts_with(op))?;
        self.pos += op.len();
        let right = self.operand()?;
        self.out.push_str(&format!("{left} {op} {right}"));
        self.compared = true;
        Some(())
    }

    /// A singular path (with optional trailing `.length`) or a literal, in RFC 9535 spelling.
    fn operand(&mut self) -> Option<String> {
        self.skip_ws();
        let c = self.rest().chars().next()?;
        match c {
            '$' | '@' => {
                // Rebuilt segment by segment, so names RFC 9535 shorthand cannot spell
                // (`x-id`) come out in brackets, and `@` (which authors use for the root
                // here) becomes the root marker.
                self.pos += 1;
                let mut segments: Vec<String> = Vec::new();
                let mut length = false;
                loop {
                    let rest = self.rest();
                    if let Some(after) = rest.strip_prefix('.') {
                        let name_len = after
                            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                            .unwrap_or(after.len());
                        if name_len == 0 || length {
                            return None;
                        }
                        let name = &after[..name_len];
                        self.pos += 1 + name_len;
                        let ends = !self.rest().starts_with(['.', '[']);
                        if name == "length" && ends {
                            length = true;
                        } else {
                            segments.push(member(name));
                        }
                    } else if rest.starts_with('[') {
                        let close = rest.find(']')?;
                        let inner = rest[1..close].trim();
                        if inner.parse::<i64>().is_ok() {
                            segments.push(format!("[{inner}]"));
                        } else if inner.len() >= 2
                            && (inner.starts_with('\'') || inner.starts_with('"'))
                            && inner.ends_with(&inner[..1])
                        {
                            segments.push(member(&inner[1..inner.len() - 1]));
                        } else {
                            return None;
                        }
                        self.pos += close + 1;
                    } else {
                        break;
                    }
                }
                let path = format!("{ROOT}{}", segments.concat());
                Some(if length {
                    format!("length({path})")
                } else {
                    path
                })
            }
            '\'' | '"' => {
                let rest = &self.rest()[1..];
                let end = rest.find(c)?;
                let s = &rest[..end];
                self.pos += end + 2;
                Some(format!(
                    "'{}'",
                    s.replace('\\', "\\\\").replace('\'', "\\'")
                ))
            }
            _ => {
                let word = self
                    .rest()
                    .split(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c)))
                    .next()?;
                let ok = matches!(word, "true" | "false" | "null")
                    || word.parse::<f64>().is_ok_and(f64::is_finite);
                if !ok {
                    return None;
                }
                self.pos += word.len();
                Some(word.to_owned())
            }
        }
    }
}

/// Rewrites the Goessner draft's script expressions that have an RFC 9535 equivalent:
/// `[(@.length-1)]` becomes `[-1]`, and `@.x.length` becomes `length(@.x)`. Other script
/// expressions (arbitrary JavaScript) have none; `None` then.
///
/// ```
/// use telaio_expr::translate_goessner;
/// assert_eq!(translate_goessner("$.book[(@.length-1)]").as_deref(), Some("$.book[-1]"));
/// assert_eq!(translate_goessner("$.a[?(@.tags.length > 0)]").as_deref(), Some("$.a[?(length(@.tags) > 0)]"));
/// assert_eq!(translate_goessner("$.a[(@.x * 2)]"), None);
/// ```
pub fn translate_goessner(query: &str) -> Option<String> {
    use std::sync::LazyLock;
    static LAST: LazyLock<fancy_regex::Regex> = LazyLock::new(|| {
        fancy_regex::Regex::new(r"\[\(\s*@\.length\s*-\s*(\d+)\s*\)\]").expect("valid")
    });
    static LENGTH: LazyLock<fancy_regex::Regex> = LazyLock::new(|| {
        fancy_regex::Regex::new(r"@((?:\.[A-Za-z_][A-Za-z0-9_-]*)*)\.length\b").expect("valid")
    });
    let out = LAST.replace_all(query, "[-$1]");
    let out = LENGTH.replace_all(&out, "length(@$1)").into_owned();
    (out != query).then_some(out)
}
