//! Benchmark: many runs of the seed workflow at once from one process, through the library
//! API, against the in-process mock (`examples/rekognition/scenarios/succeeded.yaml`: create,
//! then five polls), with `--poll-interval 0`. Prints runs and requests per second.
//!
//! ```sh
//! cargo run --release -p telaio-mock --example concurrent_seed -- [RUNS] [--no-verify]
//! cargo run --release -p telaio-mock --example concurrent_seed -- --serve PORT   # for wrk
//! ```
//!
//! With `--serve PORT` it only serves the mock (no signature checks), so that a load tool
//! can measure the mock's own capacity on the same machine.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use telaio_engine::{AwsSetup, Credentials, Driver, DriverOptions, Plan, PlanOptions, RunOptions};
use telaio_mock::{Mock, MockOptions, Scenario, test_credentials};
use telaio_model::{LoadOptions, Loader};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/rekognition");
    let seed = root.join("arazzo/amazon-rekognition-face-liveness-session-workflow.yml");
    let scenario_path = root.join("scenarios/succeeded.yaml");
    let scenario = Scenario::parse(
        "succeeded.yaml",
        &std::fs::read_to_string(&scenario_path).expect("the scenario"),
    )
    .expect("a valid scenario");
    let bundle = Loader::new(LoadOptions::default())
        .load_bundle(&Loader::url_for_path(&seed).unwrap())
        .expect("the seed");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if let Some(i) = args.iter().position(|a| a == "--serve") {
        let port: u16 = args
            .get(i + 1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(18090);
        let mock = Arc::new(Mock::new(
            &bundle,
            MockOptions {
                scenario: None,
                verify_sigv4: false,
            },
        ));
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .unwrap();
            println!("listening on http://127.0.0.1:{port}");
            mock.serve(listener).await.unwrap();
        });
        return;
    }
    let runs: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(1000);
    let verify = !args.iter().any(|a| a == "--no-verify");
    let mock = Arc::new(Mock::new(
        &bundle,
        MockOptions {
            scenario: Some(scenario),
            verify_sigv4: verify,
        },
    ));
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(mock.serve(listener));
        let plan = Arc::new(
            Plan::compile(
                &bundle,
                &PlanOptions {
                    servers: [("rekognitionApi".to_owned(), url)].into_iter().collect(),
                    ..PlanOptions::default()
                },
            )
            .unwrap(),
        );
        let aws = AwsSetup {
            credentials: Some(test_credentials()),
            looked: String::new(),
            region: Some("us-east-1".into()),
            service: None,
        };
        let driver = Arc::new(
            Driver::new(DriverOptions::default())
                .unwrap()
                .with_credentials(Credentials::new(Vec::new(), None).with_aws(aws)),
        );
        let options = RunOptions {
            poll_interval: Duration::ZERO,
            ..RunOptions::default()
        };
        let started = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..runs {
            let (plan, driver) = (plan.clone(), driver.clone());
            tasks.spawn(async move {
                let inputs = json!({"clientRequestToken": format!("bench-{i}")});
                let outcome = driver
                    .run(&plan, "face-liveness-session", inputs, options, &mut |_: &telaio_engine::Record| {})
                    .await;
                let requests: u32 = outcome.steps.iter().map(|s| s.attempts).sum();
                (outcome.succeeded && outcome.outputs["status"] == "SUCCEEDED", requests)
            });
        }
        let (mut ok, mut requests) = (0, 0u64);
        while let Some(done) = tasks.join_next().await {
            let (succeeded, n) = done.unwrap();
            ok += usize::from(succeeded);
            requests += u64::from(n);
        }
        let wall = started.elapsed().as_secs_f64();
        println!(
            "{runs} concurrent seed runs ({}): {ok} succeeded, {requests} requests in {:.3} s = {:.0} runs/s, {:.0} requests/s",
            if verify { "signatures checked" } else { "signatures not checked" },
            wall,
            runs as f64 / wall,
            requests as f64 / wall
        );
    });
}
