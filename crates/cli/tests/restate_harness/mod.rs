//! What the Restate tests share: the real Restate server (started, killed, started again on
//! its data), `telaio restate serve` endpoints, a balancer before several of them, and reads
//! of Restate's journal.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{self, Dir, repo, wait_until};

pub const SEED: &str =
    "examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml";
pub const WORKFLOW: &str = "face-liveness-session";

/// One test at a time: each starts a Restate server (with RocksDB and its own threads), and
/// several at once on a small machine start slowly enough to fail for no fault of theirs.
pub static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The Restate server binary (`TELAIO_RESTATE_SERVER`, or the one `.ci/run` installs) and the
/// turn of the calling test. None (the test is skipped) only when `TELAIO_REQUIRE_RESTATE` is
/// not set.
pub fn restate_server() -> Option<(PathBuf, std::sync::MutexGuard<'static, ()>)> {
    let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let found = std::env::var_os("TELAIO_RESTATE_SERVER")
        .map(PathBuf::from)
        .or_else(|| {
            let installed = repo(
                "target/ci-tools/node_modules/@restatedev/restate-server-linux-x64/bin/restate-server",
            );
            installed.exists().then_some(installed)
        })
        .filter(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var_os("TELAIO_REQUIRE_RESTATE").is_none(),
            "TELAIO_REQUIRE_RESTATE is set and there is no Restate server: set TELAIO_RESTATE_SERVER"
        );
        eprintln!("note: no Restate server; skipping");
    }
    found.map(|f| (f, turn))
}

/// The turn of the calling test, a folder of its own and a Restate server in it: how each
/// Restate test begins. None (the test is skipped) as for [`restate_server`]. Bound in
/// this order, the server stops before its folder goes and the turn passes last.
pub fn restate_in_folder() -> Option<(std::sync::MutexGuard<'static, ()>, Dir, Restate)> {
    let (binary, turn) = restate_server()?;
    let d = Dir::new();
    let restate = Restate::start(binary, d.path());
    Some((turn, d, restate))
}

/// The seed's API mocked (`telaio mock`, in a process of its own) with a scenario, logging
/// what it receives.
pub struct SeedMock {
    /// Where it logs each request.
    pub log: PathBuf,
    /// Its address.
    pub url: String,
    _running: support::Running,
}

impl SeedMock {
    /// The mock of `scenario`, run from `d`.
    pub fn start(d: &Dir, scenario: &Path) -> SeedMock {
        let log = d.path().join("mock.log");
        let (mock, url) = support::seed_mock(d.path(), scenario, &log);
        SeedMock {
            log,
            url,
            _running: support::Running(mock),
        }
    }

    /// `--server` for the seed's source, pointing at this mock.
    pub fn server(&self) -> String {
        format!("rekognitionApi={}", self.url)
    }
}

/// A free port of 127.0.0.1 (free a moment ago).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn client() -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// A Restate server on 127.0.0.1 with its data in a folder of its own.
pub struct Restate {
    binary: PathBuf,
    base: PathBuf,
    /// More of the server's settings, as environment variables.
    env: Vec<(String, String)>,
    ports: [u16; 3],
    process: Option<Child>,
    pub client: reqwest::blocking::Client,
}

impl Restate {
    pub fn start(binary: PathBuf, base: &Path) -> Restate {
        Restate::start_with(binary, base, Vec::new())
    }

    pub fn start_with(binary: PathBuf, base: &Path, env: Vec<(String, String)>) -> Restate {
        let mut r = Restate {
            binary,
            base: base.to_owned(),
            env,
            ports: [free_port(), free_port(), free_port()],
            process: None,
            client: client(),
        };
        r.restart();
        r
    }

    /// Starts the server (again) on the same ports and data folder.
    pub fn restart(&mut self) {
        let [ingress, admin, node] = self.ports;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.base.join("restate.log"))
            .unwrap();
        let child = Command::new(&self.binary)
            .args([
                "--no-logo",
                "--listen-mode",
                "tcp",
                "--default-num-partitions",
                "2",
            ])
            .arg("--base-dir")
            .arg(self.base.join("data"))
            .env(
                "RESTATE_INGRESS__BIND_ADDRESS",
                format!("127.0.0.1:{ingress}"),
            )
            .env("RESTATE_ADMIN__BIND_ADDRESS", format!("127.0.0.1:{admin}"))
            .env("RESTATE_BIND_ADDRESS", format!("127.0.0.1:{node}"))
            .env(
                "RESTATE_ADVERTISED_ADDRESS",
                format!("http://127.0.0.1:{node}"),
            )
            .env("RESTATE_DISABLE_TELEMETRY", "true")
            .env("RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE", "256MB")
            .env("RESTATE_ADMIN__DISABLE_WEB_UI", "true")
            // A lost endpoint is tried again soon, so that a test need not wait a minute.
            .env("RESTATE_DEFAULT_RETRY_POLICY__INITIAL_INTERVAL", "100ms")
            .env("RESTATE_DEFAULT_RETRY_POLICY__MAX_INTERVAL", "500ms")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.process = Some(child);
        let health = format!("http://127.0.0.1:{admin}/health");
        let ingress_health = format!("http://127.0.0.1:{ingress}/restate/health");
        wait_until("Restate server", || {
            self.client
                .get(&health)
                .send()
                .is_ok_and(|r| r.status().is_success())
                && self
                    .client
                    .get(&ingress_health)
                    .send()
                    .is_ok_and(|r| r.status().is_success())
        });
    }

    pub fn kill(&mut self) {
        if let Some(mut p) = self.process.take() {
            let _ = p.kill();
            let _ = p.wait();
        }
    }

    pub fn admin(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.ports[1])
    }

    pub fn ingress(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.ports[0])
    }

    /// Registers the endpoint at `url` (its services read again).
    pub fn register(&self, url: &str) {
        let (ok, text) = self.try_register(url);
        assert!(ok, "{text}");
    }

    /// Asks to register the endpoint at `url`: whether it was, and the answer.
    pub fn try_register(&self, url: &str) -> (bool, String) {
        let r = self
            .client
            .post(self.admin("/deployments"))
            .header("content-type", "application/json")
            .body(json!({"uri": url, "force": true}).to_string())
            .send()
            .unwrap();
        (r.status().is_success(), r.text().unwrap())
    }

    /// Starts run `id` of the seed with `token`.
    pub fn start_run(&self, id: &str, token: &str) -> String {
        self.send(
            id,
            &json!({"workflowId": WORKFLOW, "inputs": {"clientRequestToken": token}}),
        )
    }

    /// Starts run `id` as `asked` says: its invocation's id.
    pub fn send(&self, id: &str, asked: &Value) -> String {
        let r = self
            .client
            .post(self.ingress(&format!("/telaio/{id}/run/send")))
            .header("content-type", "application/json")
            .body(asked.to_string())
            .send()
            .unwrap();
        let status = r.status().as_u16();
        let answer: Value = serde_json::from_str(&r.text().unwrap()).unwrap();
        assert_eq!(status, 202, "{answer}");
        answer["invocationId"].as_str().unwrap().to_owned()
    }

    /// The result of run `id`, once it is over.
    pub fn result(&self, id: &str) -> (u16, Value) {
        let r = self
            .client
            .get(self.ingress(&format!("/restate/workflow/telaio/{id}/attach")))
            .send()
            .unwrap();
        let status = r.status().as_u16();
        (status, serde_json::from_str(&r.text().unwrap()).unwrap())
    }

    pub fn progress(&self, id: &str) -> Value {
        let r = self
            .client
            .get(self.ingress(&format!("/telaio/{id}/progress")))
            .send()
            .unwrap();
        serde_json::from_str(&r.text().unwrap()).unwrap()
    }

    /// `telaio restate export` of run `id`, written to a file in `dir`: the file, and
    /// `telaio replay --output json` of it (its exit code and the result it prints).
    pub fn export_and_replay(&self, id: &str, dir: &Path) -> (PathBuf, i32, Value) {
        let export = support::telaio(&["restate", "export", id, "--admin", &self.admin("")], dir);
        assert!(export.status.success(), "{}", support::stderr(&export));
        let file = dir.join(format!("{id}.jsonl"));
        std::fs::write(&file, &export.stdout).unwrap();
        let replay = support::telaio(&["replay", file.to_str().unwrap(), "--output", "json"], dir);
        let result = serde_json::from_slice(&replay.stdout).unwrap_or_else(|e| {
            panic!(
                "replay printed no result ({e}): {}",
                support::stderr(&replay)
            )
        });
        (file, replay.status.code().unwrap_or(-1), result)
    }

    /// Rows of an introspection query.
    pub fn query(&self, sql: &str) -> Vec<Value> {
        let r = self
            .client
            .post(self.admin("/query"))
            .header("accept", "application/json")
            .header("content-type", "application/json")
            .body(json!({"query": sql}).to_string())
            .send()
            .unwrap();
        let v: Value = serde_json::from_str(&r.text().unwrap()).unwrap();
        v["rows"].as_array().cloned().unwrap_or_default()
    }
}

impl Drop for Restate {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `telaio restate serve` of the seed against the mock at `mock_url`, on `port` (0: any).
pub fn endpoint(d: &Dir, mock_url: &str, port: u16) -> (Child, String) {
    endpoint_of(
        d,
        &repo(SEED),
        &format!("rekognitionApi={mock_url}"),
        port,
        &[],
    )
}

/// `telaio restate serve` of `document` with `--server SERVER` and `extra`, on `port` (0:
/// any).
pub fn endpoint_of(
    d: &Dir,
    document: &Path,
    server: &str,
    port: u16,
    extra: &[&str],
) -> (Child, String) {
    let listen = format!("127.0.0.1:{port}");
    let mut args = vec![
        "restate",
        "serve",
        document.to_str().unwrap(),
        "--server",
        server,
        "--listen",
        &listen,
    ];
    if !extra.contains(&"--poll-interval") {
        args.extend_from_slice(&["--poll-interval", "0.05"]);
    }
    args.extend_from_slice(extra);
    let mut c = support::command(&args, d.path());
    c.stderr(
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(d.path().join("endpoint.log"))
            .unwrap(),
    );
    support::listening(c)
}

pub fn scenario(name: &str) -> PathBuf {
    repo(&format!("examples/rekognition/scenarios/{name}.yaml"))
}

/// The rows of run `run`'s journal in Restate, in order.
pub fn journal(restate: &Restate, run: &str) -> Vec<Value> {
    restate.query(&format!(
        "SELECT j.index, j.entry_type, j.name, j.entry_json FROM sys_journal j \
         JOIN sys_invocation i ON j.id = i.id \
         WHERE i.target_service_key = '{run}' AND i.target_handler_name = 'run' ORDER BY j.index"
    ))
}

/// `bytes` in base58 (Bitcoin's alphabet), as Restate writes its public keys.
pub fn base58(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut digits: Vec<u8> = Vec::new();
    for &byte in bytes {
        let mut carry = u32::from(byte);
        for d in &mut digits {
            carry += u32::from(*d) << 8;
            *d = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    std::iter::repeat_n(b'1', zeros)
        .chain(digits.iter().rev().map(|d| ALPHABET[*d as usize]))
        .map(char::from)
        .collect()
}

/// A round-robin TCP proxy on 127.0.0.1, as a load balancer before several endpoints: each
/// connection goes to the next target that accepts it. Its port.
pub fn balancer(targets: Vec<u16>) -> u16 {
    use std::net::{Shutdown, TcpListener, TcpStream};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut turn = 0;
        for client in listener.incoming() {
            let Ok(client) = client else { continue };
            let upstream = (0..targets.len()).find_map(|i| {
                TcpStream::connect(("127.0.0.1", targets[(turn + i) % targets.len()])).ok()
            });
            turn += 1;
            let Some(upstream) = upstream else { continue };
            for (mut from, mut to) in [
                (client.try_clone().unwrap(), upstream.try_clone().unwrap()),
                (upstream, client),
            ] {
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut from, &mut to);
                    let _ = to.shutdown(Shutdown::Both);
                });
            }
        }
    });
    port
}

/// CPU time a process has used, in clock ticks.
pub fn ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    fields
        .get(11)
        .and_then(|u| u.parse::<u64>().ok())
        .unwrap_or(0)
        + fields
            .get(12)
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0)
}
