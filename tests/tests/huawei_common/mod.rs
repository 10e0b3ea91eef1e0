//! Shared by the Huawei client and mock tests: the committed Huawei spec, parameter
//! samples, and every typed method of the generated client, callable by name with a
//! schema-filled request.

#![allow(dead_code)] // each test file uses its own part

use huaweicloud_partner_center::{models, Client, Error};
use partnergen_codegen::emit::mock::sample_value;
use partnergen_codegen::spec::{HuaweiSpec, Spec, TypeRef};
use partnergen_codegen::specfile::load_spec;
use partnergen_tests::workspace_root;
use serde_json::Value;

const S: &str = "text";
const I: i64 = -7;
/// The paging parameters of the list operations: a first page their mocks accept (they
/// refuse a negative offset or size, as the service does).
const OFFSET: i64 = 0;
const LIMIT: i64 = 10;
const F: f64 = 12.5;
const B: bool = true;

macro_rules! typed_calls {
    ($($name:literal => $method:ident($request:expr)),* $(,)?) => {
        /// Every typed operation, by name.
        pub const TYPED: &[&str] = &[$($name),*];

        /// Calls the typed method of `name` with a request whose every parameter and
        /// body field holds its type's sample value ([`sample_value`]); returns the
        /// response's `Debug` text.
        pub async fn call_typed(client: &Client, name: &str) -> Result<String, Error> {
            match name {
                $($name => client.$method(&$request).await.map(|r| format!("{r:?}")),)*
                other => panic!("{other} is not listed"),
            }
        }
    };
}

typed_calls! {
    "ChangeEnterpriseRealnameAuthentication" => change_enterprise_realname_authentication(
        models::ChangeEnterpriseRealnameAuthenticationRequest::new(models::ChangeEnterpriseRealnameAuthenticationRequired { body: models::ChangeEnterpriseRealnameAuthsReq::new(models::ChangeEnterpriseRealnameAuthsReqRequired {
                customer_id: S.into(),
                identify_type: I,
                verified_file_url: vec![S.to_owned()],
                corp_name: S.into(),
                verified_number: S.into(),
                change_type: I,
                xaccount_type: S.into(),
            })
            .with_certificate_type(I)
            .with_reg_country(S)
            .with_reg_address(S)
            .with_enterprise_person(models::EnterprisePersonNew::new(models::EnterprisePersonNewRequired { legel_name: S.into(), legel_id_number: S.into() })
                .with_certifier_role(S)) })
    ),
    "CheckUserIdentity" => check_user_identity(
        models::CheckUserIdentityRequest::new(models::CheckUserIdentityRequired { body: models::CheckSubcustomerUserReq::new(models::CheckSubcustomerUserReqRequired { search_type: S.into(), search_value: S.into() }) })
    ),
    "CreateEnterpriseRealnameAuthentication" => create_enterprise_realname_authentication(
        models::CreateEnterpriseRealnameAuthenticationRequest::new(models::CreateEnterpriseRealnameAuthenticationRequired { body: models::ApplyEnterpriseRealnameAuthsReq::new(models::ApplyEnterpriseRealnameAuthsReqRequired {
                customer_id: S.into(),
                identify_type: I,
                verified_file_url: vec![S.to_owned()],
                corp_name: S.into(),
                verified_number: S.into(),
                xaccount_type: S.into(),
            })
            .with_certificate_type(I)
            .with_reg_country(S)
            .with_reg_address(S)
            .with_enterprise_person(models::EnterprisePersonNew::new(models::EnterprisePersonNewRequired { legel_name: S.into(), legel_id_number: S.into() })
                .with_certifier_role(S)) })
    ),
    "CreatePersonalRealnameAuth" => create_personal_realname_auth(
        models::CreatePersonalRealnameAuthRequest::new(models::CreatePersonalRealnameAuthRequired { body: models::ApplyIndividualRealnameAuthsReq::new(models::ApplyIndividualRealnameAuthsReqRequired {
                customer_id: S.into(),
                identify_type: I,
                verified_file_url: vec![S.to_owned()],
                name: S.into(),
                verified_number: S.into(),
                xaccount_type: S.into(),
            })
            .with_verified_type(I)
            .with_change_type(I) })
    ),
    "CreateSubCustomer" => create_sub_customer(
        models::CreateSubCustomerRequest::new(models::CreateSubCustomerRequired { body: models::CreateCustomerV2Req::new(models::CreateCustomerV2ReqRequired { domain_area: S.into(), xaccount_id: S.into(), xaccount_type: S.into() })
            .with_domain_name(S)
            .with_email(S)
            .with_verification_code(S)
            .with_password(S)
            .with_is_close_market_ms(S)
            .with_indirect_partner_id(S)
            .with_include_association_result(B) })
    ),
    "FreezeSubCustomers" => freeze_sub_customers(
        models::FreezeSubCustomersRequest::new(models::FreezeSubCustomersRequired { body: models::FreezeSubCustomersReq::new(models::FreezeSubCustomersReqRequired { customer_ids: vec![S.to_owned()], reason: S.into() })
            .with_indirect_partner_id(S)
            .with_freeze_type(S) })
    ),
    "ListCustomerOnDemandResources" => list_customer_on_demand_resources(
        models::ListCustomerOnDemandResourcesRequest::new(models::ListCustomerOnDemandResourcesRequired { body: models::QueryCustomerOnDemandResourcesReq::new(models::QueryCustomerOnDemandResourcesReqRequired { customer_id: S.into() })
            .with_region_code(S)
            .with_service_type_code(S)
            .with_resource_ids(vec![S.to_owned()])
            .with_effective_time_begin(S)
            .with_effective_time_end(S)
            .with_offset(OFFSET)
            .with_limit(LIMIT)
            .with_status(I)
            .with_indirect_partner_id(S) })
        .with_x_language(S)
    ),
    "ListCustomerOrders" => list_customer_orders(
        models::ListCustomerOrdersRequest::new()
        .with_order_id(S)
        .with_customer_id(S)
        .with_create_time_begin(S)
        .with_create_time_end(S)
        .with_service_type_code(S)
        .with_status(I)
        .with_order_type(S)
        .with_limit(LIMIT)
        .with_offset(OFFSET)
        .with_order_by(S)
        .with_payment_time_begin(S)
        .with_payment_time_end(S)
        .with_indirect_partner_id(S)
        .with_method(S)
    ),
    "ListIndirectPartners" => list_indirect_partners(
        models::ListIndirectPartnersRequest::new(models::ListIndirectPartnersRequired { body: models::QueryIndirectPartnersReq::new()
            .with_account_name(S)
            .with_associated_on_begin(S)
            .with_associated_on_end(S)
            .with_offset(OFFSET)
            .with_limit(LIMIT)
            .with_indirect_partner_id(S) })
    ),
    "ListInvoices" => list_invoices(
        models::ListInvoicesRequest::new(models::ListInvoicesRequired {
            start_time: S.into(),
            end_time: S.into(),
            offset: 1, // ListInvoices's `offset` is a page number, from 1
            limit: LIMIT,
        })
    ),
    "ListPostpaidBillSum" => list_postpaid_bill_sum(
        models::ListPostpaidBillSumRequest::new(models::ListPostpaidBillSumRequired { bill_cycle: S.into() })
    ),
    "ListSubCustomerBudget" => list_sub_customer_budget(
        models::ListSubCustomerBudgetRequest::new(models::ListSubCustomerBudgetRequired { body: models::ListSubCustomerBudgetReq::new(models::ListSubCustomerBudgetReqRequired { customer_ids: vec![S.to_owned()] })
            .with_indirect_partner_id(S) })
    ),
    "ListSubCustomerCoupons" => list_sub_customer_coupons(
        models::ListSubCustomerCouponsRequest::new()
        .with_coupon_id(S)
        .with_order_id(S)
        .with_promotion_plan_id(S)
        .with_coupon_type(I)
        .with_status(I)
        .with_active_start_time(S)
        .with_active_end_time(S)
        .with_offset(OFFSET)
        .with_limit(LIMIT)
        .with_source_id(S)
    ),
    "ListSubCustomers" => list_sub_customers(
        models::ListSubCustomersRequest::new(models::ListSubCustomersRequired { body: models::QuerySubCustomerListReq::new()
            .with_account_name(S)
            .with_customer(S)
            .with_offset(OFFSET)
            .with_limit(LIMIT)
            .with_label(S)
            .with_association_type(S)
            .with_associated_on_begin(S)
            .with_associated_on_end(S)
            .with_customer_id(S)
            .with_indirect_partner_id(S) })
    ),
    "SendVerificationMessageCode" => send_verification_message_code(
        models::SendVerificationMessageCodeRequest::new(models::SendVerificationMessageCodeRequired { body: models::SendVerificationCodeV2Req::new(models::SendVerificationCodeV2ReqRequired { receiver_type: I, email: S.into() })
            .with_timeout(I)
            .with_lang(S) })
    ),
    "ShowCustomerOrderDetails" => show_customer_order_details(
        models::ShowCustomerOrderDetailsRequest::new(models::ShowCustomerOrderDetailsRequired { order_id: S.into() })
        .with_x_language(S)
        .with_limit(LIMIT)
        .with_offset(OFFSET)
        .with_indirect_partner_id(S)
    ),
    "ShowPartnerConsumptionQuota" => show_partner_consumption_quota(
        models::ShowPartnerConsumptionQuotaRequest::new()
    ),
    "ShowRealnameAuthenticationReviewResult" => show_realname_authentication_review_result(
        models::ShowRealnameAuthenticationReviewResultRequest::new(models::ShowRealnameAuthenticationReviewResultRequired { customer_id: S.into() })
    ),
    "ShowSubCustomerBudget" => show_sub_customer_budget(
        models::ShowSubCustomerBudgetRequest::new(models::ShowSubCustomerBudgetRequired { customer_id: S.into() })
        .with_indirect_partner_id(S)
    ),
    "UnfreezeSubCustomers" => unfreeze_sub_customers(
        models::UnfreezeSubCustomersRequest::new(models::UnfreezeSubCustomersRequired { body: models::UnfreezeSubCustomersReq::new(models::UnfreezeSubCustomersReqRequired { customer_ids: vec![S.to_owned()], reason: S.into() })
            .with_indirect_partner_id(S)
            .with_unfreeze_type(S) })
    ),
    "UpdateSubCustomerBudget" => update_sub_customer_budget(
        models::UpdateSubCustomerBudgetRequest::new(models::UpdateSubCustomerBudgetRequired { body: models::ModSubCustomerBudgetReq::new(models::ModSubCustomerBudgetReqRequired { customer_id: S.into(), budget_amount: F })
            .with_cancel_partner_frozen(S)
            .with_indirect_partner_id(S)
            .with_budget_type(S)
            .with_frozen_operate_type(I) })
    ),
}

pub fn huawei_spec() -> HuaweiSpec {
    match load_spec(&workspace_root().join("spec/huaweicloud/partner-center.yaml"))
        .unwrap()
        .spec
    {
        Spec::Huawei(spec) => spec,
        Spec::Tencent(_) => unreachable!(),
    }
}

/// A parameter's sample as the text it is sent as.
pub fn sample_text(ty: &TypeRef, spec: &HuaweiSpec) -> String {
    match sample_value(ty, &spec.types, 0) {
        Value::String(text) => text,
        other => other.to_string(),
    }
}
