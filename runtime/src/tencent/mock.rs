//! The Tencent Cloud API 3.0 protocol of the mocks: the action in `X-TC-Action`, the
//! request is the JSON body, every answer an HTTP 200 envelope (`{"Response": {...}}`).

use serde_json::{json, Value};

use super::client::Tencent;
use crate::mock::{MockProtocol, Reply};
use crate::paging::PagingPlace;
use crate::tables::ActionTable;
use crate::transport::{HttpRequest, HttpResponse};

impl<A: ActionTable> MockProtocol<A> for Tencent {
    fn identify(request: &HttpRequest) -> Result<(A, Value), String> {
        let name = request
            .header("X-TC-Action")
            .ok_or("the request has no X-TC-Action header")?;
        let action =
            A::from_name(name).ok_or_else(|| format!("the mock has no action `{name}`"))?;
        let body: Value = serde_json::from_slice(&request.body)
            .map_err(|e| format!("{name}: the request body is not JSON: {e}"))?;
        Ok((action, body))
    }
    fn typed_part(document: &Value) -> &Value {
        document
    }
    fn default_body(mut document: Value) -> Value {
        document["Response"].take()
    }
    fn render(reply: Reply, request_id: &str) -> HttpResponse {
        render(reply, request_id)
    }
    /// Every API 3.0 parameter is in the body, whatever `place` says.
    fn page_param<'d>(document: &'d Value, _: PagingPlace, field: &str) -> Option<&'d Value> {
        document.get(field)
    }
    fn invalid_parameter(message: String) -> Reply {
        Reply::api_error("InvalidParameterValue", message)
    }
}

/// The API 3.0 reply for `reply`: an envelope carrying `request_id` (kept if a response
/// already has one), or a raw reply as given.
pub fn render(reply: Reply, request_id: &str) -> HttpResponse {
    match reply {
        Reply::Response(mut response) => {
            if let Value::Object(map) = &mut response {
                map.entry("RequestId")
                    .or_insert_with(|| Value::from(request_id));
            }
            envelope(json!({"Response": response}))
        }
        Reply::ApiError { code, message } => envelope(json!({
            "Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}
        })),
        Reply::Raw { status, body } => HttpResponse::new(status, body),
    }
}

fn envelope(document: Value) -> HttpResponse {
    HttpResponse::new(200, serde_json::to_vec(&document).expect("JSON serializes"))
}
