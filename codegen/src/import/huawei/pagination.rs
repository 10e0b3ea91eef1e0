//! Which typed operations page, from the SDK's models: integer `offset` and `limit`
//! query parameters (or fields of the body model), and a response with exactly one list
//! field. What `offset` counts comes from the SDK's description of it: most say "offset,
//! from 0" (偏移量，从0开始), ListInvoices's says "page number" (页码).

use super::sdk::{SdkOperation, SdkOperations};
use crate::import::paging::{complete, is_integer, PagingRequest, SizeSource};
use crate::spec::{HuaweiParam, Pagination, PagingStyle, ParamLocation, TypeRef};

/// The position and size names (query keys or body field names).
const POSITION: &str = "offset";
const SIZE: &str = "limit";

/// The response fields that may hold the total, in priority order.
const TOTALS: [&str; 2] = ["total_count", "count"];

/// What the SDK calls a page number, and an offset.
const PAGE_NUMBER_WORD: &str = "页码";
const OFFSET_WORDS: [&str; 2] = ["偏移量", "从0开始"];
/// How the SDK introduces a default value (`默认值为10`, `默认为10`).
const DEFAULT_WORDS: [&str; 2] = ["默认值为", "默认为"];

/// The pagination of a typed operation (`None`: it does not page) with its parameters
/// `params` as the spec has them, and warnings for the importer to report.
pub(super) fn infer(
    params: &[HuaweiParam],
    operation: &SdkOperation,
    sdk: &SdkOperations,
) -> (Option<Pagination>, Vec<String>) {
    let mut warnings = Vec::new();
    let Some(response) = sdk.models.get(&operation.response) else {
        return (None, warnings);
    };
    let Some(found) = find_pair(params, operation, sdk, &mut warnings) else {
        return (None, warnings);
    };
    let (style, first_page, style_basis) = match style_of(found.position_doc) {
        Ok(decided) => decided,
        Err(unclear) => {
            warnings.push(format!(
                "{unclear}; assumed an offset from 0: pin `pagination` if `offset` counts pages"
            ));
            (
                PagingStyle::Offset,
                None,
                "offsets from 0 assumed (the SDK does not say what `offset` counts)".to_owned(),
            )
        }
    };
    let request = PagingRequest {
        style,
        first_page,
        location: Some(found.location),
        position: (POSITION, found.position_ty),
        size: (SIZE, found.size_ty),
        found_as: found.found_as,
        style_basis: Some(style_basis),
    };
    let result = complete(
        request,
        found.size_doc,
        &operation.response,
        response,
        &TOTALS,
        SizeSource::DocumentedDefault(found.size_doc.and_then(documented_default)),
        &mut warnings,
    );
    (result, warnings)
}

/// The `offset` and `limit` of an operation, where they travel, and their SDK docs.
struct Pair<'a> {
    location: ParamLocation,
    position_ty: &'a TypeRef,
    size_ty: &'a TypeRef,
    position_doc: Option<&'a str>,
    size_doc: Option<&'a str>,
    found_as: String,
}

fn find_pair<'a>(
    params: &'a [HuaweiParam],
    operation: &'a SdkOperation,
    sdk: &'a SdkOperations,
    warnings: &mut Vec<String>,
) -> Option<Pair<'a>> {
    let query = |wire: &str| {
        params
            .iter()
            .find(|p| p.location == ParamLocation::Query && p.wire_name == wire)
    };
    let in_query = query(POSITION)
        .zip(query(SIZE))
        .map(|(position, size)| Pair {
            location: ParamLocation::Query,
            position_ty: &position.ty,
            size_ty: &size.ty,
            position_doc: operation.param_docs.get(&position.name).map(String::as_str),
            size_doc: operation.param_docs.get(&size.name).map(String::as_str),
            found_as: "query parameters".to_owned(),
        });
    let body_model = params
        .iter()
        .find(|p| p.location == ParamLocation::Body)
        .and_then(|p| p.ty.named());
    let in_body = body_model.and_then(|model| {
        let def = sdk.models.get(model)?;
        let field = |name: &str| def.fields.iter().find(|f| f.name == name);
        let (position, size) = field(POSITION).zip(field(SIZE))?;
        let docs = sdk.field_docs.get(model);
        let doc = |name: &str| docs.and_then(|d| d.get(name)).map(String::as_str);
        Some(Pair {
            location: ParamLocation::Body,
            position_ty: &position.ty,
            size_ty: &size.ty,
            position_doc: doc(POSITION),
            size_doc: doc(SIZE),
            found_as: format!("body fields of {model}"),
        })
    });
    let pair = match (in_query, in_body) {
        (Some(_), Some(_)) => {
            warnings.push(format!(
                "`{POSITION}` and `{SIZE}` are both query parameters and body fields, so where they travel is ambiguous and the operation is not paged; pin `pagination` to choose"
            ));
            return None;
        }
        (Some(pair), None) | (None, Some(pair)) => pair,
        (None, None) => return None,
    };
    if !is_integer(pair.position_ty) || !is_integer(pair.size_ty) {
        warnings.push(format!(
            "the {} `{POSITION}` ({}) and `{SIZE}` ({}) are not both integers, so the operation is not paged; pin `pagination` if it pages",
            pair.found_as, pair.position_ty, pair.size_ty
        ));
        return None;
    }
    Some(pair)
}

/// What `offset` counts, from the SDK's description of it: the style, the first page, and
/// the basis; `Err` (for a warning) where the description does not say.
fn style_of(doc: Option<&str>) -> Result<(PagingStyle, Option<i64>, String), String> {
    let Some(doc) = doc else {
        return Err("the SDK does not describe `offset`".to_owned());
    };
    let page_number = doc.contains(PAGE_NUMBER_WORD);
    let offset = OFFSET_WORDS.iter().any(|w| doc.contains(w));
    match (page_number, offset) {
        (true, false) => Ok((
            PagingStyle::PageNumber,
            Some(1),
            format!("the SDK documents `offset` as a page number ({PAGE_NUMBER_WORD}); pages from 1"),
        )),
        (false, true) => Ok((
            PagingStyle::Offset,
            None,
            "the SDK documents `offset` as an offset from 0 (偏移量，从0开始)".to_owned(),
        )),
        (true, true) => Err(format!(
            "the SDK's description of `offset` calls it both a page number ({PAGE_NUMBER_WORD}) and an offset (偏移量)"
        )),
        (false, false) => Err(
            "the SDK's description of `offset` calls it neither a page number (页码) nor an offset (偏移量)"
                .to_owned(),
        ),
    }
}

/// The default `limit` the SDK documents (`默认值为10`), with the words that say so.
fn documented_default(doc: &str) -> Option<(i64, String)> {
    DEFAULT_WORDS.iter().find_map(|word| {
        let at = doc.find(word)?;
        let rest = &doc[at + word.len()..];
        let digits: String = rest
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let n: i64 = digits.parse().ok().filter(|n| *n >= 1)?;
        Some((n, format!("{word}{n}")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_descriptions_decide_the_style() {
        let invoices = style_of(Some("页码。")).unwrap();
        assert_eq!((invoices.0, invoices.1), (PagingStyle::PageNumber, Some(1)));
        assert!(invoices.2.contains("page number"), "{}", invoices.2);
        let orders = style_of(Some(
            "偏移量，从0开始。默认值为0。 说明： offset用于分页处理，如不涉及分页，请使用默认值0。",
        ))
        .unwrap();
        assert_eq!((orders.0, orders.1), (PagingStyle::Offset, None));
        assert!(style_of(None).is_err());
        assert!(style_of(Some("The offset of this request.")).is_err());
        assert!(style_of(Some("页码，偏移量")).is_err());
    }

    #[test]
    fn documented_defaults_are_read() {
        assert_eq!(
            documented_default("每次查询的订单数量，默认值为10。"),
            Some((10, "默认值为10".to_owned()))
        );
        assert_eq!(
            documented_default("默认为 20"),
            Some((20, "默认为20".to_owned()))
        );
        assert_eq!(documented_default("每页大小。"), None);
        assert_eq!(documented_default("默认值为0。"), None);
        assert_eq!(documented_default("默认值为99999999999999999999"), None);
    }
}
