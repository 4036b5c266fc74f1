//! # telaio-engine: run Arazzo workflows
//!
//! Data flows one way: a loaded document ([`telaio_model::Bundle`]) becomes a [`Plan`]
//! (operations resolved, values and criteria compiled, actions merged), and the plan runs.
//!
//! - [`Machine`] is the run's decision logic, without I/O: it says what to do next
//!   ([`Command`]: send a request, wait, finished) and is told what happened ([`Input`]).
//!   Every step of the run is an [`Event`].
//! - [`Driver`] performs the commands with reqwest and tokio, within timeouts and a deadline.
//! - [`prepare_inputs`] types, defaults and validates workflow inputs.
//! - [`Credentials`] supply the secrets the sources' security schemes ask for (never from
//!   the command line), and [`Redactor`] keeps them, and data marked sensitive, out of every
//!   event and output.
//! - [`AwsSetup`] finds AWS credentials and the region the way AWS tools do, for requests the
//!   plan signs with SigV4; [`aws_error`] reads AWS JSON errors; [`verify_sigv4`] checks a
//!   received signature as AWS does (for stand-in servers).
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
//! let driver = Driver::new(DriverOptions::default()).unwrap();
//! let outcome = driver
//!     .run(&plan, &workflow.id, inputs, RunOptions::default(), &mut |r: &Record| println!("{:?}", r.event))
//!     .await;
//! println!("{}", outcome.succeeded);
//! # }
//! ```
#![deny(missing_docs)]

mod auth;
mod aws;
mod core;
mod driver;
mod event;
mod http;
mod inputs;
mod journal;
mod plan;
mod redact;
mod retry;
mod session;

pub use crate::core::{
    Command, DryStep, Input, Machine, Outcome, RunOptions, StepSummary, dry_run,
};
pub use auth::{Credentials, Scheme, SchemeKind, Secret, Security, env_prefix, scheme_kind};
pub use aws::{AwsCredentials, AwsError, AwsSetup, aws_error, verify_sigv4};
pub use driver::{Driver, DriverError, DriverOptions};
pub use event::{ActionKind, Event, Record, RunError, WaitReason};
pub use http::{Request, Response, is_json};
pub use inputs::{InputSource, prepare_inputs, prepare_inputs_for_dry_run};
pub use journal::{
    DocumentIdentity, Entry, JOURNAL_FORMAT, JournalBody, JournalHeader, ReplayError, Replayed,
    Stop, StopCause, replay,
};
pub use plan::{
    ActionKindPlan, ActionPlan, BodyPlan, DeclaredParam, OperationPlan, ParamPlan, Plan, PlanError,
    PlanOptions, ReplacementTarget, RetryFirst, RunProblem, StepPlan, TargetPlan, ValuePlan,
    WorkflowPlan, server_url,
};
pub use redact::{MASK, Redactor};
pub use retry::MAX_BACKOFF;
pub use session::Observer;
