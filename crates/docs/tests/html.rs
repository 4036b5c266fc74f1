//! The HTML pages of the seed workflow and the specification's examples: snapshots of their
//! structure (landmarks, headings, tables, diagram nodes and edges), and what every page must
//! be: self-contained, escaped, and truthful about broken documents.

mod common;

use common::{OAI_EXAMPLES, SEED, outline, repo};
use telaio_model::{LoadOptions, Loader};

fn page(relative: &str) -> String {
    let path = repo(relative);
    let loader = Loader::new(LoadOptions::default());
    let name = path.file_name().unwrap().to_str().unwrap();
    telaio_docs::render_document(&loader, &path, name, None).html
}

#[test]
fn the_seed_page() {
    let html = page(SEED);
    // The polling loop is an edge from the step to itself.
    assert!(
        html.contains("<g class=\"edge success loop\"><title>pollResults → pollResults ($.Status == &#39;CREATED&#39;)</title>"),
        "{html}"
    );
    insta::assert_snapshot!("seed", outline(&html));
}

#[test]
fn the_specification_examples() {
    for name in OAI_EXAMPLES {
        let html = page(&format!("crates/engine/tests/oai-examples/{name}"));
        insta::assert_snapshot!(name, outline(&html));
    }
}

#[test]
fn pages_are_self_contained() {
    for relative in [SEED, "crates/engine/tests/oai-examples/oauth.arazzo.yaml"] {
        let html = page(relative);
        for fetching in ["<link", "<img", "src=", "@import", "url(http"] {
            assert!(!html.contains(fetching), "{relative} has {fetching}");
        }
        assert_eq!(html.matches("<script>").count(), 1);
        assert_eq!(html.matches("<style>").count(), 1);
    }
}

#[test]
fn document_text_is_escaped_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evil.arazzo.yaml");
    std::fs::write(
        &path,
        r#"arazzo: 1.0.1
info:
  title: "<script>alert('title')</script>"
  version: "1"
  description: "Hello <img src=x onerror=alert(1)> [click](javascript:alert(2))"
sourceDescriptions:
  - name: api
    url: ./missing.yaml
workflows:
  - workflowId: "w</title><script>alert(3)</script>"
    summary: "<b>bold</b>"
    steps:
      - stepId: "s<svg onload=alert(4)>"
        operationId: op
        successCriteria:
          - condition: "$statusCode < 300 && $response.body#/a > 1"
"#,
    )
    .unwrap();
    let loader = Loader::new(LoadOptions::default());
    let html = telaio_docs::render_document(&loader, &path, "evil.arazzo.yaml", None).html;
    assert_eq!(
        html.matches("<script>").count(),
        1,
        "only the page's own script"
    );
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<svg onload"), "{html}");
    assert!(!html.contains("href=\"javascript:"), "{html}");
    assert!(
        html.contains("s&lt;svg onload=alert(4)&gt;"),
        "shown as text: {html}"
    );
    assert!(!html.contains("<b>bold"), "{html}");
    assert!(html.contains("$statusCode &lt; 300 &amp;&amp;"), "{html}");
}

#[test]
fn an_asyncapi_action_cannot_break_out_of_its_attribute() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("events.asyncapi.yaml"),
        r##"asyncapi: 3.0.0
info: {title: Events, version: "1"}
channels:
  c: {address: c}
operations:
  op:
    action: 'x"><svg/onload=alert(1)>'
    channel: {$ref: "#/channels/c"}
"##,
    )
    .unwrap();
    let path = dir.path().join("flow.arazzo.yaml");
    std::fs::write(
        &path,
        "arazzo: 1.1.0\ninfo: {title: t, version: '1'}\nsourceDescriptions:\n  - {name: events, url: ./events.asyncapi.yaml, type: asyncapi}\nworkflows:\n  - workflowId: w\n    steps:\n      - {stepId: s, operationId: op}\n",
    )
    .unwrap();
    let loader = Loader::new(LoadOptions::default());
    let html = telaio_docs::render_document(&loader, &path, "flow.arazzo.yaml", None).html;
    assert!(
        html.contains("class=\"method m-other\">X&quot;&gt;&lt;SVG/ONLOAD=ALERT(1)&gt;</span>"),
        "{html}"
    );
    assert!(!html.contains("<svg/onload"), "{html}");
}

#[test]
fn a_document_that_cannot_be_loaded_gets_a_page_saying_why() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.arazzo.yaml");
    std::fs::write(
        &path,
        "arazzo: 1.0.1\ninfo:\n  title: [never closed\n  version: 1\n",
    )
    .unwrap();
    let loader = Loader::new(LoadOptions::default());
    let page = telaio_docs::render_document(&loader, &path, "broken.arazzo.yaml", None);
    assert!(page.load_error.is_some());
    assert!(page.facts.is_none());
    let html = page.html;
    assert!(html.contains("could not be loaded"), "{html}");
    assert!(html.contains(
        "<section id=\"validation\" aria-labelledby=\"validation-h\" class=\"invalid\">"
    ));
    // The reason sits under the line, which links from the list of findings.
    assert!(
        html.contains("<span class=\"line has-error\" id=\"L4\">"),
        "{html}"
    );
    assert!(
        html.contains("<a href=\"#L4\">broken.arazzo.yaml:4:"),
        "{html}"
    );
    insta::assert_snapshot!("broken", outline(&html));
}

#[test]
fn markdown_in_descriptions_is_rendered() {
    let html = page("crates/engine/tests/oai-examples/bnpl-arazzo.yaml");
    assert!(html.contains("<div class=\"prose\"><p>"), "{html}");
}

#[test]
fn long_tag_lists_fold_away() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tagged.arazzo.yaml");
    let tags: Vec<String> = (1..=20).map(|i| format!("t{i}")).collect();
    std::fs::write(
        &path,
        format!(
            "arazzo: 1.0.1\ninfo: {{title: t, version: '1', x-tags: [{}]}}\nsourceDescriptions: []\nworkflows: []\n",
            tags.join(", ")
        ),
    )
    .unwrap();
    let loader = Loader::new(LoadOptions::default());
    let html = telaio_docs::render_document(&loader, &path, "tagged.arazzo.yaml", None).html;
    let (shown, folded) = html
        .split_once("<details class=\"more-tags\"><summary>8 more tags</summary>")
        .expect("folded tags");
    assert!(shown.contains("<li>t12</li>") && !shown.contains("<li>t13</li>"));
    assert!(folded.contains("<li>t13</li>") && folded.contains("<li>t20</li>"));
}

/// A document of a megabyte makes a page of a few: the listing is folded past its first lines
/// (keeping the lines with findings, up to a count), diagrams and step details stop at a
/// budget, and the page says each.
#[test]
fn a_page_stays_bounded_and_says_where_it_folds() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pets.yaml"),
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    get: {operationId: listPets, responses: {'200': {description: ok}}}\n",
    )
    .unwrap();
    let mut text = String::from(
        "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: pets, url: ./pets.yaml}]\nworkflows:\n  - workflowId: w\n    steps:\n",
    );
    let mut i = 0;
    while text.len() < 1024 * 1024 {
        // Each step loops back to the one before: a warning on every line.
        text.push_str(&format!(
            "      - {{stepId: s{i}, operationId: listPets, onSuccess: [{{name: n, type: goto, stepId: s{}}}]}}\n",
            i.max(1) - 1
        ));
        i += 1;
    }
    let path = dir.path().join("big.arazzo.yaml");
    std::fs::write(&path, &text).unwrap();
    let html = telaio_docs::render_document(
        &Loader::new(LoadOptions::default()),
        &path,
        "big.arazzo.yaml",
        None,
    )
    .html;
    assert!(html.len() < 8 * text.len(), "{} bytes of page", html.len());
    for said in [
        "The listing shows the first 5000 of",
        "lines not shown",
        "more findings are not shown here",
        "From here on, diagrams are left out",
        "From here on, steps are listed by id only",
        "more are not shown; <code>telaio validate</code> lists them all",
    ] {
        assert!(html.contains(said), "the page does not say {said:?}");
    }
}

/// A server written as an address names a machine, not a provider.
#[test]
fn an_address_is_not_a_provider() {
    let dir = tempfile::tempdir().unwrap();
    for (name, server) in [
        ("local", "http://127.0.0.1:8080/v1"),
        ("named", "https://api.pets.example.com/v1"),
    ] {
        std::fs::write(
            dir.path().join(format!("{name}.yaml")),
            format!("openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\nservers: [{{url: '{server}'}}]\npaths: {{}}\n"),
        )
        .unwrap();
    }
    std::fs::write(
        dir.path().join("flow.arazzo.yaml"),
        "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: a, url: ./local.yaml}, {name: b, url: ./named.yaml}]\nworkflows: []\n",
    )
    .unwrap();
    let bundle = Loader::new(LoadOptions::default())
        .load_bundle(&Loader::url_for_path(&dir.path().join("flow.arazzo.yaml")).unwrap())
        .unwrap();
    assert_eq!(telaio_docs::Facts::of(&bundle).providers, ["example.com"]);
}
