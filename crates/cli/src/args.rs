//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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

    /// Load documents and source descriptions from http(s) URLs.
    #[arg(long)]
    pub allow_remote: bool,

    /// Largest document read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 20 * 1024 * 1024)]
    pub max_document_size: u64,

    /// Print the documentation of a rule and exit.
    #[arg(long, value_name = "RULE", conflicts_with = "list_rules")]
    pub explain: Option<String>,

    /// List every rule and exit.
    #[arg(long)]
    pub list_rules: bool,
}
