//! The one paginator of every list action, both vendors: [`Pages`] (a stream of pages)
//! and [`Items`] (a stream of the pages' items). The vendor engines only hand it a fetch
//! function (their typed `call`, so QPS limits, retries, credentials and error decoding
//! apply to each page as to any call); the generated crates only name the fields
//! ([`Paged`]). Positions, stop rules, the loop guard and resuming are here, once.

use std::collections::hash_map::DefaultHasher;
use std::fmt;
use std::future::Future;
use std::hash::Hasher;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_core::{FusedStream, Stream};

use crate::error::Error;
use crate::paging::{Paged, Position, PositionKind};

/// One page's answer, as a fetch function returns it.
pub type PageFuture<R> =
    Pin<Box<dyn Future<Output = Result<<R as Paged>::Response, Error>> + Send>>;

/// Sends one page's request: what a vendor engine gives a paginator (its typed `call`).
pub type PageFetch<R> = Arc<dyn Fn(R) -> PageFuture<R> + Send + Sync>;

/// The pages of a list action, fetched one at a time as they are asked for: a
/// [`Stream`] of `Result<Response, Error>`, with an inherent [`Pages::next`] (no trait
/// to import) and [`Pages::try_collect`]; [`Pages::items`] turns it into a stream of the
/// items.
///
/// Each page's request is the caller's request with its position and page size fields
/// set by the paginator: the values the caller gave those two fields are ignored (set
/// the size with [`Pages::page_size`], the start with [`Pages::resume_from`]). Every page
/// is one call of the client, so the client's QPS limits and retries apply to each page.
///
/// # When the scan ends
///
/// - **An error** (the call failed, or one of the problems below) is yielded, and then
///   the stream ends (`None`). [`Pages::position`] stays at the page that failed, so a
///   paginator resumed from it fetches that page again.
/// - **An empty page** is yielded, and ends the scan.
/// - **The total**: when the response has a total field and it holds a count, the scan
///   ends once the next page would start at or past it (the index of the next item is
///   the number of items the pages held so far). A total that changes during the scan:
///   the latest one counts. No request is sent after the page that reaches the total.
/// - **A short page** (fewer items than the page size) ends the scan *only* when the
///   response has no total: a server that caps the page size below the one asked for
///   would otherwise cut the scan short, while the total says more items follow.
/// - **The loop guard**: a non-empty page whose items are the same as the previous
///   page's (compared by a 64-bit hash of each item's `Debug` form: constant memory) is
///   not yielded, and ends the stream with [`Error::Paging`] ("... repeated the previous
///   page: the server ignores the position").
/// - **A total that is not a count** (negative, not a number) ends the stream with
///   [`Error::Paging`] quoting it (shortened); that page is not yielded.
/// - **A position past the largest number** the position field (or `u64`) holds ends
///   the stream with [`Error::Paging`].
///
/// A page size of 0 or over the action's documented maximum, or a resume position of
/// the other style (page number vs offset) or before the first page, makes the first
/// item an [`Error::InvalidRequest`] naming the action, and nothing is sent.
///
/// # Positions
///
/// Page-number actions go 1, 2, 3...; offset actions advance by the number of items each
/// page actually held (a server that sends fewer than asked loses nothing).
/// [`Pages::position`] is the page to fetch next, as a [`Position`] to save (its text
/// form `page=3,size=100` or serde) and give to [`Pages::resume_from`] later, in this
/// process or another.
///
/// A page-number position is only as good as the server's page size: a server that caps
/// the size below the one saved numbers its pages by its own size, so after resuming the
/// total may end the scan early. Offset positions have no such trouble.
///
/// # Cancellation
///
/// Dropping a [`Pages::next`] future before it finishes keeps the page's request in
/// flight inside the paginator: the next call of `next` carries on with it, so no page
/// is skipped or sent twice.
///
/// # Example
///
/// ```no_run
/// # use partnergen_runtime::client::{PageFetch, Pages};
/// # use partnergen_runtime::paging::*;
/// # #[derive(Clone, Debug, Default)]
/// # struct ListRequest { page: Option<i64>, size: Option<i64> }
/// # #[derive(Debug, Default)]
/// # struct ListResponse { items: Option<Vec<String>>, total: Option<i64> }
/// # impl Paged for ListRequest {
/// #     type Response = ListResponse;
/// #     type Item = String;
/// #     const PAGING: Paging = Paging {
/// #         action: "ListThings", style: PagingStyle::PageNumber { first: 1 },
/// #         place: PagingPlace::Body, position: "Page", size: "PageSize",
/// #         items: "Things", total: Some("Total"), page_size: 100, max_page_size: Some(200),
/// #     };
/// #     fn request_fields(&mut self) -> RequestFields<'_> {
/// #         RequestFields { position: &mut self.page, size: &mut self.size }
/// #     }
/// #     fn response_fields(r: &mut ListResponse) -> ResponseFields<'_, String> {
/// #         ResponseFields { items: &mut r.items, total: Some(&mut r.total) }
/// #     }
/// # }
/// # async fn example(fetch: PageFetch<ListRequest>) -> Result<(), partnergen_runtime::error::Error> {
/// // A generated client's `list_things_pages(request)` returns this.
/// let mut pages = Pages::new("ListThings", ListRequest::default(), fetch).page_size(50);
/// while let Some(page) = pages.next().await {
///     let page = page?;
///     println!("{} things", page.items.as_ref().map_or(0, Vec::len));
///     // Save this to continue in another process.
///     let _checkpoint: Option<Position> = pages.position();
/// }
///
/// // Or item by item, from a saved position:
/// let saved: Position = "page=3,size=50".parse().unwrap();
/// # let fetch: PageFetch<ListRequest> = unimplemented!();
/// let mut things = Pages::new("ListThings", ListRequest::default(), fetch)
///     .resume_from(saved)
///     .items();
/// while let Some(thing) = things.next().await {
///     println!("{}", thing?);
/// }
/// # Ok(())
/// # }
/// ```
///
/// [`Pages::items`] takes the paginator: it cannot be used after.
///
/// ```compile_fail,E0382
/// # use partnergen_runtime::client::{PageFetch, Pages};
/// # use partnergen_runtime::paging::*;
/// # #[derive(Clone, Debug, Default)]
/// # struct ListRequest { page: Option<i64>, size: Option<i64> }
/// # #[derive(Debug, Default)]
/// # struct ListResponse { items: Option<Vec<String>>, total: Option<i64> }
/// # impl Paged for ListRequest {
/// #     type Response = ListResponse;
/// #     type Item = String;
/// #     const PAGING: Paging = Paging {
/// #         action: "ListThings", style: PagingStyle::PageNumber { first: 1 },
/// #         place: PagingPlace::Body, position: "Page", size: "PageSize",
/// #         items: "Things", total: Some("Total"), page_size: 100, max_page_size: Some(200),
/// #     };
/// #     fn request_fields(&mut self) -> RequestFields<'_> {
/// #         RequestFields { position: &mut self.page, size: &mut self.size }
/// #     }
/// #     fn response_fields(r: &mut ListResponse) -> ResponseFields<'_, String> {
/// #         ResponseFields { items: &mut r.items, total: Some(&mut r.total) }
/// #     }
/// # }
/// # async fn example(fetch: PageFetch<ListRequest>) {
/// let pages = Pages::new("ListThings", ListRequest::default(), fetch);
/// let items = pages.items();
/// let _ = pages.position(); // error: `pages` was moved into `items`
/// # }
/// ```
#[must_use = "a paginator sends nothing until its pages are asked for"]
pub struct Pages<R: Paged> {
    action: &'static str,
    request: R,
    fetch: PageFetch<R>,
    /// The page size given by [`Pages::page_size`].
    chosen_size: Option<u64>,
    /// The position given by [`Pages::resume_from`].
    resume: Option<Position>,
    /// The bound given by [`Pages::max_pages`].
    max_pages: Option<u64>,
    scan: Scan,
    /// The answer to come of the page being fetched (the one at `scan.next`).
    in_flight: Option<PageFuture<R>>,
    /// The position of the page yielded last (the page whose items an [`Items`] holds).
    yielded: Option<Position>,
}

/// Where a scan stands.
struct Scan {
    /// The page size of the scan.
    size: u64,
    /// The position (page number or offset) of the page to fetch next; `None` once the
    /// scan has ended without an error.
    next: Option<u64>,
    /// The index of the next page's first item, among all the list's items.
    index: u64,
    /// The stream has ended (after the last page, or after an error).
    done: bool,
    /// An error to yield at the next poll, ending the stream.
    pending: Option<Error>,
    /// The fingerprint of the last non-empty page's items.
    previous: Option<u64>,
    /// Pages asked for since the scan (re)started.
    fetched: u64,
}

// The paginator is never pinned structurally: the request, the answer in flight (boxed)
// and the items are only ever reached through `&mut self`.
impl<R: Paged> Unpin for Pages<R> {}

impl<R: Paged> fmt::Debug for Pages<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("action", &self.action)
            .field("position", &self.position())
            .field("ended", &self.scan.done)
            .finish_non_exhaustive()
    }
}

impl<R: Paged> Pages<R> {
    /// A paginator of `action` over `request`, sending each page through `fetch`, from the
    /// first page with the action's default page size (what the vendor engines' `pages`
    /// return).
    pub fn new(action: &'static str, request: R, fetch: PageFetch<R>) -> Self {
        let mut pages = Pages {
            action,
            request,
            fetch,
            chosen_size: None,
            resume: None,
            max_pages: None,
            scan: Scan {
                size: 0,
                next: None,
                index: 0,
                done: false,
                pending: None,
                previous: None,
                fetched: 0,
            },
            in_flight: None,
            yielded: None,
        };
        pages.restart();
        pages
    }

    /// The number of items each page's request asks for (the action's default page size
    /// unless set). 0, or more than the action's documented maximum, makes the first item
    /// of the stream an [`Error::InvalidRequest`]. Set it before the first page: setting it
    /// later starts the scan again (from the resume position, if any).
    pub fn page_size(mut self, size: u64) -> Self {
        self.chosen_size = Some(size);
        self.restart();
        self
    }

    /// Starts the scan at a saved [`Position`] (from [`Pages::position`] or
    /// [`Items::position`], here or in another process) instead of the first page, with
    /// the page size it was saved with. A position of the other style (a page number for
    /// an offset action, or the reverse), before the first page, or with a page size the
    /// action does not allow makes the first item an [`Error::InvalidRequest`]; so does a
    /// page-number position with a page size other than one given to
    /// [`Pages::page_size`] (its pages would be other items).
    pub fn resume_from(mut self, position: Position) -> Self {
        self.resume = Some(position);
        self.restart();
        self
    }

    /// Fetches at most `pages` pages: past them the stream ends with [`Error::Paging`],
    /// its position the first page not fetched (so a later scan can resume there). A
    /// bound for scans that must end: a server can keep a list going (full, distinct
    /// pages and no total, or a total it keeps raising), and [`Pages::try_collect`] holds
    /// every page it gets. None by default.
    pub fn max_pages(mut self, pages: u64) -> Self {
        self.max_pages = Some(pages);
        self
    }

    /// The page to fetch next, to save and later give to [`Pages::resume_from`]. After an
    /// error, the page that failed; `None` once the scan has ended without one (or when
    /// the page size or resume position is invalid: nothing will be fetched).
    pub fn position(&self) -> Option<Position> {
        self.scan.next.map(|value| self.at(value))
    }

    /// The pages' items, one at a time.
    pub fn items(self) -> Items<R> {
        Items {
            pages: self,
            buffer: Vec::new().into_iter(),
        }
    }

    fn at(&self, value: u64) -> Position {
        Position {
            style: PositionKind::of(R::PAGING.style),
            value,
            page_size: self.scan.size,
        }
    }

    fn invalid(&self, message: String) -> Error {
        Error::InvalidRequest {
            action: self.action.to_owned(),
            message,
        }
    }

    fn paging_error(&self, value: u64, problem: String) -> Error {
        Error::Paging {
            action: self.action,
            position: self.at(value),
            problem,
        }
    }

    /// Sets the scan to its start, from the settings; an invalid setting becomes the
    /// stream's one item.
    fn restart(&mut self) {
        self.in_flight = None;
        self.yielded = None;
        self.scan.done = false;
        self.scan.pending = None;
        self.scan.previous = None;
        self.scan.fetched = 0;
        match self.start() {
            Ok((size, value, index)) => {
                self.scan.size = size;
                self.scan.next = Some(value);
                self.scan.index = index;
            }
            Err(error) => {
                self.scan.size = self.chosen_size.unwrap_or(R::PAGING.page_size);
                self.scan.next = None;
                self.scan.index = 0;
                self.scan.pending = Some(error);
            }
        }
    }

    /// The scan's page size, first position and first item index.
    fn start(&self) -> Result<(u64, u64, u64), Error> {
        let paging = &R::PAGING;
        let kind = PositionKind::of(paging.style);
        if let (Some(resume), Some(size)) = (self.resume, self.chosen_size) {
            if kind == PositionKind::Page && resume.page_size != size {
                return Err(self.invalid(format!(
                    "the resume position {resume} was saved with page size {}, and the page \
                     size is set to {size}: a page number means other items under another size",
                    resume.page_size
                )));
            }
        }
        let size = self
            .chosen_size
            .or(self.resume.map(|r| r.page_size))
            .unwrap_or(paging.page_size);
        if size == 0 {
            return Err(self.invalid("page size 0: a page must hold at least 1 item".into()));
        }
        if let Some(max) = paging.max_page_size.filter(|&max| size > max) {
            return Err(self.invalid(format!(
                "page size {size} is over the action's maximum of {max}"
            )));
        }
        let first = paging.first_position();
        let Some(resume) = self.resume else {
            return Ok((size, first, 0));
        };
        if resume.style != kind {
            return Err(self.invalid(format!(
                "the resume position {resume} counts {}, and this action's positions count {}",
                what_counts(resume.style),
                what_counts(kind)
            )));
        }
        if resume.value < first {
            return Err(self.invalid(format!(
                "the resume position {resume} is before the first page ({})",
                self.at(first)
            )));
        }
        let index = match kind {
            PositionKind::Offset => resume.value,
            PositionKind::Page => (resume.value - first).saturating_mul(size),
        };
        Ok((size, resume.value, index))
    }

    /// The request of the page at `value`, or why it cannot be sent.
    fn request_at(&self, value: u64) -> Result<R, Error> {
        let mut request = self.request.clone();
        let fields = request.request_fields();
        fields.position.set(value);
        if fields.position.get() != Some(value) {
            return Err(self.paging_error(
                value,
                format!(
                    "the position is past the largest the request's `{}` field holds",
                    R::PAGING.position
                ),
            ));
        }
        fields.size.set(self.scan.size);
        if fields.size.get() != Some(self.scan.size) {
            return Err(self.invalid(format!(
                "page size {} is past the largest the request's `{}` field holds",
                self.scan.size,
                R::PAGING.size
            )));
        }
        Ok(request)
    }
}

/// Fetching pages compares each with the previous one by its items' `Debug` form (the
/// loop guard); every generated model derives `Debug`.
impl<R: Paged> Pages<R>
where
    R::Item: fmt::Debug,
{
    /// The next page, or `None` once the scan has ended. Cancel-safe (see the type's docs).
    pub async fn next(&mut self) -> Option<Result<R::Response, Error>> {
        std::future::poll_fn(|cx| self.poll_page(cx)).await
    }

    /// Every remaining page, or the first error. Holds them all: see
    /// [`Pages::max_pages`] for a bound.
    pub async fn try_collect(mut self) -> Result<Vec<R::Response>, Error> {
        let mut pages = Vec::new();
        while let Some(page) = self.next().await {
            pages.push(page?);
        }
        Ok(pages)
    }

    fn poll_page(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<R::Response, Error>>> {
        if let Some(error) = self.scan.pending.take() {
            self.scan.done = true;
            return Poll::Ready(Some(Err(error)));
        }
        let Some(value) = self.scan.next.filter(|_| !self.scan.done) else {
            self.scan.done = true;
            return Poll::Ready(None);
        };
        let mut answer = match self.in_flight.take() {
            Some(answer) => answer,
            None if self.max_pages.is_some_and(|max| self.scan.fetched >= max) => {
                self.scan.done = true;
                let max = self.scan.fetched;
                return Poll::Ready(Some(Err(self.paging_error(
                    value,
                    format!("stopped after {max} pages, the paginator's max_pages"),
                ))));
            }
            None => match self.request_at(value) {
                Ok(request) => {
                    self.scan.fetched += 1;
                    (self.fetch)(request)
                }
                Err(error) => {
                    self.scan.done = true;
                    return Poll::Ready(Some(Err(error)));
                }
            },
        };
        let answer = match answer.as_mut().poll(cx) {
            Poll::Pending => {
                self.in_flight = Some(answer);
                return Poll::Pending;
            }
            Poll::Ready(answer) => answer,
        };
        let outcome = answer.and_then(|response| self.advance(value, response));
        if outcome.is_err() {
            self.scan.done = true;
        } else {
            self.yielded = Some(self.at(value));
        }
        Poll::Ready(Some(outcome))
    }

    /// Reads the page fetched at `value`, moves the scan past it and decides whether the
    /// scan goes on; an error when the page cannot be followed.
    fn advance(&mut self, value: u64, mut response: R::Response) -> Result<R::Response, Error> {
        let fields = R::response_fields(&mut response);
        let count = fields.items.item_count();
        let total = match fields.total.map(|total| total.count()) {
            None | Some(Ok(None)) => None,
            Some(Ok(Some(total))) => Some(total),
            Some(Err(why)) => {
                return Err(self.paging_error(
                    value,
                    format!(
                        "the answer's total (`{}`) is not a count: {why}",
                        R::PAGING.total.unwrap_or("total")
                    ),
                ))
            }
        };
        if count == 0 {
            self.scan.next = None;
            return Ok(response);
        }
        let items = fields.items.take_items();
        let fingerprint = fingerprint(&items);
        fields.items.put_items(items);
        if self.scan.previous == Some(fingerprint) {
            return Err(self.paging_error(
                value,
                "repeated the previous page: the server ignores the position".into(),
            ));
        }
        self.scan.previous = Some(fingerprint);
        let held = u64::try_from(count).unwrap_or(u64::MAX);
        let next = match R::PAGING.style {
            crate::paging::PagingStyle::PageNumber { .. } => value.checked_add(1),
            crate::paging::PagingStyle::Offset => value.checked_add(held),
        };
        let index = self.scan.index.saturating_add(held);
        let ended = match total {
            Some(total) => index >= total,
            None => held < self.scan.size,
        };
        if ended {
            self.scan.next = None;
        } else {
            match next {
                Some(next) => {
                    self.scan.next = Some(next);
                    self.scan.index = index;
                }
                // The page itself is fine: yield it, then the error.
                None => {
                    self.scan.pending =
                        Some(self.paging_error(value, "the next position is past 2^64 - 1".into()));
                }
            }
        }
        Ok(response)
    }
}

fn what_counts(kind: PositionKind) -> &'static str {
    match kind {
        PositionKind::Page => "page numbers",
        PositionKind::Offset => "offsets",
    }
}

/// A 64-bit hash of the items' `Debug` forms, streamed (nothing is kept).
fn fingerprint<T: fmt::Debug>(items: &[T]) -> u64 {
    struct Feed<'a>(&'a mut DefaultHasher);
    impl fmt::Write for Feed<'_> {
        fn write_str(&mut self, text: &str) -> fmt::Result {
            self.0.write(text.as_bytes());
            Ok(())
        }
    }
    // SipHash with fixed keys: the same items give the same value, page after page.
    let mut hasher = DefaultHasher::new();
    hasher.write_usize(items.len());
    for item in items {
        // Writing into a hasher cannot fail; a `Debug` impl that errs only weakens the
        // guard for that item.
        let _ = fmt::write(&mut Feed(&mut hasher), format_args!("{item:?}"));
        // A separator `Debug` output does not contain (it escapes control characters).
        hasher.write_u8(0);
    }
    hasher.finish()
}

impl<R: Paged> Stream for Pages<R>
where
    R::Item: fmt::Debug,
{
    type Item = Result<R::Response, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_page(cx)
    }
}

impl<R: Paged> FusedStream for Pages<R>
where
    R::Item: fmt::Debug,
{
    fn is_terminated(&self) -> bool {
        self.scan.done
    }
}

/// The items of a list action's pages, one at a time: a [`Stream`] of
/// `Result<Item, Error>`, made by [`Pages::items`], with the same stop rules.
///
/// Its [`Items::position`] is at-least-once: while items of a fetched page remain
/// undelivered, it is that page's position, so a scan resumed from it delivers those
/// items again (and the ones before them on that page); once a page's last item is
/// delivered, it is the next page's.
#[must_use = "a paginator sends nothing until its items are asked for"]
pub struct Items<R: Paged> {
    pages: Pages<R>,
    buffer: std::vec::IntoIter<R::Item>,
}

// As for `Pages`: never pinned structurally.
impl<R: Paged> Unpin for Items<R> {}

impl<R: Paged> fmt::Debug for Items<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("pages", &self.pages)
            .field("buffered", &self.buffer.len())
            .finish()
    }
}

impl<R: Paged> Items<R> {
    /// Where to resume so that no item not yet delivered is lost: the page whose items
    /// are being delivered, while some remain (they come again after resuming), else the
    /// page to fetch next; after an error, the page that failed; `None` once the scan has
    /// ended and every item was delivered.
    pub fn position(&self) -> Option<Position> {
        if self.buffer.len() > 0 {
            self.pages.yielded
        } else {
            self.pages.position()
        }
    }
}

impl<R: Paged> Items<R>
where
    R::Item: fmt::Debug,
{
    /// The next item, or `None` once the scan has ended.
    pub async fn next(&mut self) -> Option<Result<R::Item, Error>> {
        std::future::poll_fn(|cx| self.poll_item(cx)).await
    }

    /// Every remaining item, or the first error. Holds them all: see [`Pages::max_pages`]
    /// for a bound.
    pub async fn try_collect(mut self) -> Result<Vec<R::Item>, Error> {
        let mut items = Vec::new();
        while let Some(item) = self.next().await {
            items.push(item?);
        }
        Ok(items)
    }

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<R::Item, Error>>> {
        loop {
            if let Some(item) = self.buffer.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match self.pages.poll_page(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                Poll::Ready(Some(Ok(mut page))) => {
                    self.buffer = R::response_fields(&mut page).items.take_items().into_iter();
                }
            }
        }
    }
}

impl<R: Paged> Stream for Items<R>
where
    R::Item: fmt::Debug,
{
    type Item = Result<R::Item, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_item(cx)
    }
}

impl<R: Paged> FusedStream for Items<R>
where
    R::Item: fmt::Debug,
{
    fn is_terminated(&self) -> bool {
        self.buffer.len() == 0 && self.pages.is_terminated()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    use super::*;
    use crate::paging::{Paging, PagingPlace, PagingStyle, RequestFields, ResponseFields};

    /// A page-number action whose total is a number in a string (as Tencent's
    /// `DescribeCustomerUin` sends it), with optional `i64` fields.
    #[derive(Clone, Debug, Default)]
    struct PageRequest {
        page: Option<i64>,
        size: Option<i64>,
        /// A field of the caller's, to see it reach every page.
        filter: String,
    }

    #[derive(Debug, Default)]
    struct PageResponse {
        things: Option<Vec<u32>>,
        total: Option<String>,
    }

    impl Paged for PageRequest {
        type Response = PageResponse;
        type Item = u32;
        const PAGING: Paging = Paging {
            action: "ListThings",
            style: PagingStyle::PageNumber { first: 1 },
            place: PagingPlace::Body,
            position: "Page",
            size: "PageSize",
            items: "Things",
            total: Some("Total"),
            page_size: 10,
            max_page_size: Some(50),
        };
        fn request_fields(&mut self) -> RequestFields<'_> {
            RequestFields {
                position: &mut self.page,
                size: &mut self.size,
            }
        }
        fn response_fields(response: &mut PageResponse) -> ResponseFields<'_, u32> {
            ResponseFields {
                items: &mut response.things,
                total: Some(&mut response.total),
            }
        }
    }

    /// An offset action (Huawei's shape: `offset`/`limit`, a `count` that may be absent),
    /// with `u64` fields and no documented maximum.
    #[derive(Clone, Debug, Default)]
    struct OffsetRequest {
        offset: u64,
        limit: u64,
    }

    #[derive(Debug, Default)]
    struct OffsetResponse {
        records: Vec<u32>,
        count: Option<i64>,
    }

    impl Paged for OffsetRequest {
        type Response = OffsetResponse;
        type Item = u32;
        const PAGING: Paging = Paging {
            action: "ListRecords",
            style: PagingStyle::Offset,
            place: PagingPlace::Query,
            position: "offset",
            size: "limit",
            items: "records",
            total: Some("count"),
            page_size: 10,
            max_page_size: None,
        };
        fn request_fields(&mut self) -> RequestFields<'_> {
            RequestFields {
                position: &mut self.offset,
                size: &mut self.limit,
            }
        }
        fn response_fields(response: &mut OffsetResponse) -> ResponseFields<'_, u32> {
            ResponseFields {
                items: &mut response.records,
                total: Some(&mut response.count),
            }
        }
    }

    type Hook = Box<dyn Fn(usize, &mut Vec<u32>) + Send + Sync>;

    /// A list server: serves slices of `items` by page number or offset.
    #[derive(Default)]
    struct Server {
        items: Mutex<Vec<u32>>,
        /// Whether answers carry the total.
        total: bool,
        /// A total text sent instead of the count.
        total_text: Option<String>,
        /// The largest page it sends, whatever was asked.
        cap: Option<u64>,
        /// Serves the first page whatever the position.
        ignores_position: bool,
        /// Fails the first request for this position (then serves it).
        fail_once_at: Mutex<Option<u64>>,
        /// Changes the items after the n-th request (1-based).
        after: Option<Hook>,
        /// The (position, size) of every request, in order.
        requests: Mutex<Vec<(u64, u64)>>,
        /// The caller's `filter` of every page-number request.
        filters: Mutex<Vec<String>>,
    }

    impl Server {
        fn with(count: u32) -> Server {
            Server {
                items: Mutex::new((0..count).collect()),
                total: true,
                ..Server::default()
            }
        }

        /// The items from `start` (a count of items) and the total text, or an error.
        fn answer(
            &self,
            position: u64,
            size: u64,
            start: impl Fn(u64) -> u64,
        ) -> Result<(Vec<u32>, Option<String>), Error> {
            let call = {
                let mut requests = self.requests.lock().unwrap();
                requests.push((position, size));
                requests.len()
            };
            let mut fail = self.fail_once_at.lock().unwrap();
            if *fail == Some(position) {
                *fail = None;
                return Err(Error::Timeout {
                    action: "ListThings",
                    trace_id: None,
                });
            }
            let mut items = self.items.lock().unwrap();
            let size = self.cap.map_or(size, |cap| size.min(cap));
            let start = if self.ignores_position {
                0
            } else {
                start(size)
            };
            let page: Vec<u32> = items
                .iter()
                .skip(usize::try_from(start).unwrap_or(usize::MAX))
                .take(usize::try_from(size).unwrap())
                .copied()
                .collect();
            let total = self
                .total_text
                .clone()
                .or_else(|| self.total.then(|| items.len().to_string()));
            if let Some(after) = &self.after {
                after(call, &mut items);
            }
            Ok((page, total))
        }

        fn requests(&self) -> Vec<(u64, u64)> {
            self.requests.lock().unwrap().clone()
        }
    }

    fn page_fetch(server: &Arc<Server>) -> PageFetch<PageRequest> {
        let server = Arc::clone(server);
        Arc::new(move |request: PageRequest| {
            let server = Arc::clone(&server);
            Box::pin(async move {
                server.filters.lock().unwrap().push(request.filter.clone());
                let page = u64::try_from(request.page.unwrap()).unwrap();
                let size = u64::try_from(request.size.unwrap()).unwrap();
                let (things, total) = server.answer(page, size, |size| (page - 1) * size)?;
                Ok(PageResponse {
                    things: Some(things),
                    total,
                })
            })
        })
    }

    fn offset_fetch(server: &Arc<Server>) -> PageFetch<OffsetRequest> {
        let server = Arc::clone(server);
        Arc::new(move |request: OffsetRequest| {
            let server = Arc::clone(&server);
            Box::pin(async move {
                let (records, total) =
                    server.answer(request.offset, request.limit, |_| request.offset)?;
                Ok(OffsetResponse {
                    records,
                    count: total.map(|t| t.parse().unwrap_or(-1)),
                })
            })
        })
    }

    fn pages(server: &Arc<Server>) -> Pages<PageRequest> {
        let request = PageRequest {
            // The caller's own position and size are ignored.
            page: Some(7),
            size: Some(3),
            filter: "active".into(),
        };
        Pages::new("ListThings", request, page_fetch(server))
    }

    fn offsets(server: &Arc<Server>) -> Pages<OffsetRequest> {
        Pages::new(
            "ListRecords",
            OffsetRequest::default(),
            offset_fetch(server),
        )
    }

    /// Every item until the end, and the error that ended it if one did.
    async fn drain<R: Paged>(items: &mut Items<R>) -> (Vec<R::Item>, Option<Error>)
    where
        R::Item: fmt::Debug,
    {
        let mut got = Vec::new();
        while let Some(item) = items.next().await {
            match item {
                Ok(item) => got.push(item),
                Err(error) => {
                    assert!(
                        items.next().await.is_none(),
                        "the stream ends after an error"
                    );
                    return (got, Some(error));
                }
            }
        }
        (got, None)
    }

    #[tokio::test]
    async fn every_item_once_across_page_boundaries_with_a_total() {
        // (items, requests): a request past the last page is never sent when the total
        // says the scan is done.
        for (count, fetches) in [(0, 1), (1, 1), (9, 1), (10, 1), (11, 2), (35, 4)] {
            let server = Arc::new(Server::with(count));
            let (items, error) = drain(&mut pages(&server).items()).await;
            assert!(error.is_none(), "{count}: {error:?}");
            assert_eq!(items, (0..count).collect::<Vec<_>>(), "{count} items");
            let requests = server.requests();
            assert_eq!(requests.len(), fetches, "{count} items: {requests:?}");
            let expected: Vec<(u64, u64)> = (1..=fetches as u64).map(|p| (p, 10)).collect();
            assert_eq!(requests, expected, "page numbers from 1, the default size");
            assert!(server.filters.lock().unwrap().iter().all(|f| f == "active"));
        }
    }

    #[tokio::test]
    async fn without_a_total_a_short_or_empty_page_ends_the_scan() {
        for (count, fetches) in [(0, 1), (1, 1), (10, 2), (11, 2), (35, 4), (40, 5)] {
            let server = Arc::new(Server {
                total: false,
                ..Server::with(count)
            });
            let (items, error) = drain(&mut pages(&server).items()).await;
            assert!(error.is_none(), "{count}: {error:?}");
            assert_eq!(items, (0..count).collect::<Vec<_>>(), "{count} items");
            assert_eq!(server.requests().len(), fetches, "{count} items");
        }
    }

    #[tokio::test]
    async fn the_pages_themselves_are_yielded_empty_one_included() {
        let server = Arc::new(Server::with(25));
        let got = pages(&server).page_size(20).try_collect().await.unwrap();
        let sizes: Vec<usize> = got
            .iter()
            .map(|p| p.things.as_ref().unwrap().len())
            .collect();
        assert_eq!(sizes, [20, 5]);
        let empty = Arc::new(Server::with(0));
        let got = pages(&empty).try_collect().await.unwrap();
        assert_eq!(got.len(), 1, "the empty page is yielded");
        assert_eq!(got[0].things.as_deref(), Some(&[][..]));
    }

    #[tokio::test]
    async fn offsets_advance_by_the_items_each_page_held() {
        for (count, fetches) in [(0, 1), (1, 1), (10, 1), (11, 2), (35, 4)] {
            let server = Arc::new(Server::with(count));
            let (items, error) = drain(&mut offsets(&server).items()).await;
            assert!(error.is_none(), "{count}: {error:?}");
            assert_eq!(items, (0..count).collect::<Vec<_>>(), "{count} items");
            assert_eq!(server.requests().len(), fetches, "{count} items");
        }
        // A server sending 4 where 10 were asked: the next offset is 4, not 10.
        let server = Arc::new(Server {
            cap: Some(4),
            ..Server::with(23)
        });
        let (items, error) = drain(&mut offsets(&server).items()).await;
        assert!(error.is_none(), "{error:?}");
        assert_eq!(items, (0..23).collect::<Vec<_>>());
        let sent: Vec<u64> = server.requests().iter().map(|r| r.0).collect();
        assert_eq!(sent, [0, 4, 8, 12, 16, 20]);
        assert!(
            server.requests().iter().all(|r| r.1 == 10),
            "asks for 10 each time"
        );
    }

    #[tokio::test]
    async fn a_server_capping_the_size_does_not_cut_the_scan_short_when_a_total_says_more() {
        let server = Arc::new(Server {
            cap: Some(4),
            ..Server::with(25)
        });
        let (items, error) = drain(&mut pages(&server).items()).await;
        assert!(error.is_none(), "{error:?}");
        assert_eq!(items, (0..25).collect::<Vec<_>>());
        assert_eq!(server.requests().len(), 7);
        // Without a total, a short page is all there is to go by: the scan stops there.
        let server = Arc::new(Server {
            cap: Some(4),
            total: false,
            ..Server::with(25)
        });
        let (items, error) = drain(&mut pages(&server).items()).await;
        assert!(error.is_none(), "{error:?}");
        assert_eq!(items, [0, 1, 2, 3]);
        assert_eq!(server.requests().len(), 1);
    }

    #[tokio::test]
    async fn a_total_changing_mid_scan_the_latest_counts() {
        /// A scan of a list of 25 that `change` alters after the first page: the items
        /// it got and how many requests it made.
        async fn scan_changed_after_page_1(change: fn(&mut Vec<u32>)) -> (Vec<u32>, usize) {
            let server = Arc::new(Server {
                after: Some(Box::new(move |call, items: &mut Vec<u32>| {
                    if call == 1 {
                        change(items);
                    }
                })),
                ..Server::with(25)
            });
            let (items, _) = drain(&mut pages(&server).items()).await;
            (items, server.requests().len())
        }
        // Grows after the first page: the new items are fetched too.
        let (items, requests) = scan_changed_after_page_1(|items| items.extend(25..40)).await;
        assert_eq!(items, (0..40).collect::<Vec<_>>());
        assert_eq!(requests, 4);
        // Shrinks to 15 after the first page: page 2 (10..15) reaches the new total.
        let (items, requests) = scan_changed_after_page_1(|items| items.truncate(15)).await;
        assert_eq!(items, (0..15).collect::<Vec<_>>());
        assert_eq!(requests, 2);
        // Shrinks below what was read: page 2 is empty, and ends the scan.
        let (items, requests) = scan_changed_after_page_1(|items| items.truncate(5)).await;
        assert_eq!(items, (0..10).collect::<Vec<_>>());
        assert_eq!(requests, 2);
    }

    #[tokio::test]
    async fn max_pages_bounds_a_scan_and_its_position_resumes_it() {
        // A server whose list outlasts any patience: 1,000 items, no total.
        let server = Arc::new(Server {
            total: false,
            ..Server::with(1000)
        });
        let mut items = pages(&server).max_pages(3).items();
        let (got, error) = drain(&mut items).await;
        assert_eq!(got, (0..30).collect::<Vec<_>>());
        let error = error.expect("the bound ends the stream with an error");
        assert!(matches!(error, Error::Paging { .. }), "{error:?}");
        assert!(error.to_string().contains("max_pages"), "{error}");
        assert_eq!(
            server.requests().len(),
            3,
            "no page past the bound is asked for"
        );
        // The position names the first page not fetched; a resume goes on from it.
        let position = items.position().unwrap();
        assert_eq!(position.to_string(), "page=4,size=10");
        let (rest, error) =
            drain(&mut pages(&server).resume_from(position).max_pages(2).items()).await;
        assert_eq!(rest, (30..50).collect::<Vec<_>>());
        assert!(error.is_some());
        // No bound given: the scan reads to the end.
        let (all, error) = drain(&mut pages(&server).items()).await;
        assert_eq!((all.len(), error.is_none()), (1000, true));
    }

    #[tokio::test]
    async fn a_repeated_page_ends_the_stream_with_a_paging_error_unyielded() {
        for total in [true, false] {
            let server = Arc::new(Server {
                ignores_position: true,
                total,
                ..Server::with(25)
            });
            let mut pages = pages(&server);
            let first = pages.next().await.unwrap().unwrap();
            assert_eq!(first.things.unwrap(), (0..10).collect::<Vec<_>>());
            let error = pages.next().await.unwrap().unwrap_err();
            assert!(
                matches!(&error, Error::Paging { action: "ListThings", position, .. }
                    if position.to_string() == "page=2,size=10"),
                "{error:?}"
            );
            assert_eq!(
                error.to_string(),
                "ListThings: paging stopped at page=2,size=10: repeated the previous page: \
                 the server ignores the position"
            );
            assert!(pages.next().await.is_none());
            assert!(pages.next().await.is_none(), "and stays ended");
            assert_eq!(server.requests().len(), 2, "nothing sent after the error");
            assert_eq!(
                pages.position().map(|p| p.to_string()).as_deref(),
                Some("page=2,size=10")
            );
            assert!(!error.is_transient());
        }
    }

    #[tokio::test]
    async fn an_error_on_page_3_ends_the_stream_and_a_resume_gets_the_rest() {
        let server = Arc::new(Server::with(45));
        *server.fail_once_at.lock().unwrap() = Some(3);
        let mut items = pages(&server).items();
        let (got, error) = drain(&mut items).await;
        assert_eq!(got, (0..20).collect::<Vec<_>>(), "pages 1 and 2");
        assert!(matches!(error, Some(Error::Timeout { .. })), "{error:?}");
        assert_eq!(server.requests().len(), 3, "nothing sent after the error");
        let saved = items.position().unwrap().to_string();
        assert_eq!(saved, "page=3,size=10");
        // Another process, from the saved text.
        let resumed = pages(&server).resume_from(saved.parse().unwrap());
        let (rest, error) = drain(&mut resumed.items()).await;
        assert!(error.is_none(), "{error:?}");
        assert_eq!(rest, (20..45).collect::<Vec<_>>());
        let sent: Vec<u64> = server.requests().iter().map(|r| r.0).collect();
        assert_eq!(sent, [1, 2, 3, 3, 4, 5]);
    }

    #[tokio::test]
    async fn a_saved_position_resumes_exactly_where_the_scan_stood() {
        let server = Arc::new(Server::with(47));
        let mut first = pages(&server).page_size(20);
        let mut seen = Vec::new();
        seen.extend(first.next().await.unwrap().unwrap().things.unwrap());
        let saved = first.position().unwrap().to_string();
        assert_eq!(saved, "page=2,size=20");
        drop(first);
        let rest = pages(&server)
            .resume_from(saved.parse().unwrap())
            .items()
            .try_collect()
            .await
            .unwrap();
        seen.extend(rest);
        assert_eq!(seen, (0..47).collect::<Vec<_>>());
        assert_eq!(server.requests(), [(1, 20), (2, 20), (3, 20)]);

        // Offsets: the saved offset is the count of items read.
        let server = Arc::new(Server {
            cap: Some(7),
            ..Server::with(30)
        });
        let mut first = offsets(&server);
        let mut seen = first.next().await.unwrap().unwrap().records;
        let saved = first.position().unwrap().to_string();
        assert_eq!(saved, "offset=7,size=10");
        let rest = offsets(&server)
            .resume_from(saved.parse().unwrap())
            .items()
            .try_collect()
            .await
            .unwrap();
        seen.extend(rest);
        assert_eq!(seen, (0..30).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn the_items_position_redelivers_a_page_not_fully_delivered() {
        let server = Arc::new(Server::with(25));
        let mut items = pages(&server).items();
        assert_eq!(items.position().unwrap().to_string(), "page=1,size=10");
        assert_eq!(items.next().await.unwrap().unwrap(), 0);
        assert_eq!(
            items.position().unwrap().to_string(),
            "page=1,size=10",
            "9 items of page 1 are undelivered"
        );
        for expected in 1..10 {
            assert_eq!(items.next().await.unwrap().unwrap(), expected);
        }
        assert_eq!(items.position().unwrap().to_string(), "page=2,size=10");
        assert_eq!(items.next().await.unwrap().unwrap(), 10);
        let saved = items.position().unwrap();
        let again = pages(&server)
            .resume_from(saved)
            .items()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(again, (10..25).collect::<Vec<_>>(), "item 10 comes again");
        let (rest, _) = drain(&mut items).await;
        assert_eq!(rest, (11..25).collect::<Vec<_>>());
        assert_eq!(items.position(), None, "ended, everything delivered");
    }

    #[tokio::test]
    async fn bad_page_sizes_and_resume_positions_send_nothing() {
        let page = |value, page_size| Position {
            style: PositionKind::Page,
            value,
            page_size,
        };
        let offset = Position {
            style: PositionKind::Offset,
            value: 20,
            page_size: 10,
        };
        let server = Arc::new(Server::with(25));
        let cases: Vec<(Pages<PageRequest>, &str)> =
            vec![
            (pages(&server).page_size(0), "page size 0"),
            (pages(&server).page_size(51), "page size 51 is over the action's maximum of 50"),
            (pages(&server).resume_from(page(2, 51)), "page size 51"),
            (pages(&server).resume_from(page(2, 0)), "page size 0"),
            (
                pages(&server).resume_from(offset),
                "offset=20,size=10 counts offsets, and this action's positions count page numbers",
            ),
            (
                pages(&server).resume_from(page(0, 10)),
                "page=0,size=10 is before the first page (page=1,size=10)",
            ),
            (
                pages(&server).page_size(20).resume_from(page(3, 10)),
                "saved with page size 10, and the page size is set to 20",
            ),
            (
                pages(&server).resume_from(page(3, 10)).page_size(20),
                "saved with page size 10, and the page size is set to 20",
            ),
        ];
        for (mut pages, expected) in cases {
            assert_eq!(
                pages.position(),
                None,
                "{expected}: nothing will be fetched"
            );
            let error = pages.next().await.unwrap().unwrap_err();
            let text = error.to_string();
            assert!(matches!(error, Error::InvalidRequest { .. }), "{text}");
            assert!(text.starts_with("ListThings: invalid request: "), "{text}");
            assert!(text.contains(expected), "{text}\nshould say: {expected}");
            assert!(pages.next().await.is_none());
        }
        let mut records = offsets(&server).resume_from(page(2, 10));
        let text = records.next().await.unwrap().unwrap_err().to_string();
        assert!(
            text.contains("counts page numbers, and this action's positions count offsets"),
            "{text}"
        );
        assert!(server.requests().is_empty(), "nothing was sent");

        // The last setting counts; an offset resume takes another page size.
        let resumed = offsets(&server).resume_from(offset).page_size(5);
        assert_eq!(resumed.position().unwrap().to_string(), "offset=20,size=5");
        let good = pages(&server).page_size(0).page_size(50);
        assert_eq!(good.position().unwrap().to_string(), "page=1,size=50");
    }

    #[tokio::test]
    async fn a_total_that_is_not_a_count_is_a_paging_error() {
        let server = Arc::new(Server {
            total_text: Some("lots".into()),
            ..Server::with(25)
        });
        let mut pages = pages(&server);
        let text = pages.next().await.unwrap().unwrap_err().to_string();
        assert_eq!(
            text,
            "ListThings: paging stopped at page=1,size=10: the answer's total (`Total`) is \
             not a count: `lots` is not a count"
        );
        assert!(pages.next().await.is_none());
        let server = Arc::new(Server {
            total_text: Some("-7".into()),
            ..Server::with(25)
        });
        let text = offsets(&server)
            .next()
            .await
            .unwrap()
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("offset=0,size=10") && text.contains("-7 is negative"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn a_position_past_the_largest_number_is_a_paging_error() {
        // The page field is an i64: page 2^63 does not fit; nothing is sent.
        let server = Arc::new(Server::with(25));
        let far = Position {
            style: PositionKind::Page,
            value: 1 << 63,
            page_size: 10,
        };
        let mut far_pages = pages(&server).resume_from(far);
        let text = far_pages.next().await.unwrap().unwrap_err().to_string();
        assert!(
            text.contains("past the largest the request's `Page` field holds"),
            "{text}"
        );
        assert!(far_pages.next().await.is_none());
        assert!(server.requests().is_empty());

        // An offset of u64::MAX - 3 and a full page: the page is yielded, then the error.
        let full: PageFetch<OffsetRequest> = Arc::new(|request: OffsetRequest| {
            Box::pin(async move {
                Ok(OffsetResponse {
                    records: (0..10).map(|i| i + (request.offset % 7) as u32).collect(),
                    count: None,
                })
            })
        });
        let near = Position {
            style: PositionKind::Offset,
            value: u64::MAX - 3,
            page_size: 10,
        };
        let mut near_end =
            Pages::new("ListRecords", OffsetRequest::default(), full).resume_from(near);
        assert_eq!(near_end.next().await.unwrap().unwrap().records.len(), 10);
        let error = near_end.next().await.unwrap().unwrap_err();
        assert!(matches!(error, Error::Paging { .. }), "{error:?}");
        assert!(error.to_string().contains("past 2^64 - 1"), "{error}");
        assert!(near_end.next().await.is_none());
    }

    #[tokio::test]
    async fn a_dropped_next_keeps_its_request_in_flight() {
        let server = Arc::new(Server::with(15));
        let inner = page_fetch(&server);
        let polls = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&polls);
        let fetches = Arc::new(AtomicUsize::new(0));
        let fetched = Arc::clone(&fetches);
        // The first answer is pending at its first poll.
        let slow: PageFetch<PageRequest> = Arc::new(move |request| {
            let first = fetched.fetch_add(1, Ordering::SeqCst) == 0;
            let answer = inner(request);
            let counted = Arc::clone(&counted);
            let mut first = first;
            let mut answer = Some(answer);
            Box::pin(std::future::poll_fn(move |cx| {
                counted.fetch_add(1, Ordering::SeqCst);
                if std::mem::take(&mut first) {
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                answer
                    .as_mut()
                    .map_or(Poll::Pending, |a| a.as_mut().poll(cx))
            }))
        });
        let mut pages = Pages::new("ListThings", PageRequest::default(), slow);
        {
            let next = pages.next();
            let mut next = std::pin::pin!(next);
            let mut cx = Context::from_waker(std::task::Waker::noop());
            assert!(next.as_mut().poll(&mut cx).is_pending());
        }
        assert_eq!(polls.load(Ordering::SeqCst), 1);
        let first = pages.next().await.unwrap().unwrap();
        assert_eq!(first.things.unwrap(), (0..10).collect::<Vec<_>>());
        assert_eq!(fetches.load(Ordering::SeqCst), 1, "page 1 sent once");
        assert_eq!(server.requests(), [(1, 10)]);
    }

    #[tokio::test]
    async fn pages_and_items_are_fused_streams_and_send() {
        fn send<T: Send>(_: &T) {}
        let server = Arc::new(Server::with(15));
        let mut pages = pages(&server);
        send(&pages);
        send(&pages.next());
        let mut count = 0;
        while let Some(page) = std::future::poll_fn(|cx| Pin::new(&mut pages).poll_next(cx)).await {
            count += page.unwrap().things.unwrap().len();
        }
        assert_eq!(count, 15);
        assert!(pages.is_terminated());
        let mut items = offsets(&Arc::new(Server::with(3))).items();
        send(&items);
        send(&items.next());
        assert!(!items.is_terminated());
        let mut got = Vec::new();
        while let Some(item) = std::future::poll_fn(|cx| Pin::new(&mut items).poll_next(cx)).await {
            got.push(item.unwrap());
        }
        assert_eq!(got, [0, 1, 2]);
        assert!(items.is_terminated());
    }
}
