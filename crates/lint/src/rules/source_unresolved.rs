//! Source descriptions that cannot be loaded, or are not what they say.

use telaio_model::{ApiKind, LoadError, Source, SourceType};

use crate::context::Context;
use crate::rule::declare_rule;
use crate::{Diagnostic, Remedy};

declare_rule! {
    /// ## What it checks
    /// That each source description's `url` can be found: resolved relative to the document,
    /// a local file that exists, or (with `--allow-remote`) a remote document that answers.
    ///
    /// ## Why it matters
    /// Operations are looked up in the sources; a source that cannot be found leaves every
    /// `operationId` in it unchecked here and unrunnable later. Remote URLs are loaded only
    /// with `--allow-remote`, so they are reported too. This is a warning because the file may
    /// exist where the workflow runs; `--strict` makes it an error.
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
    SourceUnresolved = "source-unresolved", Warning, "each source description can be found";
}

declare_rule! {
    /// ## What it checks
    /// That what a source description's `url` points at is a description of the declared
    /// `type`: a file (not a folder), within the size limit, valid YAML or JSON, and an
    /// OpenAPI or AsyncAPI description or an Arazzo document — not the document itself
    /// (unless `type: arazzo`).
    ///
    /// ## Why it matters
    /// The source was found but cannot serve: no operation in it can be resolved or run.
    ///
    /// ## Example
    /// ```yaml
    /// sourceDescriptions:
    ///   - name: petstore
    ///     url: ./openapi/          # a folder
    ///     type: openapi
    /// ```
    ///
    /// ## Instead
    /// ```yaml
    ///     url: ./openapi/petstore.yaml
    /// ```
    SourceInvalid = "source-invalid", Error, "each source description is an API description of its declared type";
}

pub(crate) const RULES: [crate::Rule; 2] = [SourceUnresolved::RULE, SourceInvalid::RULE];

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    for source in &cx.bundle.sources {
        let pointer = format!("/sourceDescriptions/{}/url", source.index);
        let declared = cx
            .model
            .source_descriptions
            .get(source.index)
            .and_then(|sd| sd.source_type.as_ref());
        match &source.content {
            Err(error) => {
                let invalid = matches!(
                    error,
                    LoadError::IsDirectory { .. }
                        | LoadError::NotAFile { .. }
                        | LoadError::TooLarge { .. }
                        | LoadError::Syntax { .. }
                        | LoadError::NotADescription { .. }
                        | LoadError::LocalFromRemote { .. }
                );
                let rule = if invalid {
                    &SourceInvalid::RULE
                } else {
                    &SourceUnresolved::RULE
                };
                let d = cx.at(
                    rule,
                    &pointer,
                    format!("source `{}` could not be loaded: {error}", source.name),
                );
                out.push(match error {
                    LoadError::RemoteNotAllowed { .. } => d
                        .with_hint("its operations are not checked")
                        .with_remedy(Remedy::AllowRemote),
                    LoadError::OutsideRoot { .. } => d
                        .with_hint(
                            "a document may only name files below its own folder, or its repository's",
                        )
                        .with_remedy(Remedy::WidenSourceRoot),
                    LoadError::NotFound { .. } => match &source.found_above {
                        Some(folder) => d
                            .with_hint(format!(
                                "the url is resolved relative to this document, and it names a file relative to {}",
                                folder.display()
                            ))
                            .with_remedy(Remedy::SourceBase(folder.clone())),
                        None => d.with_hint("the url is resolved relative to this document"),
                    },
                    LoadError::TooLarge { .. } => d.with_remedy(Remedy::RaiseSizeLimit),
                    _ => d,
                });
            }
            Ok(Source::Arazzo(doc))
                if doc.source.url == cx.doc.source.url && declared != Some(&SourceType::Arazzo) =>
            {
                out.push(
                    cx.at(
                        &SourceInvalid::RULE,
                        &pointer,
                        format!(
                            "source `{}` points at this document itself, not at an API description",
                            source.name
                        ),
                    )
                    .with_hint(
                        "point `url` at the OpenAPI or AsyncAPI description the workflows call",
                    ),
                );
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
                        &SourceInvalid::RULE,
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
