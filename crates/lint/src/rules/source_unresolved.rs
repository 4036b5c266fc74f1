//! Source descriptions that cannot be loaded, or are not what they say.

use telaio_model::{ApiKind, LoadError, Source, SourceType};

use crate::Diagnostic;
use crate::context::Context;
use crate::rule::declare_rule;

declare_rule! {
    /// ## What it checks
    /// That each source description's `url` resolves (relative to the document) to a file
    /// that loads, and that the file is of the declared `type`: an OpenAPI or AsyncAPI
    /// description, or an Arazzo document.
    ///
    /// ## Why it matters
    /// Operations are looked up in the sources; a source that does not load leaves every
    /// `operationId` in it unchecked here and unrunnable later. Remote URLs are loaded only
    /// with `--allow-remote`, so they are reported too.
    ///
    /// ## Example
    /// ```yaml
    /// sourceDescriptions:
    ///   - name: petstore
    ///     url: ./openapi/petstore.yml   # the file is petstore.yaml
    /// ```
    ///
    /// ## Instead
    /// Point `url` at the file as it is named, relative to the Arazzo document.
    SourceUnresolved = "source-unresolved", Warning, "each source description loads and is of its declared type";
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let rule = &SourceUnresolved::RULE;
    for source in &cx.bundle.sources {
        let pointer = format!("/sourceDescriptions/{}/url", source.index);
        let declared = cx
            .model
            .source_descriptions
            .get(source.index)
            .and_then(|sd| sd.source_type.as_ref());
        match &source.content {
            Err(error) => {
                let d = cx.at(
                    rule,
                    &pointer,
                    format!("source `{}` could not be loaded: {error}", source.name),
                );
                out.push(match error {
                    LoadError::RemoteNotAllowed { .. } => d.with_hint(
                        "run with --allow-remote to load it; its operations are not checked",
                    ),
                    LoadError::NotFound { .. } => {
                        d.with_hint("the url is resolved relative to this document")
                    }
                    _ => d,
                });
            }
            Ok(Source::Arazzo(doc))
                if doc.source.url == cx.doc.source.url && declared != Some(&SourceType::Arazzo) =>
            {
                out.push(cx.at(
                    rule,
                    &pointer,
                    format!("source `{}` points at this document itself", source.name),
                ));
            }
            Ok(content) => {
                let actual = match content {
                    Source::Api(api) if api.kind.is_openapi() => SourceType::Openapi,
                    Source::Api(api)
                        if matches!(api.kind, ApiKind::AsyncApi2 | ApiKind::AsyncApi3) =>
                    {
                        SourceType::Asyncapi
                    }
                    Source::Api(_) => continue,
                    Source::Arazzo(_) => SourceType::Arazzo,
                };
                let found = match content {
                    Source::Api(api) => {
                        format!("an {} description ({})", api.kind.name(), api.version)
                    }
                    Source::Arazzo(_) => "an Arazzo document".into(),
                };
                if let Some(declared) = declared.filter(|d| **d != actual) {
                    let name = match declared {
                        SourceType::Openapi => "openapi",
                        SourceType::Asyncapi => "asyncapi",
                        SourceType::Arazzo => "arazzo",
                        SourceType::Other(s) => s.as_str(),
                    };
                    out.push(cx.at(
                        rule,
                        &format!("/sourceDescriptions/{}/type", source.index),
                        format!(
                            "source `{}` is declared `type: {name}` but is {found}",
                            source.name
                        ),
                    ));
                }
            }
        }
    }
}
