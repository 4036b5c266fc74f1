//! The `telaio` binary end to end: exit codes, output formats, and hostile input.

mod support;
use support::telaio_command;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn telaio(args: &[&str], cwd: &Path) -> Output {
    telaio_command()
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("run telaio")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const PETS_OPENAPI: &str = "openapi: 3.0.3\ninfo: {title: Pets, version: '1'}\npaths:\n  /pets:\n    get:\n      operationId: listPets\n      responses: {'200': {description: ok}}\n";

fn workflow(source_url: &str, operation: &str) -> String {
    format!(
        "arazzo: 1.0.1\ninfo: {{title: Pets, version: 1.0.0}}\nsourceDescriptions:\n  - name: pets\n    url: {source_url}\n    type: openapi\nworkflows:\n  - workflowId: list\n    steps:\n      - stepId: list\n        operationId: {operation}\n        successCriteria:\n          - condition: $statusCode == 200\n"
    )
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Self {
        Dir(tempfile::tempdir().unwrap())
    }
    fn path(&self) -> &Path {
        self.0.path()
    }
    fn write(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.0.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
        p
    }
}

fn valid_dir() -> Dir {
    let d = Dir::new();
    d.write("pets.openapi.yaml", PETS_OPENAPI);
    d.write(
        "flow.arazzo.yaml",
        workflow("./pets.openapi.yaml", "listPets"),
    );
    d
}

/// A workflow whose step names `listPet`, an operation its API does not have.
fn typo_dir() -> Dir {
    let d = Dir::new();
    d.write("pets.openapi.yaml", PETS_OPENAPI);
    d.write(
        "flow.arazzo.yaml",
        workflow("./pets.openapi.yaml", "listPet"),
    );
    d
}

#[test]
fn a_valid_document_exits_0() {
    let d = valid_dir();
    let o = telaio(&["validate", "flow.arazzo.yaml"], d.path());
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("ok: 1 document valid"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn an_invalid_document_exits_1_and_points_at_the_line() {
    let d = typo_dir();
    let o = telaio(&["validate", "flow.arazzo.yaml"], d.path());
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("error[unknown-operation]: no operation `listPet` in source `pets`"),
        "{out}"
    );
    assert!(out.contains("--> flow.arazzo.yaml:11:22"), "{out}");
    assert!(out.contains("11 |         operationId: listPet\n"), "{out}");
    assert!(out.contains("   |                      ^^^^^^^\n"), "{out}");
    assert!(out.contains("= hint: did you mean `listPets`?"), "{out}");
    assert!(!out.contains('\u{1b}'), "no colour when piped: {out}");
}

#[test]
fn json_output_is_one_object_with_locations() {
    let d = typo_dir();
    let o = telaio(
        &["validate", "--format", "json", "flow.arazzo.yaml"],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["valid"], false);
    let diag = &v["documents"][0]["diagnostics"][0];
    assert_eq!(diag["rule"], "unknown-operation");
    assert_eq!(diag["severity"], "error");
    assert_eq!(diag["location"]["line"], 11);
    assert_eq!(diag["location"]["column"], 22);
    assert_eq!(diag["hint"], "did you mean `listPets`?");
}

#[test]
fn sarif_output_follows_2_1_0() {
    let d = typo_dir();
    let o = telaio(
        &["validate", "--format", "sarif", "flow.arazzo.yaml"],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "telaio");
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "unknown-operation");
    assert_eq!(result["level"], "error");
    let index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(
        run["tool"]["driver"]["rules"][index]["id"],
        "unknown-operation"
    );
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(11), Some(22))
    );
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "flow.arazzo.yaml"
    );
}

#[test]
fn strict_fails_on_warnings() {
    let d = Dir::new();
    d.write("flow.arazzo.yaml", workflow("./missing.yaml", "listPets"));
    assert_eq!(
        telaio(&["validate", "flow.arazzo.yaml"], d.path())
            .status
            .code(),
        Some(0)
    );
    let o = telaio(&["validate", "--strict", "flow.arazzo.yaml"], d.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("error[source-unresolved]"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn usage_errors_and_unreadable_paths_exit_2() {
    let d = Dir::new();
    let o = telaio(&["validate", "nope.yaml"], d.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("nope.yaml does not exist"),
        "{}",
        stderr(&o)
    );
    assert_eq!(telaio(&["validate"], d.path()).status.code(), Some(2));
    assert_eq!(
        telaio(&["validate", "--format", "xml", "x"], d.path())
            .status
            .code(),
        Some(2)
    );
    let o = telaio(&["validate", "--explain", "no-such-rule"], d.path());
    assert_eq!(o.status.code(), Some(2));
    let o = telaio(&["validate", "https://example.com/x.arazzo.yaml"], d.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--allow-remote"), "{}", stderr(&o));
}

#[test]
fn explain_prints_the_rule_documentation() {
    let d = Dir::new();
    let o = telaio(&["validate", "--explain", "jsonpath-not-rfc9535"], d.path());
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.starts_with("# jsonpath-not-rfc9535 (warning)"), "{out}");
    assert!(
        out.contains("## What it checks") && out.contains("## Instead"),
        "{out}"
    );
    let o = telaio(&["validate", "--list-rules"], d.path());
    assert!(stdout(&o).contains("unknown-operation") && stdout(&o).contains("schema-quirk"));
}

#[test]
fn folders_are_searched_for_arazzo_documents() {
    let d = valid_dir();
    d.write(
        "nested/other.arazzo.yaml",
        workflow("../pets.openapi.yaml", "listPets"),
    );
    d.write("notes.yaml", "title: not arazzo\n");
    let o = telaio(&["validate", "."], d.path());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("ok: 2 documents valid"),
        "{}",
        stdout(&o)
    );
}

/// Each hostile input: exit 1, a clear message, fast.
fn rejects(name: &str, content: &[u8], expect: &str) {
    let d = Dir::new();
    d.write(name, content);
    let start = Instant::now();
    let o = telaio(&["validate", name], d.path());
    let took = start.elapsed();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{name}: {}{}",
        stdout(&o),
        stderr(&o)
    );
    assert!(
        stdout(&o).contains(expect),
        "{name}: expected `{expect}` in\n{}",
        stdout(&o)
    );
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    // Generous: a debug build on a loaded CI machine; the point is "not minutes".
    assert!(took < Duration::from_secs(10), "{name} took {took:?}");
}

#[test]
fn malformed_yaml() {
    rejects(
        "bad.yaml",
        b"arazzo: 1.0.1\ninfo:\n  title: x\n   version: 1\n",
        "bad.yaml:4:",
    );
}

#[test]
fn top_level_not_an_object() {
    rejects(
        "list.yaml",
        b"- 1\n- 2\n",
        "the top level is an array, not an Arazzo object",
    );
    rejects("scalar.yaml", b"hello\n", "the top level is a string");
    rejects("empty.yaml", b"", "the top level is empty");
}

#[test]
fn unknown_arazzo_version() {
    rejects(
        "v.yaml",
        b"arazzo: 3.0.0\ninfo: {title: t, version: '1'}\n",
        "`arazzo: 3.0.0` is not a version Telaio knows",
    );
}

#[test]
fn yaml_alias_bomb() {
    let mut doc =
        String::from("arazzo: 1.0.1\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        let p = i - 1;
        doc.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    rejects("bomb.yaml", doc.as_bytes(), "alias bomb");
}

#[test]
fn nesting_ten_thousand_levels_deep() {
    let flow = format!(
        "arazzo: 1.0.1\nx: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    rejects("flow.yaml", flow.as_bytes(), "nests");
    // Compact block sequences: `- - - x` nests one level per dash.
    let block = format!("arazzo: 1.0.1\nx:\n  {}x\n", "- ".repeat(10_000));
    rejects(
        "block.yaml",
        block.as_bytes(),
        "nests deeper than 256 levels",
    );
    let json = format!(
        "{{\"arazzo\": \"1.0.1\", \"x\": {}1{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    rejects("deep.json", json.as_bytes(), "nests");
}

#[test]
fn a_fifty_megabyte_document() {
    let mut doc = b"arazzo: 1.0.1\ndescription: '".to_vec();
    doc.resize(50 * 1024 * 1024, b'x');
    doc.extend_from_slice(b"'\n");
    rejects(
        "big.yaml",
        &doc,
        "big.yaml is 50.0 MiB, over the 20.0 MiB limit",
    );
}

#[test]
fn binary_garbage() {
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    rejects("garbage.yaml", &garbage, "error[syntax]");
    rejects("nul.yaml", b"arazzo: 1.0.1\x00\x01\x02\n", "error[syntax]");
}

#[test]
fn invalid_utf8() {
    rejects(
        "latin1.yaml",
        b"arazzo: 1.0.1\ninfo:\n  title: caf\xe9\n",
        "the file is not valid UTF-8 (byte 0xE9 at offset 32)\n --> latin1.yaml:3:13",
    );
}

#[test]
fn a_source_that_points_at_itself_or_a_folder() {
    let d = Dir::new();
    d.write(
        "self.arazzo.yaml",
        workflow("./self.arazzo.yaml", "listPets"),
    );
    std::fs::create_dir(d.path().join("apis")).unwrap();
    d.write("dir.arazzo.yaml", workflow("./apis/", "listPets"));
    let o = telaio(&["validate", "self.arazzo.yaml"], d.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("source `pets` points at this document itself"),
        "{}",
        stdout(&o)
    );
    let o = telaio(&["validate", "dir.arazzo.yaml"], d.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("apis is a directory, not a file"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("--> dir.arazzo.yaml:5:10"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_source_that_is_a_fifo_is_refused_without_blocking() {
    let d = Dir::new();
    let fifo = d.path().join("pipe.yaml");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !made {
        eprintln!("note: mkfifo is unavailable; skipping");
        return;
    }
    d.write("flow.arazzo.yaml", workflow("./pipe.yaml", "listPets"));
    let start = Instant::now();
    let o = telaio(&["validate", "flow.arazzo.yaml"], d.path());
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("pipe.yaml is not a regular file"),
        "{}",
        stdout(&o)
    );
    let o = telaio(&["validate", "pipe.yaml"], d.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// A tiny HTTP/1.1 server on 127.0.0.1 serving fixed files; returns its base URL.
fn serve(files: Vec<(&'static str, String)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            let path = request_line
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .to_owned();
            let response = match files.iter().find(|(p, _)| *p == path) {
                Some((_, body)) => format!(
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                ),
                None => "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    .to_owned(),
            };
            let _ = stream.write_all(response.as_bytes());
        }
    });
    format!("http://{addr}")
}

#[test]
fn remote_documents_load_only_when_allowed() {
    let base = serve(vec![
        (
            "/flow.arazzo.yaml",
            workflow("./pets.openapi.yaml", "listPets"),
        ),
        ("/pets.openapi.yaml", PETS_OPENAPI.to_owned()),
        (
            "/typo.arazzo.yaml",
            workflow("./pets.openapi.yaml", "listPet"),
        ),
        ("/local.arazzo.yaml", workflow("./missing.yaml", "listPets")),
        (
            "/steal.arazzo.yaml",
            workflow("file:///etc/passwd", "listPets"),
        ),
    ]);
    let d = Dir::new();
    let o = telaio(
        &[
            "validate",
            "--allow-remote",
            "--allow-private-hosts",
            &format!("{base}/flow.arazzo.yaml"),
        ],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    // The relative source resolved against the remote document, and was checked.
    let o = telaio(
        &[
            "validate",
            "--allow-remote",
            "--allow-private-hosts",
            &format!("{base}/typo.arazzo.yaml"),
        ],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("no operation `listPet`"),
        "{}",
        stdout(&o)
    );
    let o = telaio(
        &[
            "validate",
            "--allow-remote",
            "--allow-private-hosts",
            "--strict",
            &format!("{base}/local.arazzo.yaml"),
        ],
        d.path(),
    );
    assert!(
        stdout(&o).contains("missing.yaml does not exist"),
        "{}",
        stdout(&o)
    );
    // A local document naming a remote source: reported, not fetched, without the flag.
    d.write(
        "flow.arazzo.yaml",
        workflow(&format!("{base}/pets.openapi.yaml"), "listPets"),
    );
    let o = telaio(&["validate", "flow.arazzo.yaml"], d.path());
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("is remote, and remote loading is off"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o)
            .contains("hint: its operations are not checked; run with --allow-remote to load it"),
        "{}",
        stdout(&o)
    );
    let o = telaio(
        &[
            "validate",
            "--allow-remote",
            "--allow-private-hosts",
            "flow.arazzo.yaml",
        ],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(!stdout(&o).contains("source-unresolved"), "{}", stdout(&o));
}
