//! Pagination inference, shared by both importers: which request fields carry the position
//! and the page size, which response fields carry the items and the total, and the page
//! size a paginator sends, with a one-line `basis` saying what each fact was read from.
//!
//! The vendor-specific part (which field names make a pair, what the position counts) is
//! decided by each importer; this module completes the facts from the models.

use crate::spec::{FieldDef, Pagination, PagingStyle, ParamLocation, Primitive, TypeDef, TypeRef};

/// The page size sent where the docs give neither a maximum nor a default and no example
/// sends one.
pub(crate) const FALLBACK_PAGE_SIZE: i64 = 10;

/// The request side of a paged action, as an importer found it.
pub(crate) struct PagingRequest<'a> {
    /// What the position counts.
    pub(crate) style: PagingStyle,
    /// The first page's number, for [`PagingStyle::PageNumber`].
    pub(crate) first_page: Option<i64>,
    /// Huawei: where position and size travel.
    pub(crate) location: Option<ParamLocation>,
    /// The position's wire name and type.
    pub(crate) position: (&'a str, &'a TypeRef),
    /// The size's wire name and type.
    pub(crate) size: (&'a str, &'a TypeRef),
    /// How the basis describes where the pair was found (`request fields`, `query
    /// parameters`, `body fields of QueryReq`).
    pub(crate) found_as: String,
    /// Why the style is what it is, if the importer read it from a document.
    pub(crate) style_basis: Option<String>,
}

/// Where the page size a paginator sends comes from, after the documented maximum.
pub(crate) enum SizeSource {
    /// Values the vendor's example requests send for the size field (Tencent): each as
    /// sent, a number or (a known quirk) a numeric string.
    Examples(Vec<serde_json::Value>),
    /// A default the SDK documents for the size field (Huawei), with the text it said.
    DocumentedDefault(Option<(i64, String)>),
}

/// Whether `ty` is an integer primitive.
pub(crate) fn is_integer(ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::Primitive(Primitive::Int64 | Primitive::Uint64))
}

/// Completes the pagination facts of an action whose request has a position and size
/// pair: the response must have exactly one list field (else the action is not paged:
/// `None`, and the reason goes to `warnings`). `size_doc` is the size field's doc;
/// `total_names` the candidate total fields in priority order. Warnings that do not stop
/// the action from paging (a nonsensical documented range) go to `warnings` too.
pub(crate) fn complete(
    request: PagingRequest<'_>,
    size_doc: Option<&str>,
    response_name: &str,
    response: &TypeDef,
    total_names: &[&str],
    sizes: SizeSource,
    warnings: &mut Vec<String>,
) -> Option<Pagination> {
    let completed = try_complete(
        request,
        size_doc,
        response_name,
        response,
        total_names,
        sizes,
        warnings,
    );
    completed.map_err(|not_paged| warnings.push(not_paged)).ok()
}

/// [`complete`], with the reason an action is not paged as `Err`.
fn try_complete(
    request: PagingRequest<'_>,
    size_doc: Option<&str>,
    response_name: &str,
    response: &TypeDef,
    total_names: &[&str],
    sizes: SizeSource,
    warnings: &mut Vec<String>,
) -> Result<Pagination, String> {
    let (position, position_ty) = request.position;
    let (size, size_ty) = request.size;
    let lists: Vec<&FieldDef> = response
        .fields
        .iter()
        .filter(|f| matches!(f.ty, TypeRef::List(_)))
        .collect();
    let items = match lists.as_slice() {
        [one] => *one,
        [] => {
            return Err(format!(
                "the request has {position}/{size} but the response {response_name} has no list field, so the action is not paged; pin `pagination` if it pages"
            ))
        }
        many => {
            let names: Vec<&str> = many.iter().map(|f| f.name.as_str()).collect();
            return Err(format!(
                "the request has {position}/{size} but the response {response_name} has {} list fields ({}), so the items are ambiguous and the action is not paged; pin `pagination` to choose",
                many.len(),
                names.join(", ")
            ));
        }
    };
    let total = total_names.iter().find_map(|name| {
        response.fields.iter().find(|f| {
            f.name == *name && (is_integer(&f.ty) || f.ty == TypeRef::Primitive(Primitive::String))
        })
    });

    let mut basis = vec![format!(
        "{} {}",
        request.found_as,
        pair_text(position, position_ty, size, size_ty)
    )];
    if let Some(style) = request.style_basis {
        basis.push(style);
    }
    basis.push(format!("items {} ({})", items.name, items.ty));
    basis.push(match total {
        Some(total) => format!("total {} ({})", total.name, total.ty),
        None => format!(
            "no total (no {} of integer or string type)",
            total_names.join(", ")
        ),
    });

    let documented = match size_doc.map(documented_max_page_size) {
        Some(Ok(found)) => found,
        Some(Err(problem)) => {
            warnings.push(format!(
                "the doc of {size} gives {problem}; no maximum page size taken from it"
            ));
            None
        }
        None => None,
    };
    let max_page_size = documented.as_ref().map(|(max, _)| *max);
    let page_size = match (&documented, sizes) {
        (Some((max, quote)), _) => {
            basis.push(format!(
                "max page size {max} from the doc of {size} \"{quote}\"; page size {max}, the maximum"
            ));
            *max
        }
        (None, SizeSource::Examples(values)) => {
            let largest = values
                .iter()
                .filter_map(|v| example_size(v).map(|n| (n, v.is_string())))
                .max_by_key(|(n, _)| *n);
            // An example that sends a tiny page (QueryCreditAllocationHistory's sends 1)
            // shows what the service accepts, not a good size to scan with.
            match largest.filter(|(n, _)| *n >= FALLBACK_PAGE_SIZE) {
                Some((n, as_string)) => {
                    basis.push(format!(
                        "no maximum in the doc of {size}; page size {n}, the largest the examples send{}",
                        if as_string { " (as a string)" } else { "" }
                    ));
                    n
                }
                None => {
                    basis.push(format!(
                        "no maximum in the doc of {size} and no example sends {size} of {FALLBACK_PAGE_SIZE} or more; page size {FALLBACK_PAGE_SIZE} assumed"
                    ));
                    FALLBACK_PAGE_SIZE
                }
            }
        }
        (None, SizeSource::DocumentedDefault(Some((n, said)))) => {
            basis.push(format!(
                "no maximum documented; page size {n}, the default the SDK documents for {size} ({said})"
            ));
            n
        }
        (None, SizeSource::DocumentedDefault(None)) => {
            basis.push(format!(
                "no maximum or default documented for {size}; page size {FALLBACK_PAGE_SIZE} assumed"
            ));
            FALLBACK_PAGE_SIZE
        }
    };
    Ok(Pagination {
        style: request.style,
        location: request.location,
        position: position.to_owned(),
        size: size.to_owned(),
        first_page: request.first_page,
        items: items.name.clone(),
        total: total.map(|t| t.name.clone()),
        max_page_size,
        page_size,
        basis: basis.join("; "),
    })
}

/// `Page/PageSize (int64)`, or each type where they differ.
fn pair_text(position: &str, position_ty: &TypeRef, size: &str, size_ty: &TypeRef) -> String {
    if position_ty == size_ty {
        format!("{position}/{size} ({position_ty})")
    } else {
        format!("{position} ({position_ty})/{size} ({size_ty})")
    }
}

/// A page size an example sends: a positive integer, as a number or a numeric string.
fn example_size(value: &serde_json::Value) -> Option<i64> {
    let n = match value {
        serde_json::Value::Number(n) => n.as_i64()?,
        serde_json::Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    (n >= 1).then_some(n)
}

/// The largest page size a size field's doc allows, with the words that say so:
/// `Value range: [1, 200]`, `value range: 1-100`, `range 1-100`, `[1-100]`, `supports up
/// to 100`, `supports [1, 100] entries`, `范围限制：1-100`. `Ok(None)` where the doc gives no
/// range; `Err` where it gives one that makes no sense (a maximum of 0, a minimum above
/// the maximum, a number too large, two different maxima).
pub(crate) fn documented_max_page_size(doc: &str) -> Result<Option<(i64, String)>, String> {
    // ASCII lower-casing keeps every byte offset, so spans index `doc` as well.
    let lower = doc.to_ascii_lowercase();
    let mut found: Vec<(Option<u64>, Option<u64>, usize, usize)> = Vec::new(); // (min, max, start, end)
    let bytes = lower.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if !bytes[at].is_ascii_digit() || (at > 0 && bytes[at - 1].is_ascii_digit()) {
            at += 1;
            continue;
        }
        let (first, after_first) = number(&lower, at);
        let before = &lower[..at];
        // `[a, b]`, `[a-b]`, `a-b` after "range": a range.
        if let Some((second, end)) = range_tail(&lower, after_first) {
            let bracket_start = before.trim_end().strip_suffix('[').map(str::len);
            let bracketed = bracket_start.is_some() && lower[end..].trim_start().starts_with(']');
            let keyword = keyword_before(before, &["value range", "range", "范围限制", "范围"]);
            if bracketed || keyword.is_some() {
                let start = keyword.or(bracket_start).unwrap_or(at);
                let end = if bracketed {
                    end + lower[end..].find(']').unwrap_or(0) + 1
                } else {
                    end
                };
                found.push((first, second, start, end));
                at = end;
                continue;
            }
        }
        // `up to 100`, `at most 100`, `maximum 100`: a maximum.
        if let Some(start) = keyword_before(
            before,
            &[
                "supports up to",
                "up to",
                "at most",
                "maximum of",
                "maximum",
                "max",
            ],
        ) {
            found.push((Some(1), first, start, after_first));
        }
        at = after_first;
    }
    let mut answer: Option<(i64, String)> = None;
    for (min, max, start, end) in found {
        let quote = doc[start..end].trim().to_owned();
        let (Some(min), Some(max)) = (min, max) else {
            return Err(format!("a number too large in \"{quote}\""));
        };
        if max == 0 || min > max {
            return Err(format!("the range \"{quote}\", which allows no page size"));
        }
        let max = i64::try_from(max).map_err(|_| format!("a number too large in \"{quote}\""))?;
        match &answer {
            Some((other, other_quote)) if *other != max => {
                return Err(format!(
                    "two different maxima (\"{other_quote}\" and \"{quote}\")"
                ))
            }
            Some(_) => {}
            None => answer = Some((max, quote)),
        }
    }
    Ok(answer)
}

/// The decimal number at `at` of `text` (`None` if it overflows) and where it ends.
fn number(text: &str, at: usize) -> (Option<u64>, usize) {
    let end = text[at..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(text.len(), |n| at + n);
    (text[at..end].parse().ok(), end)
}

/// After a number ending at `at`: a separator (`-`, `~`, `,`, `，`, `to`) and a second
/// number; that number and where it ends.
fn range_tail(text: &str, at: usize) -> Option<(Option<u64>, usize)> {
    let rest = text[at..].trim_start();
    let rest = ["-", "~", ",", "，", "to "]
        .iter()
        .find_map(|sep| rest.strip_prefix(sep))?
        .trim_start();
    let start = text.len() - rest.len();
    rest.starts_with(|c: char| c.is_ascii_digit())
        .then(|| number(text, start))
}

/// Where the first of `keywords` found ends `before` (after at most a few separating
/// characters: spaces, `:`, `：`, `[`, `up to`'s `of`), as a byte offset of its start.
fn keyword_before(before: &str, keywords: &[&str]) -> Option<usize> {
    let trimmed = before.trim_end_matches([' ', ':', '：', '[', '=']);
    keywords
        .iter()
        .find_map(|k| trimmed.strip_suffix(k).map(str::len))
        .filter(|&start| {
            // A whole word: `max` but not `climax`.
            !before[..start]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn max(doc: &str) -> Option<(i64, String)> {
        documented_max_page_size(doc).unwrap_or_else(|e| panic!("{doc}: {e}"))
    }

    /// Every form the real specs' size docs use.
    #[test]
    fn documented_ranges_give_their_maximum() {
        let cases = [
            ("Page parameter: number of entries per page. Value range: [1, 200]", 200, "Value range: [1, 200]"),
            ("Number of items per page. value range: 1-100.", 100, "value range: 1-100"),
            ("Number of items per page, range 1-100", 100, "range 1-100"),
            ("Quantity. page size [1-100].", 100, "[1-100]"),
            ("Specifies the number of items per page. value range: supports up to 100.", 100, "supports up to 100"),
            ("Number of items per page. supports up to 100.", 100, "supports up to 100"),
            ("Pagination parameter, indicates the number of entries per page. supports [1, 100] data entries per request.", 100, "[1, 100]"),
            ("Page parameter: Indicates the number of entries per page. Value range: [1, 200], default is 200.", 200, "Value range: [1, 200]"),
            ("|参数的约束及描述：该参数非必填，范围限制：1-100，默认值为10。|", 100, "范围限制：1-100"),
            ("at most 50 per page", 50, "at most 50"),
        ];
        for (doc, expected, quote) in cases {
            assert_eq!(max(doc), Some((expected, quote.to_owned())), "{doc}");
        }
    }

    #[test]
    fn docs_without_a_range_give_none() {
        for doc in [
            "Number of data entries per page",
            "A pagination parameter that specifies the number of entries per page.",
            "Page number, from 1",
            "Month, e.g. 2023-02",
            "每页大小。",
            "climax 100",
            "",
        ] {
            assert_eq!(max(doc), None, "{doc}");
        }
    }

    #[test]
    fn nonsense_ranges_are_refused_not_taken() {
        for (doc, problem) in [
            ("Value range: [0, 0]", "allows no page size"),
            ("value range: 100-1", "allows no page size"),
            ("supports up to 0", "allows no page size"),
            ("range 1-99999999999999999999999", "too large"),
            ("range 1-9223372036854775808", "too large"),
            (
                "Value range: [1, 100]; supports up to 200",
                "two different maxima",
            ),
        ] {
            let err = documented_max_page_size(doc).expect_err(doc);
            assert!(err.contains(problem), "{doc}: {err}");
        }
        // The same maximum said twice is one maximum.
        assert_eq!(max("range 1-100, up to 100").map(|m| m.0), Some(100));
    }

    #[test]
    fn example_sizes_accept_numeric_strings() {
        use serde_json::json;
        assert_eq!(example_size(&json!(10)), Some(10));
        assert_eq!(example_size(&json!("10")), Some(10));
        assert_eq!(example_size(&json!(0)), None);
        assert_eq!(example_size(&json!("-3")), None);
        assert_eq!(example_size(&json!("ten")), None);
        assert_eq!(example_size(&json!(null)), None);
    }
}
