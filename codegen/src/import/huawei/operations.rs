//! The spec's operations: one per row of the permission page, named and typed from the SDK
//! file where it has the route, else as the spec that was there has them, with its pinned
//! fields kept.

use std::collections::{BTreeMap, HashMap};

use super::page::PageRow;
use super::pagination;
use super::sdk::SdkOperations;
use crate::diag::{Diagnostic, Diagnostics};
use crate::import::keep_pinned;
use crate::names::upper_camel;
use crate::spec::{HttpMethod, HuaweiOperation, HuaweiParam, HuaweiSpec, ParamLocation};
use crate::validate::path_placeholders;

/// The spec's operations for the page's rows: named, with the base spec's pinned fields
/// kept. Operations of the base whose route left the page are dropped (the changelog
/// reports them).
pub(super) fn operations(
    page_file: &str,
    rows: &[PageRow],
    sdk: Option<&SdkOperations>,
    base: Option<&HuaweiSpec>,
    diagnostics: &mut Diagnostics,
) -> Vec<HuaweiOperation> {
    let base_by_route: HashMap<(HttpMethod, &str), &HuaweiOperation> = base
        .into_iter()
        .flat_map(|b| &b.operations)
        .map(|op| ((op.method, op.path.as_str()), op))
        .collect();
    let mut operations = Vec::new();
    let mut rows_by_name: BTreeMap<String, &PageRow> = BTreeMap::new();
    for row in rows {
        let route = row.route();
        let old = base_by_route.get(&(row.method, row.path.as_str())).copied();
        let sdk_operation = sdk.and_then(|s| s.operations.get(&(row.method, row.path.clone())));
        let name = match (sdk_operation, old) {
            (Some(sdk_operation), _) => sdk_operation.name.clone(),
            (None, Some(old)) => old.name.clone(),
            (None, None) => {
                let derived = derived_name(row.method, &row.path);
                diagnostics.push(
                    Diagnostic::warning(
                        page_file,
                        "derived-name",
                        format!(
                            "no official name for {route}, so it is named after its route; pass --sdk-operations FILE (printed by xtask/scripts/huawei_sdk_operations.py) to use the SDK's names"
                        ),
                    )
                    .at(row.line)
                    .about(&derived),
                );
                derived
            }
        };
        if let (Some(sdk), None) = (sdk, sdk_operation) {
            diagnostics.push(
                Diagnostic::warning(
                    &sdk.file,
                    "not-in-sdk",
                    format!("the SDK has no operation for {route} (page line {}); named `{name}` instead, and left without typed models", row.line),
                )
                .about(&name),
            );
        }
        // Parameters and response come from the SDK file when one is given (an operation
        // it lacks is untyped), else they stay as the spec has them.
        // So does the pagination, inferred from the SDK's models and descriptions.
        let (params, response, pagination) = match (sdk_operation, sdk, old) {
            (Some(sdk_operation), Some(sdk), _) => {
                let params = sdk_params(&sdk_operation.params);
                let (pagination, warnings) = pagination::infer(&params, sdk_operation, sdk);
                for warning in warnings {
                    diagnostics.push(
                        Diagnostic::warning(&sdk.file, "pagination-inference", warning)
                            .about(&name),
                    );
                }
                (params, Some(sdk_operation.response.clone()), pagination)
            }
            (None, None, Some(old)) => (
                old.params.clone(),
                old.response.clone(),
                old.pagination.clone(),
            ),
            (_, _, _) => (Vec::new(), None, None),
        };
        let mut operation = HuaweiOperation {
            name,
            // The page never gives a Rust name: one set by hand stays, pinned or not.
            rust_name: old.and_then(|o| o.rust_name.clone()),
            method: row.method,
            path: row.path.clone(),
            path_params: path_placeholders(&row.path),
            scenario: row.scenario.clone(),
            sub_scenario: row.sub_scenario.clone(),
            description: row.description.clone(),
            permissions: row.permissions.clone(),
            console_path: row.console_path.clone(),
            params,
            response,
            pagination,
            pinned: Vec::new(),
        };
        if let Some(old) = old {
            let (kept, overridden) = keep_pinned(old, operation, &old.pinned);
            operation = kept;
            for (field, imported) in overridden {
                diagnostics.push(
                    Diagnostic::warning(
                        page_file,
                        "pinned-kept",
                        format!("kept the pinned `{field}`; the import says {imported}"),
                    )
                    .at(row.line)
                    .about(&operation.name),
                );
            }
        }
        if let Some(other) = rows_by_name.insert(operation.name.clone(), row) {
            diagnostics.push(
                Diagnostic::error(
                    page_file,
                    "duplicate-name",
                    format!(
                        "{route} and {} (line {}) would both be named `{}`: pin a different `name` on one in the spec",
                        other.route(),
                        other.line,
                        operation.name
                    ),
                )
                .at(row.line)
                .about(&operation.name),
            );
        }
        operations.push(operation);
    }
    operations
}

/// The spec's parameters for the SDK's: the same, except that a body is required. The
/// SDK's generated request classes make every `body` optional (they set it only when it
/// is given), which says nothing of the API: the body carries the operation's arguments,
/// and an optional one would let a caller send a bodiless POST or PUT the service may
/// refuse. A body model without required fields is built by its `new()`, so requiring it
/// costs a caller one call.
fn sdk_params(params: &[HuaweiParam]) -> Vec<HuaweiParam> {
    params
        .iter()
        .map(|param| HuaweiParam {
            required: param.required || param.location == ParamLocation::Body,
            ..param.clone()
        })
        .collect()
}

/// A name for a route the SDK does not name: the method and the path's words, without
/// placeholders and version segments (`POST /v2/partners/sub-customers/query` →
/// `PostPartnersSubCustomersQuery`).
fn derived_name(method: HttpMethod, path: &str) -> String {
    let is_version = |segment: &str| {
        segment.strip_prefix('v').is_some_and(|rest| {
            rest.starts_with(|c: char| c.is_ascii_digit())
                && rest.chars().all(|c| c.is_ascii_digit() || c == '.')
        })
    };
    let words: Vec<&str> = path
        .split('/')
        .filter(|segment| !segment.is_empty() && !segment.contains('{') && !is_version(segment))
        .collect();
    upper_camel(&format!(
        "{} {}",
        method.as_str().to_lowercase(),
        words.join(" ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_names_skip_versions_and_placeholders() {
        assert_eq!(
            derived_name(HttpMethod::Post, "/v2/partners/sub-customers/query"),
            "PostPartnersSubCustomersQuery"
        );
        assert_eq!(
            derived_name(HttpMethod::Get, "/v1.0/{domain_id}/payments/intl-invoices"),
            "GetPaymentsIntlInvoices"
        );
        assert_eq!(
            derived_name(
                HttpMethod::Get,
                "/v2/orders/customer-orders/details/{order_id}"
            ),
            "GetOrdersCustomerOrdersDetails"
        );
    }
}
