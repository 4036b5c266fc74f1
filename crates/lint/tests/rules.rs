//! One fixture per rule (`tests/rules/<rule-id>.yaml`), with an insta snapshot of the
//! diagnostics it produces.

use std::path::Path;

use telaio_lint::{Diagnostic, LintOptions, RULES, lint, load_failure};
use telaio_model::{LoadOptions, Loader, display_name};

fn diagnostics(path: &Path) -> Vec<Diagnostic> {
    let loader = Loader::new(LoadOptions::default());
    let url = Loader::url_for_path(path).expect("fixture path");
    match loader.load_bundle(&url) {
        Ok(bundle) => lint(&bundle, &LintOptions::default()),
        Err(e) => load_failure(&display_name(&url), &e, &LintOptions::default()),
    }
}

fn render(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let at = d.span.map_or_else(
            || "-".to_owned(),
            |s| format!("{}:{}", s.start.line, s.start.column),
        );
        out.push_str(&format!(
            "{at} {}[{}] {}\n",
            d.severity.as_str(),
            d.rule,
            d.message
        ));
        if let Some(h) = &d.hint {
            out.push_str(&format!("    hint: {h}\n"));
        }
        if let Some(r) = &d.remedy {
            out.push_str(&format!("    remedy: {r:?}\n"));
        }
    }
    out
}

#[test]
fn rule_fixtures() {
    insta::glob!("rules/*.yaml", |path| {
        insta::assert_snapshot!(render(&diagnostics(path)));
    });
}

#[test]
fn every_rule_has_a_fixture_that_triggers_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules");
    // `unrunnable` is reported from the planner, which this crate does not run: the CLI's
    // tests cover it.
    for rule in RULES.iter().filter(|r| r.id != "unrunnable") {
        let fixture = dir.join(format!("{}.yaml", rule.id));
        assert!(
            fixture.exists(),
            "rule `{}` has no fixture at {}",
            rule.id,
            fixture.display()
        );
        let found = diagnostics(&fixture);
        assert!(
            found.iter().any(|d| d.rule == rule.id),
            "the fixture of `{}` does not trigger it:\n{}",
            rule.id,
            render(&found)
        );
    }
}

#[test]
fn every_rule_is_documented() {
    for rule in RULES.iter() {
        for section in [
            "## What it checks",
            "## Why it matters",
            "## Example",
            "## Instead",
        ] {
            assert!(
                rule.doc.contains(section),
                "rule `{}` lacks `{section}`",
                rule.id
            );
        }
        assert!(!rule.summary.is_empty());
    }
}

#[test]
fn strict_turns_warnings_into_errors() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules/unbounded-loop.yaml");
    let loader = Loader::new(LoadOptions::default());
    let bundle = loader
        .load_bundle(&Loader::url_for_path(&path).unwrap())
        .unwrap();
    let lenient = lint(
        &bundle,
        &LintOptions {
            strict: false,
            ..LintOptions::default()
        },
    );
    let strict = lint(
        &bundle,
        &LintOptions {
            strict: true,
            ..LintOptions::default()
        },
    );
    assert!(
        lenient
            .iter()
            .any(|d| d.severity == telaio_lint::Severity::Warning)
    );
    assert!(
        strict
            .iter()
            .all(|d| d.severity == telaio_lint::Severity::Error)
    );
    assert_eq!(lenient.len(), strict.len());
}

/// Skipping the advice rules keeps every error of every fixture and drops only warnings.
#[test]
fn skipping_advice_keeps_every_error() {
    let loader = Loader::new(LoadOptions::default());
    let mut dropped = 0;
    insta::glob!("rules/*.yaml", |path| {
        let Ok(bundle) = loader.load_bundle(&Loader::url_for_path(path).unwrap()) else {
            return;
        };
        let errors = |options: &LintOptions| -> (Vec<String>, usize) {
            let all = lint(&bundle, options);
            let errors = all
                .iter()
                .filter(|d| d.severity == telaio_lint::Severity::Error)
                .map(|d| format!("{}: {}", d.rule, d.message))
                .collect();
            (errors, all.len())
        };
        let (full, full_count) = errors(&LintOptions::default());
        let (quick, quick_count) = errors(&LintOptions {
            skip_advice: true,
            ..LintOptions::default()
        });
        assert_eq!(full, quick, "{}", path.display());
        dropped += full_count - quick_count;
    });
    assert!(dropped > 0, "the fixtures have advice to skip");
}

#[test]
fn what_the_planner_refuses_points_at_the_step() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules/workflow-cycle.yaml");
    let bundle = Loader::new(LoadOptions::default())
        .load_bundle(&Loader::url_for_path(&path).unwrap())
        .unwrap();
    let d = telaio_lint::unrunnable(
        &bundle,
        "again",
        Some("recurse"),
        None,
        "it cannot be planned",
    );
    assert_eq!(
        (d.rule, d.severity),
        ("unrunnable", telaio_lint::Severity::Error)
    );
    let at = d.span.unwrap().start;
    assert_eq!((at.line, at.column), (26, 9));
    // A workflow the document does not have: the document itself.
    let d = telaio_lint::unrunnable(&bundle, "nowhere", None, None, "it cannot be planned");
    assert_eq!(d.span.unwrap().start.line, 1);
}
