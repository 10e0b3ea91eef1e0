//! Pagination facts and field access, shared by the paginator (`client::Pages`) and the
//! mocks that page. A generated crate implements [`Paged`] for the request of each list
//! action: the facts as data ([`Paging`]) and two accessors that only name fields; the
//! loop itself (positions, stop rules, resume) is written once, in the runtime.
//!
//! Field types vary across actions (`i64`, `u64`, `Option<i64>`; a total as `u64`, `i64`,
//! `Option<String>`), so the accessors hand out trait objects over small conversion
//! traits implemented here for every shape the models use.

use std::fmt;
use std::str::FromStr;

/// What a list's position counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PagingStyle {
    /// The position is a page number; the first page is `first`.
    PageNumber {
        /// The first page's number (1 wherever the vendors document it).
        first: u64,
    },
    /// The position is how many items to skip, from 0.
    Offset,
}

/// Where a request carries its position and page size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PagingPlace {
    /// In the JSON body (every Tencent action; Huawei operations with a body model).
    Body,
    /// In the query string (Huawei GET operations).
    Query,
}

/// The pagination facts of one list action, from the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Paging {
    /// The action's wire name, for messages.
    pub action: &'static str,
    /// What the position counts.
    pub style: PagingStyle,
    /// Where the position and page size travel.
    pub place: PagingPlace,
    /// The request field holding the position (wire name).
    pub position: &'static str,
    /// The request field holding the page size (wire name).
    pub size: &'static str,
    /// The response field holding the page's items (wire name).
    pub items: &'static str,
    /// The response field holding the count of all items (wire name), if the response
    /// has one.
    pub total: Option<&'static str>,
    /// The page size sent unless the caller sets one.
    pub page_size: u64,
    /// The largest page size the docs allow, if they give one.
    pub max_page_size: Option<u64>,
}

impl Paging {
    /// The position of the first page.
    pub fn first_position(&self) -> u64 {
        match self.style {
            PagingStyle::PageNumber { first } => first,
            PagingStyle::Offset => 0,
        }
    }
}

/// A request field holding a position or a page size: `i64`, `u64`, or either optional.
pub trait PageParam {
    /// The value, if set and not negative.
    fn get(&self) -> Option<u64>;
    /// Sets the value (saturating at the type's maximum).
    fn set(&mut self, value: u64);
}

impl PageParam for u64 {
    fn get(&self) -> Option<u64> {
        Some(*self)
    }
    fn set(&mut self, value: u64) {
        *self = value;
    }
}

impl PageParam for i64 {
    fn get(&self) -> Option<u64> {
        u64::try_from(*self).ok()
    }
    fn set(&mut self, value: u64) {
        *self = i64::try_from(value).unwrap_or(i64::MAX);
    }
}

impl<T: PageParam + Default> PageParam for Option<T> {
    fn get(&self) -> Option<u64> {
        self.as_ref().and_then(PageParam::get)
    }
    fn set(&mut self, value: u64) {
        self.get_or_insert_with(T::default).set(value);
    }
}

/// A response field holding the count of all items: a number, a number in a string
/// (Tencent's `DescribeCustomerUin` sends `"Total": "123"`), or either optional.
pub trait TotalCount {
    /// The count; `Ok(None)` when absent; an error (saying what was sent) when it is
    /// negative or not a number.
    fn count(&self) -> Result<Option<u64>, String>;
    /// Sets the count (the mocks' answers).
    fn set_count(&mut self, count: u64);
}

impl TotalCount for u64 {
    fn count(&self) -> Result<Option<u64>, String> {
        Ok(Some(*self))
    }
    fn set_count(&mut self, count: u64) {
        *self = count;
    }
}

impl TotalCount for i64 {
    fn count(&self) -> Result<Option<u64>, String> {
        u64::try_from(*self)
            .map(Some)
            .map_err(|_| format!("{self} is negative"))
    }
    fn set_count(&mut self, count: u64) {
        *self = i64::try_from(count).unwrap_or(i64::MAX);
    }
}

impl TotalCount for String {
    fn count(&self) -> Result<Option<u64>, String> {
        self.trim()
            .parse::<u64>()
            .map(Some)
            .map_err(|_| format!("`{}` is not a count", crate::shortened(self)))
    }
    fn set_count(&mut self, count: u64) {
        *self = count.to_string();
    }
}

impl<T: TotalCount + Default> TotalCount for Option<T> {
    fn count(&self) -> Result<Option<u64>, String> {
        match self {
            Some(value) => value.count(),
            None => Ok(None),
        }
    }
    fn set_count(&mut self, count: u64) {
        self.get_or_insert_with(T::default).set_count(count);
    }
}

/// A response field holding a page's items: a list, or an optional list.
pub trait ItemList {
    /// The item type.
    type Item;
    /// How many items the page holds.
    fn item_count(&self) -> usize;
    /// Takes the items out, leaving none.
    fn take_items(&mut self) -> Vec<Self::Item>;
    /// Replaces the items (the mocks' answers).
    fn put_items(&mut self, items: Vec<Self::Item>);
}

impl<T> ItemList for Vec<T> {
    type Item = T;
    fn item_count(&self) -> usize {
        self.len()
    }
    fn take_items(&mut self) -> Vec<T> {
        std::mem::take(self)
    }
    fn put_items(&mut self, items: Vec<T>) {
        *self = items;
    }
}

impl<T> ItemList for Option<Vec<T>> {
    type Item = T;
    fn item_count(&self) -> usize {
        self.as_ref().map_or(0, Vec::len)
    }
    fn take_items(&mut self) -> Vec<T> {
        self.take().unwrap_or_default()
    }
    fn put_items(&mut self, items: Vec<T>) {
        *self = Some(items);
    }
}

/// The request fields a paginator sets on each page's request.
pub struct RequestFields<'a> {
    /// The position (page number or offset).
    pub position: &'a mut dyn PageParam,
    /// The page size.
    pub size: &'a mut dyn PageParam,
}

/// The response fields a paginator reads from each page.
pub struct ResponseFields<'a, T> {
    /// The page's items.
    pub items: &'a mut dyn ItemList<Item = T>,
    /// The count of all items, if the response has one.
    pub total: Option<&'a mut dyn TotalCount>,
}

/// The request of a list action that pages. Implemented by the generated crates; the
/// implementations only name fields.
pub trait Paged: Clone + Send + Sync + 'static {
    /// The action's response: one page.
    type Response: Send + 'static;
    /// One item of a page.
    type Item: Send + 'static;
    /// The action's pagination facts.
    const PAGING: Paging;
    /// The request's position and page size fields.
    fn request_fields(&mut self) -> RequestFields<'_>;
    /// A response's items and total fields.
    fn response_fields(response: &mut Self::Response) -> ResponseFields<'_, Self::Item>;
}

/// Where a scan stands: the page to fetch next, and the page size the scan uses (a page
/// number means nothing under another size). A job saves it (its text form, or serde
/// with the `serde` feature) and hands it to `Pages::resume_from`, in this process or
/// another, to continue the scan from that page.
///
/// Text form: `page=3,size=100` or `offset=200,size=100`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Position {
    /// What `value` counts.
    pub style: PositionKind,
    /// The next page's number, or the next offset.
    pub value: u64,
    /// The page size of the scan.
    pub page_size: u64,
}

/// What a [`Position`]'s value counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PositionKind {
    /// A page number.
    Page,
    /// An offset in items.
    Offset,
}

impl PositionKind {
    /// The kind a paging style's positions have.
    pub fn of(style: PagingStyle) -> Self {
        match style {
            PagingStyle::PageNumber { .. } => PositionKind::Page,
            PagingStyle::Offset => PositionKind::Offset,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            PositionKind::Page => "page",
            PositionKind::Offset => "offset",
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}={},size={}",
            self.style.as_str(),
            self.value,
            self.page_size
        )
    }
}

/// Why a text is not a [`Position`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionError(String);

impl fmt::Display for PositionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PositionError {}

impl FromStr for Position {
    type Err = PositionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || {
            PositionError(format!(
                "`{}` is not a paging position (expected `page=N,size=M` or `offset=N,size=M`)",
                crate::shortened(text)
            ))
        };
        let (first, second) = text.trim().split_once(',').ok_or_else(bad)?;
        let (kind, value) = first.split_once('=').ok_or_else(bad)?;
        let style = match kind.trim() {
            "page" => PositionKind::Page,
            "offset" => PositionKind::Offset,
            _ => return Err(bad()),
        };
        let value = value.trim().parse().map_err(|_| bad())?;
        let page_size = second
            .trim()
            .strip_prefix("size=")
            .ok_or_else(bad)?
            .parse()
            .map_err(|_| bad())?;
        if page_size == 0 {
            return Err(bad());
        }
        Ok(Position {
            style,
            value,
            page_size,
        })
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Position {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Position {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_through_text() {
        for position in [
            Position {
                style: PositionKind::Page,
                value: 3,
                page_size: 100,
            },
            Position {
                style: PositionKind::Offset,
                value: 0,
                page_size: 7,
            },
        ] {
            assert_eq!(position.to_string().parse::<Position>(), Ok(position));
        }
        assert_eq!(
            "page=3,size=100".parse::<Position>().map(|p| p.value),
            Ok(3)
        );
    }

    #[test]
    fn bad_position_texts_are_refused() {
        for text in [
            "",
            "page=3",
            "page=x,size=1",
            "row=1,size=2",
            "page=1,size=0",
            "page=1,limit=2",
            "page=-1,size=2",
        ] {
            let error = text.parse::<Position>().unwrap_err().to_string();
            assert!(error.contains("not a paging position"), "{text}: {error}");
        }
    }

    #[test]
    fn totals_of_every_shape_are_read() {
        assert_eq!(TotalCount::count(&5u64), Ok(Some(5)));
        assert_eq!(TotalCount::count(&5i64), Ok(Some(5)));
        assert!(TotalCount::count(&-7i64).unwrap_err().contains("-7"));
        assert_eq!(TotalCount::count(&Some("123".to_owned())), Ok(Some(123)));
        assert!(TotalCount::count(&Some("lots".to_owned()))
            .unwrap_err()
            .contains("lots"));
        assert_eq!(TotalCount::count(&None::<i64>), Ok(None));
        let mut total = None::<String>;
        total.set_count(4);
        assert_eq!(total.as_deref(), Some("4"));
    }

    #[test]
    fn params_of_every_shape_are_set_and_read() {
        let mut page = None::<i64>;
        assert_eq!(PageParam::get(&page), None);
        page.set(3);
        assert_eq!(page, Some(3));
        let mut size = -1i64;
        assert_eq!(PageParam::get(&size), None);
        size.set(u64::MAX);
        assert_eq!(size, i64::MAX);
        let mut items = None::<Vec<u8>>;
        assert_eq!(items.item_count(), 0);
        items.put_items(vec![1, 2]);
        assert_eq!(items.take_items(), [1, 2]);
        assert_eq!(items.item_count(), 0);
    }
}
