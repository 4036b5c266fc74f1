//! What the `telaio mcp` tests share: the official Python SDK as the client
//! (`tests/mcp/client.py`, driven with a list of operations), and `telaio mcp` over stdio as
//! that client starts it, with a home, a store and canary AWS keys of its own.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::support::{self, Dir, repo};

pub const SEED: &str =
    "examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml";
pub const TOOL: &str = "face-liveness-session";
/// Given to the server as its AWS secret key: no client may ever see it.
pub const SECRET: &str = "canary-aws-secret-5d1e";

/// The Python with the MCP SDK: `TELAIO_MCP_PYTHON`, or the virtualenv `.ci/run` makes.
/// None (the test is skipped) only when `TELAIO_REQUIRE_MCP` is not set.
pub fn python() -> Option<PathBuf> {
    let found = std::env::var_os("TELAIO_MCP_PYTHON")
        .map(PathBuf::from)
        .or_else(|| Some(repo("target/ci-tools/mcp-venv/bin/python")))
        .filter(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var_os("TELAIO_REQUIRE_MCP").is_none(),
            "TELAIO_REQUIRE_MCP is set and there is no Python MCP SDK: set TELAIO_MCP_PYTHON"
        );
        eprintln!("note: no Python MCP SDK; skipping");
    }
    found
}

/// What the client observed of `ops` against `server`, in `era`.
pub fn client(python: &Path, server: &Value, era: &str, ops: Value) -> Value {
    let plan = json!({"server": server, "era": era, "ops": ops});
    let out = Command::new(python)
        .arg(repo("crates/cli/tests/mcp/client.py"))
        .arg(plan.to_string())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the client failed: {stderr}\n{stdout}"
    );
    let seen: Value = serde_json::from_str(&stdout).unwrap();
    // Nothing the client received holds the server's secret.
    assert!(!stdout.contains(SECRET), "{stdout}");
    seen
}

/// `telaio mcp DOC --server ... extra` over stdio, as the client starts it.
pub fn stdio(d: &Dir, document: &Path, server: &str, extra: &[&str]) -> Value {
    let mut command = vec![
        env!("CARGO_BIN_EXE_telaio").to_owned(),
        "mcp".to_owned(),
        document.display().to_string(),
        "--server".to_owned(),
        server.to_owned(),
    ];
    command.extend(extra.iter().map(|s| (*s).to_owned()));
    json!({
        "stdio": command,
        "env": environment(d),
    })
}

/// What the server process gets: a home and a store in `d`, test AWS keys with a canary
/// secret.
pub fn environment(d: &Dir) -> Value {
    json!({
        "HOME": d.path(),
        "TELAIO_STORE": d.path().join("runs.db"),
        "AWS_ACCESS_KEY_ID": "AKIDTEST",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_REGION": "us-east-1",
        "NO_COLOR": "1",
    })
}

pub fn scenario(name: &str) -> PathBuf {
    repo(&format!("examples/rekognition/scenarios/{name}.yaml"))
}

pub fn progress_messages(op: &Value) -> Vec<String> {
    op["progress"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The runs in the store, newest first.
pub fn runs(d: &Dir) -> Vec<Value> {
    let o = support::command(&["runs", "list", "--output", "json"], d.path())
        .env("TELAIO_STORE", d.path().join("runs.db"))
        .output()
        .unwrap();
    serde_json::from_slice::<Value>(&o.stdout)
        .unwrap()
        .as_array()
        .cloned()
        .unwrap_or_default()
}
