//! # telaio-engine: run Arazzo workflows over HTTP
//!
//! The async driver of the run core: it performs the machine's commands with reqwest and
//! tokio, within timeouts and a deadline, authenticates each request just before it goes out
//! (API keys, basic, bearer, OAuth client credentials, SigV4), and retries AWS requests
//! after transient failures as AWS SDKs do. The decisions are not made here:
//!
//! - [`telaio_plan`] turns a loaded document into a [`Plan`];
//! - [`telaio_run`] is the run itself, without I/O: the [`Machine`], its [`Event`]s, the
//!   journal and [`replay`], the [`Redactor`];
//! - [`telaio_auth`] says which [`Credentials`] satisfy an operation and signs with SigV4.
//!
//! Their items are re-exported here, so that one dependency runs a workflow:
//!
//! ```no_run
//! use telaio_engine::{Driver, DriverOptions, Plan, PlanOptions, Record, RunOptions, prepare_inputs};
//! use telaio_model::{LoadOptions, Loader};
//!
//! # async fn run() {
//! let loader = Loader::new(LoadOptions::default());
//! let url = Loader::url_for_path("workflow.arazzo.yaml".as_ref()).unwrap();
//! let bundle = loader.load_bundle(&url).unwrap();
//! let plan = Plan::compile(&bundle, &PlanOptions::default()).unwrap();
//! let workflow = &plan.workflows()[0];
//! let inputs = prepare_inputs(workflow.inputs_schema.as_ref(), Vec::new()).unwrap();
//! // Secrets are masked in every event and in the outcome, whatever the observer.
//! let driver = Driver::new(DriverOptions::default()).unwrap();
//! let outcome = driver
//!     .run(&plan, &workflow.id, inputs, RunOptions::default(), &mut |r: &Record| println!("{:?}", r.event))
//!     .await;
//! println!("{}", outcome.succeeded);
//! # }
//! ```
#![deny(missing_docs)]

mod driver;
mod retry;

pub use driver::{
    AttemptOutcome, Attempted, Driver, DriverError, DriverOptions, InDoubt, Recorded, ResumeError,
    stand_in_marker,
};
pub use retry::MAX_BACKOFF;
pub use telaio_auth::{
    AwsCredentials, AwsSetup, Credentials, Scheme, SchemeKind, Secret, Security, env_prefix,
    redactor, verify_sigv4,
};
pub use telaio_plan::{
    ActionKindPlan, ActionPlan, BodyPlan, DeclaredParam, InputSource, OperationPlan, ParamPlan,
    Plan, PlanError, PlanOptions, ReplacementTarget, RetryFirst, RunProblem, SourceSpot, StepPlan,
    TargetPlan, ValuePlan, WorkflowPlan, is_json, masked_schema, prepare_inputs,
    prepare_inputs_for_dry_run, scheme_kind, server_url,
};
pub use telaio_run::{
    ActionKind, AwsError, Command, DocumentIdentity, DriverLimits, DryStep, Entry, Event, Input,
    JOURNAL_FORMAT, JournalBody, JournalHeader, Limit, Loading, MASK, Machine, Observer, Outcome,
    Record, Redactor, ReplayError, Replayed, Request, Response, RunError, RunOptions, SafeToResend,
    Session, StepStatus, StepSummary, StepsSoFar, Stop, StopCause, WaitReason, aws_error, aws_read,
    catch_up, dry_run, idempotent_method, replay, result_json, safe_to_resend, seconds,
    status_word,
};
