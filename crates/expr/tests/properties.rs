//! Properties: printing a parsed expression or condition and parsing it again gives the same
//! AST; no input makes a parser panic.

use proptest::prelude::*;
use telaio_expr::{
    CompiledCriterion, Condition, CriterionKind, Expression, JsonPathCondition, Mode,
    RegexCondition, Snapshot, Template, Trace, ValueExpression, XPathCondition, check_condition,
    evaluate,
};

fn state() -> Snapshot {
    serde_json::from_value(serde_json::json!({
        "statusCode": 200,
        "request": {"header": {"a": "1"}, "body": {"x": [1, "2", null, {"y": true}]}},
        "response": {"header": {"b": "x"}, "body": {"Status": "OK", "n": 3, "s": "<a><b/></a>"}},
        "inputs": {"a": {"b": [1]}, "t": "0"},
        "steps": {"s": {"outputs": {"o": [1, 2]}}}
    }))
    .unwrap()
}

/// Strings that look like expressions often enough to reach deep into the grammar.
fn expression_like() -> impl Strategy<Value = String> {
    let head = prop::sample::select(vec![
        "$url",
        "$method",
        "$statusCode",
        "$self",
        "$request.header.",
        "$request.query.",
        "$request.path.",
        "$request.body",
        "$response.body#/",
        "$response.header.",
        "$message.payload",
        "$inputs.",
        "$outputs.",
        "$steps.",
        "$workflows.",
        "$sourceDescriptions.",
        "$components.",
    ]);
    let tail = "[a-zA-Z0-9._~#/{}$ -]{0,24}";
    (head, tail).prop_map(|(h, t)| format!("{h}{t}"))
}

fn condition_like() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        expression_like(),
        (expression_like(), "(\\.[a-z]{1,4}|\\[[0-9]\\]){0,3}")
            .prop_map(|(e, a)| format!("{e}{a}")),
        Just("200".to_owned()),
        Just("'x'".to_owned()),
        Just("'it''s'".to_owned()),
        Just("\"dq\"".to_owned()),
        Just("null".to_owned()),
        Just("true".to_owned()),
        "-?[0-9]{1,4}(\\.[0-9]{1,2})?",
    ];
    let op = prop::sample::select(vec![
        " == ", " != ", " < ", " <= ", " > ", " >= ", " && ", " || ",
    ]);
    (
        atom.clone(),
        prop::collection::vec((op, prop::bool::ANY, prop::bool::ANY, atom), 0..6),
    )
        .prop_map(|(first, rest)| {
            let mut s = first;
            for (op, not, group, a) in rest {
                s.push_str(op);
                if not {
                    s.push('!');
                }
                if group {
                    s.push('(');
                    s.push_str(&a);
                    s.push(')');
                } else {
                    s.push_str(&a);
                }
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn expressions_round_trip(text in expression_like()) {
        if let Ok(e) = Expression::parse(&text) {
            let printed = e.to_string();
            prop_assert_eq!(Expression::parse(&printed), Ok(e), "{} printed as {}", text, printed);
        }
    }

    #[test]
    fn conditions_round_trip(text in condition_like()) {
        if let Ok(c) = Condition::parse(&text) {
            let printed = c.to_string();
            let again = Condition::parse(&printed);
            prop_assert!(again.as_ref() == Ok(&c), "{} printed as {} parsed as {:?}", text, printed, again);
        }
    }

    #[test]
    fn no_input_makes_a_parser_panic(text in any::<String>()) {
        let _ = Expression::parse(&text);
        let _ = Expression::parse_prefix(&text, Mode::Condition);
        let _ = Expression::parse_prefix(&text, Mode::Embedded);
        let _ = Template::parse(&text);
        let _ = ValueExpression::parse(&text);
        let _ = Condition::parse(&text);
        let _ = JsonPathCondition::compile(&text);
    }

    #[test]
    fn no_expression_like_input_makes_a_parser_panic(text in condition_like()) {
        let _ = Condition::parse(&text);
        let _ = JsonPathCondition::compile(&text);
        let _ = Template::parse(&format!("x{{{text}}}y"));
    }

    #[test]
    fn evaluation_never_panics(text in condition_like()) {
        let st = state();
        if let Ok(c) = Condition::parse(&text) {
            let _ = check_condition(&c, &st, &mut Trace::on());
        }
        if let Ok(e) = Expression::parse(&text) {
            let _ = evaluate(&e, &st);
        }
        for kind in [CriterionKind::Regex, CriterionKind::JsonPath, CriterionKind::XPath] {
            if let Ok(c) = CompiledCriterion::compile(&text, kind, Some("$response.body")) {
                let _ = c.evaluate(&st, &mut Trace::on());
            }
        }
    }

    #[test]
    fn pattern_compilers_never_panic(text in any::<String>()) {
        let _ = RegexCondition::compile(&text);
        let _ = XPathCondition::compile(&text);
    }

    #[test]
    fn error_offsets_stay_inside_the_text(text in condition_like()) {
        if let Err(e) = Condition::parse(&text) {
            prop_assert!(e.offset <= text.chars().count(), "{} at {}", text, e.offset);
        }
        if let Err(e) = Expression::parse(&text) {
            prop_assert!(e.offset <= text.chars().count(), "{} at {}", text, e.offset);
        }
    }
}
