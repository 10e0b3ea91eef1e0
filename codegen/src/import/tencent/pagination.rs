//! Which actions page, from the API definition's models: a request with an integer
//! `Page` and `PageSize` (page numbers from 1) or `Offset` and `Limit` (offsets from 0),
//! and a response with exactly one list field.

use std::collections::BTreeMap;

use crate::import::paging::{complete, is_integer, PagingRequest, SizeSource};
use crate::spec::{Example, Pagination, PagingStyle, TypeDef};

/// The position and size fields of each style, with the style and its first page.
const PAIRS: [(&str, &str, PagingStyle, Option<i64>, &str); 2] = [
    (
        "Page",
        "PageSize",
        PagingStyle::PageNumber,
        Some(1),
        "page numbers from 1 (the Tencent Page/PageSize convention)",
    ),
    (
        "Offset",
        "Limit",
        PagingStyle::Offset,
        None,
        "offsets from 0 (the Tencent Offset/Limit convention)",
    ),
];

/// The response fields that may hold the total, in priority order.
const TOTALS: [&str; 3] = ["Total", "TotalCount", "TotalRecordsCount"];

/// The pagination of an action with request type `request` and response type `response`
/// (`None`: it does not page), and warnings about it (an action with paging fields that
/// cannot be paged, a nonsensical documented range) for the importer to report.
pub(super) fn infer(
    request: &str,
    response: &str,
    types: &BTreeMap<String, TypeDef>,
    examples: &[Example],
) -> (Option<Pagination>, Vec<String>) {
    let mut warnings = Vec::new();
    let (Some(request_def), Some(response_def)) = (types.get(request), types.get(response)) else {
        return (None, warnings);
    };
    let field = |name: &str| request_def.fields.iter().find(|f| f.name == name);
    let present: Vec<_> = PAIRS
        .iter()
        .filter_map(|pair| Some((pair, field(pair.0)?, field(pair.1)?)))
        .collect();
    let (pair, position, size) = match present.as_slice() {
        [] => return (None, warnings),
        [one] => *one,
        _ => {
            warnings.push(format!(
                "the request {request} has both Page/PageSize and Offset/Limit, so the style is ambiguous and the action is not paged; pin `pagination` to choose"
            ));
            return (None, warnings);
        }
    };
    if !is_integer(&position.ty) || !is_integer(&size.ty) {
        warnings.push(format!(
            "the request {request} has {} ({}) and {} ({}), not both integers, so the action is not paged; pin `pagination` if it pages",
            position.name, position.ty, size.name, size.ty
        ));
        return (None, warnings);
    }
    let (_, _, style, first_page, convention) = *pair;
    let sizes = examples
        .iter()
        .filter_map(|example| example.request.as_deref())
        .filter_map(|body| serde_json::from_str::<serde_json::Value>(body).ok())
        .filter_map(|body| body.get(&size.name).cloned())
        .collect();
    let paging = PagingRequest {
        style,
        first_page,
        location: None,
        position: (&position.name, &position.ty),
        size: (&size.name, &size.ty),
        found_as: "request fields".into(),
        style_basis: Some(convention.to_owned()),
    };
    let result = complete(
        paging,
        size.doc.as_deref(),
        response,
        response_def,
        &TOTALS,
        SizeSource::Examples(sizes),
        &mut warnings,
    );
    (result, warnings)
}
