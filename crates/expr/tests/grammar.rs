//! Every production of the runtime expression grammar, the examples of both spec versions,
//! simple conditions, templates and the JSONPath comparison shape.

use telaio_expr::{
    Accessor, CompareOp, Condition, Expression, JsonPathCondition, JsonPointer, Literal, Mode,
    Source, Template, ValueExpression, WorkflowField,
};

fn ptr(s: &str) -> Option<JsonPointer> {
    Some(JsonPointer::parse(s).unwrap())
}

#[test]
fn every_production_parses_and_prints_back() {
    let cases: Vec<(&str, Expression)> = vec![
        ("$url", Expression::Url),
        ("$method", Expression::Method),
        ("$statusCode", Expression::StatusCode),
        ("$self", Expression::SelfUri),
        (
            "$request.header.accept",
            Expression::Request(Source::Header("accept".into())),
        ),
        (
            "$request.query.page[size]",
            Expression::Request(Source::Query("page[size]".into())),
        ),
        (
            "$request.path.id",
            Expression::Request(Source::Path("id".into())),
        ),
        ("$request.body", Expression::Request(Source::Body(None))),
        (
            "$request.body#/user/uuid",
            Expression::Request(Source::Body(ptr("/user/uuid"))),
        ),
        (
            "$response.header.X-Rate-Limit",
            Expression::Response(Source::Header("X-Rate-Limit".into())),
        ),
        (
            "$response.body#/items/0/id",
            Expression::Response(Source::Body(ptr("/items/0/id"))),
        ),
        (
            "$response.body#",
            Expression::Response(Source::Body(ptr(""))),
        ),
        (
            "$message.header.Server",
            Expression::Message(Source::Header("Server".into())),
        ),
        (
            "$message.payload#/status",
            Expression::Message(Source::Payload(ptr("/status"))),
        ),
        (
            "$inputs.username",
            Expression::Inputs {
                name: "username".into(),
                pointer: None,
            },
        ),
        (
            "$inputs.user.name",
            Expression::Inputs {
                name: "user.name".into(),
                pointer: None,
            },
        ),
        (
            "$inputs.user#/address/0",
            Expression::Inputs {
                name: "user".into(),
                pointer: ptr("/address/0"),
            },
        ),
        (
            "$outputs.bar",
            Expression::Outputs {
                name: "bar".into(),
                pointer: None,
            },
        ),
        (
            "$steps.someStepId.outputs.pets",
            Expression::Steps {
                step_id: "someStepId".into(),
                output: Some("pets".into()),
                pointer: None,
            },
        ),
        (
            "$steps.someStepId.outputs.pets#/0/id",
            Expression::Steps {
                step_id: "someStepId".into(),
                output: Some("pets".into()),
                pointer: ptr("/0/id"),
            },
        ),
        (
            "$steps.previous.outputs",
            Expression::Steps {
                step_id: "previous".into(),
                output: None,
                pointer: None,
            },
        ),
        (
            "$workflows.foo.inputs.username",
            Expression::Workflows {
                workflow_id: "foo".into(),
                field: WorkflowField::Inputs,
                name: "username".into(),
                pointer: None,
            },
        ),
        (
            "$workflows.foo.outputs.mappedResponse#/name",
            Expression::Workflows {
                workflow_id: "foo".into(),
                field: WorkflowField::Outputs,
                name: "mappedResponse".into(),
                pointer: ptr("/name"),
            },
        ),
        (
            "$workflows.producer.steps.wait.outputs.userId",
            Expression::Workflows {
                workflow_id: "producer".into(),
                field: WorkflowField::StepOutputs("wait".into()),
                name: "userId".into(),
                pointer: None,
            },
        ),
        (
            "$sourceDescriptions.petstore.getPetById",
            Expression::SourceDescriptions {
                name: "petstore".into(),
                reference: "getPetById".into(),
            },
        ),
        (
            "$sourceDescriptions.petstore.url",
            Expression::SourceDescriptions {
                name: "petstore".into(),
                reference: "url".into(),
            },
        ),
        (
            "$components.parameters.foo",
            Expression::Components {
                kind: "parameters".into(),
                name: "foo".into(),
            },
        ),
        (
            "$components.successActions.bar",
            Expression::Components {
                kind: "successActions".into(),
                name: "bar".into(),
            },
        ),
        (
            "$components.failureActions.baz",
            Expression::Components {
                kind: "failureActions".into(),
                name: "baz".into(),
            },
        ),
    ];
    for (text, expected) in cases {
        let parsed = Expression::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(parsed, expected, "{text}");
        assert_eq!(parsed.to_string(), text, "printing {text}");
    }
}

#[test]
fn readings_beyond_the_abnf() {
    // The spec's own examples use property access after body / payload.
    assert_eq!(
        Expression::parse("$message.payload.userId").unwrap(),
        Expression::Message(Source::Payload(ptr("/userId")))
    );
    assert_eq!(
        Expression::parse("$response.body.items[2].id").unwrap(),
        Expression::Response(Source::Body(ptr("/items/2/id")))
    );
    // Lenient readings of plain intent (the linter warns about each).
    assert_eq!(
        Expression::parse("$response.headers.Location").unwrap(),
        Expression::Response(Source::Header("Location".into()))
    );
    assert_eq!(
        Expression::parse("$steps.a.b").unwrap(),
        Expression::Steps {
            step_id: "a".into(),
            output: Some("b".into()),
            pointer: None
        }
    );
}

#[test]
fn errors_point_at_the_column() {
    let cases = [
        ("$statuscode", 1, "did you mean `$statusCode`?"),
        ("$inputs.", 8, "expected a name after `$inputs.`"),
        ("$steps.a", 8, "expected `.outputs.<name>`"),
        (
            "$response.bdy",
            10,
            "expected `header.`, `query.`, `path.`, `body` or `payload`",
        ),
        ("$response.body#/a~2", 17, "`~` in a JSON Pointer"),
        (
            "$workflows.w.params.x",
            12,
            "expected `.inputs.`, `.outputs.` or `.steps.`",
        ),
        (
            "$components.parameters",
            22,
            "expected `.` after the component type",
        ),
        (
            "$statusCode extra",
            11,
            "unexpected text after the expression",
        ),
        ("statusCode", 0, "a runtime expression starts with `$`"),
    ];
    for (text, offset, message) in cases {
        let e = Expression::parse(text).unwrap_err();
        assert_eq!(e.offset, offset, "{text}: {e}");
        assert!(e.message.contains(message), "{text}: {}", e.message);
    }
}

#[test]
fn header_names_in_conditions_stop_at_operators() {
    let (e, used) =
        Expression::parse_prefix("$response.header.X-Count!=1", Mode::Condition).unwrap();
    assert_eq!(e, Expression::Response(Source::Header("X-Count".into())));
    assert_eq!(used, "$response.header.X-Count".len());
    let (_, used) = Expression::parse_prefix("$inputs.id}", Mode::Embedded).unwrap();
    assert_eq!(used, 10);
}

#[test]
fn json_pointers_follow_rfc_6901() {
    let v = serde_json::json!({"a/b": {"m~n": [10, 20]}, "": 1});
    assert_eq!(
        JsonPointer::parse("/a~1b/m~0n/1").unwrap().select(&v),
        Some(&serde_json::json!(20))
    );
    assert_eq!(
        JsonPointer::parse("/").unwrap().select(&v),
        Some(&serde_json::json!(1))
    );
    assert_eq!(JsonPointer::parse("").unwrap().select(&v), Some(&v));
    assert_eq!(JsonPointer::parse("/a~1b/m~0n/2").unwrap().select(&v), None);
    assert_eq!(JsonPointer::parse("/a~1b/m~0n/-").unwrap().select(&v), None);
    assert!(JsonPointer::parse("a/b").is_err());
}

#[test]
fn templates_splice_only_dollar_braces() {
    let t =
        Template::parse("https://{$inputs.host}/api/{$steps.create.outputs.id}/status").unwrap();
    assert_eq!(t.expressions().count(), 2);
    assert_eq!(
        t.to_string(),
        "https://{$inputs.host}/api/{$steps.create.outputs.id}/status"
    );
    assert_eq!(t.fill("0"), "https://0/api/0/status");
    let literal = Template::parse(r#"{"json": {"a": 1}} and a lone } or {"#).unwrap();
    assert!(literal.is_literal());
    assert!(Template::parse("{$inputs.a").is_err());
    assert!(Template::parse("{$nope}").is_err());
    // A whole-string expression keeps its type; text around it makes a template.
    assert!(matches!(
        ValueExpression::parse("$steps.a.outputs.b").unwrap(),
        ValueExpression::Expression(_)
    ));
    assert!(matches!(
        ValueExpression::parse("Bearer {$inputs.token}").unwrap(),
        ValueExpression::Template(_)
    ));
    assert!(matches!(
        ValueExpression::parse("$5.00").unwrap(),
        ValueExpression::Literal
    ));
    assert!(matches!(
        ValueExpression::parse("plain").unwrap(),
        ValueExpression::Literal
    ));
}

#[test]
fn simple_conditions_of_both_spec_versions() {
    for text in [
        "$statusCode == 200",
        "$response.body.count > $inputs.threshold",
        "$statusCode == 200 && $response.body.data != null",
        "$response.header.Content-Type == 'application/json'",
        "$steps.a.outputs.ready == true || $inputs.force",
        "!($statusCode >= 500) && $response.body#/items[0] != null",
        "$inputs.name == 'O''Brien'",
        "$response.body#/price <= -1.5e2",
    ] {
        let c = Condition::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let again = Condition::parse(&c.to_string()).unwrap();
        assert_eq!(c, again, "{text} -> {c}");
    }
}

#[test]
fn condition_precedence() {
    // `!` binds tighter than comparisons, comparisons than `&&`, `&&` than `||`.
    let c = Condition::parse("$a.b || $inputs.x == 1 && !$inputs.y").err();
    assert!(c.is_some(), "$a is not an expression");
    let c = Condition::parse("$inputs.a || $inputs.b == 1 && !$inputs.c").unwrap();
    let Condition::Or(left, right) = c else {
        panic!("or at the top")
    };
    assert!(matches!(*left, Condition::Value(..)));
    let Condition::And(cmp, not) = *right else {
        panic!("and under or")
    };
    assert!(matches!(*cmp, Condition::Compare(_, CompareOp::Eq, _)));
    assert!(matches!(*not, Condition::Not(_)));
    let c = Condition::parse("$inputs.list[2].name == \"x\"").unwrap();
    let Condition::Compare(l, _, r) = c else {
        panic!()
    };
    assert_eq!(
        *l,
        Condition::Value(
            Expression::Inputs {
                name: "list".into(),
                pointer: None
            },
            vec![Accessor::Index(2), Accessor::Property("name".into())]
        )
    );
    assert_eq!(*r, Condition::Literal(Literal::String("x".into())));
}

#[test]
fn condition_errors() {
    for (text, offset) in [
        ("$statusCode = 200", 12),
        ("$statusCode == ", 15),
        ("($statusCode == 200", 19),
        ("$statusCode == 200)", 18),
        ("$statusCode == OK", 15),
        ("'open", 0),
    ] {
        let e = Condition::parse(text).unwrap_err();
        assert_eq!(e.offset, offset, "{text}: {e}");
    }
    let deep = format!("{}$statusCode{}", "(".repeat(1000), ")".repeat(1000));
    assert!(
        Condition::parse(&deep)
            .unwrap_err()
            .message
            .contains("nests deeper")
    );
}

#[test]
fn jsonpath_conditions() {
    let body = serde_json::json!({"pets": [{"status": "available"}], "Status": "CREATED", "data": [], "n": 3});
    let rfc = JsonPathCondition::compile("$.pets[?@.status == 'available']").unwrap();
    assert!(!rfc.translated && rfc.is_match(&body));
    assert!(JsonPathCondition::compile("$[?count(@.pets) > 0]").is_ok());
    for (text, expect) in [
        ("$.Status == 'CREATED'", true),
        ("$.Status == \"IN_PROGRESS\"", false),
        ("$.Status != 'FAILED' && $.n >= 3", true),
        ("$.data.length > 0", false),
        ("$.pets.length == 1", true),
        ("$.pets[0].status == 'available'", true),
        ("$.pets[0] empty false", true),
        ("$.data empty true", true),
        ("$.missing == 'x'", false),
    ] {
        let c = JsonPathCondition::compile(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert!(c.translated, "{text}");
        assert_eq!(c.is_match(&body), expect, "{text} as {}", c.rfc9535);
    }
    let e = JsonPathCondition::compile("$.a[?(@ ==").unwrap_err();
    assert!(
        e.message.starts_with("not a valid RFC 9535 JSONPath"),
        "{e}"
    );
}

/// Every expression and condition the two specification texts show as an example.
#[test]
fn the_spec_examples_parse() {
    for e in [
        "$method",
        "$request.header.accept",
        "$request.path.id",
        "$request.body#/user/uuid",
        "$url",
        "$response.body#/status",
        "$response.body#/items/0/id",
        "$response.header.Server",
        "$message.header.Server",
        "$message.payload#/status",
        "$message.payload",
        "$self",
        "$inputs.username",
        "$workflows.foo.inputs.username",
        "$steps.someStepId.outputs.pets",
        "$steps.someStepId.outputs.pets#/0/id",
        "$outputs.bar",
        "$workflows.foo.outputs.bar",
        "$workflows.foo.outputs.mappedResponse#/name",
        "$sourceDescriptions.petstore.getPetById",
        "$sourceDescriptions.petstore.url",
        "$sourceDescriptions.petstore.type",
        "$components.parameters.foo",
        "$components.successActions.bar",
        "$components.failureActions.baz",
        "$response.body#/0/id",
        "$steps.stepId.outputs.field",
    ] {
        assert!(Expression::parse(e).is_ok(), "{e}");
    }
    assert!(
        Template::parse("https://{$inputs.host}/api/{$steps.create.outputs.id}/status").is_ok()
    );
    for c in [
        "$statusCode == 200",
        "$statusCode == 401",
        "$statusCode == 503",
        "$response.body#/0 == null",
        "$response.body.count > $inputs.threshold",
        "$statusCode == 200 && $response.body.data != null",
    ] {
        assert!(Condition::parse(c).is_ok(), "{c}");
    }
    for q in [
        "$.data[*]",
        "$.pets[*]",
        "$[?count(@.pets) > 0]",
        "$[?(@.status == \"0\")]",
    ] {
        let c = JsonPathCondition::compile(q).unwrap_or_else(|e| panic!("{q}: {e}"));
        assert!(!c.translated, "{q}");
    }
    for x in [
        "/root/pets",
        "count(/root/pets/*) > 0",
        "/root/items[price > 0]",
    ] {
        assert!(telaio_expr::XPathCondition::compile(x).is_ok(), "{x}");
    }
    for r in ["^200$", r"^2\d{2}$", "^(0)$"] {
        assert!(telaio_expr::RegexCondition::compile(r).is_ok(), "{r}");
    }
}

/// 1.0.1 names of any characters: read whole outside conditions, as identifiers inside them.
#[test]
fn names_of_any_characters_where_1_0_allows_them() {
    let parse = |t: &str| Expression::parse(t).unwrap();
    assert_eq!(
        parse("$inputs.page[limit]"),
        Expression::Inputs {
            name: "page[limit]".into(),
            pointer: None
        }
    );
    assert_eq!(
        parse("$inputs.$orderby#/0"),
        Expression::Inputs {
            name: "$orderby".into(),
            pointer: ptr("/0")
        }
    );
    assert_eq!(
        parse("$steps.Search Pets.outputs.pets[0].id"),
        Expression::Steps {
            step_id: "Search Pets".into(),
            output: Some("pets[0].id".into()),
            pointer: None
        }
    );
    // A step id with dots, and `.outputs` inside an output name.
    assert_eq!(
        parse("$steps.v1.list.outputs.outputs.x#/a"),
        Expression::Steps {
            step_id: "v1.list".into(),
            output: Some("outputs.x".into()),
            pointer: ptr("/a")
        }
    );
    // Printing gives back what was written.
    for text in [
        "$inputs.page[limit]",
        "$steps.Search Pets.outputs.pets[0].id",
    ] {
        assert_eq!(parse(text).to_string(), text);
    }
    // Embedded: to the closing brace.
    let t = Template::parse("by {$inputs.sort order}!").unwrap();
    assert_eq!(
        t.expressions().next(),
        Some(&Expression::Inputs {
            name: "sort order".into(),
            pointer: None
        })
    );
    // In a condition, a name is an identifier and `[0]` an accessor.
    let c = Condition::parse("$inputs.pets[0] == 1 && $steps.a.outputs.b != null").unwrap();
    assert_eq!(
        c.expressions()[0],
        &Expression::Inputs {
            name: "pets".into(),
            pointer: None
        }
    );
}
