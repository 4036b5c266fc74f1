//! Evaluation: every expression kind against a runtime state, the typing rules of simple
//! conditions, regex / JSONPath / XPath criteria, selectors, and failures that make a
//! criterion false with a reason instead of an error.

use serde_json::{Value, json};
use telaio_expr::{
    CompiledCriterion, CompiledSelector, Condition, CriterionKind, Expression, SelectorType,
    Snapshot, Template, Trace, check_condition, evaluate, render,
};

fn state() -> Snapshot {
    serde_json::from_value(json!({
        "url": "https://api.example.com/v1/pets?limit=2",
        "method": "POST",
        "statusCode": 201,
        "request": {
            "header": {"Content-Type": "application/json", "X-Trace": ["a", "b"]},
            "query": {"limit": "2"},
            "path": {"id": "42"},
            "body": {"name": "Rex", "tags": ["dog"]}
        },
        "response": {
            "header": {"Location": "/pets/42", "X-Count": "5", "X-Done": "false"},
            "body": {"id": 42, "Status": "Created", "items": [{"id": "a"}, {"id": "b"}], "empty": [], "price": "19.5", "a~b": {"c/d": 1}}
        },
        "message": {"payload": {"userId": "u-1"}},
        "inputs": {"username": "ada", "user": {"email": "ada@example.com"}, "dotted.name": 1, "threshold": 1},
        "outputs": {"bar": {"name": "x"}},
        "steps": {"create": {"outputs": {"id": "abc", "pets": [{"id": 1}, {"id": 2}]}}},
        "workflows": {"login": {"inputs": {"user": "ada"}, "outputs": {"token": "t0k3n"}, "steps": {"wait": {"outputs": {"userId": "u-9"}}}}},
        "sourceDescriptions": {"petstore": {"url": "https://api.example.com/openapi.yaml", "getPetById": {"operationId": "getPetById"}}},
        "components": {"parameters": {"page": {"name": "page", "in": "query", "value": 1}}},
        "self": "https://example.com/flows/pets.arazzo.yaml"
    }))
    .unwrap()
}

fn eval(text: &str) -> Option<Value> {
    evaluate(&Expression::parse(text).unwrap(), &state())
        .ok()
        .map(|v| v.into_owned())
}

#[test]
fn every_expression_kind_evaluates() {
    let s = |v: &str| Some(json!(v));
    assert_eq!(eval("$url"), s("https://api.example.com/v1/pets?limit=2"));
    assert_eq!(eval("$method"), s("POST"));
    assert_eq!(eval("$statusCode"), Some(json!(201)));
    assert_eq!(
        eval("$self"),
        s("https://example.com/flows/pets.arazzo.yaml")
    );
    assert_eq!(eval("$request.header.content-type"), s("application/json"));
    assert_eq!(
        eval("$request.header.X-Trace"),
        s("a"),
        "single header values only"
    );
    assert_eq!(eval("$request.query.limit"), s("2"));
    assert_eq!(eval("$request.path.id"), s("42"));
    assert_eq!(eval("$request.body#/tags/0"), s("dog"));
    assert_eq!(eval("$response.header.LOCATION"), s("/pets/42"));
    assert_eq!(eval("$response.body#/items/1/id"), s("b"));
    assert_eq!(eval("$response.body#/a~0b/c~1d"), Some(json!(1)));
    assert_eq!(eval("$response.body.items[0].id"), s("a"));
    assert_eq!(eval("$message.payload.userId"), s("u-1"));
    assert_eq!(eval("$inputs.username"), s("ada"));
    assert_eq!(eval("$inputs.user#/email"), s("ada@example.com"));
    assert_eq!(
        eval("$inputs.user.email"),
        s("ada@example.com"),
        "a dotted name falls back to a path"
    );
    assert_eq!(
        eval("$inputs.dotted.name"),
        Some(json!(1)),
        "a dotted name that exists wins"
    );
    assert_eq!(eval("$outputs.bar#/name"), s("x"));
    assert_eq!(eval("$steps.create.outputs.id"), s("abc"));
    assert_eq!(eval("$steps.create.outputs.pets#/1/id"), Some(json!(2)));
    assert_eq!(
        eval("$steps.create.outputs"),
        Some(json!({"id": "abc", "pets": [{"id": 1}, {"id": 2}]}))
    );
    assert_eq!(eval("$workflows.login.outputs.token"), s("t0k3n"));
    assert_eq!(eval("$workflows.login.inputs.user"), s("ada"));
    assert_eq!(eval("$workflows.login.steps.wait.outputs.userId"), s("u-9"));
    assert_eq!(
        eval("$sourceDescriptions.petstore.url"),
        s("https://api.example.com/openapi.yaml")
    );
    assert_eq!(
        eval("$sourceDescriptions.petstore.getPetById"),
        Some(json!({"operationId": "getPetById"}))
    );
    assert_eq!(
        eval("$components.parameters.page"),
        Some(json!({"name": "page", "in": "query", "value": 1}))
    );
}

#[test]
fn missing_values_say_why() {
    let st = state();
    let why = |text: &str| {
        evaluate(&Expression::parse(text).unwrap(), &st)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        why("$steps.nope.outputs.id"),
        "$steps.nope.outputs.id has no value: step `nope` has not run"
    );
    assert_eq!(
        why("$response.body#/missing"),
        "$response.body#/missing has no value: nothing at `#/missing`"
    );
    assert_eq!(
        why("$response.header.X-None"),
        "$response.header.X-None has no value: the response has no header `X-None`"
    );
    assert_eq!(
        why("$inputs.nobody"),
        "$inputs.nobody has no value: there is no `nobody`"
    );
    let empty = Snapshot::default();
    let e = evaluate(&Expression::parse("$statusCode").unwrap(), &empty).unwrap_err();
    assert_eq!(e.reason, "no response has been received");
}

#[test]
fn a_pointer_into_a_text_body_is_missing() {
    let st: Snapshot =
        serde_json::from_value(json!({"response": {"body": "<a><b>1</b></a>"}})).unwrap();
    assert_eq!(
        evaluate(&Expression::parse("$response.body").unwrap(), &st)
            .unwrap()
            .as_str(),
        Some("<a><b>1</b></a>")
    );
    let e = evaluate(&Expression::parse("$response.body#/a").unwrap(), &st).unwrap_err();
    assert_eq!(e.reason, "the response body is not JSON");
}

#[test]
fn templates_render_values_as_text() {
    let t = Template::parse("{$inputs.username} has {$steps.create.outputs.pets} and {$response.body#/id}; {$inputs.none}!").unwrap();
    let (text, missing) = render(&t, &state());
    assert_eq!(text, r#"ada has [{"id":1},{"id":2}] and 42; !"#);
    assert_eq!(missing.len(), 1);
}

fn holds(condition: &str) -> bool {
    check_condition(
        &Condition::parse(condition).unwrap(),
        &state(),
        &mut Trace::off(),
    )
}

#[test]
fn simple_conditions_follow_the_typing_rules() {
    // Every example condition of the spec, against a matching state.
    assert!(holds("$statusCode == 201"));
    assert!(holds("$response.body.items.length > $inputs.threshold"));
    assert!(holds("$statusCode == 201 && $response.body.items != null"));
    // Numbers and numeric strings.
    assert!(holds("$statusCode == '201'"));
    assert!(holds("$response.header.X-Count > 4"));
    assert!(holds("$response.body#/price < 20"));
    assert!(!holds("$response.body#/price == 'cheap'"));
    // Strings compare ignoring case.
    assert!(holds("$response.body#/Status == 'CREATED'"));
    assert!(holds("$response.body#/Status != 'FAILED'"));
    assert!(holds("'apple' < 'Banana'"));
    // null and missing.
    assert!(holds("$response.body#/missing == null"));
    assert!(!holds("$response.body#/missing != null"));
    assert!(holds("$response.body#/id != null"));
    assert!(!holds("$response.body#/missing > 0"));
    assert!(!holds("$response.body#/missing < 0"));
    assert!(holds("null == null"));
    // Booleans, truthiness.
    assert!(
        !holds("$response.header.X-Done"),
        "the string `false` is false"
    );
    assert!(holds("$response.header.X-Done == false"));
    assert!(!holds("$response.body#/empty"));
    assert!(holds("$response.body#/items"));
    assert!(holds("!$response.body#/missing"));
    assert!(!holds("$response.body#/missing"));
    // Precedence and grouping.
    assert!(holds(
        "$statusCode == 500 || $statusCode == 201 && $inputs.username == 'ADA'"
    ));
    assert!(!holds(
        "($statusCode == 500 || $statusCode == 201) && $inputs.username == 'bob'"
    ));
    // Arrays and objects compare as JSON.
    assert!(holds("$steps.create.outputs.pets[1].id == 2"));
    assert!(holds("$response.body#/items == $response.body#/items"));
}

#[test]
fn explain_shows_how_the_value_was_reached() {
    let mut trace = Trace::on();
    let c = Condition::parse("$statusCode == 201 && $response.body#/Status == 'CREATED'").unwrap();
    assert!(check_condition(&c, &state(), &mut trace));
    let lines = trace.lines().join("\n");
    assert!(lines.contains("$statusCode → 201"), "{lines}");
    assert!(
        lines.contains(r#""Created" == "CREATED" → true"#),
        "{lines}"
    );
}

fn criterion(
    condition: &str,
    kind: CriterionKind,
    context: &str,
    st: &Snapshot,
) -> (bool, Option<String>) {
    let v = CompiledCriterion::compile(condition, kind, Some(context))
        .unwrap()
        .evaluate(st, &mut Trace::off());
    (v.passed, v.reason)
}

#[test]
fn regex_criteria_search_the_context_text() {
    let st = state();
    assert_eq!(
        criterion(r"^2\d{2}$", CriterionKind::Regex, "$statusCode", &st),
        (true, None)
    );
    assert_eq!(
        criterion("reat", CriterionKind::Regex, "$response.body#/Status", &st),
        (true, None),
        "unanchored"
    );
    assert!(
        criterion(
            "^(?!Fail)",
            CriterionKind::Regex,
            "$response.body#/Status",
            &st
        )
        .0
    );
    assert_eq!(
        criterion(
            "^{$inputs.username}$",
            CriterionKind::Regex,
            "$workflows.login.inputs.user",
            &st
        ),
        (true, None)
    );
    let (passed, reason) = criterion("x", CriterionKind::Regex, "$response.body#/missing", &st);
    assert!(!passed);
    assert!(reason.unwrap().contains("nothing at `#/missing`"));
}

#[test]
fn jsonpath_criteria() {
    let st = state();
    assert_eq!(
        criterion(
            "$.items[?@.id == 'b']",
            CriterionKind::JsonPath,
            "$response.body",
            &st
        ),
        (true, None)
    );
    assert_eq!(
        criterion(
            "$.items[?@.id == 'z']",
            CriterionKind::JsonPath,
            "$response.body",
            &st
        ),
        (false, None)
    );
    assert!(
        criterion(
            "$[?count(@.items) > 0]",
            CriterionKind::JsonPath,
            "$response.body",
            &st
        )
        .0,
        "a single filter on an object root also tests the root, as the spec's example means"
    );
    assert!(
        !criterion(
            "$[?count(@.missing) > 0]",
            CriterionKind::JsonPath,
            "$response.body",
            &st
        )
        .0,
    );
    assert!(
        criterion(
            "$[?count($.items[*]) > 1]",
            CriterionKind::JsonPath,
            "$response.body",
            &st
        )
        .0
    );
    assert_eq!(
        criterion(
            "$.Status == 'Created'",
            CriterionKind::JsonPath,
            "$response.body",
            &st
        ),
        (true, None)
    );
    assert_eq!(
        criterion(
            "$.items[?@.id == '{$inputs.username}']",
            CriterionKind::JsonPath,
            "$response.body",
            &st
        ),
        (false, None)
    );
    assert_eq!(
        criterion(
            "$.items.length == 2",
            CriterionKind::JsonPath,
            "$response.body",
            &st
        ),
        (true, None)
    );
    let goessner = CompiledCriterion::compile(
        "$.items[(@.length-1)]",
        CriterionKind::JsonPathGoessner,
        Some("$response.body"),
    )
    .unwrap();
    assert!(goessner.evaluate(&st, &mut Trace::off()).passed);
    assert!(
        CompiledCriterion::compile(
            "$.items[(@.length-1)]",
            CriterionKind::JsonPath,
            Some("$response.body")
        )
        .is_err()
    );
}

#[test]
fn xpath_criteria_apply_to_xml_bodies() {
    let st: Snapshot = serde_json::from_value(json!({"inputs": {"min": 5}, "response": {"body": "<root><pets><pet price='3'/><pet price='9'/></pets><Status>OK</Status></root>"}})).unwrap();
    for (condition, expected) in [
        ("count(/root/pets/*) > 0", true),
        ("/root/pets", true),
        ("/root/cats", false),
        ("/root/Status[text()='OK']", true),
        ("/root/pets/pet[@price > {$inputs.min}]", true),
        ("count(/root/pets/pet)", true),
        ("string(/root/cats)", false),
    ] {
        assert_eq!(
            criterion(condition, CriterionKind::XPath, "$response.body", &st),
            (expected, None),
            "{condition}"
        );
    }
    let (passed, reason) = criterion("/a", CriterionKind::XPath, "$statusCode", &state());
    assert!(!passed && reason.unwrap().contains("not XML"));
}

#[test]
fn selectors() {
    let st = state();
    let pick = |ctx: &str, sel: &str, t: SelectorType| {
        CompiledSelector::compile(ctx, sel, t)
            .unwrap()
            .select(&st)
            .unwrap()
    };
    assert_eq!(
        pick("$response.body", "$.items[0].id", SelectorType::JsonPath),
        Some(json!("a"))
    );
    assert_eq!(
        pick("$response.body", "$.items[*].id", SelectorType::JsonPath),
        Some(json!(["a", "b"]))
    );
    assert_eq!(
        pick("$response.body", "$.nothing", SelectorType::JsonPath),
        None
    );
    assert_eq!(
        pick(
            "$steps.create.outputs",
            "/pets/0/id",
            SelectorType::JsonPointer
        ),
        Some(json!(1))
    );
    let xml: Snapshot =
        serde_json::from_value(json!({"response": {"body": "<a><b>one</b><b>two</b></a>"}}))
            .unwrap();
    let s = CompiledSelector::compile("$response.body", "/a/b[2]", SelectorType::XPath).unwrap();
    assert_eq!(s.select(&xml).unwrap(), Some(json!("two")));
    assert!(
        CompiledSelector::compile("$response.body", "$.items[", SelectorType::JsonPath).is_err()
    );
}

#[test]
fn templated_patterns_are_compiled_once_per_text() {
    let c = CompiledCriterion::compile(
        "^{$inputs.username}",
        CriterionKind::Regex,
        Some("$inputs.username"),
    )
    .unwrap();
    let st = state();
    for _ in 0..1000 {
        assert!(c.evaluate(&st, &mut Trace::off()).passed);
    }
    // A rendered text that does not compile fails the condition, with the reason.
    let bad: Snapshot = serde_json::from_value(json!({"inputs": {"username": "("}})).unwrap();
    let v = c.evaluate(&bad, &mut Trace::off());
    assert!(!v.passed && v.reason.unwrap().contains("`^(`"));
}

#[test]
fn translated_comparisons_hold_exactly_when_the_comparison_does() {
    let on = |condition: &str, body: Value| {
        let st: Snapshot = serde_json::from_value(json!({"response": {"body": body}})).unwrap();
        criterion(condition, CriterionKind::JsonPath, "$response.body", &st).0
    };
    // Roots with no children: a filter over the root alone would select nothing.
    assert!(on("$.length == 0", json!([])));
    assert!(on("$ == 5", json!(5)));
    assert!(on("$.Status != 'FAILED'", json!({})));
    assert!(!on("$.Status == 'FAILED'", json!({})));
    // `@` written for the root means the root.
    assert!(on("@.Status == 'CREATED'", json!({"Status": "CREATED"})));
    // Names RFC 9535 shorthand cannot spell.
    assert!(on("$.x-id == 'abc'", json!({"x-id": "abc"})));
    assert!(on("$['a b'] == 1", json!({"a b": 1})));
}

#[test]
fn integers_compare_exactly() {
    assert!(!holds("9007199254740992 == 9007199254740993"));
    assert!(holds("9007199254740993 == '9007199254740993'"));
    assert!(holds("2.5 > 2"));
}

#[test]
fn context_files_give_header_and_parameter_values_as_text() {
    let st: Snapshot = serde_json::from_value(json!({"request": {"query": {"page": 2}}, "response": {"header": {"X-Count": 5, "X-On": true}}})).unwrap();
    let c = |text: &str| check_condition(&Condition::parse(text).unwrap(), &st, &mut Trace::off());
    assert!(c("$response.header.x-count > 4"));
    assert!(c("$response.header.X-On == true"));
    assert!(c("$request.query.page == 2"));
}

#[test]
fn length_of_dotted_names() {
    assert!(holds("$steps.create.outputs.pets.length == 2"));
    assert_eq!(eval("$inputs.username.length"), Some(json!(3)));
}

#[test]
fn failed_criteria_say_why() {
    let st = state();
    let (passed, reason) = criterion(
        "$steps.nope.outputs.x == 1",
        CriterionKind::Simple,
        "$response.body",
        &st,
    );
    assert!(!passed);
    assert_eq!(
        reason.as_deref(),
        Some("$steps.nope.outputs.x has no value: step `nope` has not run")
    );
    let text: Snapshot =
        serde_json::from_value(json!({"response": {"body": "plain text"}})).unwrap();
    let (passed, reason) = criterion("$.a", CriterionKind::JsonPath, "$response.body", &text);
    assert!(!passed && reason.unwrap().contains("context is text"));
}

#[test]
fn goessner_conditions_with_embedded_expressions() {
    let st = state();
    let c = CompiledCriterion::compile(
        "$.items[(@.length-1)][?@.id == '{$inputs.username}']",
        CriterionKind::JsonPathGoessner,
        Some("$response.body"),
    )
    .unwrap();
    assert_eq!(c.evaluate(&st, &mut Trace::off()).reason, None);
}

#[test]
fn values_spliced_into_jsonpath_cannot_change_the_query() {
    let hostile: Snapshot = serde_json::from_value(json!({
        "inputs": {"s": "x' || '1'=='1"},
        "response": {"body": {"Status": "CREATED"}}
    }))
    .unwrap();
    let (passed, _) = criterion(
        "$[?@ == '{$inputs.s}']",
        CriterionKind::JsonPath,
        "$response.body",
        &hostile,
    );
    assert!(!passed);
    let legit: Snapshot = serde_json::from_value(
        json!({"inputs": {"s": "CREATED"}, "response": {"body": {"Status": "CREATED"}}}),
    )
    .unwrap();
    assert!(
        criterion(
            "$[?@ == '{$inputs.s}']",
            CriterionKind::JsonPath,
            "$response.body",
            &legit
        )
        .0
    );
}

#[test]
fn a_cached_pattern_is_compiled_once_per_value() {
    let c = CompiledCriterion::compile(
        "^{$inputs.username}",
        CriterionKind::Regex,
        Some("$inputs.username"),
    )
    .unwrap();
    let st = state();
    for _ in 0..100 {
        assert!(c.evaluate(&st, &mut Trace::off()).passed);
    }
    assert_eq!(c.cached_variants(), 1);
    for name in ["a", "b", "c"] {
        let other: Snapshot =
            serde_json::from_value(json!({"inputs": {"username": name}})).unwrap();
        c.evaluate(&other, &mut Trace::off());
    }
    assert_eq!(c.cached_variants(), 4);
}

#[test]
fn hostile_patterns_are_refused_quickly() {
    use std::time::{Duration, Instant};
    let start = Instant::now();
    let long_chain = format!("{}true", "1==1 && ".repeat(20_000));
    assert!(
        Condition::parse(&long_chain)
            .unwrap_err()
            .message
            .contains("more than 256 operators")
    );
    let quoted = format!(
        "$[?@['\\''] == 1 || {}1{}]",
        "(".repeat(4000),
        ")".repeat(4000)
    );
    assert!(telaio_expr::JsonPathCondition::compile(&quoted).is_err());
    let comment = format!("(: ' :) {}1{}", "(".repeat(18), ")".repeat(18));
    assert!(telaio_expr::XPathCondition::compile(&comment).is_err());
    let nested_comments = format!("{}1", "(: ".repeat(30));
    assert!(telaio_expr::XPathCondition::compile(&nested_comments).is_err());
    assert!(
        telaio_expr::RegexCondition::compile(&r"\(".repeat(70)).is_ok(),
        "escaped parentheses do not nest"
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}
