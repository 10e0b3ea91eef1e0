//! The minimiser's output: its patterns expand to exactly the selection, and no emitted
//! entry is covered by another emitted wildcard (`DescribeBillSummary` beside
//! `DescribeBillSummary*` says the same thing twice and hides which entry grants what).

use std::collections::BTreeSet;

use proptest::prelude::*;
use tencentcloud_intlpartnersmgt::policy::{self, expand, PolicyBuilder};
use tencentcloud_intlpartnersmgt::{Action, SERVICE};

/// The minimised patterns of a policy granting exactly `selection`.
fn minimised(selection: &BTreeSet<Action>) -> Vec<String> {
    let builder = selection
        .iter()
        .fold(PolicyBuilder::<Action>::new(SERVICE), |b, &a| b.action(a))
        .minimise(true);
    let (document, _) = builder.build().unwrap();
    document["statement"][0]["action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect()
}

fn expansion(pattern: &str) -> BTreeSet<Action> {
    expand::<Action>(SERVICE, pattern).collect()
}

/// Checks both properties; the message names the offending pair.
fn check(selection: &BTreeSet<Action>) -> Result<(), String> {
    let patterns = minimised(selection);
    let expanded: BTreeSet<Action> = patterns.iter().flat_map(|p| expansion(p)).collect();
    if &expanded != selection {
        return Err(format!(
            "{patterns:?} expand to {expanded:?}, not {selection:?}"
        ));
    }
    for entry in &patterns {
        for wildcard in patterns.iter().filter(|w| w.contains('*') && *w != entry) {
            if expansion(entry).is_subset(&expansion(wildcard)) {
                return Err(format!(
                    "`{entry}` is covered by `{wildcard}` in {patterns:?}"
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn an_action_and_the_wildcard_of_its_family_are_not_both_emitted() {
    // DescribeBillSummary is itself the prefix of its family.
    let family = expansion("intlpartnersmgt:DescribeBillSummary*");
    assert!(family.len() > 1 && family.contains(&Action::DescribeBillSummary));
    check(&family).unwrap();
    assert_eq!(minimised(&family), ["intlpartnersmgt:DescribeBillSummary*"]);
}

/// Every leading-word prefix in the table, as `svc:Prefix*`, so random selections often
/// hold whole families (where wildcards come into play).
fn families() -> Vec<String> {
    let mut prefixes = BTreeSet::new();
    for action in Action::all() {
        let name = action.name();
        for (i, c) in name.char_indices().skip(1) {
            if c.is_ascii_uppercase() {
                prefixes.insert(format!("intlpartnersmgt:{}*", &name[..i]));
            }
        }
        prefixes.insert(format!("intlpartnersmgt:{name}*"));
    }
    prefixes.into_iter().collect()
}

fn any_selection() -> impl Strategy<Value = BTreeSet<Action>> {
    let families = families();
    let piece = prop_oneof![
        (0..Action::all().len()).prop_map(|i| BTreeSet::from([Action::all()[i]])),
        (0..families.len()).prop_map(move |i| expansion(&families[i])),
    ];
    prop::collection::vec(piece, 1..8)
        .prop_map(|pieces| pieces.into_iter().flatten().collect::<BTreeSet<_>>())
        .prop_filter("not empty", |s| !s.is_empty())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// `expand` looks only at the names that start with the pattern's literal prefix: it
    /// must still agree with a glob over the whole table.
    #[test]
    fn expansion_agrees_with_a_glob_over_the_whole_table(
        service in prop_oneof![Just("intlpartnersmgt"), Just("*"), Just("cvm")],
        name in "(Query|Describe|Q|D|)[*]?(Bill|Credit|List|e|)[*]?(List|Detail|)[*]?",
    ) {
        let pattern = format!("{service}:{name}");
        let fast: Vec<Action> = expand::<Action>(SERVICE, &pattern).collect();
        let slow: Vec<Action> = Action::all()
            .iter()
            .copied()
            .filter(|a| service != "cvm" && policy::glob(&name, a.name()))
            .collect();
        prop_assert_eq!(fast, slow, "{}", pattern);
    }

    #[test]
    fn minimised_patterns_expand_exactly_and_never_overlap(selection in any_selection()) {
        prop_assert_eq!(check(&selection), Ok(()));
    }
}
