//! The YAML/JSON parser: scalars, spans, aliases, merge keys, duplicate keys, and the limits
//! that keep hostile input cheap.

use telaio_model::{ParseLimits, ParsedText, Position, SyntaxError, decode_utf8, parse_text};

fn parse(text: &str) -> Result<ParsedText, SyntaxError> {
    parse_text(text, &ParseLimits::default())
}

#[test]
fn scalars_follow_the_core_schema() {
    let p =
        parse("a: 1\nb: 1.5\nc: '1'\nd: true\ne: ~\nf: 1.0.1\ng: 0x1F\nh: -3e2\ni: yes\n").unwrap();
    let j = p.root.to_json();
    assert_eq!(
        j,
        serde_json::json!({"a":1,"b":1.5,"c":"1","d":true,"e":null,"f":"1.0.1","g":31,"h":-300.0,"i":"yes"})
    );
}

#[test]
fn spans_are_one_based() {
    let p = parse("info:\n  title: x\n").unwrap();
    let title = p.root.locate("/info/title");
    assert_eq!(title.span.start, Position::new(2, 10));
    assert_eq!(title.key_span.unwrap().start, Position::new(2, 3));
}

#[test]
fn json_is_read_too() {
    let p = parse("{\"a\": [1, {\"b\": \"c\\/d\"}]}").unwrap();
    assert_eq!(
        p.root.to_json(),
        serde_json::json!({"a": [1, {"b": "c/d"}]})
    );
}

#[test]
fn aliases_and_merge_keys_expand() {
    let p = parse("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n").unwrap();
    assert_eq!(p.root.to_json()["use"], serde_json::json!({"y": 3, "x": 1}));
}

#[test]
fn alias_bombs_are_refused() {
    let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        doc.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let err = parse(&doc).unwrap_err();
    assert!(err.message.contains("alias bomb"), "{err:?}");
}

#[test]
fn deep_nesting_is_refused_without_overflow() {
    let doc = "[".repeat(10_000) + &"]".repeat(10_000);
    let err = parse(&doc).unwrap_err();
    assert!(err.message.contains("nests"), "{err:?}");
    let doc = (0..10_000)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect::<String>();
    assert!(parse(&doc).unwrap_err().message.contains("deeper"));
}

#[test]
fn aliased_long_strings_count_as_a_bomb() {
    let big = "x".repeat(100_000);
    let mut doc = format!("a: &a '{big}'\nb: [");
    doc.push_str(&vec!["*a"; 100].join(", "));
    doc.push_str("]\n");
    assert!(parse(&doc).unwrap_err().message.contains("alias bomb"));
}

#[test]
fn many_keys_are_checked_for_duplicates_in_linear_time() {
    let doc: String = (0..200_000).map(|i| format!("k{i}: {i}\n")).collect();
    let start = std::time::Instant::now();
    let p = parse(&doc).unwrap();
    assert!(p.duplicate_keys.is_empty());
    // Quadratic checking took seconds at this size; linear takes well under one.
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn duplicate_keys_are_reported_and_last_wins() {
    let p = parse("a: 1\nb: 2\na: 3\n").unwrap();
    assert_eq!(p.duplicate_keys.len(), 1);
    assert_eq!(p.duplicate_keys[0].again.start, Position::new(3, 1));
    assert_eq!(p.root.to_json()["a"], 3);
}

#[test]
fn invalid_utf8_names_the_place() {
    let err = decode_utf8(b"a: 1\nb: \xff\n").unwrap_err();
    assert_eq!(err.position, Position::new(2, 4));
}

#[test]
fn syntax_errors_point_at_the_line() {
    let err = parse("a: [1, 2\nb: 3\n").unwrap_err();
    assert_eq!(err.position, Position::new(2, 2));
    let err = parse("a: b: c\n").unwrap_err();
    assert_eq!(err.position, Position::new(1, 5));
}

#[test]
fn several_documents_are_refused() {
    assert!(parse("a: 1\n---\nb: 2\n").is_err());
}
