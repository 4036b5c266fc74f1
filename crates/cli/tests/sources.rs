//! Files and places written by others: sources read only below a document's tree, catalogs
//! that write URLs from their root, remote fetches kept off the local network and in time,
//! command-line files within limits, and the encodings YAML allows.

mod support;

use support::{Dir, response, serve_raw, stderr, stdout, telaio};

/// A document names its sources; one written by someone else must not make Telaio read files
/// outside its tree, nor publish what a file that is not a description holds.
#[test]
fn sources_are_read_only_below_the_documents_tree() {
    let d = Dir::new();
    d.write(
        "secret.yaml",
        "aws_secret_access_key: canary-outside-secret\nregion: x\n",
    );
    d.write(
        "inside/not-an-api.yaml",
        "token: canary-inside-secret\nother: 1\n",
    );
    d.write(
        "inside/flow.arazzo.yaml",
        "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions:\n  - {name: outside, url: ../secret.yaml}\n  - {name: absolute, url: 'file:///etc/passwd'}\n  - {name: local, url: ./not-an-api.yaml}\nworkflows:\n  - workflowId: w\n    steps: [{stepId: s, operationId: '$sourceDescriptions.outside.x'}]\n",
    );
    for args in [
        vec!["validate", "inside/flow.arazzo.yaml"],
        vec!["validate", "--format", "json", "inside/flow.arazzo.yaml"],
        vec!["docs", "inside/flow.arazzo.yaml"],
        vec!["docs", "--format", "markdown", "inside/flow.arazzo.yaml"],
        vec!["run", "inside/flow.arazzo.yaml", "--dry-run"],
    ] {
        let o = telaio(&args, d.path());
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert!(
            !all.contains("canary"),
            "{args:?} published a file's content:\n{all}"
        );
        assert!(
            !all.contains("root:x:0"),
            "{args:?} read /etc/passwd:\n{all}"
        );
    }
    let o = telaio(&["validate", "inside/flow.arazzo.yaml"], d.path());
    let out = stdout(&o);
    assert!(out.contains("secret.yaml is outside"), "{out}");
    assert!(out.contains("pass --source-root FOLDER"), "{out}");
    assert!(
        out.contains("an object of 2 fields without `openapi`"),
        "{out}"
    );
    // The user may allow more.
    let o = telaio(
        &["validate", "inside/flow.arazzo.yaml", "--source-root", "."],
        d.path(),
    );
    assert!(
        !stdout(&o).contains("secret.yaml is outside"),
        "{}",
        stdout(&o)
    );
    // A root that is no folder is refused, an empty one (below every path) too.
    for (root, says) in [
        ("", "a value is required for '--source-root"),
        (
            "missing",
            "--source-root takes a folder, and `missing` is none",
        ),
    ] {
        let o = telaio(
            &["validate", "inside/flow.arazzo.yaml", "--source-root", root],
            d.path(),
        );
        assert_eq!(o.status.code(), Some(2), "{root:?}");
        assert!(stderr(&o).contains(says), "{}", stderr(&o));
    }
}

/// Catalogs that write source URLs from their root: the hint finds the folder and names the
/// flag, and the flag resolves them.
#[test]
fn source_urls_written_from_a_catalogs_root() {
    let d = Dir::new();
    d.write(".git/HEAD", "ref: refs/heads/main\n");
    d.write(
        "apis/pets.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nservers: [{url: 'http://127.0.0.1:9'}]\npaths:\n  /pets:\n    get: {operationId: listPets, responses: {'200': {description: ok}}}\n",
    );
    d.write(
        "flows/pets/list.arazzo.yaml",
        "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: pets, url: apis/pets.yaml}]\nworkflows:\n  - workflowId: w\n    steps: [{stepId: s, operationId: listPets}]\n",
    );
    let o = telaio(&["validate", "flows/pets/list.arazzo.yaml"], d.path());
    let out = stdout(&o);
    assert!(out.contains("pass --source-base"), "{out}");
    assert!(out.contains(d.path().to_str().unwrap()), "{out}");
    let o = telaio(
        &[
            "validate",
            "--source-base",
            ".",
            "flows/pets/list.arazzo.yaml",
        ],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(!stdout(&o).contains("source-unresolved"), "{}", stdout(&o));
    let o = telaio(
        &[
            "run",
            "--source-base",
            ".",
            "flows/pets/list.arazzo.yaml",
            "--dry-run",
        ],
        d.path(),
    );
    assert!(
        stdout(&o).contains("http://127.0.0.1:9/pets"),
        "{}",
        stdout(&o)
    );
}

/// Files named on the command line are read within limits: never a device, never without end.
#[test]
fn command_line_files_have_size_limits() {
    let d = Dir::new();
    d.write(
        "flow.arazzo.yaml",
        "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: pets, url: ./pets.yaml}]\nworkflows:\n  - workflowId: w\n    steps: [{stepId: s, operationId: listPets}]\n",
    );
    d.write(
        "pets.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    get: {operationId: listPets, responses: {'200': {description: ok}}}\n",
    );
    d.write(
        "big.yaml",
        format!("a: '{}'\n", "x".repeat(2 * 1024 * 1024)),
    );
    let cases: [&[&str]; 4] = [
        &[
            "run",
            "flow.arazzo.yaml",
            "--dry-run",
            "--credentials",
            "big.yaml",
        ],
        &[
            "run",
            "flow.arazzo.yaml",
            "--dry-run",
            "--inputs",
            "/dev/zero",
        ],
        &["run", "flow.arazzo.yaml", "--mock", "/dev/zero"],
        &["mock", "flow.arazzo.yaml", "--scenario", "/dev/zero"],
    ];
    for args in cases {
        let started = std::time::Instant::now();
        let o = telaio(args, d.path());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("over the 1.0 MiB limit")
                || stderr(&o).contains("is not a regular file"),
            "{args:?}: {}",
            stderr(&o)
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }
}

/// `--allow-remote` fetches from public hosts only, checks redirects by the same rule, and
/// bounds a whole fetch in time.
#[test]
fn remote_fetches_stay_off_the_local_network_and_in_time() {
    let doc = "arazzo: 1.0.1\ninfo: {title: t, version: '1'}\nsourceDescriptions: [{name: pets, url: ./pets.yaml}]\nworkflows: []\n";
    let url = serve_raw(move |_, seen| match seen.target.as_str() {
        "/flow.arazzo.yaml" => response(200, &[], doc),
        "/metadata" => response(
            302,
            &[("location", "http://169.254.169.254/latest/meta-data/")],
            "",
        ),
        "/drip" => {
            // Headers at once, then a byte a second.
            let mut out = b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n".to_vec();
            out.extend(std::iter::repeat_n(b' ', 1));
            std::thread::sleep(std::time::Duration::from_millis(10));
            out
        }
        _ => response(404, &[], ""),
    });
    let d = Dir::new();
    // The test server is on 127.0.0.1: refused without the flag that allows it.
    let o = telaio(
        &[
            "validate",
            "--allow-remote",
            &format!("{url}/flow.arazzo.yaml"),
        ],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("127.0.0.1 is a loopback address"),
        "{}",
        stdout(&o)
    );
    let o = telaio(
        &[
            "validate",
            "--allow-remote",
            "--allow-private-hosts",
            &format!("{url}/flow.arazzo.yaml"),
        ],
        d.path(),
    );
    assert!(!stdout(&o).contains("loopback"), "{}", stdout(&o));
    // A public-looking document cannot redirect to the metadata service either.
    let o = telaio(
        &[
            "validate",
            "--allow-remote",
            "--allow-private-hosts",
            &format!("{url}/metadata"),
        ],
        d.path(),
    );
    let all = format!("{}{}", stdout(&o), stderr(&o));
    assert!(
        all.contains("169.254.169.254 is a cloud metadata service's address"),
        "{all}"
    );
    // Written as an address, refused before anything is sent.
    let o = telaio(
        &[
            "validate",
            "--allow-remote",
            "http://169.254.169.254/x.arazzo.yaml",
        ],
        d.path(),
    );
    let all = format!("{}{}", stdout(&o), stderr(&o));
    assert!(
        all.contains("169.254.169.254 is a cloud metadata service's address"),
        "{all}"
    );
    // A server that trickles its answer is cut off at the time limit.
    let started = std::time::Instant::now();
    let o = telaio(
        &[
            "validate",
            "--allow-remote",
            "--allow-private-hosts",
            "--remote-timeout",
            "1",
            &format!("{url}/drip"),
        ],
        d.path(),
    );
    assert_ne!(o.status.code(), Some(0));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
}

/// YAML allows UTF-16 and UTF-32: such documents are read; a broken one is refused naming its
/// encoding and place.
#[test]
fn documents_in_utf16_and_utf32_are_read() {
    let d = Dir::new();
    d.write(
        "pets.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    get: {operationId: listPets, responses: {'200': {description: ok}}}\n",
    );
    let doc = "arazzo: 1.0.1\ninfo: {title: Ünïcode ✓, version: '1'}\nsourceDescriptions: [{name: pets, url: ./pets.yaml}]\nworkflows:\n  - workflowId: w\n    steps: [{stepId: s, operationId: listPets}]\n";
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(doc.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    d.write("utf16.arazzo.yaml", &utf16);
    let utf32: Vec<u8> = [0, 0, 0xFE, 0xFF]
        .into_iter()
        .chain(doc.chars().flat_map(|c| (c as u32).to_be_bytes()))
        .collect();
    d.write("utf32.arazzo.yaml", &utf32);
    let o = telaio(
        &["validate", "utf16.arazzo.yaml", "utf32.arazzo.yaml"],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let mut broken = utf16.clone();
    broken.extend([0x00, 0xD8, 0x41, 0x00]);
    d.write("broken.arazzo.yaml", &broken);
    let o = telaio(&["validate", "broken.arazzo.yaml"], d.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("not valid UTF-16LE"), "{}", stdout(&o));
}
