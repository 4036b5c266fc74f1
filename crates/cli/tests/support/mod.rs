//! What the newer CLI tests share: running the binary in a folder of its own (no real
//! `~/.aws`, no colour), and a raw HTTP server on 127.0.0.1 whose answers a test writes byte
//! for byte, so that it can misbehave as hostile servers do.

#![allow(dead_code)]

pub mod items;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The `telaio` binary, recording runs in no store but the one a test names (`TELAIO_STORE`,
/// or the one below the `HOME` a test gives it).
pub fn telaio_command() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_telaio"));
    c.env_remove("TELAIO_STORE")
        .env_remove("TELAIO_STORE_FSYNC")
        .env_remove("XDG_DATA_HOME");
    c
}

/// The `telaio` binary with a clean environment: no AWS variables but test keys, `HOME` in
/// `cwd`, no colour.
pub fn command(args: &[&str], cwd: &Path) -> Command {
    let mut c = telaio_command();
    for (k, _) in
        std::env::vars().filter(|(k, _)| k.starts_with("AWS_") || k.starts_with("TELAIO_AUTH"))
    {
        c.env_remove(k);
    }
    c.args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("HOME", cwd)
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "test-secret")
        .env("AWS_REGION", "us-east-1")
        .stdin(Stdio::null());
    c
}

/// Waits until `done` holds, at most 20 s (a test that waits longer has failed).
pub fn wait_until(what: &str, done: impl Fn() -> bool) {
    let started = std::time::Instant::now();
    while !done() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "no {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// A `telaio mock` started as `command` (its stdout piped), once it says where it listens:
/// the process and its URL.
pub fn listening(mut command: Command) -> (std::process::Child, String) {
    let mut mock = command.stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(mock.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("not a mock's first line: {line}"))
        .to_owned();
    (mock, url)
}

/// A separate `telaio mock` of the seed (`examples/rekognition`) with `scenario`, each
/// request it answers logged to `log`: the process and its URL.
pub fn seed_mock(cwd: &Path, scenario: &Path, log: &Path) -> (std::process::Child, String) {
    let seed =
        repo("examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml");
    let mut mock = command(
        &[
            "mock",
            seed.to_str().unwrap(),
            "--scenario",
            scenario.to_str().unwrap(),
        ],
        cwd,
    );
    mock.stderr(std::fs::File::create(log).unwrap());
    listening(mock)
}

/// `telaio serve` of the seed with `args`, on a free port of 127.0.0.1, recording in
/// `cwd/runs.db` and logging to `cwd/serve.log`: the process and its URL.
pub fn serve_seed(cwd: &Path, args: &[&str]) -> (std::process::Child, String) {
    let seed =
        repo("examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml");
    let mut all = vec!["serve", seed.to_str().unwrap(), "--listen", "127.0.0.1:0"];
    all.extend_from_slice(args);
    let mut serve = command(&all, cwd);
    serve
        .env("TELAIO_STORE", cwd.join("runs.db"))
        .stderr(std::fs::File::create(cwd.join("serve.log")).unwrap());
    listening(serve)
}

/// A process stopped when the test ends, passed or not: a failing test leaves no server.
pub struct Running(pub std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `telaio` to the end.
pub fn telaio(args: &[&str], cwd: &Path) -> Output {
    command(args, cwd).output().expect("run telaio")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A temporary folder with files written into it.
pub struct Dir(tempfile::TempDir);

impl Dir {
    pub fn new() -> Self {
        Dir(tempfile::tempdir().unwrap())
    }
    pub fn path(&self) -> &Path {
        self.0.path()
    }
    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.0.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
        p
    }
}

/// A path in the repository.
pub fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

/// A request as the raw server read it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// Serves on 127.0.0.1: for the `n`th request, `reply(n, request)` gives the whole HTTP
/// response as bytes (status line, headers, body). Returns the base URL.
pub fn serve_raw(reply: impl Fn(usize, &Seen) -> Vec<u8> + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let reply = Arc::new(reply);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let (count, reply) = (count.clone(), reply.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut stream = stream;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let mut parts = line.split_whitespace();
                    let method = parts.next().unwrap_or_default().to_owned();
                    let target = parts.next().unwrap_or_default().to_owned();
                    let mut headers = Vec::new();
                    let mut length = 0usize;
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 {
                            return;
                        }
                        if h == "\r\n" {
                            break;
                        }
                        let (k, v) = h.split_once(':').unwrap_or_default();
                        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_owned());
                        if k == "content-length" {
                            length = v.parse().unwrap_or(0);
                        }
                        headers.push((k, v));
                    }
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    let seen = Seen {
                        method,
                        target,
                        headers,
                        body: String::from_utf8_lossy(&body).into_owned(),
                    };
                    let n = count.fetch_add(1, Ordering::SeqCst);
                    if stream.write_all(&reply(n, &seen)).is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

/// A complete HTTP/1.1 response.
pub fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(body);
    out.into_bytes()
}

/// How many lines of the log at `log` (a mock's) name `operation`.
#[allow(dead_code)]
pub fn count(log: &Path, operation: &str) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(operation))
        .count()
}

/// The seed's succeeded scenario with thirty polls IN_PROGRESS, written in `d`.
#[allow(dead_code)]
pub fn long_scenario(d: &Dir) -> PathBuf {
    let long = std::fs::read_to_string(repo("examples/rekognition/scenarios/succeeded.yaml"))
        .unwrap()
        .replace(
            "      - body: {SessionId: \"{{key}}\", Status: IN_PROGRESS}\n      - body: {SessionId: \"{{key}}\", Status: IN_PROGRESS}\n",
            &"      - body: {SessionId: \"{{key}}\", Status: IN_PROGRESS}\n".repeat(30),
        );
    d.write("long.yaml", long)
}
