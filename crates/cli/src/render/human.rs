//! Diagnostics for people, in the style of rustc and hurl: the message, the place, the source
//! line with a caret under the problem, and a hint. Colour only on a terminal.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use telaio_lint::{Diagnostic, Rule, Severity};

use super::DocumentReport;
use crate::term::{clean, show};

const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const EMPHASIS: Style = Style::new().bold();
const GUTTER: Style = AnsiColor::Blue.on_default().bold();
const HINT: Style = AnsiColor::Cyan.on_default().bold();
const OK: Style = AnsiColor::Green.on_default().bold();

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Error => ERROR,
        Severity::Warning => WARNING,
    }
}

pub(crate) fn human(reports: &[DocumentReport]) {
    let mut out = anstream::stdout().lock();
    crate::term::finish_stdout(write_reports(&mut out, reports));
}

fn write_reports(out: &mut impl Write, reports: &[DocumentReport]) -> std::io::Result<()> {
    let mut errors = 0;
    let mut warnings = 0;
    let mut failing = 0;
    for report in reports {
        for d in &report.diagnostics {
            write_diagnostic(out, d)?;
        }
        let e = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        errors += e;
        warnings += report.diagnostics.len() - e;
        failing += usize::from(e > 0);
    }
    let documents = plural(reports.len(), "document");
    let warnings_text = if warnings > 0 {
        format!(", {}", plural(warnings, "warning"))
    } else {
        String::new()
    };
    if errors == 0 {
        writeln!(out, "{OK}ok{OK:#}: {documents} valid{warnings_text}")
    } else {
        writeln!(
            out,
            "{ERROR}failed{ERROR:#}: {} in {} of {documents}{warnings_text}",
            plural(errors, "error"),
            failing
        )
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

pub(crate) fn write_diagnostic(out: &mut impl Write, d: &Diagnostic) -> std::io::Result<()> {
    let style = severity_style(d.severity);
    writeln!(
        out,
        "{style}{}[{}]{style:#}{EMPHASIS}: {}{EMPHASIS:#}",
        d.severity.as_str(),
        d.rule,
        clean(&d.message)
    )?;
    let file = clean(&d.file);
    let Some(span) = d.span else {
        writeln!(out, "  {GUTTER}-->{GUTTER:#} {file}")?;
        return write_hint(out, d, 2);
    };
    let line_no = span.start.line.to_string();
    let pad = " ".repeat(line_no.len());
    writeln!(
        out,
        "{pad}{GUTTER}-->{GUTTER:#} {file}:{}:{}",
        span.start.line, span.start.column
    )?;
    // At most 120 characters of the line: a minified JSON document is one line.
    let excerpt = d
        .source
        .as_ref()
        .and_then(|s| s.excerpt(span.start.line, span.start.column, 120));
    if let Some(excerpt) = excerpt {
        let (shown, caret_at, room) = show(excerpt);
        writeln!(out, "{pad} {GUTTER}|{GUTTER:#}")?;
        writeln!(out, "{GUTTER}{line_no} |{GUTTER:#} {shown}")?;
        let width = (span.width_on_first_line() as usize).clamp(1, room.max(1));
        writeln!(
            out,
            "{pad} {GUTTER}|{GUTTER:#} {}{style}{}{style:#}",
            " ".repeat(caret_at),
            "^".repeat(width)
        )?;
    }
    write_hint(out, d, pad.len() + 1)
}

fn write_hint(out: &mut impl Write, d: &Diagnostic, indent: usize) -> std::io::Result<()> {
    if let Some(hint) = &super::hint(d) {
        writeln!(
            out,
            "{}{HINT}= hint:{HINT:#} {}",
            " ".repeat(indent),
            clean(hint)
        )?;
    }
    writeln!(out)
}

pub(crate) fn usage_error(message: &str) {
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{ERROR}error{ERROR:#}: {}", clean(message));
}

/// The exit status of a command that either ends with one or is refused with `messages`,
/// each printed as an error (usage errors: exit 2).
pub(crate) fn exit_or_usage(done: Result<u8, Vec<String>>) -> u8 {
    match done {
        Ok(code) => code,
        Err(messages) => {
            for m in messages {
                usage_error(&m);
            }
            crate::exit::USAGE
        }
    }
}

pub(crate) fn list_rules() {
    let mut out = anstream::stdout().lock();
    let width = telaio_lint::RULES
        .iter()
        .map(|r| r.id.len())
        .max()
        .unwrap_or(0);
    let written = telaio_lint::RULES.iter().try_for_each(|rule| {
        let style = severity_style(rule.severity);
        writeln!(
            out,
            "{EMPHASIS}{:width$}{EMPHASIS:#}  {style}{:7}{style:#}  {}",
            rule.id,
            rule.severity.as_str(),
            rule.summary
        )
    });
    crate::term::finish_stdout(written);
}

pub(crate) fn explain(rule: &Rule) {
    let mut out = anstream::stdout().lock();
    let style = severity_style(rule.severity);
    let written = (|| {
        writeln!(
            out,
            "{EMPHASIS}# {}{EMPHASIS:#} ({style}{}{style:#})\n",
            rule.id,
            rule.severity.as_str()
        )?;
        writeln!(out, "{}\n", rule.summary)?;
        // Doc comments keep the space after `///`.
        for line in rule.doc.lines() {
            writeln!(out, "{}", line.strip_prefix(' ').unwrap_or(line))?;
        }
        Ok(())
    })();
    crate::term::finish_stdout(written);
}
