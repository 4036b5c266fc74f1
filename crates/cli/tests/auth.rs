//! Credentials are checked before anything is sent: an operation that needs a secret the run
//! does not have stops it (exit 2, saying where Telaio looked), and a credentials file that
//! names what the document does not have is refused with the closest name.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use support::{Dir, response, serve_raw, stderr, telaio};

const API: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    get:\n      operationId: listPets\n      security: [{apiKey: []}, {basicAuth: []}]\n      responses: {'200': {description: ok}}\n  /open:\n    get:\n      operationId: open\n      security: [{}, {apiKey: []}]\n      responses: {'200': {description: ok}}\ncomponents:\n  securitySchemes:\n    apiKey: {type: apiKey, in: header, name: X-Key}\n    basicAuth: {type: http, scheme: basic}\n";

fn setup() -> (Dir, String, Arc<AtomicUsize>) {
    let d = Dir::new();
    d.write("pets.yaml", API);
    d.write(
        "flow.arazzo.yaml",
        "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: petstore, url: ./pets.yaml}]\nworkflows:\n  - workflowId: w\n    steps:\n      - {stepId: open, operationId: open}\n      - {stepId: list, operationId: listPets}\n",
    );
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let url = serve_raw(move |_, _| {
        seen.fetch_add(1, Ordering::SeqCst);
        response(200, &[("content-type", "application/json")], "[]")
    });
    (d, url, count)
}

#[test]
fn missing_credentials_stop_the_run_before_anything_is_sent() {
    let (d, url, count) = setup();
    let server = format!("petstore={url}");
    let o = telaio(&["run", "flow.arazzo.yaml", "--server", &server], d.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("step `list` needs credentials for scheme `apiKey` of source `petstore`, and there are none: set $TELAIO_AUTH_PETSTORE_APIKEY, or `petstore.apiKey` in the credentials file"),
        "{err}"
    );
    assert_eq!(count.load(Ordering::SeqCst), 0, "a request was sent");
    // A dry run sends nothing and needs none.
    let o = telaio(&["run", "flow.arazzo.yaml", "--dry-run"], d.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // With the second alternative's secrets in a file, it runs.
    d.write(
        "creds.yaml",
        "petstore:\n  basicAuth: {username: u, password: canary-pw}\n",
    );
    let o = telaio(
        &[
            "run",
            "flow.arazzo.yaml",
            "--server",
            &server,
            "--credentials",
            "creds.yaml",
        ],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[test]
fn a_credentials_file_with_a_typo_is_refused() {
    let (d, url, count) = setup();
    let server = format!("petstore={url}");
    for (file, expect) in [
        (
            "petstor:\n  apiKey: canary\n",
            "names source `petstor`, which the document does not have; did you mean `petstore`?",
        ),
        (
            "petstore:\n  apikey: canary\n",
            "names scheme `petstore.apikey`, which source `petstore` does not declare; did you mean `apiKey`?",
        ),
        (
            "petstore:\n  basicAuth: {user: u, password: canary}\n",
            "`petstore.basicAuth` has no field `user`; did you mean `username`?",
        ),
        (
            "petstore:\n  apiKey: {value: canary}\n",
            "`petstore.apiKey` must be the secret itself, a string",
        ),
    ] {
        d.write("creds.yaml", file);
        let o = telaio(
            &[
                "run",
                "flow.arazzo.yaml",
                "--server",
                &server,
                "--credentials",
                "creds.yaml",
            ],
            d.path(),
        );
        assert_eq!(o.status.code(), Some(2), "{file}: {}", stderr(&o));
        assert!(stderr(&o).contains(expect), "{file}: {}", stderr(&o));
        assert!(!stderr(&o).contains("canary"), "{}", stderr(&o));
    }
    assert_eq!(count.load(Ordering::SeqCst), 0);
}
