//! Assembly: the page's operations (named and typed by [`super::operations`]), the models
//! they reach and the sources, as one spec.

use std::collections::BTreeMap;
use std::path::Path;

use super::operations::operations;
use super::page::PermissionPage;
use super::sdk::{SdkOperations, SDK_PACKAGE};
use crate::diag::Diagnostics;
use crate::import::file_name;
use crate::spec::{
    HuaweiOperation, HuaweiSpec, Protocol, ProtocolFamily, Provider, ServiceInfo, Signing, Source,
    SourceKind, TypeDef,
};

/// The spec of the permission page at `page` and the SDK file (its path and what it holds)
/// if one was given, keeping what `base` pinned. Errors go to `diagnostics`: the caller
/// must check for them.
pub(super) fn assemble(
    page: &Path,
    parsed_page: PermissionPage,
    sdk: Option<(&Path, SdkOperations)>,
    base: Option<&HuaweiSpec>,
    diagnostics: &mut Diagnostics,
) -> HuaweiSpec {
    let sdk_operations = sdk.as_ref().map(|(_, sdk)| sdk);
    let mut operations = operations(
        &page.display().to_string(),
        &parsed_page.rows,
        sdk_operations,
        base,
        diagnostics,
    );
    operations.sort_by(|a, b| a.name.cmp(&b.name));
    let types = operation_types(&operations, sdk_operations, base);

    let mut sources = vec![Source {
        kind: SourceKind::PermissionPage,
        file: file_name(page),
        title: parsed_page.title,
        last_updated: parsed_page.last_updated,
        version: None,
    }];
    if let Some((path, sdk)) = &sdk {
        sources.push(Source {
            kind: SourceKind::SdkOperations,
            file: file_name(path),
            title: Some(SDK_PACKAGE.to_owned()),
            last_updated: None,
            version: sdk.version.clone(),
        });
    } else if let Some(base) = base {
        // Without an SDK file the names are the spec's own, so they still come from the
        // SDK edition the spec records.
        sources.extend(
            base.service
                .sources
                .iter()
                .filter(|s| s.kind == SourceKind::SdkOperations)
                .cloned(),
        );
    }
    sources.sort_by(|a, b| (a.kind, &a.file).cmp(&(b.kind, &b.file)));

    HuaweiSpec {
        service: ServiceInfo {
            provider: Provider::Huaweicloud,
            name: "partner-center".into(),
            title: "Huawei Cloud Partner Center".into(),
            api_version: "v2".into(),
            endpoint: "bss-intl.myhuaweicloud.com".into(),
            protocol: Protocol {
                family: ProtocolFamily::HuaweiRest,
                signing: Signing::SdkHmacSha256,
            },
            // The page documents no rate limit for any of these APIs, and a default is our
            // assumption rather than a fact of the page: a maintainer sets it, and a
            // re-import keeps it.
            default_qps: base.and_then(|b| b.service.default_qps.clone()),
            sources,
        },
        permissions: parsed_page.facts,
        operations,
        types,
    }
}

/// The types of the typed operations: every model their parameters and responses reach,
/// from the SDK file's models where one is given, else (and for names it lacks, which
/// only pinned parameters can bring) from the spec's own types. A name found in neither is
/// left out for validation to report.
fn operation_types(
    operations: &[HuaweiOperation],
    sdk: Option<&SdkOperations>,
    base: Option<&HuaweiSpec>,
) -> BTreeMap<String, TypeDef> {
    let mut out = BTreeMap::new();
    let mut stack: Vec<&str> = operations
        .iter()
        .flat_map(|op| {
            op.params
                .iter()
                .filter_map(|p| p.ty.named())
                .chain(op.response.as_deref())
        })
        .collect();
    while let Some(name) = stack.pop() {
        if out.contains_key(name) {
            continue;
        }
        let def = sdk
            .and_then(|s| s.models.get_key_value(name))
            .or_else(|| base.and_then(|b| b.types.get_key_value(name)));
        let Some((name, def)) = def else {
            continue;
        };
        stack.extend(def.fields.iter().filter_map(|f| f.ty.named()));
        out.insert(name.clone(), def.clone());
    }
    out
}
