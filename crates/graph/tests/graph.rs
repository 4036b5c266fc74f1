//! The graph reads a document as the spec means it: merged actions, inlined components, typed
//! targets, and places that point at the right lines.

use telaio_graph::{Action, Call, Graph, ParamValue, ProblemKind, Target};
use telaio_model::{ArazzoDocument, Bundle, LoadOptions};

fn bundle(text: &str) -> Bundle {
    let url = url::Url::parse("file:///work/doc.arazzo.yaml").unwrap();
    let document = ArazzoDocument::from_text(url, text.into(), &LoadOptions::default()).unwrap();
    Bundle::without_sources(document)
}

const DOCUMENT: &str = r#"arazzo: 1.0.1
info: {title: Graph, version: 1.0.0}
sourceDescriptions: [{name: api, url: ./api.yaml}]
workflows:
  - workflowId: main
    parameters:
      - {name: region, in: header, value: eu}
      - {name: trace, in: header, value: "on"}
    successActions:
      - {name: done, type: end}
      - {type: end}
    failureActions:
      - {name: again, type: retry, retryAfter: 1}
      - reference: $components.failureActions.giveUp
    steps:
      - stepId: create
        operationId: create
        parameters:
          - {name: region, in: header, value: us}
          - {reference: $components.parameters.page, value: 2}
        onSuccess:
          - {name: done, type: goto, stepId: poll}
          - {type: goto, workflowId: other}
      - stepId: poll
        operationId: poll
        onFailure:
          - {name: again, type: retry, stepId: create, retryLimit: 3}
          - {name: lost, type: goto, stepId: nowhere}
          - reference: $components.failureActions.missing
  - workflowId: other
    steps:
      - stepId: call
        workflowId: main
components:
  parameters:
    page: {name: page, in: query, value: 1}
  failureActions:
    giveUp:
      name: giveUp
      type: end
      criteria: [{condition: $statusCode == 500}]
"#;

#[test]
fn step_actions_come_first_and_override_the_workflows_by_name() {
    let bundle = bundle(DOCUMENT);
    let graph = Graph::of(&bundle).unwrap();
    let create = &graph.workflows[0].steps[0];
    let names: Vec<_> = create.on_success.iter().map(|a| a.name).collect();
    // `done` of the step overrides the workflow's; the unnamed ones override nothing.
    assert_eq!(names, [Some("done"), None, None]);
    assert!(matches!(
        create.on_success[0].kind,
        Action::Goto(Target::Step(1))
    ));
    assert!(!create.on_success[0].from_workflow);
    match &create.on_success[1].kind {
        Action::Goto(Target::Workflow(r)) => assert_eq!((r.written, r.local), ("other", Some(1))),
        other => panic!("{other:?}"),
    }
    assert!(matches!(create.on_success[2].kind, Action::End));
    assert!(create.on_success[2].from_workflow);
}

#[test]
fn components_are_inlined_and_keep_their_own_place() {
    let bundle = bundle(DOCUMENT);
    let graph = Graph::of(&bundle).unwrap();
    let create = &graph.workflows[0].steps[0];
    let give_up = create
        .on_failure
        .iter()
        .find(|a| a.name == Some("giveUp"))
        .unwrap();
    assert!(matches!(give_up.kind, Action::End));
    assert_eq!(give_up.place.pointer(), "/components/failureActions/giveUp");
    assert_eq!(give_up.listed.pointer(), "/workflows/0/failureActions/1");
    let condition = graph.span(&give_up.criteria[0].condition_place()).unwrap();
    assert_eq!(
        condition.start.line, 41,
        "the component's criterion, where it is written"
    );
}

#[test]
fn a_retry_with_a_step_runs_that_step_first_and_the_limit_defaults_to_one() {
    let bundle = bundle(DOCUMENT);
    let graph = Graph::of(&bundle).unwrap();
    let (create, poll) = (&graph.workflows[0].steps[0], &graph.workflows[0].steps[1]);
    match &poll.on_failure[0].kind {
        Action::Retry { limit, first, .. } => {
            assert_eq!(*limit, 3);
            assert!(matches!(first, Some(Target::Step(0))));
        }
        other => panic!("{other:?}"),
    }
    // The workflow's `again` is overridden by the step's, not added twice.
    assert_eq!(
        poll.on_failure
            .iter()
            .filter(|a| a.name == Some("again"))
            .count(),
        1
    );
    match &create.on_failure[0].kind {
        Action::Retry {
            after,
            limit,
            first,
        } => assert_eq!((*after, *limit, first.is_none()), (Some(1.0), 1, true)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn problems_name_what_is_wrong_where_it_is_written() {
    let bundle = bundle(DOCUMENT);
    let graph = Graph::of(&bundle).unwrap();
    let poll = &graph.workflows[0].steps[1];
    let problems: Vec<_> = poll
        .problems()
        .map(|p| {
            let line = graph.span(&p.place).map(|s| s.start.line);
            (p.kind.to_string(), line)
        })
        .collect();
    assert_eq!(
        problems,
        [
            ("no step `nowhere` to go to".to_owned(), Some(28)),
            (
                "`$components.failureActions.missing` names no component".to_owned(),
                Some(29)
            ),
        ]
    );
    assert!(matches!(
        poll.on_failure[2].kind,
        Action::Invalid(ProblemKind::UnknownActionComponent { .. })
    ));
    assert_eq!(graph.workflows[0].steps[0].problems().count(), 0);
}

#[test]
fn parameters_merge_the_workflows_under_the_steps_by_name_and_location() {
    let bundle = bundle(DOCUMENT);
    let graph = Graph::of(&bundle).unwrap();
    let create = &graph.workflows[0].steps[0];
    let shown: Vec<_> = create
        .parameters
        .iter()
        .map(|p| {
            let value = match p.value {
                ParamValue::Written(v) => v.as_str().map(str::to_owned),
                ParamValue::Override(v) => Some(v.to_string()),
            };
            (
                p.name,
                p.location.map(|l| l.as_str()),
                value,
                p.from_workflow,
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("trace", Some("header"), Some("on".to_owned()), true),
            ("region", Some("header"), Some("us".to_owned()), false),
            ("page", Some("query"), Some("2".to_owned()), false),
        ]
    );
    // The second step has only the workflow's.
    assert_eq!(graph.workflows[0].steps[1].parameters.len(), 2);
}

#[test]
fn what_a_step_calls_is_looked_up_once() {
    let bundle = bundle(DOCUMENT);
    let graph = Graph::of(&bundle).unwrap();
    match &graph.workflows[1].steps[0].call {
        Call::Workflow(r) => {
            assert_eq!(r.local, Some(0));
            assert_eq!(graph.span(&r.place).unwrap().start.line, 33);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        graph.workflows[0].steps[0].call,
        Call::Operation {
            written: "create",
            ..
        }
    ));
    assert_eq!(graph.workflow("other").unwrap().index, 1);
}

#[test]
fn only_actions_that_move_have_targets_and_a_missing_type_points_at_the_action() {
    let bundle = bundle(
        r#"arazzo: 1.0.1
info: {title: Graph, version: 1.0.0}
sourceDescriptions: [{name: api, url: ./api.yaml}]
workflows:
  - workflowId: w
    steps:
      - stepId: one
        operationId: get
        onSuccess:
          - {name: stop, type: end, stepId: gone}
          - {name: what, stepId: one}
"#,
    );
    let graph = Graph::of(&bundle).unwrap();
    let one = &graph.workflows[0].steps[0];
    // A stray `stepId` beside `end` is ignored, as a run ignores it.
    assert!(matches!(one.on_success[0].kind, Action::End));
    let problems: Vec<_> = one
        .problems()
        .map(|p| (p.kind.to_string(), graph.span(&p.place).map(|s| s.start)))
        .collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        problems[0].0,
        "action `what` has no `type`; it must be end or goto"
    );
    assert_eq!(problems[0].1.map(|p| p.line), Some(11));
}
