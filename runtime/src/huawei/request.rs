//! What a typed REST request tells a client: its operation (and so the method and path
//! template), its path, query and header parameters, its JSON body and the model its
//! response decodes into. Generated request structs implement [`RestRequest`] with one
//! [`RequestParts`] call per parameter; the encoding rules live here, once.

use crate::tables::OperationTable;

/// A typed request of one REST operation.
pub trait RestRequest {
    /// The generated operation table.
    type Operation: OperationTable;
    /// The operation; its method and path template are in `OPERATION.info()`.
    const OPERATION: Self::Operation;
    /// The model of the JSON body; `()` for an operation without a body.
    type Body;
    /// The model the response's JSON body decodes into.
    type Response;
    /// The path, query and header parameters.
    fn parts(&self) -> RequestParts;
    /// The JSON body, if the operation has one.
    fn body(&self) -> Option<&Self::Body>;

    /// The path with every `{placeholder}` filled in, percent-encoded.
    fn path(&self) -> String {
        self.parts().fill_path(Self::OPERATION.info().path)
    }
}

/// A parameter value as the text(s) it is sent as: nothing when unset, one text per
/// element for lists (a query key repeats).
pub trait ParamValue {
    /// Passes each text to `push`.
    fn texts(&self, push: &mut dyn FnMut(String));
}

macro_rules! display_param {
    ($($t:ty),*) => {$(
        impl ParamValue for $t {
            fn texts(&self, push: &mut dyn FnMut(String)) {
                push(self.to_string());
            }
        }
    )*};
}

display_param!(String, str, i32, i64, u32, u64, f32, f64, bool);

impl<T: ParamValue + ?Sized> ParamValue for &T {
    fn texts(&self, push: &mut dyn FnMut(String)) {
        (**self).texts(push);
    }
}

impl<T: ParamValue> ParamValue for Option<T> {
    fn texts(&self, push: &mut dyn FnMut(String)) {
        if let Some(value) = self {
            value.texts(push);
        }
    }
}

impl<T: ParamValue> ParamValue for Vec<T> {
    fn texts(&self, push: &mut dyn FnMut(String)) {
        for value in self {
            value.texts(push);
        }
    }
}

/// A request's path, query and header parameters as (wire name, text) pairs, in the
/// order given; unset optional parameters are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestParts {
    path: Vec<(&'static str, String)>,
    query: Vec<(&'static str, String)>,
    headers: Vec<(&'static str, String)>,
}

impl RequestParts {
    /// No parameters yet.
    pub fn new() -> Self {
        RequestParts::default()
    }

    fn add(
        mut list: Vec<(&'static str, String)>,
        name: &'static str,
        value: &(impl ParamValue + ?Sized),
    ) -> Vec<(&'static str, String)> {
        value.texts(&mut |text| list.push((name, text)));
        list
    }

    /// A path parameter: fills `{name}` in the path template.
    pub fn path(mut self, name: &'static str, value: &(impl ParamValue + ?Sized)) -> Self {
        self.path = Self::add(self.path, name, value);
        self
    }

    /// A query parameter (repeated for each element of a list).
    pub fn query(mut self, name: &'static str, value: &(impl ParamValue + ?Sized)) -> Self {
        self.query = Self::add(self.query, name, value);
        self
    }

    /// A header parameter.
    pub fn header(mut self, name: &'static str, value: &(impl ParamValue + ?Sized)) -> Self {
        self.headers = Self::add(self.headers, name, value);
        self
    }

    /// Whether the path parameter `name` is given.
    pub fn has_path(&self, name: &str) -> bool {
        self.path.iter().any(|(n, _)| *n == name)
    }

    /// The query pairs, not yet encoded.
    pub fn query_pairs(&self) -> &[(&'static str, String)] {
        &self.query
    }

    /// The header pairs.
    pub fn headers(&self) -> &[(&'static str, String)] {
        &self.headers
    }

    /// `template` with each `{name}` replaced by its path parameter, percent-encoded as
    /// the official SDK does (Python's `quote(value, safe='')`); a placeholder without a
    /// value stays as it is.
    pub fn fill_path(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                break;
            };
            out.push_str(&rest[..open]);
            let name = &rest[open + 1..close];
            match self.path.iter().find(|(n, _)| *n == name) {
                Some((_, value)) => out.push_str(&percent_encode(value.as_bytes())),
                None => out.push_str(&rest[open..=close]),
            }
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// Percent-encodes every byte but ASCII letters, digits and `-._~` (upper-case hex), as
/// the official Huawei SDK encodes path parameters and the signer encodes URIs and
/// queries.
pub fn percent_encode(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
}

/// Decodes each `%XX` (either case of hex) to its byte; a `%` not followed by two hex
/// digits stays as it is. `+` stays `+`.
pub fn percent_decode(bytes: &[u8]) -> Vec<u8> {
    fn hex(b: Option<&u8>) -> Option<u8> {
        match *b? {
            b @ b'0'..=b'9' => Some(b - b'0'),
            b @ b'a'..=b'f' => Some(b - b'a' + 10),
            b @ b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let (Some(hi), Some(lo)) = (hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
                out.push(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// The pairs of a query string as received, `%XX` decoded (`+` is not a space: the SDK
/// sends a space as `%20`); a piece without `=` has an empty value.
pub fn parse_query(raw: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    raw.split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
            (percent_decode(k.as_bytes()), percent_decode(v.as_bytes()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_leave_out_unset_values_and_repeat_lists() {
        let parts = RequestParts::new()
            .path("order_id", "CS/01 é")
            .query("limit", &Some(10i64))
            .query("offset", &None::<i64>)
            .query("status", &vec!["a".to_owned(), "b".to_owned()])
            .header("X-Language", &Some("en_US".to_owned()));
        assert_eq!(
            parts.query_pairs(),
            [
                ("limit", "10".to_owned()),
                ("status", "a".to_owned()),
                ("status", "b".to_owned())
            ]
        );
        assert_eq!(parts.headers(), [("X-Language", "en_US".to_owned())]);
        assert_eq!(
            parts.fill_path("/v2/orders/{order_id}/items/{item}"),
            "/v2/orders/CS%2F01%20%C3%A9/items/{item}"
        );
        assert_eq!(RequestParts::new().fill_path("/v2/plain"), "/v2/plain");
    }

    #[test]
    fn only_unreserved_bytes_stay() {
        assert_eq!(percent_encode(b"aZ09-._~"), "aZ09-._~");
        assert_eq!(percent_encode(b" +/:*?=&%"), "%20%2B%2F%3A%2A%3F%3D%26%25");
        assert_eq!(percent_encode(&[0xff, 0x00]), "%FF%00");
    }
}
