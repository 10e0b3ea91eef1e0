//! Decoding a request body into the action's typed request, as the service validates
//! parameters: malformed JSON, a wrong type, a missing required field or a parameter the
//! action does not have each get the service's error code and a message naming the
//! parameter by its path (`Filters[0].Name`).

use serde::de::DeserializeOwned;

/// Why a request body is not a valid request of its action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    /// `InvalidParameter`, `MissingParameter` or `UnknownParameter`.
    pub code: &'static str,
    /// What is wrong, naming the parameter.
    pub message: String,
}

impl ParamError {
    fn new(code: &'static str, message: String) -> Self {
        ParamError { code, message }
    }
}

/// Checks that `body` decodes into `T`, the action's typed request, with no parameter
/// the model does not know. Generated crates call this once per action.
pub fn decode_request<T: DeserializeOwned>(body: &[u8]) -> Result<(), ParamError> {
    let mut unknown = Vec::new();
    let mut json = serde_json::Deserializer::from_slice(body);
    let mut note_unknown = |path: serde_ignored::Path<'_>| unknown.push(path_text(&path));
    let decoded: Result<T, _> = serde_path_to_error::deserialize(serde_ignored::Deserializer::new(
        &mut json,
        &mut note_unknown,
    ));
    match decoded {
        Ok(_) => {
            json.end().map_err(|err| {
                ParamError::new(
                    "InvalidParameter",
                    format!("the body is not one JSON object: {err}"),
                )
            })?;
        }
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            if inner.is_syntax() || inner.is_eof() || inner.is_io() {
                return Err(ParamError::new(
                    "InvalidParameter",
                    format!("the body is not valid JSON: {inner}"),
                ));
            }
            let text = inner.to_string();
            if let Some(field) = missing_field(&text) {
                return Err(ParamError::new(
                    "MissingParameter",
                    format!("the required parameter `{}` is missing", join(&path, field)),
                ));
            }
            let message = if path == "." {
                format!("the request is not a JSON object of its parameters: {text}")
            } else {
                format!("the parameter `{path}` is invalid: {text}")
            };
            return Err(ParamError::new("InvalidParameter", message));
        }
    }
    match unknown.as_slice() {
        [] => Ok(()),
        names => Err(ParamError::new(
            "UnknownParameter",
            format!(
                "the action has no parameter {}",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// A path as serde_path_to_error prints one (`Filters[0].Name`): options and newtypes
/// are transparent.
fn path_text(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", path_text(parent)),
        Path::Map { parent, key } => match path_text(parent) {
            p if p.is_empty() => key.clone(),
            p => format!("{p}.{key}"),
        },
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => path_text(parent),
    }
}

/// The field of serde's "missing field `X`" message.
fn missing_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split_once('`').map(|(field, _)| field)
}

/// A field's full path under its parent's path (`.` is the root).
fn join(parent: &str, field: &str) -> String {
    if parent == "." {
        field.to_owned()
    } else {
        format!("{parent}.{field}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    #[allow(dead_code)]
    struct Filter {
        name: String,
        values: Vec<String>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    #[allow(dead_code)]
    struct Request {
        client_uin: u64,
        filters: Option<Vec<Filter>>,
    }

    fn check(body: &str) -> Result<(), ParamError> {
        decode_request::<Request>(body.as_bytes())
    }

    #[test]
    fn valid_requests_pass() {
        assert_eq!(check(r#"{"ClientUin": 1}"#), Ok(()));
        assert_eq!(
            check(r#"{"ClientUin": 1, "Filters": [{"Name": "a", "Values": []}]}"#),
            Ok(())
        );
    }

    #[test]
    fn problems_name_the_parameter() {
        let cases = [
            ("{", "InvalidParameter", "not valid JSON"),
            ("\u{0}\u{ff}", "InvalidParameter", "not valid JSON"),
            ("[1]", "InvalidParameter", "not a JSON object"),
            (
                r#"{"ClientUin": 1} {}"#,
                "InvalidParameter",
                "not one JSON object",
            ),
            ("{}", "MissingParameter", "`ClientUin` is missing"),
            (
                r#"{"ClientUin": 1, "Filters": [{"Values": []}]}"#,
                "MissingParameter",
                "`Filters[0].Name` is missing",
            ),
            (
                r#"{"ClientUin": "x"}"#,
                "InvalidParameter",
                "`ClientUin` is invalid",
            ),
            (
                r#"{"ClientUin": 1, "Filters": [{"Name": 5, "Values": []}]}"#,
                "InvalidParameter",
                "`Filters[0].Name` is invalid",
            ),
            (
                r#"{"ClientUin": 1, "Limit": 5}"#,
                "UnknownParameter",
                "`Limit`",
            ),
            (
                r#"{"ClientUin": 1, "Filters": [{"Name": "a", "Values": [], "X": 1}]}"#,
                "UnknownParameter",
                "`Filters[0].X`",
            ),
        ];
        for (body, code, needle) in cases {
            let err = check(body).unwrap_err();
            assert_eq!(err.code, code, "{body}: {err:?}");
            assert!(err.message.contains(needle), "{body}: {err:?}");
        }
    }
}
