//! Planning errors name the place in the document they are about.

use telaio_model::{ArazzoDocument, Bundle, LoadOptions};
use telaio_plan::{Plan, PlanOptions};

fn bundle(text: &str) -> Bundle {
    let url = url::Url::parse("file:///work/broken.arazzo.yaml").unwrap();
    let document = ArazzoDocument::from_text(url, text.into(), &LoadOptions::default()).unwrap();
    Bundle::without_sources(document)
}

#[test]
fn a_planning_error_points_at_its_line() {
    let bundle = bundle(
        r#"arazzo: 1.0.1
info: {title: Broken, version: 1.0.0}
sourceDescriptions: [{name: api, url: ./api.yaml}]
workflows:
  - workflowId: w
    steps:
      - stepId: one
        workflowId: other
        onFailure:
          - {name: lost, type: goto, stepId: nowhere}
          - reference: $components.failureActions.missing
  - workflowId: other
    steps:
      - {stepId: two, workflowId: w, parameters: [{name: x, value: "$inputs.x"}]}
"#,
    );
    let errors = Plan::compile(&bundle, &PlanOptions::default()).unwrap_err();
    let shown: Vec<(String, Option<(u32, u32)>)> = errors
        .iter()
        .map(|e| (e.to_string(), e.at.as_ref().map(|a| (a.line, a.column))))
        .collect();
    assert_eq!(
        shown,
        [
            (
                "workflow `w`, step `one`: no step `nowhere` to go to".to_owned(),
                Some((10, 46))
            ),
            (
                "workflow `w`, step `one`: `$components.failureActions.missing` names no component"
                    .to_owned(),
                Some((11, 13))
            ),
        ]
    );
    // The file as named for a person (relative to the working directory).
    let located = errors[0].located();
    assert!(
        located.ends_with(
            "broken.arazzo.yaml:10:46: workflow `w`, step `one`: no step `nowhere` to go to"
        ),
        "{located}"
    );
}
