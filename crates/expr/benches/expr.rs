//! The expression layer's hot paths: parsing, evaluating a simple condition against a 10 KB
//! body (what every step of a polling loop does), and a compiled JSONPath filter over a
//! 1,000-element array.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use telaio_expr::{
    CompiledCriterion, Condition, CriterionKind, Expression, Snapshot, Trace, check_condition,
};

/// A response body of about 10 KB whose `/a/b/0/c` is "x".
fn body_10k() -> Value {
    let filler: Vec<Value> = (0..150)
        .map(|i| json!({"id": i, "name": format!("item-{i:04}"), "tags": ["alpha", "beta"], "ok": i % 2 == 0}))
        .collect();
    json!({"a": {"b": [{"c": "x", "d": 1}]}, "filler": filler})
}

fn state(body: Value) -> Snapshot {
    serde_json::from_value(json!({"statusCode": 200, "response": {"body": body}})).unwrap()
}

fn bench(c: &mut Criterion) {
    let body = body_10k();
    assert!(
        (9_000..12_000).contains(&body.to_string().len()),
        "{}",
        body.to_string().len()
    );
    let scope = state(body);

    c.bench_function("parse expression $steps.create.outputs.sessionId", |b| {
        b.iter(|| Expression::parse(black_box("$steps.create.outputs.sessionId")).unwrap())
    });
    c.bench_function(
        "parse condition $statusCode == 200 && $response.body#/Status != 'FAILED'",
        |b| {
            b.iter(|| {
                Condition::parse(black_box(
                    "$statusCode == 200 && $response.body#/Status != 'FAILED'",
                ))
                .unwrap()
            })
        },
    );

    let condition = Condition::parse("$response.body#/a/b/0/c == 'x'").unwrap();
    assert!(check_condition(&condition, &scope, &mut Trace::off()));
    c.bench_function(
        "evaluate $response.body#/a/b/0/c == 'x' on a 10 KB body",
        |b| b.iter(|| check_condition(black_box(&condition), &scope, &mut Trace::off())),
    );

    let seed = CompiledCriterion::compile(
        "$.Status == 'CREATED'",
        CriterionKind::JsonPath,
        Some("$response.body"),
    )
    .unwrap();
    let poll = state(json!({"SessionId": "0f0b5a5e", "Status": "CREATED"}));
    assert!(seed.evaluate(&poll, &mut Trace::off()).passed);
    c.bench_function(
        "evaluate the seed's criterion $.Status == 'CREATED' (compiled)",
        |b| b.iter(|| seed.evaluate(black_box(&poll), &mut Trace::off())),
    );

    let regex =
        CompiledCriterion::compile(r"^2\d{2}$", CriterionKind::Regex, Some("$statusCode")).unwrap();
    assert!(regex.evaluate(&scope, &mut Trace::off()).passed);
    c.bench_function(
        "evaluate a compiled regex criterion ^2\\d{2}$ on $statusCode",
        |b| b.iter(|| regex.evaluate(black_box(&scope), &mut Trace::off())),
    );

    let items: Vec<Value> = (0..1000).map(|i| json!({"id": i, "price": i % 97, "status": if i % 10 == 0 {"sold"} else {"available"}})).collect();
    let list = state(json!({"items": items}));
    let filter = CompiledCriterion::compile(
        "$.items[?@.price > 90 && @.status == 'sold']",
        CriterionKind::JsonPath,
        Some("$response.body"),
    )
    .unwrap();
    assert!(filter.evaluate(&list, &mut Trace::off()).passed);
    c.bench_function("compiled JSONPath filter over 1,000 elements", |b| {
        b.iter(|| filter.evaluate(black_box(&list), &mut Trace::off()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
