//! Runtime expressions printed back as they are written.

use std::fmt;

use super::{Expression, Source, WorkflowField};
use crate::JsonPointer;

impl fmt::Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn ptr(f: &mut fmt::Formatter<'_>, p: &Option<JsonPointer>) -> fmt::Result {
            match p {
                Some(p) => write!(f, "#{p}"),
                None => Ok(()),
            }
        }
        match self {
            Expression::Url => f.write_str("$url"),
            Expression::Method => f.write_str("$method"),
            Expression::StatusCode => f.write_str("$statusCode"),
            Expression::SelfUri => f.write_str("$self"),
            Expression::Request(s) => write!(f, "$request.{s}"),
            Expression::Response(s) => write!(f, "$response.{s}"),
            Expression::Message(s) => write!(f, "$message.{s}"),
            Expression::Inputs { name, pointer } => {
                write!(f, "$inputs.{name}")?;
                ptr(f, pointer)
            }
            Expression::Outputs { name, pointer } => {
                write!(f, "$outputs.{name}")?;
                ptr(f, pointer)
            }
            Expression::Steps {
                step_id,
                output,
                pointer,
            } => {
                write!(f, "$steps.{step_id}.outputs")?;
                if let Some(output) = output {
                    write!(f, ".{output}")?;
                }
                ptr(f, pointer)
            }
            Expression::Workflows {
                workflow_id,
                field,
                name,
                pointer,
            } => {
                write!(f, "$workflows.{workflow_id}.")?;
                match field {
                    WorkflowField::Inputs => f.write_str("inputs")?,
                    WorkflowField::Outputs => f.write_str("outputs")?,
                    WorkflowField::StepOutputs(step) => write!(f, "steps.{step}.outputs")?,
                }
                write!(f, ".{name}")?;
                ptr(f, pointer)
            }
            Expression::SourceDescriptions { name, reference } => {
                write!(f, "$sourceDescriptions.{name}.{reference}")
            }
            Expression::Components { kind, name } => write!(f, "$components.{kind}.{name}"),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Header(h) => write!(f, "header.{h}"),
            Source::Query(q) => write!(f, "query.{q}"),
            Source::Path(p) => write!(f, "path.{p}"),
            Source::Body(p) | Source::Payload(p) => {
                f.write_str(if matches!(self, Source::Body(_)) {
                    "body"
                } else {
                    "payload"
                })?;
                match p {
                    Some(p) => write!(f, "#{p}"),
                    None => Ok(()),
                }
            }
        }
    }
}
