//! The generated permission tables answer what the docs say: counts by CAM class, lookups
//! by name and category, the QPS figures and their provenance, and Huawei's reverse
//! lookup from a permission action to the operations it unlocks.

use huaweicloud_partner_center::{HttpMethod, Operation};
use tencentcloud_intlpartnersmgt::{Action, CamClass, Granularity, Qps, CATEGORIES};

#[test]
fn every_action_with_its_cam_class() {
    assert_eq!(Action::all().len(), 242);
    let count = |class| Action::with_cam_class(class).count();
    assert_eq!(
        [
            count(CamClass::Write),
            count(CamClass::Read),
            count(CamClass::List),
            count(CamClass::Other)
        ],
        [66, 131, 38, 3]
    );
    let not_on_cam_page = Action::all()
        .iter()
        .filter(|a| a.info().cam_class.is_none())
        .count();
    assert_eq!(not_on_cam_page, 4);
    let no_ip = Action::all()
        .iter()
        .filter(|a| a.info().ip_restriction == Some(false))
        .count();
    assert_eq!(no_ip, 6);
}

#[test]
fn names_round_trip_through_the_wire_spelling() {
    for action in Action::all() {
        assert_eq!(Action::from_name(action.name()), Some(*action));
        assert_eq!(action.to_string().parse::<Action>(), Ok(*action));
    }
    assert_eq!(Action::from_name("forceqn"), None);
    assert!("NoSuchAction".parse::<Action>().is_err());
    assert_eq!(Action::ForceQN.name(), "ForceQN");
}

#[test]
fn qps_is_documented_or_the_assumed_default() {
    let documented = Action::all()
        .iter()
        .filter(|a| a.info().qps.is_documented())
        .count();
    assert_eq!(documented, 42);
    assert_eq!(Action::ForceQN.info().qps, Qps::Documented(2));
    assert_eq!(Action::AddUserToGroup.info().qps, Qps::Assumed(20));
    let info = Action::QueryPartnerCredit.info();
    assert_eq!(
        (info.granularity, info.resource),
        (Some(Granularity::Operation), Some("*"))
    );
    assert!(info.in_api_definition);
}

#[test]
fn categories_in_page_order() {
    assert_eq!(CATEGORIES.len(), 6);
    assert_eq!(CATEGORIES[0], "Customer Management APIs");
    let credit: Vec<&str> = Action::in_category("Credit Management APIs")
        .map(|a| a.name())
        .collect();
    assert_eq!(credit.len(), 8);
    assert!(credit.contains(&"ForceQN"));
    let filed: usize = CATEGORIES
        .iter()
        .map(|c| Action::in_category(c).count())
        .sum();
    assert_eq!(
        filed, 41,
        "42 actions on the category page, less the unheaded table's one"
    );
    assert_eq!(Action::ModifyClientRemark.info().category, None);
}

#[test]
fn huawei_operations_and_their_permissions() {
    assert_eq!(Operation::all().len(), 21);
    let list = Operation::ListSubCustomers.info();
    assert_eq!(
        (list.method, list.path),
        (HttpMethod::Post, "/v2/partners/sub-customers/query")
    );
    assert_eq!(list.permissions.len(), 2);
    for permission in list.permissions {
        assert!(Operation::unlocked_by(permission).contains(&Operation::ListSubCustomers));
    }
    assert_eq!(
        Operation::unlocked_by("NO_SUCH_PERMISSION"),
        &[] as &[Operation]
    );
    // The reverse table covers every (operation, permission) pair exactly once.
    let pairs: usize = Operation::all()
        .iter()
        .map(|o| o.info().permissions.len())
        .sum();
    let mut reverse = 0;
    for op in Operation::all() {
        for permission in op.info().permissions {
            reverse += usize::from(Operation::unlocked_by(permission).contains(op));
        }
    }
    assert_eq!(reverse, pairs);
    assert_eq!(Operation::ListInvoices.info().path_params, ["domain_id"]);
    assert_eq!(
        "ListInvoices".parse::<Operation>(),
        Ok(Operation::ListInvoices)
    );
}

#[test]
fn huawei_permissions_grant_with_any_of_semantics() {
    use huaweicloud_partner_center::{Access, OperationTable};

    let list = Operation::ListSubCustomers;
    let [first, second] = list.info().permissions else {
        panic!("ListSubCustomers has two permission actions on the page");
    };
    // Either one of the two is enough; none gets the two that would unlock it.
    assert_eq!(list.access(&[second]), Access::Granted(second));
    assert_eq!(list.access(&["UNRELATED", first]), Access::Granted(first));
    assert_eq!(
        list.access(&["UNRELATED"]),
        Access::Denied {
            unlock_with: list.info().permissions
        }
    );
    // A role is exactly the operations one of whose permissions it holds.
    let role = [*first, "BPC_ITEM_FINANCE_060100"];
    let callable: Vec<Operation> = Operation::callable_with(&role).collect();
    let expected: Vec<Operation> = Operation::all()
        .iter()
        .copied()
        .filter(|o| o.info().permissions.iter().any(|p| role.contains(p)))
        .collect();
    assert_eq!(callable, expected);
    assert!(callable.contains(&Operation::ListInvoices));
    assert_eq!(Operation::callable_with(&[]).count(), 0);
    // Every operation on the page needs a permission; APIs not on it need none.
    assert_eq!(
        Operation::UNLISTED_NEED_PERMISSION,
        spec_says_unlisted_need_permission()
    );
    assert_eq!(
        Operation::access_to_route(
            HttpMethod::Get,
            "/v2/accounts/customer-accounts/balances",
            &[]
        ),
        Access::NoPermissionNeeded
    );
}

#[test]
fn every_huawei_route_leads_to_its_operation() {
    use huaweicloud_partner_center::OperationTable;

    for op in Operation::all() {
        let info = op.info();
        let mut path = info.path.to_owned();
        for param in info.path_params {
            path = path.replace(&format!("{{{param}}}"), "id%2F1");
        }
        let (routed, values) = Operation::route(info.method, &path).unwrap();
        assert_eq!(routed, *op, "{} {path}", info.method);
        assert_eq!(values.len(), info.path_params.len());
    }
    assert_eq!(
        Operation::route(HttpMethod::Delete, "/v2/partners/sub-customers/query"),
        None
    );
}

/// What the committed Huawei spec says of APIs the permission page does not list.
fn spec_says_unlisted_need_permission() -> bool {
    let path = partnergen_tests::workspace_root().join("spec/huaweicloud/partner-center.yaml");
    match partnergen_codegen::specfile::load_spec(&path) {
        Ok(loaded) => match loaded.spec {
            partnergen_codegen::spec::Spec::Huawei(spec) => {
                spec.permissions.unlisted_need_permission
            }
            _ => panic!("{} is not a Huawei spec", path.display()),
        },
        Err(errors) => panic!("{errors}"),
    }
}
