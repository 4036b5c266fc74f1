//! Diagnostics for people, in the style of rustc and hurl: the message, the place, the source
//! line with a caret under the problem, and a hint. Colour only on a terminal.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use telaio_lint::{Diagnostic, Rule, Severity};

use super::DocumentReport;

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
    let _ = write_reports(&mut out, reports);
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
        d.message
    )?;
    let Some(span) = d.span else {
        writeln!(out, "  {GUTTER}-->{GUTTER:#} {}", d.file)?;
        return write_hint(out, d, 2);
    };
    let line_no = span.start.line.to_string();
    let pad = " ".repeat(line_no.len());
    writeln!(
        out,
        "{pad}{GUTTER}-->{GUTTER:#} {}:{}:{}",
        d.file, span.start.line, span.start.column
    )?;
    if let Some(line) = d.source.as_ref().and_then(|s| s.line(span.start.line)) {
        let line = line.replace('\t', " ");
        writeln!(out, "{pad} {GUTTER}|{GUTTER:#}")?;
        writeln!(out, "{GUTTER}{line_no} |{GUTTER:#} {line}")?;
        let indent = " ".repeat(span.start.column.saturating_sub(1) as usize);
        let room = line
            .chars()
            .count()
            .saturating_sub(span.start.column as usize - 1)
            .max(1);
        let width = (span.width_on_first_line() as usize).clamp(1, room);
        writeln!(
            out,
            "{pad} {GUTTER}|{GUTTER:#} {indent}{style}{}{style:#}",
            "^".repeat(width)
        )?;
    }
    write_hint(out, d, pad.len() + 1)
}

fn write_hint(out: &mut impl Write, d: &Diagnostic, indent: usize) -> std::io::Result<()> {
    if let Some(hint) = &d.hint {
        writeln!(out, "{}{HINT}= hint:{HINT:#} {hint}", " ".repeat(indent))?;
    }
    writeln!(out)
}

pub(crate) fn usage_error(message: &str) {
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{ERROR}error{ERROR:#}: {message}");
}

pub(crate) fn list_rules() {
    let mut out = anstream::stdout().lock();
    let width = telaio_lint::RULES
        .iter()
        .map(|r| r.id.len())
        .max()
        .unwrap_or(0);
    for rule in telaio_lint::RULES.iter() {
        let style = severity_style(rule.severity);
        let _ = writeln!(
            out,
            "{EMPHASIS}{:width$}{EMPHASIS:#}  {style}{:7}{style:#}  {}",
            rule.id,
            rule.severity.as_str(),
            rule.summary
        );
    }
}

pub(crate) fn explain(rule: &Rule) {
    let mut out = anstream::stdout().lock();
    let style = severity_style(rule.severity);
    let _ = writeln!(
        out,
        "{EMPHASIS}# {}{EMPHASIS:#} ({style}{}{style:#})\n",
        rule.id,
        rule.severity.as_str()
    );
    let _ = writeln!(out, "{}\n", rule.summary);
    // Doc comments keep the space after `///`.
    for line in rule.doc.lines() {
        let _ = writeln!(out, "{}", line.strip_prefix(' ').unwrap_or(line));
    }
}
