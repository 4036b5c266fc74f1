//! The pages of `telaio docs` and `telaio catalog` in a real browser: Debian's Chromium,
//! headless, opening the files from `file://` with every host name unresolvable. Each test
//! checks that the page runs without console errors or network requests and that what it
//! promises works (the seed's polling loop in the diagram, search and filters in the index),
//! and leaves screenshots in `target/tmp/screenshots/` for a person to look at.
//!
//! `.ci/run` installs Chromium and sets `TELAIO_REQUIRE_BROWSER=1`, so there a missing browser
//! fails; elsewhere these tests say they skipped.

mod support;
use support::telaio_command;

#[path = "browser/cdp.rs"]
mod cdp;

use std::path::{Path, PathBuf};

use cdp::{Browser, chromium, screenshots};
use serde_json::{Value, json};

fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

fn telaio(args: &[&str]) {
    let out = telaio_command().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "telaio {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn file_url(path: &Path) -> String {
    url::Url::from_file_path(path.canonicalize().unwrap())
        .unwrap()
        .to_string()
}

/// The page ran cleanly and fetched nothing but itself.
fn assert_clean(browser: &mut Browser) {
    browser.drain();
    assert_eq!(browser.errors(), Vec::<String>::new(), "console errors");
    let remote: Vec<String> = browser
        .requests()
        .into_iter()
        .filter(|u| !u.starts_with("file://") && !u.starts_with("data:"))
        .collect();
    assert!(remote.is_empty(), "the page fetched {remote:?}");
}

/// Screenshot of the element `selector`, scrolled into view.
fn shot_of(browser: &mut Browser, selector: &str, path: &Path) {
    let rect = browser.eval(&format!(
        "(() => {{ const e = document.querySelector({selector:?}); e.scrollIntoView(); const r = e.getBoundingClientRect(); return [r.x + scrollX, r.y + scrollY, r.width, r.height]; }})()"
    ));
    let n = |i: usize| rect[i].as_f64().unwrap();
    let shot = browser.call(
        "Page.captureScreenshot",
        json!({"format": "png", "captureBeyondViewport": true,
               "clip": {"x": n(0) - 8.0, "y": n(1) - 8.0, "width": n(2) + 16.0, "height": n(3) + 16.0, "scale": 1}}),
    );
    use base64::Engine;
    let png = base64::engine::general_purpose::STANDARD
        .decode(shot["data"].as_str().unwrap())
        .unwrap();
    std::fs::write(path, png).unwrap();
}

#[test]
fn the_seed_page_draws_its_polling_loop() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("seed.html");
    let seed =
        repo("examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml");
    telaio(&["docs", seed.to_str().unwrap(), "-o", page.to_str().unwrap()]);
    let mut browser = Browser::launch(&chromium);
    browser.open(&file_url(&page));
    assert_clean(&mut browser);

    // The loop edge: drawn (a path with an extent), from pollResults back to itself.
    let loops = browser.eval(
        "Array.from(document.querySelectorAll('svg.flow g.edge.loop')).map(g => \
         ({title: g.querySelector('title').textContent, height: g.querySelector('path').getBBox().height}))",
    );
    let loops = loops.as_array().unwrap();
    assert!(!loops.is_empty(), "no loop edge");
    for l in loops {
        assert!(
            l["title"]
                .as_str()
                .unwrap()
                .starts_with("pollResults → pollResults"),
            "{l}"
        );
        assert!(l["height"].as_f64().unwrap() > 0.0, "{l}");
    }
    let labels = browser.eval(
        "Array.from(document.querySelectorAll('svg.flow g.edge.loop text')).map(t => t.textContent)",
    );
    assert!(
        labels
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l == "$.Status == 'IN_PROGRESS'"),
        "{labels}"
    );
    // A step box links to the step's description.
    browser.eval("document.querySelector('svg.flow a.node[data-step=\"pollResults\"]').dispatchEvent(new MouseEvent('click', {bubbles: true}))");
    // (A navigation inside the page may land after the click returns: wait for it.)
    let hash = browser.eval(
        "(async () => { for (let i = 0; i < 100 && location.hash === ''; i++) \
         await new Promise(r => setTimeout(r, 50)); return location.hash; })()",
    );
    assert_eq!(hash, json!("#step-face-liveness-session.pollResults"));
    // The validator's findings sit under the lines they concern.
    let flagged = browser.eval(
        "Array.from(document.querySelectorAll('#source-text .line.has-warning')).map(l => l.id)",
    );
    assert!(
        flagged.as_array().unwrap().contains(&json!("L64")),
        "{flagged}"
    );
    // The copy button puts the document, exactly, on the clipboard.
    browser.call(
        "Browser.grantPermissions",
        json!({"permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]}),
    );
    browser.call("Page.bringToFront", json!({}));
    // Click, wait until the button reports the outcome, then read the clipboard back.
    let outcome = browser.eval(
        "(async () => { const b = document.querySelector('[data-copy]'); b.click(); \
         for (let i = 0; i < 300 && b.textContent === 'Copy'; i++) await new Promise(r => setTimeout(r, 50)); \
         return b.textContent; })()",
    );
    assert_eq!(outcome, json!("Copied"));
    let copied = browser.eval("navigator.clipboard.readText()");
    assert_eq!(
        copied.as_str().unwrap(),
        std::fs::read_to_string(&seed).unwrap()
    );
    let shots = screenshots();
    browser.eval("scrollTo(0, 0)");
    browser.screenshot(&shots.join("seed-page-light.png"), false);
    shot_of(
        &mut browser,
        "figure.diagram",
        &shots.join("seed-diagram-light.png"),
    );
    shot_of(
        &mut browser,
        "article.workflow",
        &shots.join("seed-workflow-light.png"),
    );
    // The dark theme follows the system setting.
    browser.call(
        "Emulation.setEmulatedMedia",
        json!({"features": [{"name": "prefers-color-scheme", "value": "dark"}]}),
    );
    assert_eq!(
        browser.eval("getComputedStyle(document.body).backgroundColor"),
        json!("rgb(13, 17, 23)")
    );
    shot_of(
        &mut browser,
        "figure.diagram",
        &shots.join("seed-diagram-dark.png"),
    );
    shot_of(
        &mut browser,
        "#document",
        &shots.join("seed-source-dark.png"),
    );
    assert_clean(&mut browser);
}

/// A catalog folder from the repository's own documents and one broken file.
fn catalog_input(root: &Path) {
    let copy = |from: &Path, to: &Path| {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
            }
        }
    };
    copy(
        &repo("examples/rekognition/arazzo"),
        &root.join("acme__rekognition/arazzo"),
    );
    copy(
        &repo("examples/rekognition/openapi"),
        &root.join("acme__rekognition/openapi"),
    );
    copy(&repo("crates/engine/tests/oai-examples"), &root.join("oai"));
    std::fs::create_dir_all(root.join("broken")).unwrap();
    std::fs::write(
        root.join("broken/bad.arazzo.yaml"),
        "arazzo: 1.0.1\ninfo:\n  title: [never closed\n  version: 1\n",
    )
    .unwrap();
}

fn visible_rows(browser: &mut Browser) -> Vec<String> {
    let rows = browser.eval(
        "Array.from(document.querySelectorAll('#catalog tbody tr')).filter(r => !r.hidden && r.offsetParent !== null).map(r => r.getAttribute('data-text'))",
    );
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_owned())
        .collect()
}

/// Sets a form control's value and sends the event a person's change would.
fn set(browser: &mut Browser, id: &str, value: &str, event: &str) {
    browser.eval(&format!(
        "{{ const e = document.getElementById({id:?}); e.value = {value:?}; e.dispatchEvent(new Event({event:?})); }}"
    ));
}

#[test]
fn the_catalog_index_searches_and_filters() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let output = dir.path().join("out");
    catalog_input(&input);
    telaio(&[
        "catalog",
        input.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
    ]);
    let mut browser = Browser::launch(&chromium);
    let index = file_url(&output.join("index.html"));
    browser.open(&index);
    assert_clean(&mut browser);
    // Ten workflows in six documents, and a row for the broken one.
    let all = visible_rows(&mut browser);
    assert_eq!(all.len(), 11, "{all:#?}");
    assert_eq!(
        browser.eval("document.getElementById('shown').textContent"),
        json!("10 of 10 workflows shown")
    );
    // Typing in the search box narrows the rows to those that match every word.
    browser.eval("document.getElementById('q').focus()");
    browser.call("Input.insertText", json!({"text": "liveness"}));
    let found = visible_rows(&mut browser);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].contains("face-liveness-session"));
    browser.eval("document.getElementById('q').select()");
    browser.call("Input.insertText", json!({"text": "coupon pet"}));
    let found = visible_rows(&mut browser);
    assert!(!found.is_empty() && found.len() < all.len(), "{found:#?}");
    assert!(
        found
            .iter()
            .all(|r| r.contains("coupon") && r.contains("pet"))
    );
    let shots = screenshots();
    browser.screenshot(&shots.join("catalog-search.png"), false);
    // Filters: a provider, then a tag chip clicked in a row.
    set(&mut browser, "q", "", "input");
    set(&mut browser, "provider", "rekognition", "change");
    assert_eq!(visible_rows(&mut browser).len(), 1);
    set(&mut browser, "provider", "", "change");
    browser.eval("document.querySelector('#catalog button[data-tag=\"store\"]').click()");
    assert_eq!(
        browser.eval("document.getElementById('tag').value"),
        json!("store")
    );
    let tagged = visible_rows(&mut browser);
    assert!(!tagged.is_empty() && tagged.len() < all.len());
    assert!(tagged.iter().all(|r| r.contains("store")));
    // A query in the address presets the search.
    browser.open(&format!("{index}?q=oauth"));
    let preset = visible_rows(&mut browser);
    assert!(!preset.is_empty() && preset.iter().all(|r| r.contains("oauth")));
    assert_clean(&mut browser);
    // The broken document's page says why, at its line.
    let broken = browser.eval("document.querySelector('tr.broken a').href");
    browser.open(broken.as_str().unwrap());
    assert_clean(&mut browser);
    assert_eq!(
        browser.eval("document.querySelector('#validation').className"),
        json!("invalid")
    );
    let line = browser.eval("document.querySelector('#source-text .line.has-error').id");
    assert_eq!(
        line,
        json!("L4"),
        "where the parser found the unclosed sequence"
    );
    browser.screenshot(&shots.join("catalog-broken-page.png"), false);
    // And links back to the index.
    let back = browser.eval("document.querySelector('nav a').href");
    assert_eq!(back.as_str().unwrap(), index);
}

/// Every workflow of the sample catalog is in its index (skipped without `../shared`).
#[test]
fn the_corpus_catalog_lists_every_workflow() {
    let corpus = repo("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("note: {} is absent; skipping", corpus.display());
        return;
    }
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    telaio(&[
        "catalog",
        corpus.to_str().unwrap(),
        "-o",
        dir.path().to_str().unwrap(),
    ]);
    // Every workflow id of every document, read independently of the renderer.
    let loader = telaio_model::Loader::new(telaio_model::LoadOptions::default());
    let mut expected: Vec<String> = Vec::new();
    for file in telaio_model::arazzo_files(&corpus).unwrap() {
        let doc = loader
            .load_document(&telaio_model::Loader::url_for_path(&file).unwrap())
            .unwrap();
        for w in doc.json["workflows"].as_array().into_iter().flatten() {
            expected.push(w["workflowId"].as_str().unwrap().to_owned());
        }
    }
    let mut browser = Browser::launch(&chromium);
    browser.open(&file_url(&dir.path().join("index.html")));
    assert_clean(&mut browser);
    let listed: Value = browser.eval(
        "Array.from(document.querySelectorAll('#catalog tbody tr td:first-child code')).map(c => c.textContent)",
    );
    let mut listed: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected);
    browser.screenshot(&screenshots().join("corpus-index.png"), false);
}
