//! `cargo xtask actions`: what the docs say about each action, as a table for people or
//! as JSON for scripts, without reading YAML.

use serde_json::{json, Value};

use crate::spec::{Pagination, PagingStyle, Spec};

/// A pagination block as a report record's `pagination` (every key present, `null`
/// where absent), or `null` for an action that does not page.
fn pagination_record(pagination: Option<&Pagination>) -> Value {
    pagination.map_or(Value::Null, |p| {
        json!({
            "style": p.style.as_str(),
            "location": p.location,
            "position": p.position,
            "size": p.size,
            "first_page": p.first_page,
            "items": p.items,
            "total": p.total,
            "page_size": p.page_size,
            "max_page_size": p.max_page_size,
        })
    })
}

/// A pagination block in a table cell: `page 1.. Data/Total ≤100`, `offset@body
/// resources/count`, or `-`.
fn pagination_cell(pagination: Option<&Pagination>) -> String {
    let Some(p) = pagination else {
        return "-".into();
    };
    let mut cell = match p.style {
        PagingStyle::PageNumber => format!("page {}..", p.first_page.unwrap_or(1)),
        PagingStyle::Offset => "offset".into(),
    };
    if let Some(location) = p.location {
        cell.push_str(&format!("@{location}"));
    }
    cell.push(' ');
    cell.push_str(&p.items);
    if let Some(total) = &p.total {
        cell.push_str(&format!("/{total}"));
    }
    if let Some(max) = p.max_page_size {
        cell.push_str(&format!(" ≤{max}"));
    }
    cell
}

/// One JSON object per action or operation of `spec`, in spec order.
pub fn action_records(spec: &Spec) -> Vec<Value> {
    match spec {
        Spec::Tencent(spec) => {
            let default = spec.service.default_qps.as_ref().map(|d| d.value);
            spec.actions
                .iter()
                .map(|a| {
                    json!({
                        "service": spec.service.name,
                        "provider": spec.service.provider.as_str(),
                        "name": a.name,
                        "title": a.title,
                        "category": a.category,
                        "cam_class": a.cam_class,
                        "granularity": a.granularity,
                        "resource": a.resource,
                        "ip_restriction": a.ip_restriction,
                        "qps": a.qps,
                        "effective_qps": a.qps.or(default),
                        "qps_assumed": a.qps.is_none(),
                        "in_api_definition": a.in_api_definition,
                        "pagination": pagination_record(a.pagination.as_ref()),
                    })
                })
                .collect()
        }
        Spec::Huawei(spec) => spec
            .operations
            .iter()
            .map(|o| {
                json!({
                    "service": spec.service.name,
                    "provider": spec.service.provider.as_str(),
                    "name": o.name,
                    "method": o.method,
                    "path": o.path,
                    "permissions": o.permissions,
                    "scenario": o.scenario,
                    "sub_scenario": o.sub_scenario,
                    "description": o.description,
                    "console_path": o.console_path,
                    "pagination": pagination_record(o.pagination.as_ref()),
                })
            })
            .collect(),
    }
}

/// A plain-text table of `spec`'s actions or operations.
pub fn action_table(spec: &Spec) -> String {
    let (header, rows): (Vec<&str>, Vec<Vec<String>>) = match spec {
        Spec::Tencent(spec) => {
            let default = spec.service.default_qps.as_ref().map(|d| d.value);
            let rows = spec
                .actions
                .iter()
                .map(|a| {
                    let qps = match (a.qps, default) {
                        (Some(q), _) => q.to_string(),
                        (None, Some(d)) => format!("{d}*"),
                        (None, None) => "-".into(),
                    };
                    vec![
                        a.name.clone(),
                        a.cam_class.map_or("-".into(), |c| c.to_string()),
                        a.category.clone().unwrap_or_else(|| "-".into()),
                        qps,
                        a.ip_restriction
                            .map_or("-".into(), |ip| if ip { "yes" } else { "no" }.into()),
                        a.granularity.map_or("-".into(), |g| g.to_string()),
                        a.resource.clone().unwrap_or_else(|| "-".into()),
                        if a.in_api_definition { "yes" } else { "no" }.into(),
                        pagination_cell(a.pagination.as_ref()),
                    ]
                })
                .collect();
            (
                vec![
                    "ACTION",
                    "CLASS",
                    "CATEGORY",
                    "QPS",
                    "IP",
                    "GRANULARITY",
                    "RESOURCE",
                    "API",
                    "PAGING",
                ],
                rows,
            )
        }
        Spec::Huawei(spec) => {
            let rows = spec
                .operations
                .iter()
                .map(|o| {
                    vec![
                        o.name.clone(),
                        o.method.to_string(),
                        o.path.clone(),
                        o.permissions.join(" | "),
                        pagination_cell(o.pagination.as_ref()),
                    ]
                })
                .collect();
            (
                vec![
                    "OPERATION",
                    "METHOD",
                    "PATH",
                    "PERMISSIONS (any of)",
                    "PAGING",
                ],
                rows,
            )
        }
    };
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut push_row = |cells: &mut dyn Iterator<Item = &str>| {
        let line: Vec<String> = cells
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    };
    push_row(&mut header.iter().copied());
    for row in &rows {
        push_row(&mut row.iter().map(String::as_str));
    }
    let (paged, all, kind) = match spec {
        Spec::Tencent(s) => (
            s.actions.iter().filter(|a| a.pagination.is_some()).count(),
            s.actions.len(),
            "actions",
        ),
        Spec::Huawei(s) => (
            s.operations
                .iter()
                .filter(|o| o.pagination.is_some())
                .count(),
            s.operations.len(),
            "operations",
        ),
    };
    out.push_str(&format!("paged: {paged} of {all} {kind}\n"));
    if matches!(spec, Spec::Tencent(_)) {
        out.push_str("* assumed default: the docs give no limit for this action\n");
    }
    out
}
