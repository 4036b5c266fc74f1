//! Request bodies lowered for the run: the payload compiled, and each replacement's target
//! compiled in the language its `targetSelectorType` or the content type says.

use serde_json::Value;
use telaio_expr::JsonPointer;
use telaio_model::CriterionType;

use crate::ValuePlan;

/// A request body to send.
#[derive(Debug)]
pub struct BodyPlan {
    /// The content type (the operation's first when the step gives none).
    pub content_type: Option<String>,
    /// The payload.
    pub payload: ValuePlan,
    /// Values set inside the payload.
    pub replacements: Vec<(ReplacementTarget, ValuePlan)>,
}

/// Where a payload replacement goes.
#[derive(Debug)]
pub enum ReplacementTarget {
    /// A JSON Pointer into a JSON payload.
    Pointer(JsonPointer),
    /// An XPath into an XML payload (the body's content type is XML).
    XPath(String),
    /// A JSONPath into a JSON payload (1.1 `targetSelectorType: jsonpath`): every node it
    /// selects is set.
    JsonPath(telaio_expr::JsonPathCondition),
}

/// A request body: its payload and replacements compiled.
pub(crate) fn lower(b: &telaio_model::RequestBody) -> Result<BodyPlan, String> {
    let payload = match &b.payload {
        Some(p) => ValuePlan::from_value(p),
        None => Ok(ValuePlan::Literal(Value::Null)),
    }
    .map_err(|e| format!("request body: {}", e.message))?;
    // "A JSON Pointer or XPath Expression": which one, the payload's content type says.
    let xml = b
        .content_type
        .as_deref()
        .is_some_and(|ct| ct.to_ascii_lowercase().contains("xml"));
    let replacements = b
        .replacements
        .iter()
        .map(|r| {
            let text = r.target.as_deref().unwrap_or_default();
            let bad =
                |e: telaio_expr::ExprError| format!("replacement target `{text}`: {}", e.message);
            // 1.1 says which language the target is in; otherwise the content type does.
            let target = match (&r.target_selector_type, xml) {
                (Some(CriterionType::XPath(_)), _) | (None, true) => {
                    telaio_expr::XPathCondition::compile(text).map_err(bad)?;
                    ReplacementTarget::XPath(text.to_owned())
                }
                (Some(CriterionType::JsonPath(_)), _) => ReplacementTarget::JsonPath(
                    telaio_expr::JsonPathCondition::compile(text).map_err(bad)?,
                ),
                (Some(CriterionType::JsonPointer), _) | (None, false) => {
                    ReplacementTarget::Pointer(JsonPointer::parse(text).map_err(bad)?)
                }
                (Some(other), _) => {
                    return Err(format!(
                        "replacement target `{text}`: `{}` is not a selector type",
                        other.name()
                    ));
                }
            };
            let value = ValuePlan::from_valuable(&r.value).map_err(|e| e.message)?;
            Ok((target, value))
        })
        .collect::<Result<_, String>>()?;
    Ok(BodyPlan {
        content_type: b.content_type.clone(),
        payload,
        replacements,
    })
}
