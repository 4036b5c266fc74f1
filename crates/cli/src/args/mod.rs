//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use telaio_engine::{DriverOptions, RunOptions};
use telaio_model::LoadOptions;

mod mcp;
mod runs;

pub(crate) use mcp::*;
pub(crate) use runs::*;

// Each limit's default is the library's: stated once, there.

/// Telaio runs Arazzo workflows: sequences of API calls described in a document.
#[derive(Debug, Parser)]
#[command(name = "telaio", version, about, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check Arazzo documents against the specification and their API descriptions.
    Validate(ValidateArgs),
    /// Evaluate a runtime expression, template or condition against a runtime state.
    Expr(ExprArgs),
    /// Run a workflow against its APIs.
    Run(Box<RunArgs>),
    /// Serve stand-ins for a document's APIs on 127.0.0.1: OpenAPI examples, scenarios, SigV4
    /// checks.
    Mock(MockArgs),
    /// Render a document as documentation: workflows, inputs, outputs, steps and a flowchart.
    Docs(DocsArgs),
    /// Render a folder of Arazzo documents as a browsable catalog: a page per document and
    /// an index with search and filters.
    Catalog(CatalogArgs),
    /// Replay a run's journal (`telaio run --journal`) offline: the same progress, result
    /// and exit status, with nothing sent.
    Replay(ReplayArgs),
    /// The runs recorded in the store: list them, show one, replay or export it, prune old
    /// ones.
    Runs(RunsArgs),
    /// Serve workflows over HTTP: a JSON API to start runs, follow them live and read their
    /// results, every run recorded in the store.
    Serve(Box<ServeArgs>),
    /// Run workflows as a Restate service: each run a durable Restate workflow, every
    /// exchange journaled by Restate, every wait a durable timer.
    Restate(RestateArgs),
    /// Serve workflows to AI agents over the Model Context Protocol: each workflow a typed
    /// tool, each call a run recorded in the store.
    Mcp(Box<McpArgs>),
}

#[derive(Debug, Args)]
pub(crate) struct RestateArgs {
    #[command(subcommand)]
    pub command: RestateCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RestateCommand {
    /// Serve the workflows of the documents as the Restate workflow `telaio`, for a Restate
    /// server to call (register this endpoint with it).
    Serve(Box<RestateServeArgs>),
    /// Write a run's journal as Restate keeps it (read through its admin API), as
    /// `telaio run --journal` writes one: `telaio replay` shows the run again, offline.
    Export(RestateExportArgs),
}

#[derive(Debug, Args)]
pub(crate) struct RestateExportArgs {
    /// The run's id (the key it was started with: `/telaio/<runId>/run/send`).
    pub run: String,

    /// The Restate server's admin API.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:9070")]
    pub admin: String,
}

#[derive(Debug, Args)]
pub(crate) struct RestateServeArgs {
    /// Arazzo documents, or folders to search for them.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,

    /// The address to listen on (port 0 picks a free one): the Restate server calls it
    /// there (HTTP/2).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:9080")]
    pub listen: String,

    /// A run that waits longer than this (a poll interval, a retry's wait) leaves the
    /// endpoint, suspended in Restate, and comes back when its timer fires.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub suspend_after: f64,

    /// Answer only calls signed by the Restate server with this public key
    /// (`publickeyv1_...`; the server's `request-identity-private-key-pem-file`). Needed to
    /// listen beyond loopback. Several: any of them.
    #[arg(long, value_name = "KEY")]
    pub identity_key: Vec<String>,

    #[command(flatten)]
    pub settings: RunSettings,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Arazzo documents, or folders to search for them.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,

    /// The address to listen on (port 0 picks a free one). Any other than a loopback
    /// address needs --token-file.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:7878")]
    pub listen: String,

    /// Requests in flight at once, over all runs: a run waits its turn before each request
    /// (a run waiting out a poll interval holds none).
    #[arg(long, value_name = "N", default_value_t = telaio_serve::ServeOptions::default().concurrency)]
    pub concurrency: usize,

    /// Runs that may be under way beyond --concurrency; past them a new run is refused (429,
    /// Retry-After).
    #[arg(long, value_name = "N", default_value_t = telaio_serve::ServeOptions::default().queue)]
    pub queue: usize,

    /// A file holding the bearer token every request must carry (`Authorization: Bearer
    /// ...`); needed to listen beyond loopback.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,

    /// Offer each run a choice: the configured servers (unless it asks) or an in-process mock
    /// of the document's APIs (`"target": "mock"`, a choice in the console), with this
    /// scenario when given.
    #[arg(long, value_name = "SCENARIO", num_args = 0..=1, conflicts_with = "mock")]
    pub allow_mock: Option<Option<PathBuf>>,

    #[command(flatten)]
    pub settings: RunSettings,

    #[command(flatten)]
    pub store: StoreArgs,
}

/// Page formats of `telaio docs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum DocsFormat {
    /// One self-contained HTML page with a diagram per workflow and the validated source.
    Html,
    /// Markdown with a Mermaid flowchart per workflow, for READMEs and developer portals.
    Markdown,
}

#[derive(Debug, Args)]
pub(crate) struct DocsArgs {
    /// The Arazzo document.
    pub file: PathBuf,

    /// Write the page here instead of to stdout.
    #[arg(long, short = 'o', value_name = "OUT")]
    pub output: Option<PathBuf>,

    /// The page's format.
    #[arg(long, value_enum, default_value_t = DocsFormat::Html)]
    pub format: DocsFormat,

    #[command(flatten)]
    pub load: LoadArgs,
}

#[derive(Debug, Args)]
pub(crate) struct CatalogArgs {
    /// The folder of Arazzo documents (searched at any depth).
    pub dir: PathBuf,

    /// The folder to write the catalog to (`index.html` and a page per document).
    #[arg(long, short = 'o', value_name = "OUTDIR")]
    pub output: PathBuf,

    /// Render every page, even those whose files did not change since the last run.
    #[arg(long)]
    pub force: bool,

    /// Documents rendered at once (default: one per core).
    #[arg(
        long,
        short = 'j',
        value_name = "N",
        default_value_t = 0,
        hide_default_value = true
    )]
    pub jobs: usize,

    #[command(flatten)]
    pub load: LoadArgs,
}

#[derive(Debug, Args)]
pub(crate) struct MockArgs {
    /// The Arazzo document whose API sources to stand in for.
    pub file: PathBuf,

    /// A scenario (YAML or JSON) that makes the answers stateful.
    #[arg(long, value_name = "SCENARIO.yaml")]
    pub scenario: Option<PathBuf>,

    /// The port to listen on (0: a free one, printed).
    #[arg(long, default_value_t = 0)]
    pub port: u16,

    /// Check every request's AWS SigV4 signature against the mock's test credentials
    /// (AKIDTELAIOMOCK) and refuse a bad one with 403, as AWS does.
    #[arg(long)]
    pub verify_sigv4: bool,

    #[command(flatten)]
    pub load: LoadArgs,
}

/// How `telaio run` prints its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum RunOutput {
    /// Progress on a terminal, then the outputs.
    Human,
    /// One JSON object: workflowId, status, outputs, steps, error.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The Arazzo document.
    pub file: PathBuf,

    /// The workflow to run (optional when the document has one).
    #[arg(long, short = 'w', value_name = "ID")]
    pub workflow: Option<String>,

    /// An input, typed by the workflow's inputs schema (`--input count=5`).
    #[arg(long = "input", short = 'i', value_name = "NAME=VALUE")]
    pub inputs: Vec<String>,

    /// An input given as JSON (`--input-json tags='["a","b"]'`).
    #[arg(long = "input-json", value_name = "NAME=JSON")]
    pub inputs_json: Vec<String>,

    /// A JSON or YAML file with an object of inputs.
    #[arg(long = "inputs", value_name = "FILE")]
    pub inputs_file: Option<PathBuf>,

    /// Run the workflow once per line of this file (JSON Lines: an object of inputs per
    /// line), many at once, each recorded in the store; one JSON result per line on stdout,
    /// in the order of the lines, and a summary on stderr.
    #[arg(
        long,
        value_name = "FILE.jsonl",
        conflicts_with_all = ["inputs", "inputs_json", "inputs_file", "dry_run", "explain_auth", "journal", "trace"]
    )]
    pub inputs_jsonl: Option<PathBuf>,

    /// With --inputs-jsonl: requests in flight at once, over all the runs.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 16,
        requires = "inputs_jsonl"
    )]
    pub concurrency: usize,

    /// Output format.
    #[arg(long, value_enum, default_value_t = RunOutput::Human)]
    pub output: RunOutput,

    #[command(flatten)]
    pub settings: RunSettings,

    /// Show which credentials each operation needs and where Telaio looks for them; send
    /// nothing.
    #[arg(long)]
    pub explain_auth: bool,

    /// Write every event of the run, secrets masked, to this file as JSON Lines.
    #[arg(long, value_name = "FILE.jsonl")]
    pub trace: Option<PathBuf>,

    /// Keep the run's journal in this file as it goes (JSON Lines, each entry written before
    /// the next request is sent, secrets masked): `telaio replay` replays it offline.
    #[arg(long, value_name = "FILE.jsonl")]
    pub journal: Option<PathBuf>,

    #[command(flatten)]
    pub store: StoreArgs,

    /// Do not record the run in the store (whatever `--store` or `TELAIO_STORE` say).
    #[arg(long)]
    pub no_store: bool,

    /// Print the requests the steps would send (from the inputs alone); send nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// How runs are made: the flags `telaio run` and `telaio serve` share (servers, limits,
/// sources, credentials, the mock, AWS).
#[derive(Clone, Debug, Args)]
pub(crate) struct RunSettings {
    /// The server URL of a source description (`--server petstore=http://127.0.0.1:8080`).
    #[arg(long = "server", value_name = "NAME=URL")]
    pub servers: Vec<String>,

    /// Seconds to wait before a `goto` back to the same or an earlier step (polling).
    #[arg(long, value_name = "SECONDS", default_value_t = RunOptions::default().poll_interval.as_secs_f64())]
    pub poll_interval: f64,

    /// Most step executions in one run.
    #[arg(long, value_name = "N", default_value_t = RunOptions::default().max_steps)]
    pub max_steps: u64,

    /// Seconds to wait for one response.
    #[arg(long, value_name = "SECONDS", default_value_t = DriverOptions::default().request_timeout.as_secs_f64())]
    pub timeout: f64,

    /// Seconds the whole run may take.
    #[arg(long, value_name = "SECONDS", default_value_t = DriverOptions::default().deadline.as_secs_f64())]
    pub deadline: f64,

    /// The longest `Retry-After` a retry waits for: a server that asks for more fails the
    /// step at once (as does a wait past the deadline).
    #[arg(long, value_name = "SECONDS", default_value_t = RunOptions::default().max_retry_wait.as_secs_f64())]
    pub max_retry_wait: f64,

    /// Largest response body kept in memory, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DriverOptions::default().max_response_bytes)]
    pub max_response_bytes: usize,

    /// Extra attempts for a request to an AWS API after throttling, a 5xx or a failed
    /// connection (exponential backoff with jitter, as AWS SDKs do; 0 turns them off).
    #[arg(long, value_name = "N", default_value_t = DriverOptions::default().transport_retries)]
    pub transport_retries: u32,

    /// Deepest nesting of sub-workflows.
    #[arg(long, value_name = "N", default_value_t = RunOptions::default().max_depth)]
    pub max_depth: usize,

    #[command(flatten)]
    pub load: LoadArgs,

    /// A YAML or JSON file of credentials: `{source: {scheme: secret}}` (see --explain-auth).
    #[arg(long, value_name = "FILE")]
    pub credentials: Option<PathBuf>,

    /// Run against an in-process mock of every API source (with this scenario, when given):
    /// sources point at it, and requests are signed with its test credentials and checked.
    #[arg(long, value_name = "SCENARIO", num_args = 0..=1)]
    pub mock: Option<Option<PathBuf>>,

    /// At most N requests a second to a source's API, over all runs at once, spaced evenly
    /// (`--rate-limit rekognitionApi=5/s`).
    #[arg(long, value_name = "SOURCE=N/s")]
    pub rate_limit: Vec<String>,

    /// Sign a source's requests with a scheme its description does not declare:
    /// `NAME=aws-sigv4` (AWS endpoints and SigV4 schemes are signed anyway).
    #[arg(long, value_name = "NAME=SCHEME")]
    pub auth: Vec<String>,

    /// The AWS region to sign for, which also fills `{region}` in server URLs (else
    /// $AWS_REGION, $AWS_DEFAULT_REGION, or the AWS profile's).
    #[arg(long, value_name = "REGION")]
    pub aws_region: Option<String>,

    /// The AWS signing name (service), when the API's host does not give it.
    #[arg(long, value_name = "NAME")]
    pub aws_service: Option<String>,

    /// Show values the API descriptions mark sensitive (`x-sensitive`, such as biometric
    /// images) in outputs instead of their size.
    #[arg(long)]
    pub show_sensitive: bool,
}

/// Where documents may come from.
#[derive(Clone, Debug, Args)]
pub(crate) struct LoadArgs {
    /// Load documents and source descriptions from http(s) URLs.
    #[arg(long)]
    pub allow_remote: bool,

    /// With --allow-remote, also fetch from loopback and private addresses (never link-local
    /// ones, where cloud metadata services live).
    #[arg(long, requires = "allow_remote")]
    pub allow_private_hosts: bool,

    /// With --allow-remote, the most seconds one fetch may take, first byte to last.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 30.0,
        requires = "allow_remote"
    )]
    pub remote_timeout: f64,

    /// Read a source description from this file or URL instead of its `url`
    /// (`--source petStore=./petstore.yaml`).
    #[arg(long = "source", value_name = "NAME=PATH")]
    pub sources: Vec<String>,

    /// Resolve relative source description URLs against this folder instead of each
    /// document's folder (catalogs that write them from the repository's root).
    #[arg(long, value_name = "FOLDER")]
    pub source_base: Option<PathBuf>,

    /// Also read source descriptions below this folder (by default only below the
    /// document's repository, or its folder; `/` allows any file).
    #[arg(long, value_name = "FOLDER")]
    pub source_root: Vec<PathBuf>,

    /// Largest document or source description read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = LoadOptions::default().max_document_bytes)]
    pub max_document_size: u64,
}

/// The language of `telaio expr`'s EXPRESSION when it is a criterion's condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ConditionType {
    /// The simple condition language.
    Simple,
    /// A regular expression, applied to the value of `--on`.
    Regex,
    /// An RFC 9535 JSONPath, applied to the value of `--on`.
    Jsonpath,
    /// An XPath 3.1 expression, applied to the XML text of `--on`.
    Xpath,
}

#[derive(Debug, Args)]
pub(crate) struct ExprArgs {
    /// A runtime expression (`$response.body#/id`), a `{$...}` template, or a condition.
    pub expression: String,

    /// A JSON or YAML file with the runtime state: url, method, statusCode, request,
    /// response, message, inputs, outputs, steps, workflows, sourceDescriptions, components.
    #[arg(long, value_name = "FILE")]
    pub context: Option<PathBuf>,

    /// Read EXPRESSION as a criterion's condition of this type.
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub condition_type: Option<ConditionType>,

    /// The criterion's context expression, for regex, JSONPath and XPath conditions.
    #[arg(long, value_name = "EXPR", default_value = "$response.body")]
    pub on: String,

    /// Print how the value was reached (on stderr).
    #[arg(long)]
    pub explain: bool,
}

/// How to print diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// For people: the source line, a caret and a hint (colour on a terminal).
    Human,
    /// One JSON object, for tools.
    Json,
    /// SARIF 2.1.0, for code scanning in CI.
    Sarif,
}

#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// Arazzo documents, or folders to search for them (YAML or JSON).
    #[arg(required_unless_present_any = ["explain", "list_rules"])]
    pub files: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,

    #[command(flatten)]
    pub load: LoadArgs,

    /// Print the documentation of a rule and exit.
    #[arg(long, value_name = "RULE", conflicts_with = "list_rules")]
    pub explain: Option<String>,

    /// List every rule and exit.
    #[arg(long)]
    pub list_rules: bool,
}
