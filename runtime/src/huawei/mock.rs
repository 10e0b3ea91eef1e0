//! The Huawei Cloud REST protocol of the mocks: the operation by method and path template; the
//! request document is `{"path": {name: value}, "query": {name: value or [values]},
//! "body": JSON or null}` (values decoded, as text); typed matchers see the body. A
//! response is its JSON body with status 200; an error is the status its code comes with ([`super::codes`])
//! with `{"error_code", "error_msg", "request_id"}`; the request id is also in
//! `X-Request-Id`.

use serde_json::{json, Value};

use super::client::Huawei;
use super::codes::status_of;
use crate::mock::{MockProtocol, Reply};
use crate::paging::PagingPlace;
use crate::tables::OperationTable;
use crate::transport::{HttpRequest, HttpResponse};

impl Huawei {
    /// The request document of a REST call to `operation`: `path_values` are the path
    /// parameters' values as [`OperationTable::route`] found them (still encoded).
    pub fn document<O: OperationTable>(
        operation: O,
        path_values: &[&str],
        query: &str,
        body: &[u8],
    ) -> Result<Value, String> {
        let info = operation.info();
        let text = |bytes: &[u8]| {
            String::from_utf8_lossy(&super::request::percent_decode(bytes)).into_owned()
        };
        let path: serde_json::Map<String, Value> = info
            .path_params
            .iter()
            .zip(path_values)
            .map(|(name, value)| ((*name).to_owned(), Value::from(text(value.as_bytes()))))
            .collect();
        let mut query_object = serde_json::Map::new();
        for (key, value) in super::request::parse_query(query) {
            let key = String::from_utf8_lossy(&key).into_owned();
            let value = Value::from(String::from_utf8_lossy(&value).into_owned());
            match query_object.get_mut(&key) {
                Some(Value::Array(list)) => list.push(value),
                Some(first) => *first = Value::Array(vec![first.take(), value]),
                None => {
                    query_object.insert(key, value);
                }
            }
        }
        let body = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(body)
                .map_err(|e| format!("{}: the request body is not JSON: {e}", info.name))?
        };
        Ok(json!({"path": path, "query": query_object, "body": body}))
    }
}

impl<O: OperationTable> MockProtocol<O> for Huawei {
    fn identify(request: &HttpRequest) -> Result<(O, Value), String> {
        let after_scheme = request
            .url
            .split_once("://")
            .map_or(&*request.url, |(_, r)| r);
        let target = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let (operation, path_values) = O::route(request.method, path)
            .ok_or_else(|| format!("the mock has no operation `{} {path}`", request.method))?;
        Ok((
            operation,
            Huawei::document(operation, &path_values, query, &request.body)?,
        ))
    }
    fn typed_part(document: &Value) -> &Value {
        &document["body"]
    }
    fn default_body(document: Value) -> Value {
        document
    }
    fn render(reply: Reply, request_id: &str) -> HttpResponse {
        let (status, body) = match reply {
            Reply::Response(body) => (200, body),
            Reply::ApiError { code, message } => (
                status_of(&code),
                json!({"error_code": code, "error_msg": message, "request_id": request_id}),
            ),
            Reply::Raw { status, body } => return HttpResponse::new(status, body),
        };
        HttpResponse {
            status,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("x-request-id".into(), request_id.into()),
            ],
            body: serde_json::to_vec(&body).expect("JSON serializes"),
        }
    }
    fn page_param<'d>(document: &'d Value, place: PagingPlace, field: &str) -> Option<&'d Value> {
        let part = match place {
            PagingPlace::Query => "query",
            PagingPlace::Body => "body",
        };
        document.get(part)?.get(field)
    }
    /// `CBC.0100`, BSS's parameter error (HTTP 400), as the server refuses a bad
    /// parameter.
    fn invalid_parameter(message: String) -> Reply {
        Reply::api_error("CBC.0100", message)
    }
}
