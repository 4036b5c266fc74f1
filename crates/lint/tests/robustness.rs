//! No document makes the loader or the linter panic: random text, and the rule fixtures
//! mutated (characters deleted, inserted, lines duplicated or swapped, values retyped).

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use telaio_lint::{LintOptions, lint};
use telaio_model::{ArazzoDocument, Bundle, LoadOptions, Loader, Url};

fn fixtures() -> &'static Vec<(PathBuf, String)> {
    static F: OnceLock<Vec<(PathBuf, String)>> = OnceLock::new();
    F.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules");
        let mut out: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                (p, text)
            })
            .collect();
        out.sort();
        out
    })
}

fn loader() -> &'static Loader {
    static L: OnceLock<Loader> = OnceLock::new();
    L.get_or_init(|| Loader::new(LoadOptions::default()))
}

/// Loads `text` as if it were the file at `path` (so its sources resolve), then lints it.
fn check(path: &Path, text: String) {
    let url = Url::from_file_path(path).unwrap();
    let Ok(doc) = ArazzoDocument::from_text(url, text, loader().options()) else {
        return;
    };
    let document = Arc::new(doc);
    let sources = loader().load_sources(&document);
    let bundle = Bundle {
        document,
        sources,
        linked: Vec::new(),
    };
    for strict in [false, true] {
        for d in lint(
            &bundle,
            &LintOptions {
                strict,
                ..LintOptions::default()
            },
        ) {
            assert!(!d.message.is_empty());
        }
    }
}

#[derive(Clone, Debug)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, String),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Retype(usize, &'static str),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1..40usize).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (any::<usize>(), "[ -~\n\t{}\\[\\]:$#&*!|>'\"-]{1,12}")
            .prop_map(|(a, s)| Mutation::Insert(a, s)),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (
            any::<usize>(),
            prop::sample::select(vec![
                "~",
                "1",
                "-1.5",
                "true",
                "[]",
                "{}",
                "''",
                "&a x",
                "*a",
                "$steps.",
                "{$x}",
                "!!binary x",
                "\"\\u0000\""
            ])
        )
            .prop_map(|(a, v)| Mutation::Retype(a, v)),
    ]
}

fn apply(text: &str, m: &Mutation) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize| if chars.is_empty() { 0 } else { i % chars.len() };
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let line = |i: usize, lines: &Vec<String>| if lines.is_empty() { 0 } else { i % lines.len() };
    match m {
        Mutation::Delete(a, n) => {
            let a = at(*a);
            let b = (a + n).min(chars.len());
            chars[..a].iter().chain(&chars[b..]).collect()
        }
        Mutation::Insert(a, s) => {
            let a = at(*a);
            chars[..a].iter().collect::<String>() + s + &chars[a..].iter().collect::<String>()
        }
        Mutation::DuplicateLine(i) => {
            let i = line(*i, &lines);
            if let Some(l) = lines.get(i).cloned() {
                lines.insert(i, l);
            }
            lines.join("\n")
        }
        Mutation::SwapLines(a, b) => {
            let (a, b) = (line(*a, &lines), line(*b, &lines));
            if !lines.is_empty() {
                lines.swap(a, b);
            }
            lines.join("\n")
        }
        Mutation::Retype(i, v) => {
            let i = line(*i, &lines);
            if let Some(l) = lines.get_mut(i)
                && let Some(colon) = l.find(": ")
            {
                l.truncate(colon + 2);
                l.push_str(v);
            }
            lines.join("\n")
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn mutated_documents_never_panic(index in any::<usize>(), mutations in prop::collection::vec(mutation(), 1..6)) {
        let (path, text) = &fixtures()[index % fixtures().len()];
        let mut text = text.clone();
        for m in &mutations {
            text = apply(&text, m);
        }
        check(path, text);
    }

    #[test]
    fn random_text_never_panics(text in any::<String>()) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules/random.yaml");
        check(&path, text);
    }

    #[test]
    fn random_yaml_shapes_never_panic(text in "(arazzo: 1\\.[01]\\.[0-9]\n)?([a-zA-Z$]{1,12}: ([-\\[\\]{}a-z0-9$.#/' ]{0,20})\n  ?){0,12}") {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules/random.yaml");
        check(&path, text);
    }
}
