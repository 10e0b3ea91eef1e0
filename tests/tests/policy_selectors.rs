//! How the policy builder's selectors compose, table-driven: within one kind they add
//! (`--read --list`: read or list), across kinds they narrow (category AND class),
//! actions named one by one add, exclusions subtract last. Each case's expectation is an
//! independent filter over the whole table, never a hard-coded count.

use std::collections::BTreeSet;

use tencentcloud_intlpartnersmgt::policy::{self, PolicyBuilder};
use tencentcloud_intlpartnersmgt::{Action, CamClass, SERVICE};

const BILLING: &str = "Bill Management APIs";
const CREDIT: &str = "Credit Management APIs";

/// The actions of a built policy, each pattern expanded against the table.
fn granted(builder: &PolicyBuilder<Action>) -> BTreeSet<Action> {
    let (document, _) = builder.build().expect("the selection is not empty");
    let statements = policy::statements(&document).unwrap();
    statements
        .iter()
        .flat_map(|s| s.actions.iter())
        .flat_map(|p| policy::expand::<Action>(SERVICE, p))
        .collect()
}

fn all_where(keep: impl Fn(Action) -> bool) -> BTreeSet<Action> {
    Action::all().iter().copied().filter(|&a| keep(a)).collect()
}

fn b() -> PolicyBuilder<Action> {
    PolicyBuilder::new(SERVICE)
}

fn in_category(action: Action, categories: &[&str]) -> bool {
    action
        .info()
        .category
        .is_some_and(|c| categories.contains(&c))
}

fn in_class(action: Action, classes: &[CamClass]) -> bool {
    action
        .info()
        .cam_class
        .is_some_and(|c| classes.contains(&c))
}

#[test]
fn selectors_add_within_a_kind_and_narrow_across_kinds() {
    use CamClass::{List, Read, Write};
    type Case = (
        &'static str,
        fn() -> PolicyBuilder<Action>,
        fn(Action) -> bool,
    );
    let cases: Vec<Case> = vec![
        (
            "one category",
            || b().category(BILLING),
            |a| in_category(a, &[BILLING]),
        ),
        (
            "one class",
            || b().cam_class(List),
            |a| in_class(a, &[List]),
        ),
        (
            "two classes add: read or list",
            || b().cam_class(Read).cam_class(List),
            |a| in_class(a, &[Read, List]),
        ),
        (
            "two categories add",
            || b().category(BILLING).category(CREDIT),
            |a| in_category(a, &[BILLING, CREDIT]),
        ),
        (
            "category and class narrow",
            || b().category(BILLING).cam_class(List),
            |a| in_category(a, &[BILLING]) && in_class(a, &[List]),
        ),
        (
            "class before category narrows the same way",
            || b().cam_class(List).category(BILLING),
            |a| in_category(a, &[BILLING]) && in_class(a, &[List]),
        ),
        (
            "category and read or list",
            || b().category(BILLING).cam_class(Read).cam_class(List),
            |a| in_category(a, &[BILLING]) && in_class(a, &[Read, List]),
        ),
        (
            "two categories and one class",
            || b().category(BILLING).category(CREDIT).cam_class(Read),
            |a| in_category(a, &[BILLING, CREDIT]) && in_class(a, &[Read]),
        ),
        (
            "a named action adds to the narrowed set",
            || {
                b().category(BILLING)
                    .cam_class(List)
                    .action(Action::AllocateCreditPool)
            },
            |a| {
                (in_category(a, &[BILLING]) && in_class(a, &[List]))
                    || a == Action::AllocateCreditPool
            },
        ),
        (
            "named actions alone",
            || {
                b().action(Action::QueryUser)
                    .action(Action::AllocateCreditPool)
            },
            |a| a == Action::QueryUser || a == Action::AllocateCreditPool,
        ),
        (
            "an exclusion subtracts from the narrowed set",
            || {
                b().category(BILLING)
                    .cam_class(Read)
                    .cam_class(List)
                    .exclude(Action::DescribeBillSummaryByProduct)
            },
            |a| {
                in_category(a, &[BILLING])
                    && in_class(a, &[Read, List])
                    && a != Action::DescribeBillSummaryByProduct
            },
        ),
        (
            "an exclusion wins over a named action",
            || {
                b().cam_class(Write)
                    .action(Action::QueryUser)
                    .exclude(Action::QueryUser)
                    .exclude(Action::AllocateCreditPool)
            },
            |a| in_class(a, &[Write]) && a != Action::AllocateCreditPool,
        ),
    ];
    for (name, build, keep) in cases {
        let expected = all_where(keep);
        assert!(!expected.is_empty(), "{name}: the case selects nothing");
        let builder = build();
        assert_eq!(
            builder.actions().into_iter().collect::<BTreeSet<_>>(),
            expected,
            "{name}: actions()"
        );
        assert_eq!(granted(&builder), expected, "{name}: the built policy");
        assert_eq!(
            granted(&builder.clone().minimise(true)),
            expected,
            "{name}: the minimised policy"
        );
    }
}

#[test]
fn a_read_only_billing_policy_grants_only_billing_reads_and_lists() {
    // The README's example, as a library call.
    let builder = PolicyBuilder::<Action>::new(SERVICE)
        .category(BILLING)
        .cam_class(CamClass::Read)
        .cam_class(CamClass::List)
        .exclude(Action::DescribeBillSummaryByProduct)
        .allow_ips(["10.0.0.0/8"])
        .minimise(true);
    let got = granted(&builder);
    assert!(!got.is_empty());
    for action in &got {
        assert_eq!(
            action.info().category,
            Some(BILLING),
            "{action} is not billing"
        );
        assert!(
            action.info().cam_class.is_some_and(|c| c.is_read_only()),
            "{action} is not read or list"
        );
    }
    assert!(!got.contains(&Action::DescribeBillSummaryByProduct));
}

#[test]
fn a_narrowing_that_leaves_nothing_is_an_error_not_an_empty_policy() {
    let err = PolicyBuilder::<Action>::new(SERVICE)
        .category("No Such APIs")
        .cam_class(CamClass::Read)
        .build()
        .unwrap_err();
    assert_eq!(err, policy::PolicyError::NoActions);
    assert!(err.to_string().contains("narrow"), "{err}");
}
