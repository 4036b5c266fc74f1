//! `telaio run --inputs-jsonl`: the seed once per line against a separate `telaio mock`,
//! many at once; results in the order of the lines, every run in the store.
#![cfg(unix)]

mod support;

use serde_json::Value;
use support::{Dir, repo, stderr, stdout};

const SEED: &str =
    "examples/rekognition/arazzo/amazon-rekognition-face-liveness-session-workflow.yml";

#[test]
fn a_batch_runs_once_per_line_and_answers_in_their_order() {
    let d = Dir::new();
    let seed = repo(SEED);
    let scenario = repo("examples/rekognition/scenarios/succeeded.yaml");
    let (mut mock, url) = support::seed_mock(d.path(), &scenario, &d.path().join("mock.log"));
    let server = format!("rekognitionApi={url}");
    let run = |inputs: &str| {
        support::command(
            &[
                "run",
                seed.to_str().unwrap(),
                "--server",
                &server,
                "--poll-interval",
                "0",
                "--inputs-jsonl",
                inputs,
                "--concurrency",
                "4",
            ],
            d.path(),
        )
        .env("TELAIO_STORE", d.path().join("runs.db"))
        .output()
        .unwrap()
    };
    let lines: Vec<String> = (0..40)
        .map(|i| format!("{{\"clientRequestToken\": \"batch-{i}\"}}"))
        .collect();
    d.write("all.jsonl", lines.join("\n"));
    let o = run("all.jsonl");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let results: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), 40);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r["line"], i + 1, "in the order of the lines");
        assert_eq!(r["status"], "succeeded", "{r}");
        assert_eq!(r["outputs"]["status"], "SUCCEEDED");
    }
    assert!(
        stderr(&o).contains("40 runs: 40 succeeded"),
        "{}",
        stderr(&o)
    );
    let log = std::fs::read_to_string(d.path().join("mock.log")).unwrap();
    assert_eq!(log.matches("CreateFaceLivenessSession").count(), 40);
    let listed = support::command(
        &["runs", "list", "--limit", "100", "--output", "json"],
        d.path(),
    )
    .env("TELAIO_STORE", d.path().join("runs.db"))
    .output()
    .unwrap();
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 40, "every run recorded");
    let ids: std::collections::HashSet<&str> = results
        .iter()
        .map(|r| r["runId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 40);

    // A line that is not inputs, or whose inputs do not fit, is a result of its own; the
    // batch goes on, and exits 1.
    d.write(
        "mixed.jsonl",
        "{\"clientRequestToken\": \"m-1\"}\nnot json\n\n{\"clientRequestToken\": 5}\n[1]\n{\"clientRequestToken\": \"m-2\"}\n",
    );
    let o = run("mixed.jsonl");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let statuses: Vec<(u64, String)> = stdout(&o)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["line"].as_u64().unwrap(),
                v["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            (1, "succeeded".to_owned()),
            (2, "invalid".to_owned()),
            (4, "invalid".to_owned()),
            (5, "invalid".to_owned()),
            (6, "succeeded".to_owned()),
        ]
    );
    assert!(
        stderr(&o).contains("5 runs: 2 succeeded, 3 invalid"),
        "{}",
        stderr(&o)
    );
    let o = support::command(
        &[
            "run",
            seed.to_str().unwrap(),
            "--inputs-jsonl",
            "all.jsonl",
            "--no-store",
        ],
        d.path(),
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let _ = mock.kill();
    let _ = mock.wait();
}

/// `--rate-limit` spaces the requests to an API evenly, over all the runs at once.
#[test]
fn a_rate_limit_spaces_the_requests_to_an_api() {
    use std::sync::{Arc, Mutex};
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let seen = arrivals.clone();
    let url = support::serve_raw(move |_, _| {
        seen.lock().unwrap().push(std::time::Instant::now());
        support::response(
            200,
            &[("content-type", "application/x-amz-json-1.1")],
            r#"{"SessionId": "s-1", "Status": "SUCCEEDED", "Confidence": 90.0}"#,
        )
    });
    let d = Dir::new();
    let seed = repo(SEED);
    let lines: Vec<String> = (0..10)
        .map(|i| format!("{{\"clientRequestToken\": \"paced-{i}\"}}"))
        .collect();
    d.write("in.jsonl", lines.join("\n"));
    let server = format!("rekognitionApi={url}");
    let o = support::command(
        &[
            "run",
            seed.to_str().unwrap(),
            "--server",
            &server,
            "--inputs-jsonl",
            "in.jsonl",
            "--rate-limit",
            "rekognitionApi=10/s",
        ],
        d.path(),
    )
    .env("TELAIO_STORE", d.path().join("runs.db"))
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut times = arrivals.lock().unwrap().clone();
    times.sort();
    // Ten runs of two requests each, ten a second: 100 ms apart.
    assert_eq!(times.len(), 20);
    let gaps: Vec<u128> = times
        .windows(2)
        .map(|w| (w[1] - w[0]).as_millis())
        .collect();
    assert!(gaps.iter().all(|g| *g >= 50), "{gaps:?}");
    assert!((times[19] - times[0]).as_millis() >= 1_500, "{gaps:?}");
}
