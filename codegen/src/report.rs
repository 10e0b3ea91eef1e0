//! `cargo xtask actions`: what the docs say about each action, as a table for people or
//! as JSON for scripts, without reading YAML.

use serde_json::{json, Value};

use crate::spec::Spec;

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
                    ]
                })
                .collect();
            (
                vec!["OPERATION", "METHOD", "PATH", "PERMISSIONS (any of)"],
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
    if matches!(spec, Spec::Tencent(_)) {
        out.push_str("* assumed default: the docs give no limit for this action\n");
    }
    out
}
