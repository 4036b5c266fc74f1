//! The web console of `telaio serve` in a real browser (Debian's Chromium, headless, every
//! host name unresolvable): a person fills the seed's form, runs it against a separate
//! `telaio mock`, watches its steps appear while it polls, sees it succeed with its outputs,
//! and finds it in the history. The page reports no error and asks nothing of anyone but the
//! server. A screenshot lands in `target/tmp/screenshots/`.
#![cfg(unix)]

mod support;

#[path = "browser/cdp.rs"]
mod cdp;

use cdp::{Browser, chromium, screenshots};
use serde_json::{Value, json};
use support::{Dir, Running, repo};

/// Evaluates `condition` in the page until it holds (up to 20 s); the last value.
fn wait_for(browser: &mut Browser, condition: &str) -> Value {
    browser.eval(&format!(
        "(async () => {{ for (let i = 0; i < 400; i++) {{ const v = ({condition}); if (v) return v; \
         await new Promise(r => setTimeout(r, 50)); }} return false; }})()"
    ))
}

#[test]
fn the_console_runs_the_seed_and_shows_it_live() {
    let Some(chromium) = chromium() else { return };
    let d = Dir::new();
    let scenario = repo("examples/rekognition/scenarios/succeeded.yaml");
    let (mock, mock_url) = support::seed_mock(d.path(), &scenario, &d.path().join("mock.log"));
    let _mock = Running(mock);
    let server = format!("rekognitionApi={mock_url}");
    let (serve, url) =
        support::serve_seed(d.path(), &["--server", &server, "--poll-interval", "0.4"]);
    let _serve = Running(serve);

    let mut browser = Browser::launch(&chromium);
    browser.open(&format!("{url}/"));
    let listed = wait_for(
        &mut browser,
        "document.querySelector('nav button[data-workflow]')?.dataset.workflow",
    );
    if listed != json!("face-liveness-session") {
        browser.drain();
        let text = browser.eval("document.body.innerText");
        panic!(
            "no workflows listed: {text}\nerrors: {:?}\nrequests: {:?}",
            browser.errors(),
            browser.requests()
        );
    }
    // The form is built from the inputs' schema: one text field, with its description.
    let field = browser.eval(
        "(() => { const i = document.getElementById('input-clientRequestToken'); \
         return [i.type, i.closest('.field').querySelector('small').textContent]; })()",
    );
    assert_eq!(field[0], "text");
    assert!(
        field[1].as_str().unwrap().contains("Idempotency token"),
        "{field}"
    );
    // Served against its servers only: there is nothing to choose.
    assert_eq!(
        browser.eval("document.getElementById('target-field').hidden"),
        json!(true)
    );
    browser.eval(
        "document.getElementById('input-clientRequestToken').value = 'console-1'; \
         document.getElementById('run').click()",
    );
    // While the run polls, its steps are already there.
    let live = wait_for(
        &mut browser,
        "document.getElementById('run-status').textContent === 'running' && \
         document.querySelectorAll('#timeline li.step').length >= 2 && \
         document.querySelectorAll('#timeline li.step').length",
    );
    assert!(
        live.as_u64().is_some_and(|n| n >= 2),
        "no live steps: {live}"
    );
    let status = wait_for(
        &mut browser,
        "['succeeded', 'failed', 'interrupted'].includes(document.getElementById('run-status').textContent) \
         && document.getElementById('run-status').textContent",
    );
    assert_eq!(status, json!("succeeded"));
    let outputs: Value = serde_json::from_str(
        browser
            .eval("document.getElementById('outputs').textContent")
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(outputs["status"], "SUCCEEDED");
    assert_eq!(outputs["confidence"], 99.1);
    let timeline = browser.eval("document.getElementById('timeline').textContent");
    let timeline = timeline.as_str().unwrap();
    assert!(timeline.contains("pollResults #1"), "{timeline}");
    assert!(
        timeline.contains("waiting 400 ms (poll interval)"),
        "{timeline}"
    );
    let run = browser.eval("document.getElementById('run-id').textContent");
    let history = wait_for(
        &mut browser,
        &format!(
            "Array.from(document.querySelectorAll('#history tbody tr')).some(r => r.textContent.includes({run}) && r.textContent.includes('succeeded'))"
        ),
    );
    assert_eq!(history, json!(true), "the run is in the history");
    browser.screenshot(&screenshots().join("console-seed.png"), true);

    // The documentation page of the document, served beside the console.
    let page = browser.eval("document.getElementById('page').getAttribute('href')");
    browser.open(&format!("{url}{}", page.as_str().unwrap()));
    let title = browser.eval("document.title");
    assert!(title.as_str().unwrap().contains("Face Liveness"), "{title}");

    browser.drain();
    assert_eq!(browser.errors(), Vec::<String>::new(), "console errors");
    let elsewhere: Vec<String> = browser
        .requests()
        .into_iter()
        .filter(|u| !u.starts_with(&url) && !u.starts_with("data:") && u != "about:blank")
        .collect();
    assert!(elsewhere.is_empty(), "the page asked {elsewhere:?}");
}

/// With a token, the console asks for it once (a wrong one is refused), keeps it in a cookie,
/// and then lists and runs as without one.
#[test]
fn the_console_asks_for_the_token_once() {
    let Some(chromium) = chromium() else { return };
    let d = Dir::new();
    let token = "console-token-0123456789";
    d.write("token", token);
    let (serve, url) = support::serve_seed(
        d.path(),
        &[
            "--allow-mock",
            "--poll-interval",
            "0",
            "--token-file",
            "token",
        ],
    );
    let _serve = Running(serve);
    let mut browser = Browser::launch(&chromium);
    browser.open(&format!("{url}/"));
    assert_eq!(
        wait_for(&mut browser, "!!document.getElementById('token')"),
        json!(true)
    );
    browser.eval(
        "document.getElementById('token').value = 'not-the-token-at-all'; \
         document.getElementById('sign-in').click()",
    );
    let refused = wait_for(
        &mut browser,
        "document.querySelector('#token-form .error').textContent",
    );
    assert!(
        refused.as_str().unwrap().contains("not the server's token"),
        "{refused}"
    );
    browser.eval(&format!(
        "document.getElementById('token').value = {token:?}; document.getElementById('sign-in').click()"
    ));
    let listed = wait_for(
        &mut browser,
        "document.querySelector('nav button[data-workflow]')?.dataset.workflow",
    );
    assert_eq!(listed, json!("face-liveness-session"));
    // Served against its servers (AWS) and the mock: the run chooses the mock.
    let targets = browser.eval(
        "[document.getElementById('target-field').hidden, \
          Array.from(document.getElementById('target').options).map(o => o.value)]",
    );
    assert_eq!(targets, json!([false, ["servers", "mock"]]));
    browser.eval(
        "document.getElementById('input-clientRequestToken').value = 'console-2'; \
         document.getElementById('target').value = 'mock'; \
         document.getElementById('run').click()",
    );
    let status = wait_for(
        &mut browser,
        "['succeeded', 'failed', 'interrupted'].includes(document.getElementById('run-status').textContent) \
         && document.getElementById('run-status').textContent",
    );
    assert_eq!(
        status,
        json!("succeeded"),
        "the event stream went through with the cookie"
    );
    // The page cannot read the token (the cookie is HttpOnly).
    assert_eq!(browser.eval("document.cookie"), json!(""));
}
