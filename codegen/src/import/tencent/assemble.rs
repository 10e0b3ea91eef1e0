//! Assembly: the sources merged into one spec. Between editions of one page the newest
//! wins and every disagreement is recorded; the title comes from the definition, else the
//! category page, else the CAM page; pinned fields and hand-set Rust names are kept.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Display};

use super::cam_page::{CamPage, CamRow};
use super::category_page::{CategoryPage, CategoryRow};
use super::definition::ReadDefinition;
use super::examples::ReadExamples;
use super::pagination;
use crate::diag::{Diagnostic, Diagnostics};
use crate::import::keep_pinned;
use crate::spec::{
    CamFacts, Conflict, DefaultQps, Protocol, ProtocolFamily, Provider, ServiceInfo, Signing,
    Source, SourceKind, SourcedValue, TencentAction, TencentSpec,
};

/// The default QPS we assume where the category page gives no figure.
const DEFAULT_QPS: i64 = 20;
const DEFAULT_QPS_BASIS: &str = "Tencent Cloud API 3.0 actions default to 20 requests per second where no other limit is set; the category page gives no figure for these actions, so this is an assumption, not a documented limit";
const EDITION_RULE: &str = "newest 'last updated' edition wins; undated editions rank below dated ones; ties keep command-line order";

pub(super) fn assemble(
    cam_pages: &[CamPage],
    category_pages: &[CategoryPage],
    definition: &ReadDefinition,
    mut examples: ReadExamples,
    base: Option<&TencentSpec>,
    diags: &mut Diagnostics,
) -> TencentSpec {
    // Editions newest first; the first of each list is the one whose values win.
    let cam_order = by_edition(cam_pages.iter().map(|p| p.last_updated.as_deref()));
    let category_order = by_edition(category_pages.iter().map(|p| p.last_updated.as_deref()));
    let cam_newest = &cam_pages[cam_order[0]];
    let category_newest = &category_pages[category_order[0]];

    // Product-level facts.
    let product_editions: Vec<(&str, Option<&CamFacts>)> = cam_order
        .iter()
        .map(|&i| (cam_pages[i].file.as_str(), Some(&cam_pages[i].facts)))
        .collect();
    if let Some(conflict) = settle("cam", &product_editions, |f| format!("{f:?}")).1 {
        diags.push(Diagnostic::warning(
            &cam_newest.file,
            "edition-conflict",
            format!(
                "the editions give different product facts; kept those of {}",
                conflict.chosen
            ),
        ));
    }
    if cam_newest.facts.abbreviation != definition.service {
        diags.push(Diagnostic::error(
            &definition.file,
            "service-mismatch",
            format!(
                "the API definition is for `{}` but the CAM page is for `{}`",
                definition.service, cam_newest.facts.abbreviation
            ),
        ));
    }

    let cam_rows: Vec<BTreeMap<&str, &CamRow>> = cam_pages
        .iter()
        .map(|p| p.rows.iter().map(|r| (r.name.as_str(), r)).collect())
        .collect();
    let category_rows: Vec<BTreeMap<&str, &CategoryRow>> = category_pages
        .iter()
        .map(|p| p.rows.iter().map(|r| (r.name.as_str(), r)).collect())
        .collect();

    let mut names: BTreeSet<&str> = definition.actions.keys().map(String::as_str).collect();
    names.extend(cam_rows.iter().flat_map(|m| m.keys().copied()));
    names.extend(category_rows.iter().flat_map(|m| m.keys().copied()));

    // An edition that lacks an action another edition lists would erase that action's
    // documented values (its QPS, its CAM class): refused, since the import cannot tell a
    // withdrawn action from a lost row.
    for &name in &names {
        let cam_lines = cam_rows.iter().map(|rows| rows.get(name).map(|r| r.line));
        let cam_files = cam_pages.iter().map(|p| p.file.as_str());
        lacking_editions(name, cam_files.zip(cam_lines), diags);
        let category_lines = category_rows
            .iter()
            .map(|rows| rows.get(name).map(|r| r.line));
        let category_files = category_pages.iter().map(|p| p.file.as_str());
        lacking_editions(name, category_files.zip(category_lines), diags);
    }

    let base_actions: BTreeMap<&str, &TencentAction> = base
        .map(|b| b.actions.iter().map(|a| (a.name.as_str(), a)).collect())
        .unwrap_or_default();

    let mut actions = Vec::new();
    for name in names {
        // What each edition says of the action, newest first (`None`: not listed).
        let cam: Vec<(&str, Option<&CamRow>)> = cam_order
            .iter()
            .map(|&i| (cam_pages[i].file.as_str(), cam_rows[i].get(name).copied()))
            .collect();
        let category: Vec<(&str, Option<(&CategoryRow, &CategoryPage)>)> = category_order
            .iter()
            .map(|&i| {
                let page = &category_pages[i];
                (
                    page.file.as_str(),
                    category_rows[i].get(name).map(|r| (*r, page)),
                )
            })
            .collect();
        let mut settling = Settling {
            action: name,
            conflicts: Vec::new(),
            diags: &mut *diags,
        };
        let cam_class = settling.field("cam_class", values(&cam, |r| r.class));
        let granularity = settling.field("granularity", values(&cam, |r| r.granularity));
        let resource = settling.field("resource", values(&cam, |r| r.resource.clone()));
        let ip_restriction = settling.field("ip_restriction", values(&cam, |r| r.ip_restriction));
        let description = settling.field("description", values(&cam, |r| r.description.clone()));
        let qps = settling.field("qps", values(&category, |(r, _)| r.qps));
        let category_heading = settling.field(
            "category",
            values(&category, |(r, p)| {
                Heading(p.tables[r.table].heading.clone())
            }),
        );
        let feature = settling.field("feature", values(&category, |(r, _)| r.feature.clone()));
        let mut conflicts = settling.conflicts;
        // Features and descriptions only feed the title; their disagreements are noise
        // when the definition's title wins anyway.
        let from_definition = definition.actions.get(name);
        if from_definition.is_some() {
            conflicts.retain(|c| c.field != "feature" && c.field != "description");
        }
        let title = from_definition
            .map(|defined| defined.title.clone())
            .or(feature)
            .or(description)
            .unwrap_or_else(|| name.to_owned());
        let (examples_of, broken) = examples.by_action.remove(name).unwrap_or_default();
        let (pagination, paging_warnings) = match from_definition {
            Some(defined) => pagination::infer(
                &defined.request,
                &defined.response,
                &definition.types,
                &examples_of,
            ),
            None => (None, Vec::new()),
        };
        for warning in paging_warnings {
            diags.push(
                Diagnostic::warning(&definition.file, "pagination-inference", warning).about(name),
            );
        }
        let mut action = TencentAction {
            name: name.to_owned(),
            rust_name: None,
            title,
            category: category_heading.and_then(|heading| heading.0),
            cam_class,
            granularity,
            resource,
            ip_restriction,
            qps,
            in_api_definition: from_definition.is_some(),
            request: from_definition.map(|defined| defined.request.clone()),
            response: from_definition.map(|defined| defined.response.clone()),
            examples: examples_of,
            broken_examples: broken,
            conflicts,
            pagination,
            pinned: Vec::new(),
        };
        if let Some(old) = base_actions.get(name) {
            action.rust_name = old.rust_name.clone();
            let (kept, overridden) = keep_pinned(*old, action, &old.pinned);
            action = kept;
            for (field, imported) in overridden {
                diags.push(
                    Diagnostic::warning(
                        "(spec)",
                        "pinned-kept",
                        format!("kept the pinned {field}; the import says {imported}"),
                    )
                    .about(name),
                );
            }
        }
        actions.push(action);
    }

    for (index, table) in category_newest.tables.iter().enumerate() {
        if table.heading.is_none() {
            let members: Vec<&str> = category_newest
                .rows
                .iter()
                .filter(|r| r.table == index)
                .map(|r| r.name.as_str())
                .collect();
            diags.push(
                Diagnostic::warning(
                    &category_newest.shown,
                    "unheaded-table",
                    format!("a table has no heading; its actions ({}) are left without a category (the decision is recorded in the spec's category_tables)", members.join(", ")),
                )
                .at(category_newest.table_lines[index]),
            );
        }
    }

    let mut types = definition.types.clone();
    if let Some(base) = base {
        // Hand-set Rust names of fields survive re-imports.
        for (type_name, def) in &mut types {
            let Some(old) = base.types.get(type_name) else {
                continue;
            };
            for field in &mut def.fields {
                field.rust_name = old
                    .fields
                    .iter()
                    .find(|f| f.name == field.name)
                    .and_then(|f| f.rust_name.clone());
            }
        }
    }

    let mut sources = Vec::new();
    for page in cam_pages {
        sources.push(Source {
            kind: SourceKind::CamAuthorizationPage,
            file: page.file.clone(),
            title: page.title.clone(),
            last_updated: page.last_updated.clone(),
            version: None,
        });
    }
    for page in category_pages {
        sources.push(Source {
            kind: SourceKind::ApiCategoryPage,
            file: page.file.clone(),
            title: page.title.clone(),
            last_updated: page.last_updated.clone(),
            version: None,
        });
    }
    sources.push(Source {
        kind: SourceKind::ApiDefinition,
        file: definition.file.clone(),
        title: None,
        last_updated: None,
        version: Some(definition.version.clone()),
    });
    sources.push(Source {
        kind: SourceKind::ApiExamples,
        file: examples.file.clone(),
        title: None,
        last_updated: None,
        version: None,
    });
    // The error codes come from another input (`--error-codes`, see `error_codes.rs`):
    // until it is given, the spec keeps the codes it has, with their source.
    sources.extend(
        base.into_iter()
            .flat_map(|b| &b.service.sources)
            .filter(|s| s.kind == SourceKind::SdkErrorCodes)
            .cloned(),
    );
    sources.sort_by(|a, b| (a.kind, &a.file).cmp(&(b.kind, &b.file)));

    let endpoint = examples.endpoint.clone().unwrap_or_else(|| {
        diags.push(Diagnostic::warning(
            &examples.file,
            "no-endpoint",
            "no example shows a Host header; assumed the service's usual host",
        ));
        format!("{}.tencentcloudapi.com", definition.service)
    });

    TencentSpec {
        service: ServiceInfo {
            provider: Provider::Tencentcloud,
            name: definition.service.clone(),
            title: cam_newest.product_title.clone(),
            api_version: definition.version.clone(),
            endpoint,
            protocol: Protocol {
                family: ProtocolFamily::TencentApi3,
                signing: Signing::Tc3HmacSha256,
            },
            // The default is policy, not a doc fact: a maintainer's value is kept.
            default_qps: Some(base.and_then(|b| b.service.default_qps.clone()).unwrap_or(
                DefaultQps {
                    value: DEFAULT_QPS,
                    assumed: true,
                    basis: DEFAULT_QPS_BASIS.to_owned(),
                },
            )),
            sources,
        },
        cam: cam_newest.facts.clone(),
        category_tables: category_newest.tables.clone(),
        actions,
        error_codes: base.map(|b| b.error_codes.clone()).unwrap_or_default(),
        types,
    }
}

/// One action's fields being settled across editions: the conflicts met so far, each also
/// reported as a warning.
struct Settling<'d> {
    action: &'d str,
    conflicts: Vec<Conflict>,
    diags: &'d mut Diagnostics,
}

impl Settling<'_> {
    /// The value of `field` (see [`settle`]), its conflict recorded and reported.
    fn field<T: Clone + PartialEq + Display>(
        &mut self,
        field: &str,
        values: Vec<(&str, Option<T>)>,
    ) -> Option<T> {
        let (value, conflict) = settle(field, &values, T::to_string);
        if let Some(conflict) = conflict {
            self.diags.push(
                Diagnostic::warning(
                    &conflict.chosen,
                    "edition-conflict",
                    format!(
                        "{field}: the sources disagree ({}); kept the value of {}",
                        conflict
                            .values
                            .iter()
                            .map(|v| format!("{} says {}", v.source, v.value))
                            .collect::<Vec<_>>()
                            .join(", "),
                        conflict.chosen
                    ),
                )
                .about(self.action),
            );
            self.conflicts.push(conflict);
        }
        value
    }
}

/// Each edition's value of one field, from the edition's row where it lists the action.
fn values<'f, R: Copy, T>(
    editions: &[(&'f str, Option<R>)],
    get: impl Fn(R) -> T,
) -> Vec<(&'f str, Option<T>)> {
    editions
        .iter()
        .map(|&(file, row)| (file, row.map(&get)))
        .collect()
}

/// The heading of the category table an edition files an action in: `None` for a table
/// the page shows without one, which still lists the action (unlike an edition that does
/// not list it at all).
#[derive(Debug, Clone, PartialEq)]
struct Heading(Option<String>);

impl Display for Heading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_deref().unwrap_or("no heading"))
    }
}

/// Reports each edition (file, line of the action's row if listed) that lacks the action
/// `name` while another edition of the same page lists it.
fn lacking_editions<'f>(
    name: &str,
    editions: impl Iterator<Item = (&'f str, Option<usize>)>,
    diags: &mut Diagnostics,
) {
    let editions: Vec<(&str, Option<usize>)> = editions.collect();
    let Some((listed_in, line)) = editions
        .iter()
        .find_map(|&(file, line)| line.map(|line| (file, line)))
    else {
        return;
    };
    for &(file, _) in editions.iter().filter(|(_, line)| line.is_none()) {
        diags.push(
            Diagnostic::error(
                file,
                "edition-lacks-action",
                format!("this edition does not list the action, which {listed_in} lists on line {line}: its documented values would be lost. Give only editions that agree (leave out a stale one), or save the page again if this one was cut"),
            )
            .about(name),
        );
    }
}

/// Indices of editions, newest first: dated ones by date descending, then undated ones,
/// each group in the order given.
fn by_edition<'a>(dates: impl Iterator<Item = Option<&'a str>>) -> Vec<usize> {
    let mut order: Vec<(usize, Option<&str>)> = dates.enumerate().collect();
    order.sort_by(|(ia, a), (ib, b)| match (a, b) {
        (Some(a), Some(b)) => b.cmp(a).then(ia.cmp(ib)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => ia.cmp(ib),
    });
    order.into_iter().map(|(i, _)| i).collect()
}

/// Settles one field across sources given newest first: the first source's value wins;
/// if any source disagrees, the conflict is returned for the record.
fn settle<T: Clone + PartialEq, D: Display>(
    field: &str,
    values: &[(&str, Option<T>)],
    show: impl Fn(&T) -> D,
) -> (Option<T>, Option<Conflict>) {
    let Some((chosen, first)) = values.first() else {
        return (None, None);
    };
    if values.iter().all(|(_, v)| v == first) {
        return (first.clone(), None);
    }
    let conflict = Conflict {
        field: field.to_owned(),
        chosen: (*chosen).to_owned(),
        rule: EDITION_RULE.to_owned(),
        values: values
            .iter()
            .map(|(source, value)| SourcedValue {
                source: (*source).to_owned(),
                value: value
                    .as_ref()
                    .map_or_else(|| "not listed".to_owned(), |v| show(v).to_string()),
            })
            .collect(),
    };
    (first.clone(), Some(conflict))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::tencent::cam_page::cam_page_from_text;
    use crate::import::tencent::category_page::category_page_from_text;

    const CAM: &str = "Demo\nLast updated: 2025-01-01 00:00:00\n\
        Product Abbreviation in CAM Console Authorization by Tag Authorization Granularity IP Restriction\n\
        Demo demosvc Supported not supported Operation level Supported\n\n\
        Write operations\n\n\
        API API Description Authorization Granularity Six-segment Resource Description IP Restriction\n\
        AddThing Adds a thing Operation level * Supported\n\n\
        Read operations\n\n\
        API API Description Authorization Granularity Six-segment Resource Description IP Restriction\n\
        GetThing Gets a thing Operation level * Supported\n\n\
        List Operations\n\n\
        API API Description Authorization Granularity Six-segment Resource Description IP Restriction\n\
        ListThings Lists things Operation level * Supported\n\n\
        Other Operations\n\n\
        API API Description Authorization Granularity Six-segment Resource Description IP Restriction\n\
        PingThing Pings a thing Operation level * Supported\n\
        Feedback\n";

    fn category(stamp: &str, tables: &str) -> String {
        format!("Demo API Category\nLast updated: {stamp}\n\n{tables}\nFeedback\n")
    }

    const HEADER: &str = "API Name Feature Frequency Limit (maximum requests per second)";

    fn assembled(category_texts: &[(&str, String)]) -> (TencentSpec, Diagnostics) {
        let mut diags = Diagnostics::default();
        let (cam, _) = cam_page_from_text("cam.txt", "cam.txt", CAM).unwrap();
        let pages: Vec<CategoryPage> = category_texts
            .iter()
            .map(|(file, text)| category_page_from_text(file, file, text).unwrap().0)
            .collect();
        let definition = ReadDefinition {
            file: "definition.json".into(),
            version: "2022-09-28".into(),
            service: "demosvc".into(),
            actions: BTreeMap::new(),
            types: BTreeMap::new(),
        };
        let examples = ReadExamples {
            file: "examples.json".into(),
            endpoint: Some("demosvc.tencentcloudapi.com".into()),
            by_action: BTreeMap::new(),
        };
        let spec = assemble(&[cam], &pages, &definition, examples, None, &mut diags);
        (spec, diags)
    }

    /// An edition that files an action in a table without a heading does list it: the
    /// conflict must say so, not "not listed".
    #[test]
    fn a_table_without_heading_is_not_an_unlisted_action() {
        let newer = category(
            "2026-01-01 00:00:00",
            &format!("Things\n\n{HEADER}\nAddThing Adds 5\nGetThing Gets 5\nListThings Lists 5\nPingThing Pings 5\n"),
        );
        let older = category(
            "2025-01-01 00:00:00",
            &format!("Things\n\n{HEADER}\nAddThing Adds 5\nGetThing Gets 5\nListThings Lists 5\n\n{HEADER}\nPingThing Pings 5\n"),
        );
        let (spec, diags) = assembled(&[("new.txt", newer), ("old.txt", older)]);
        assert!(!diags.has_errors(), "{diags}");
        let ping = spec.actions.iter().find(|a| a.name == "PingThing").unwrap();
        assert_eq!(ping.category.as_deref(), Some("Things"));
        let conflict = ping
            .conflicts
            .iter()
            .find(|c| c.field == "category")
            .expect("the editions disagree on the category");
        let values: Vec<_> = conflict
            .values
            .iter()
            .map(|v| (v.source.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(values, [("new.txt", "Things"), ("old.txt", "no heading")]);
    }

    #[test]
    fn newest_edition_first_and_undated_last() {
        assert_eq!(
            by_edition([None, Some("2025-01-01"), Some("2026-02-10")].into_iter()),
            [2, 1, 0]
        );
        assert_eq!(by_edition([None, None].into_iter()), [0, 1]);
    }

    #[test]
    fn settling_records_every_value() {
        let (value, conflict) = settle(
            "qps",
            &[("new.txt", Some(5)), ("old.md", Some(20)), ("x", None)],
            |v| *v,
        );
        assert_eq!(value, Some(5));
        let conflict = conflict.unwrap();
        assert_eq!(conflict.chosen, "new.txt");
        let shown: Vec<_> = conflict.values.iter().map(|v| v.value.as_str()).collect();
        assert_eq!(shown, ["5", "20", "not listed"]);
        assert_eq!(
            settle("qps", &[("a", Some(5)), ("b", Some(5))], |v| *v),
            (Some(5), None)
        );
    }
}
