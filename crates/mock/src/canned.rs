//! The stateless answer to an operation: its first success response, with the example its
//! description marks (`x-microcks-default`) or its first, else a value generated from the
//! schema. OpenAPI 3 and Swagger 2.0.

use serde_json::Value;

use crate::generate::from_schema;

/// An answer read from a description.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Canned {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Option<Value>,
}

/// The canned answer of the operation at `pointer` in `doc`.
pub(crate) fn canned(doc: &Value, pointer: &str) -> Canned {
    let deref = |v: &Value| resolve(v, doc);
    let responses = doc
        .pointer(pointer)
        .and_then(|op| op.get("responses"))
        .and_then(Value::as_object);
    // The first 2xx in the document's order, else `default`.
    let chosen = responses.and_then(|r| {
        r.iter()
            .find(|(code, _)| code.starts_with('2'))
            .or_else(|| r.iter().find(|(code, _)| *code == "default"))
    });
    let Some((code, response)) = chosen else {
        return Canned {
            status: 200,
            content_type: None,
            body: None,
        };
    };
    let status = code.parse().unwrap_or(200);
    let response = deref(response);
    // OpenAPI 3: `content` by media type, JSON ones first.
    if let Some(content) = response.get("content").and_then(Value::as_object) {
        let (media, body) = content
            .iter()
            .find(|(m, _)| telaio_plan::is_json(m))
            .or_else(|| content.iter().next())
            .map(|(m, b)| (m.clone(), deref(b)))
            .unzip();
        return Canned {
            status,
            content_type: media,
            body: body.and_then(|b| example(&b, doc)),
        };
    }
    // Swagger 2.0: `examples` by media type, or a `schema`.
    let example = response
        .get("examples")
        .and_then(Value::as_object)
        .and_then(|e| e.values().next().cloned())
        .or_else(|| response.get("schema").map(|s| from_schema(s, doc)));
    Canned {
        status,
        content_type: example.as_ref().map(|_| "application/json".to_owned()),
        body: example,
    }
}

/// The example of a media type object: the marked one, the first, `example`, or generated.
fn example(media: &Value, doc: &Value) -> Option<Value> {
    if let Some(examples) = media.get("examples").and_then(Value::as_object) {
        let marked = examples
            .values()
            .map(|e| resolve(e, doc))
            .find(|e| e.get("x-microcks-default").and_then(Value::as_bool) == Some(true));
        let chosen = marked.or_else(|| examples.values().next().map(|e| resolve(e, doc)));
        if let Some(value) = chosen.and_then(|e| e.get("value").cloned()) {
            return Some(value);
        }
    }
    if let Some(example) = media.get("example") {
        return Some(example.clone());
    }
    media.get("schema").map(|s| from_schema(s, doc))
}

/// Follows local `$ref`s (a few levels; a cycle gives up and keeps the reference).
fn resolve(v: &Value, doc: &Value) -> Value {
    let mut v = v;
    for _ in 0..16 {
        match v
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| doc.pointer(p))
        {
            Some(target) => v = target,
            None => break,
        }
    }
    v.clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_marked_example_wins_then_the_first_then_the_schema() {
        let doc = json!({"paths": {
            "/a": {"post": {"responses": {"400": {"description": "no"}, "201": {"$ref": "#/components/responses/Made"}}}},
            "/b": {"get": {"responses": {"200": {"content": {"application/json": {"examples": {
                "first": {"value": {"n": 1}},
                "marked": {"x-microcks-default": true, "value": {"n": 2}}}}}}}}},
            "/c": {"get": {"responses": {"default": {"content": {"application/xml": {"schema": {"type": "string"}}}}}}},
            "/d": {"get": {"responses": {"200": {"schema": {"type": "integer"}}}}}
        }, "components": {"responses": {"Made": {"content": {"application/x-amz-json-1.1": {"example": {"Id": "x"}}}}}}});
        let a = canned(&doc, "/paths/~1a/post");
        assert_eq!((a.status, a.body), (201, Some(json!({"Id": "x"}))));
        assert_eq!(
            a.content_type.as_deref(),
            Some("application/x-amz-json-1.1")
        );
        assert_eq!(canned(&doc, "/paths/~1b/get").body, Some(json!({"n": 2})));
        let c = canned(&doc, "/paths/~1c/get");
        assert_eq!((c.status, c.body), (200, Some(json!("string"))));
        assert_eq!(canned(&doc, "/paths/~1d/get").body, Some(json!(0)));
    }
}
