//! XPath conditions, compiled with xee-xpath (XPath 3.1, the spec's default version).
//!
//! `xpath-10`, `xpath-20` and `xpath-30` conditions are compiled as XPath 3.1, which accepts
//! almost all of them (docs/spec-readings.md says more). Conditions are bounded in length and
//! nesting first (see `limits`): the parser's time grows exponentially with nesting.
//!
//! Evaluating cannot be bounded from inside: XPath 3.1 is a programming language
//! (`count(for $i in 1 to 20000000 return $i)` takes seconds and gigabytes), and xee offers
//! no way to stop an evaluation. So every evaluation is an [`XPathJob`], which a program may
//! hand to an [`XPathRunner`] of its own ([`set_xpath_runner`]): the `telaio` command runs
//! each one in a child process with bounded memory and time. Without one, jobs run here.

use std::borrow::Cow;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::ExprError;

/// One XPath evaluation on an XML text, as it can be handed to another process. It borrows
/// its text when it runs here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "job")]
pub enum XPathJob<'a> {
    /// The effective boolean value of `query` ([`XPathCondition::evaluate`]).
    Evaluate {
        /// The XPath.
        query: Cow<'a, str>,
        /// The XML text.
        xml: Cow<'a, str>,
    },
    /// The string value of what `query` selects ([`XPathCondition::select`]).
    Select {
        /// The XPath.
        query: Cow<'a, str>,
        /// The XML text.
        xml: Cow<'a, str>,
    },
    /// The XML with what `query` selects set to `value` ([`replace_xml`]).
    Replace {
        /// The XPath.
        query: Cow<'a, str>,
        /// The XML text.
        xml: Cow<'a, str>,
        /// The new value.
        value: Cow<'a, str>,
    },
}

/// What an [`XPathJob`] gives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "answer", content = "value")]
pub enum XPathAnswer {
    /// Of [`XPathJob::Evaluate`].
    Bool(bool),
    /// Of [`XPathJob::Select`]: `None` when it selects nothing.
    Text(Option<String>),
    /// Of [`XPathJob::Replace`].
    Xml(String),
}

impl XPathJob<'_> {
    /// Runs the job in this thread, however long and however much memory it takes: what an
    /// [`XPathRunner`]'s sandbox calls.
    ///
    /// ```
    /// use telaio_expr::{XPathAnswer, XPathJob};
    /// let job = XPathJob::Evaluate { query: "/a/b = 1".into(), xml: "<a><b>1</b></a>".into() };
    /// assert_eq!(job.run_here(), Ok(XPathAnswer::Bool(true)));
    /// ```
    pub fn run_here(&self) -> Result<XPathAnswer, String> {
        match self {
            XPathJob::Evaluate { query, xml } => {
                cached(query)?.evaluate(xml).map(XPathAnswer::Bool)
            }
            XPathJob::Select { query, xml } => cached(query)?.select(xml).map(XPathAnswer::Text),
            XPathJob::Replace { query, xml, value } => {
                replace_here(xml, query, value).map(XPathAnswer::Xml)
            }
        }
    }
}

/// Runs [`XPathJob`]s somewhere they can be bounded (see the module documentation).
pub trait XPathRunner: Send + Sync {
    /// The job's answer, or why there is none (its own error, or the bound it broke).
    fn run(&self, job: &XPathJob<'_>) -> Result<XPathAnswer, String>;
}

static RUNNER: OnceLock<Box<dyn XPathRunner>> = OnceLock::new();

/// Makes `runner` run every XPath evaluation of this process from now on; once per process
/// (a second call is refused and returns `false`).
pub fn set_xpath_runner(runner: Box<dyn XPathRunner>) -> bool {
    RUNNER.set(runner).is_ok()
}

/// Runs a job through the process's runner, or here.
fn run(job: &XPathJob<'_>) -> Result<XPathAnswer, String> {
    match RUNNER.get() {
        Some(runner) => runner.run(job),
        None => job.run_here(),
    }
}

fn unexpected(answer: &XPathAnswer) -> String {
    format!("the XPath runner gave an answer of the wrong kind ({answer:?})")
}

/// A compiled XPath condition.
pub struct XPathCondition {
    query: xee_xpath::query::SequenceQuery,
}

impl std::fmt::Debug for XPathCondition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XPathCondition").finish_non_exhaustive()
    }
}

impl XPathCondition {
    /// Compiles an XPath condition.
    ///
    /// ```
    /// use telaio_expr::XPathCondition;
    /// assert!(XPathCondition::compile("count(/root/pets/*) > 0").is_ok());
    /// let err = XPathCondition::compile("/root/items[price >").unwrap_err();
    /// assert!(err.message.starts_with("invalid XPath"), "{err}");
    /// ```
    pub fn compile(condition: &str) -> Result<XPathCondition, ExprError> {
        crate::limits::check(
            condition,
            crate::limits::Language::XPath,
            crate::limits::MAX_XPATH_NESTING,
        )?;
        let queries = xee_xpath::Queries::default();
        match queries.sequence(condition) {
            Ok(query) => Ok(XPathCondition { query }),
            Err(e) => {
                let offset = e.span.map_or(0, |s| {
                    condition
                        .get(..s.range().start)
                        .map_or(0, |p| p.chars().count())
                });
                let code = e.error.code();
                let detail = match code.as_str() {
                    "XPST0003" => "syntax error".to_owned(),
                    "XPST0081" => "unknown namespace prefix (Arazzo cannot declare namespaces; match by local name, e.g. `*[local-name()='Envelope']`)".to_owned(),
                    "XPST0017" => "unknown function, or a function called with the wrong number of arguments".to_owned(),
                    "XPST0008" => "unknown variable or name".to_owned(),
                    _ => e.error.message().to_owned(),
                };
                Err(ExprError::new(
                    format!("invalid XPath: {detail} ({code})"),
                    offset,
                ))
            }
        }
    }
}

thread_local! {
    /// Compiled XPath queries by text: xee's queries are not `Send`, so each thread keeps its
    /// own, and a polling loop compiles a query once.
    static CACHE: std::cell::RefCell<std::collections::HashMap<String, std::rc::Rc<XPathCondition>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// How many compiled queries a thread keeps.
const CACHE_SIZE: usize = 64;

pub(crate) fn cached(query: &str) -> Result<std::rc::Rc<XPathCondition>, String> {
    CACHE.with(|cache| {
        if let Some(c) = cache.borrow().get(query) {
            return Ok(c.clone());
        }
        let compiled = std::rc::Rc::new(XPathCondition::compile(query).map_err(|e| e.message)?);
        let mut cache = cache.borrow_mut();
        if cache.len() >= CACHE_SIZE {
            // Drop one entry, not all: more criteria than slots still mostly hit.
            if let Some(k) = cache.keys().next().cloned() {
                cache.remove(&k);
            }
        }
        cache.insert(query.to_owned(), compiled.clone());
        Ok(compiled)
    })
}

/// Evaluates an XPath condition on an XML text: its effective boolean value (a non-empty
/// node sequence, `true`, a non-zero number, a non-empty string).
pub(crate) fn evaluate_cached(query: &str, xml: &str) -> Result<bool, String> {
    let job = XPathJob::Evaluate {
        query: Cow::Borrowed(query),
        xml: Cow::Borrowed(xml),
    };
    match run(&job)? {
        XPathAnswer::Bool(b) => Ok(b),
        other => Err(unexpected(&other)),
    }
}

/// Selects with an XPath on an XML text: the string value of the result (items joined by
/// spaces), or `None` for an empty result.
pub(crate) fn select_cached(query: &str, xml: &str) -> Result<Option<String>, String> {
    let job = XPathJob::Select {
        query: Cow::Borrowed(query),
        xml: Cow::Borrowed(xml),
    };
    match run(&job)? {
        XPathAnswer::Text(t) => Ok(t),
        other => Err(unexpected(&other)),
    }
}

/// Sets what an XPath selects in an XML text to `value`: an element's content (its
/// children replaced by the text), an attribute's value, or a text node. The XML payload
/// replacement of a request body.
///
/// ```
/// use telaio_expr::replace_xml;
/// let xml = r#"<order id="0"><pet>?</pet><note>keep</note></order>"#;
/// let once = replace_xml(xml, "/order/pet", "Rex & co").unwrap();
/// let twice = replace_xml(&once, "/order/@id", "42").unwrap();
/// assert_eq!(twice, r#"<order id="42"><pet>Rex &amp; co</pet><note>keep</note></order>"#);
/// assert!(replace_xml(xml, "/order/nothing", "x").is_err());
/// ```
pub fn replace_xml(xml: &str, xpath: &str, value: &str) -> Result<String, String> {
    let job = XPathJob::Replace {
        query: Cow::Borrowed(xpath),
        xml: Cow::Borrowed(xml),
        value: Cow::Borrowed(value),
    };
    match run(&job)? {
        XPathAnswer::Xml(x) => Ok(x),
        other => Err(unexpected(&other)),
    }
}

fn replace_here(xml: &str, xpath: &str, value: &str) -> Result<String, String> {
    let condition = cached(xpath)?;
    let (sequence, mut documents, doc) = condition.run(xml)?;
    if sequence.is_empty() {
        return Err(format!("`{xpath}` selects nothing in the payload"));
    }
    let nodes: Vec<_> = sequence
        .iter()
        .filter_map(|item| match item {
            xee_xpath::Item::Node(node) => Some(node),
            _ => None,
        })
        .collect();
    if nodes.is_empty() {
        return Err(format!("`{xpath}` selects a value, not a node to replace"));
    }
    let xot = documents.xot_mut();
    for node in nodes {
        if let Some(attribute) = xot.attribute_node_mut(node) {
            attribute.set_value(value);
        } else if let Some(text) = xot.text_mut(node) {
            text.set(value);
        } else if xot.is_element(node) {
            let children: Vec<_> = xot.children(node).collect();
            for child in children {
                xot.remove(child).map_err(|e| e.to_string())?;
            }
            let text = xot.new_text(value);
            xot.append(node, text).map_err(|e| e.to_string())?;
        } else {
            return Err(format!("`{xpath}` selects a node that holds no value"));
        }
    }
    let root = documents
        .document_node(doc)
        .ok_or_else(|| "the payload document went missing".to_owned())?;
    documents
        .xot()
        .to_string(root)
        .map_err(|e| format!("the payload cannot be written back: {e}"))
}

impl XPathCondition {
    fn run(
        &self,
        xml: &str,
    ) -> Result<
        (
            xee_xpath::Sequence,
            xee_xpath::Documents,
            xee_xpath::DocumentHandle,
        ),
        String,
    > {
        use xee_xpath::Query;
        let mut documents = xee_xpath::Documents::new();
        let doc = documents
            .add_string_without_uri(xml)
            .map_err(|e| format!("the context is not well-formed XML: {e}"))?;
        let sequence = self.query.execute(&mut documents, doc).map_err(|e| {
            format!(
                "the XPath failed: {} ({})",
                e.error.message(),
                e.error.code()
            )
        })?;
        Ok((sequence, documents, doc))
    }

    /// The condition's effective boolean value on an XML text.
    ///
    /// ```
    /// use telaio_expr::XPathCondition;
    /// let c = XPathCondition::compile("/Envelope/Status[text()='OK']").unwrap();
    /// assert_eq!(c.evaluate("<Envelope><Status>OK</Status></Envelope>"), Ok(true));
    /// assert_eq!(c.evaluate("<Envelope><Status>NO</Status></Envelope>"), Ok(false));
    /// assert!(c.evaluate("not xml").is_err());
    /// ```
    pub fn evaluate(&self, xml: &str) -> Result<bool, String> {
        let (sequence, _, _) = self.run(xml)?;
        sequence
            .effective_boolean_value()
            .map_err(|e| format!("the XPath result has no boolean value: {}", e.message()))
    }

    /// The string value of what the expression selects, `None` when it selects nothing.
    pub fn select(&self, xml: &str) -> Result<Option<String>, String> {
        let (sequence, documents, _) = self.run(xml)?;
        if sequence.is_empty() {
            return Ok(None);
        }
        let parts: Result<Vec<String>, _> = sequence
            .iter()
            .map(|item| item.string_value(documents.xot()))
            .collect();
        parts
            .map(|p| Some(p.join(" ")))
            .map_err(|e| format!("the XPath result has no string value: {}", e.message()))
    }
}
