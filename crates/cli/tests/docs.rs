//! `telaio docs` and `telaio catalog` end to end: formats, broken documents, what they print,
//! and exit codes. (What the pages hold is tested in `crates/docs`; how they behave in a
//! browser, in `browser.rs`.)

mod support;
use support::telaio_command;

#[test]
fn docs_writes_a_markdown_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("page.md");
    let seed = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml"
    );
    let o = telaio_command()
        .args([
            "docs",
            seed,
            "--format",
            "markdown",
            "-o",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(page.starts_with("# Amazon Rekognition Face Liveness Session\n"));
    assert!(page.contains("```mermaid\nflowchart TD\n"));
    let o = telaio_command()
        .args(["docs", "no-such-file.yaml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn docs_writes_an_html_page_by_default_even_for_a_broken_document() {
    let dir = tempfile::tempdir().unwrap();
    let seed = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml"
    );
    let o = telaio_command().args(["docs", seed]).output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let page = String::from_utf8(o.stdout).unwrap();
    assert!(page.starts_with("<!doctype html>"));
    assert!(page.contains("<h1>Amazon Rekognition Face Liveness Session</h1>"));
    let broken = dir.path().join("broken.arazzo.yaml");
    std::fs::write(&broken, "arazzo: 1.0.1\ninfo: [\n").unwrap();
    let out = dir.path().join("broken.html");
    let o = telaio_command()
        .args([
            "docs",
            broken.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("has 1 error; the page shows it"),
        "{stderr}"
    );
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("could not be loaded")
    );
}

#[test]
fn catalog_reports_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../engine/tests/oai-examples/oauth.arazzo.yaml"
        ),
        input.join("oauth.arazzo.yaml"),
    )
    .unwrap();
    let out = dir.path().join("site");
    let run = || {
        telaio_command()
            .args([
                "catalog",
                input.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ])
            .output()
            .unwrap()
    };
    let o = run();
    assert_eq!(o.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.starts_with("3 workflows · 1 source API · 0 providers in 1 document\n"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("with errors"),
        "a missing API file only warns: {stderr}"
    );
    assert!(out.join("index.html").is_file() && out.join("oauth.arazzo.html").is_file());
    let stderr = String::from_utf8_lossy(&run().stderr).into_owned();
    assert!(stderr.contains("(0 rendered, 1 unchanged)"), "{stderr}");
    let o = telaio_command()
        .args([
            "catalog",
            out.to_str().unwrap(),
            "-o",
            dir.path().join("x").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("holds no Arazzo documents"));
}
