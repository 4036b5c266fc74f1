//! Loading: spans point into the text, sources resolve relative to the document, `$ref`s are
//! followed across files with cycles detected, and no input makes the parser panic.

use std::sync::Arc;

use proptest::prelude::*;
use telaio_model::{
    ApiKind, ArazzoDocument, LoadError, LoadOptions, Loader, NodeKind, OperationLookup, RefError,
    Source, parse_text,
};

fn every_span_is_inside(node: &telaio_model::Node, lines: u32) -> bool {
    let ok = node.span.start.line >= 1
        && node.span.start.line <= lines + 1
        && node.span.start.column >= 1;
    ok && match &node.kind {
        NodeKind::Sequence(items) => items.iter().all(|n| every_span_is_inside(n, lines)),
        NodeKind::Mapping(entries) => entries
            .iter()
            .all(|e| every_span_is_inside(&e.value, lines)),
        _ => true,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn the_parser_never_panics_and_spans_stay_in_the_text(text in any::<String>()) {
        if let Ok(parsed) = parse_text(&text, &Default::default()) {
            let lines = u32::try_from(text.split('\n').count()).unwrap();
            prop_assert!(every_span_is_inside(&parsed.root, lines));
        }
    }

    #[test]
    fn yaml_like_text_never_panics(text in "([ -]{0,4}[a-z&*!|>'\"{}\\[\\],:#-]{0,6}( [a-z0-9&*]{0,5})?\n){0,20}") {
        let _ = parse_text(&text, &Default::default());
    }
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn sources_resolve_relative_to_the_document_and_are_indexed() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "apis/pets.json",
        r##"{"openapi": "3.1.0", "paths": {"/pets/{id}": {"$ref": "#/components/pathItems/pet"}}, "components": {"pathItems": {"pet": {"get": {"operationId": "getPet", "summary": "Get a pet"}}}}}"##,
    );
    write(
        dir.path(),
        "apis/store.yaml",
        "swagger: '2.0'\nhost: store.example.com\npaths:\n  /orders:\n    post: {operationId: placeOrder}\n",
    );
    write(
        dir.path(),
        "apis/events.yaml",
        "asyncapi: 3.0.0\nchannels:\n  petAdded: {address: pets/added}\noperations:\n  onPetAdded:\n    action: receive\n    channel: {$ref: '#/channels/petAdded'}\n",
    );
    let doc = write(
        dir.path(),
        "flows/adopt.arazzo.yaml",
        "arazzo: 1.1.0\ninfo: {title: t, version: '1'}\nsourceDescriptions:\n  - {name: pets, url: ../apis/pets.json}\n  - {name: store, url: ../apis/store.yaml}\n  - {name: events, url: ../apis/events.yaml, type: asyncapi}\nworkflows: []\n",
    );
    let loader = Loader::new(LoadOptions::default());
    let bundle = loader
        .load_bundle(&Loader::url_for_path(&doc).unwrap())
        .unwrap();
    let kinds: Vec<ApiKind> = bundle
        .sources
        .iter()
        .map(|s| s.api().unwrap().kind)
        .collect();
    assert_eq!(
        kinds,
        [ApiKind::OpenApi31, ApiKind::OpenApi2, ApiKind::AsyncApi3]
    );
    let pets = bundle.source("pets").unwrap().api().unwrap();
    let op = pets.operation_by_id("getPet").unwrap();
    assert_eq!(
        (op.path.as_str(), op.method.as_str(), op.summary.as_deref()),
        ("/pets/{id}", "get", Some("Get a pet"))
    );
    assert!(pets.operation_by_path("/pets/{id}", "GET").is_some());
    let events = bundle.source("events").unwrap().api().unwrap();
    assert_eq!(events.operations()[0].path, "petAdded");
    assert_eq!(events.channels()[0].address.as_deref(), Some("pets/added"));
    assert!(matches!(
        bundle.find_operation_id("$sourceDescriptions.store.placeOrder"),
        OperationLookup::Found { .. }
    ));
    assert!(matches!(
        bundle.find_operation_path("{$sourceDescriptions.pets.url}#/paths/~1pets~1{id}/get"),
        OperationLookup::Found { .. }
    ));
    assert!(matches!(
        bundle.find_operation_path("{$sourceDescriptions.pets.url}#/paths/~1pets~1%7Bid%7D/get"),
        OperationLookup::Found { .. }
    ));
    assert!(matches!(
        bundle.find_operation_id("nope"),
        OperationLookup::NotFound { .. }
    ));
    // Each file is read once per loader.
    let again = loader
        .load_source(bundle.sources[0].url.as_ref().unwrap(), None)
        .unwrap();
    let (Source::Api(a), Some(b)) = (&again, bundle.sources[0].api()) else {
        panic!()
    };
    assert!(std::ptr::eq(Arc::as_ptr(a), b));
}

#[test]
fn refs_are_followed_across_files_and_cycles_detected() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.yaml",
        "openapi: 3.0.3\npaths: {}\ncomponents:\n  schemas:\n    Pet: {$ref: 'b.yaml#/components/schemas/Animal'}\n    Loop1: {$ref: '#/components/schemas/Loop2'}\n    Loop2: {$ref: '#/components/schemas/Loop1'}\n    Gone: {$ref: '#/components/schemas/Nothing'}\n",
    );
    write(
        dir.path(),
        "b.yaml",
        "openapi: 3.0.3\npaths: {}\ncomponents:\n  schemas:\n    Animal: {type: object, title: Animal}\n",
    );
    let loader = Loader::new(LoadOptions::default());
    let url = Loader::url_for_path(&dir.path().join("a.yaml")).unwrap();
    let Source::Api(api) = loader.load_source(&url, None).unwrap() else {
        panic!()
    };
    let pet = loader.deref(&url, &api, "/components/schemas/Pet").unwrap();
    assert_eq!(pet.value()["title"], "Animal");
    assert!(pet.url.path().ends_with("/b.yaml"));
    assert!(matches!(
        loader.deref(&url, &api, "/components/schemas/Loop1"),
        Err(RefError::Cycle { .. })
    ));
    assert!(matches!(
        loader.deref(&url, &api, "/components/schemas/Gone"),
        Err(RefError::Missing { .. })
    ));
}

#[test]
fn load_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let loader = Loader::new(LoadOptions {
        max_document_bytes: 64,
        ..LoadOptions::default()
    });
    let url = |name: &str| Loader::url_for_path(&dir.path().join(name)).unwrap();
    assert!(matches!(
        loader.load_document(&url("missing.yaml")),
        Err(LoadError::NotFound { .. })
    ));
    std::fs::create_dir(dir.path().join("d")).unwrap();
    assert!(matches!(
        loader.load_document(&url("d")),
        Err(LoadError::IsDirectory { .. })
    ));
    write(dir.path(), "big.yaml", &"x".repeat(100));
    let err = loader.load_document(&url("big.yaml")).unwrap_err();
    assert!(
        err.to_string().contains("is 100 B, over the 64 B limit"),
        "{err}"
    );
    let remote = telaio_model::Url::parse("https://example.com/a.yaml").unwrap();
    assert!(matches!(
        loader.load_source(&remote, None),
        Err(LoadError::RemoteNotAllowed { .. })
    ));
    write(dir.path(), "bad.yaml", "a: [1,\n");
    let Err(LoadError::Syntax { error, .. }) = loader.load_document(&url("bad.yaml")) else {
        panic!()
    };
    assert_eq!(error.position.line, 2);
}

#[test]
fn extensions_and_both_versions_are_kept() {
    let url = telaio_model::Url::parse("file:///tmp/x.yaml").unwrap();
    let text = "arazzo: 1.1.0\n$self: https://example.com/x\ninfo: {title: t, version: '1', x-provider: acme}\nsourceDescriptions: [{name: a, url: ./a.yaml, type: asyncapi}]\nworkflows:\n  - workflowId: w\n    x-tags: [one]\n    steps:\n      - stepId: s\n        channelPath: '{$sourceDescriptions.a.url}#/channels/x'\n        action: receive\n        correlationId: $inputs.id\n        timeout: 500\n        dependsOn: [other]\n        parameters:\n          - {name: q, in: querystring, value: {context: $inputs.q, selector: $.a, type: jsonpath}}\n";
    let doc = ArazzoDocument::from_text(url, text.into(), &LoadOptions::default()).unwrap();
    let m = doc.model.unwrap();
    assert_eq!(m.version(), Some(telaio_model::SpecVersion::V1_1));
    assert_eq!(m.self_uri.as_deref(), Some("https://example.com/x"));
    assert_eq!(m.info.extensions.get("x-provider").unwrap(), "acme");
    let w = &m.workflows[0];
    assert_eq!(w.extensions.get("x-tags").unwrap()[0], "one");
    let s = &w.steps[0];
    assert_eq!(
        (s.action.as_deref(), s.timeout, s.depends_on.len()),
        (Some("receive"), Some(500), 1)
    );
    let telaio_model::ParameterOrReusable::Parameter(p) = &s.parameters[0] else {
        panic!()
    };
    assert_eq!(p.location, Some(telaio_model::ParameterIn::Querystring));
    assert!(matches!(p.value, telaio_model::Valuable::Selector(_)));
}

/// Folder discovery parses the top level: `arazzo` must be a key of the top mapping, in
/// whatever encoding YAML allows; a broken document that starts like one is kept, so that
/// `validate` can say what is wrong with it.
#[test]
fn a_folder_holds_the_documents_whose_top_level_has_arazzo() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes).unwrap();
    write(
        "package.json",
        br#"{"name": "x", "dependencies": {"arazzo": "^1.0.0"}}"#,
    );
    write("list.json", br#"[{"arazzo": "1.0.1"}]"#);
    write(
        "openapi.yaml",
        b"openapi: 3.1.0\ninfo: {title: arazzo helpers}\n",
    );
    write(
        "late-key.yaml",
        b"info: {title: t, version: '1'}\narazzo: 1.0.1\n",
    );
    write("broken.yaml", b"arazzo: 1.0.1\ninfo: [unclosed\n");
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("arazzo: 1.0.1\n".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    write("utf16.yaml", &utf16);
    let found: Vec<String> = telaio_model::arazzo_files(dir.path())
        .unwrap()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(found, ["broken.yaml", "late-key.yaml", "utf16.yaml"]);
}
