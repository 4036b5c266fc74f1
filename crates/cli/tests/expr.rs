//! `telaio expr` end to end.

mod support;
use support::telaio_command;

use std::path::Path;
use std::process::Output;

fn telaio(args: &[&str], cwd: &Path) -> Output {
    telaio_command()
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("run telaio")
}

fn out(o: &Output) -> (Option<i32>, String, String) {
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).trim_end().to_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

const CONTEXT: &str = "statusCode: 200\nrequest:\n  query: {page: 2}\nresponse:\n  header: {Content-Type: application/json, Retry-After: 3}\n  body: {Status: CREATED, items: [{id: 1}, {id: 2}], a: {b: [{c: x}]}}\ninputs: {threshold: 1}\nsteps:\n  create: {outputs: {sessionId: abc}}\n";

fn dir() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("state.yaml"), CONTEXT).unwrap();
    std::fs::write(
        d.path().join("xml.json"),
        r#"{"response": {"body": "<r><s>OK</s></r>"}}"#,
    )
    .unwrap();
    d
}

#[test]
fn expressions_print_their_json_value() {
    let d = dir();
    let run = |e: &str| out(&telaio(&["expr", e, "--context", "state.yaml"], d.path()));
    assert_eq!(run("$response.body#/items/1").1, r#"{"id":2}"#);
    assert_eq!(run("$statusCode").1, "200");
    assert_eq!(run("$response.header.retry-after").1, r#""3""#);
    assert_eq!(run("$steps.create.outputs.sessionId").1, r#""abc""#);
    assert_eq!(
        run("session-{$steps.create.outputs.sessionId}").1,
        r#""session-abc""#
    );
    let (code, stdout, stderr) = run("$steps.poll.outputs.status");
    assert_eq!((code, stdout.as_str()), (Some(0), "null"));
    assert!(stderr.contains("step `poll` has not run"), "{stderr}");
}

#[test]
fn conditions_print_true_or_false() {
    let d = dir();
    let run = |args: &[&str]| {
        let mut all = vec!["expr"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--context", "state.yaml"]);
        out(&telaio(&all, d.path()))
    };
    assert_eq!(
        run(&["$statusCode == 200 && $response.body#/Status == 'created'"]).1,
        "true"
    );
    assert_eq!(
        run(&["$response.body.items.length > $inputs.threshold"]).1,
        "true"
    );
    assert_eq!(run(&["$statusCode != 200"]).1, "false");
    // Conditions that start with a pointer or a parameter are conditions, not expressions.
    assert_eq!(run(&["$response.body#/a/b/0/c == 'x'"]).1, "true");
    assert_eq!(
        run(&["$response.body#/Status == 'created' && true"]).1,
        "true"
    );
    assert_eq!(run(&["$request.query.page == 2"]).1, "true");
    let (_, stdout, stderr) = run(&["--type", "jsonpath", "$.Status == 'CREATED'"]);
    assert_eq!(stdout, "true");
    assert!(
        stderr.contains("is not RFC 9535; evaluated as the comparison `$[?$.Status == 'CREATED']`"),
        "{stderr}"
    );
    assert_eq!(
        run(&["--type", "jsonpath", "$.Status == 'CREATED'"]).1,
        "true"
    );
    assert_eq!(run(&["--type", "jsonpath", "$.items[?@.id > 1]"]).1, "true");
    assert_eq!(
        run(&["--type", "regex", "--on", "$statusCode", r"^2\d\d$"]).1,
        "true"
    );
    let (code, stdout, stderr) = run(&["--type", "regex", "--on", "$response.body#/nope", "x"]);
    assert_eq!((code, stdout.as_str()), (Some(0), "false"));
    assert!(stderr.contains("nothing at `#/nope`"), "{stderr}");
    let xml = out(&telaio(
        &[
            "expr",
            "--type",
            "xpath",
            "/r/s[text()='OK']",
            "--context",
            "xml.json",
        ],
        d.path(),
    ));
    assert_eq!(xml.1, "true");
}

#[test]
fn explain_shows_the_steps() {
    let d = dir();
    let (_, stdout, stderr) = out(&telaio(
        &[
            "expr",
            "$statusCode == 200",
            "--context",
            "state.yaml",
            "--explain",
        ],
        d.path(),
    ));
    assert_eq!(stdout, "true");
    assert!(
        stderr.contains("$statusCode → 200") && stderr.contains("200 == 200 → true"),
        "{stderr}"
    );
}

#[test]
fn syntax_errors_exit_1_and_point_at_the_column() {
    let d = dir();
    let (code, _, stderr) = out(&telaio(&["expr", "$statusCode = 200"], d.path()));
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("`=` is not an operator; use `==` to compare"),
        "{stderr}"
    );
    assert!(
        stderr.contains("  | $statusCode = 200\n  |             ^"),
        "{stderr}"
    );
    let (code, _, stderr) = out(&telaio(&["expr", "1 == 1 == 1"], d.path()));
    assert_eq!(code, Some(1));
    assert!(stderr.contains("comparisons cannot be chained"), "{stderr}");
    let long = format!("{}true", "1==1 && ".repeat(5000));
    let (code, _, stderr) = out(&telaio(&["expr", &long], d.path()));
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("more than 256 operators")
            && stderr.lines().all(|l| l.chars().count() < 200),
        "{stderr}"
    );
    let (code, _, stderr) = out(&telaio(&["expr", "$steps.create.outputs"], d.path()));
    assert_eq!(code, Some(0), "{stderr}");
    let (code, _, stderr) = out(&telaio(
        &[
            "expr",
            "--type",
            "jsonpath",
            "$.items[",
            "--context",
            "state.yaml",
        ],
        d.path(),
    ));
    assert_eq!(code, Some(1));
    assert!(stderr.contains("not a valid RFC 9535 JSONPath"), "{stderr}");
    let (code, _, stderr) = out(&telaio(
        &["expr", "$x", "--context", "missing.yaml"],
        d.path(),
    ));
    assert_eq!(code, Some(2));
    assert!(stderr.contains("missing.yaml does not exist"), "{stderr}");
}
