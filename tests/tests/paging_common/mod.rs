//! Shared by the paginator tests of both vendors: lists to serve, and what a scan of them
//! must have asked for and got.

use std::fmt::Debug;

use partnergen_runtime::client::Pages;
use partnergen_runtime::error::Error;
use partnergen_runtime::paging::Paged;
use serde_json::{json, Value};

/// `n` distinct items shaped like `template` (an item of `action`'s list): the first scalar
/// field of each holds its index, so no two pages look alike. The value keeps its kind: a
/// number, digits in a string (the vendors' examples send some integers so), or text.
pub fn numbered_items(action: &str, template: &Value, n: usize) -> Vec<Value> {
    let key = varied_field(template)
        .unwrap_or_else(|| panic!("{action}: the list's item has no scalar field: {template}"));
    (0..n)
        .map(|i| {
            let mut item = template.clone();
            item[&key] = match template[&key].as_str() {
                Some(text) if text.trim().parse::<i64>().is_ok() => json!(i.to_string()),
                Some(_) => json!(format!("item-{i}")),
                None => json!(i),
            };
            item
        })
        .collect()
}

/// The field [`numbered_items`] numbers.
fn varied_field(item: &Value) -> Option<String> {
    item.as_object()?
        .iter()
        .find(|(_, v)| v.is_string() || v.is_number())
        .map(|(k, _)| k.clone())
}

/// A scalar as text: the clients' models read integers sent as strings as integers.
fn scalar_text(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}

/// Asserts that a scan got exactly the `served` items, in order (compared by their
/// numbered field: the client's models may add nulls for absent optional fields).
pub fn assert_scanned(context: &str, served: &[Value], got: &[Value]) {
    assert_eq!(got.len(), served.len(), "{context}");
    if let Some(key) = served.first().and_then(varied_field) {
        let sent: Vec<String> = served.iter().map(|i| scalar_text(&i[&key])).collect();
        let seen: Vec<String> = got.iter().map(|i| scalar_text(&i[&key])).collect();
        assert_eq!(seen, sent, "{context}");
    }
}

/// How many pages a scan of `n` items, `size` a page, asks for: with a total, no more than
/// the items need (one for none); without one, until a short page (so one more after a
/// full last page).
pub fn expected_pages(n: usize, size: u64, has_total: bool) -> usize {
    let (n, size) = (n as u64, size);
    let pages = if has_total {
        n.div_ceil(size).max(1)
    } else {
        n / size + 1
    };
    pages as usize
}

/// The numbers of `range` as text (the lists' items here carry their index as text).
pub fn texts(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| i.to_string()).collect()
}

/// Reads `pages` up to its error: what `items_of` says of each page before it, and the
/// error; the stream must end after it.
pub async fn pages_until_error<R: Paged>(
    pages: &mut Pages<R>,
    items_of: impl Fn(&R::Response) -> Vec<String>,
) -> (Vec<String>, Error)
where
    R::Item: Debug,
{
    let mut seen = Vec::new();
    let error = loop {
        match pages.next().await {
            Some(Ok(page)) => seen.extend(items_of(&page)),
            Some(Err(error)) => break error,
            None => panic!("the scan ended without the error"),
        }
    };
    assert!(
        pages.next().await.is_none(),
        "the stream ends after its error"
    );
    (seen, error)
}
