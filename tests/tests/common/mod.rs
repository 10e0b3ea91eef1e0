//! Shared by the client and mock tests: the committed Tencent spec, and every typed method
//! of the generated client, callable by wire name.

use partnergen_codegen::spec::{Spec, TencentSpec};
use partnergen_codegen::specfile::load_spec;
use partnergen_tests::workspace_root;
use serde_json::Value;
use tencentcloud_intlpartnersmgt::{models, Client, Error};

/// The committed Tencent spec.
pub fn tencent_spec() -> TencentSpec {
    match load_spec(&workspace_root().join("spec/tencentcloud/intlpartnersmgt.yaml"))
        .unwrap()
        .spec
    {
        Spec::Tencent(spec) => spec,
        Spec::Huawei(_) => unreachable!(),
    }
}

macro_rules! typed_calls {
    ($($name:literal => $method:ident($request:ident)),* $(,)?) => {
        /// Every action the typed client has, by wire name.
        pub const TYPED: &[&str] = &[$($name),*];

        /// Decodes `request` into the action's typed request, calls the typed method and
        /// returns the typed response as JSON.
        pub async fn call_typed(client: &Client, name: &str, request: Value) -> Result<Value, Error> {
            match name {
                $($name => {
                    let typed: models::$request = serde_json::from_value(request)
                        .unwrap_or_else(|e| panic!("{}: sample request does not decode: {e}", $name));
                    let response = client.$method(&typed).await?;
                    Ok(serde_json::to_value(response).unwrap())
                })*
                other => panic!("{other} is not listed"),
            }
        }
    };
}

typed_calls! {
    "AllocateCreditPool" => allocate_credit_pool(AllocateCreditPoolRequest),
    "AllocateCustomerCredit" => allocate_customer_credit(AllocateCustomerCreditRequest),
    "ApproveClientApply" => approve_client_apply(ApproveClientApplyRequest),
    "ApproveSubAgentApply" => approve_sub_agent_apply(ApproveSubAgentApplyRequest),
    "CreateAccount" => create_account(CreateAccountRequest),
    "CreateAndSendClientInvitationMail" => create_and_send_client_invitation_mail(CreateAndSendClientInvitationMailRequest),
    "DescribeBillDetail" => describe_bill_detail(DescribeBillDetailRequest),
    "DescribeBillDownloadUrl" => describe_bill_download_url(DescribeBillDownloadUrlRequest),
    "DescribeBillSummary" => describe_bill_summary(DescribeBillSummaryRequest),
    "DescribeBillSummaryByPayMode" => describe_bill_summary_by_pay_mode(DescribeBillSummaryByPayModeRequest),
    "DescribeBillSummaryByProduct" => describe_bill_summary_by_product(DescribeBillSummaryByProductRequest),
    "DescribeBillSummaryByRegion" => describe_bill_summary_by_region(DescribeBillSummaryByRegionRequest),
    "DescribeCustomerBillDetail" => describe_customer_bill_detail(DescribeCustomerBillDetailRequest),
    "DescribeCustomerBillDetailByDay" => describe_customer_bill_detail_by_day(DescribeCustomerBillDetailByDayRequest),
    "DescribeCustomerBillDownloadUrl" => describe_customer_bill_download_url(DescribeCustomerBillDownloadUrlRequest),
    "DescribeCustomerBillSummary" => describe_customer_bill_summary(DescribeCustomerBillSummaryRequest),
    "DescribeCustomerInfo" => describe_customer_info(DescribeCustomerInfoRequest),
    "DescribeCustomerOwnCostExplorerFilter" => describe_customer_own_cost_explorer_filter(DescribeCustomerOwnCostExplorerFilterRequest),
    "DescribeCustomerOwnCostExplorerSummary" => describe_customer_own_cost_explorer_summary(DescribeCustomerOwnCostExplorerSummaryRequest),
    "DescribeCustomerOwnVoucherList" => describe_customer_own_voucher_list(DescribeCustomerOwnVoucherListRequest),
    "DescribeCustomerOwnVoucherUsageDetails" => describe_customer_own_voucher_usage_details(DescribeCustomerOwnVoucherUsageDetailsRequest),
    "DescribeCustomerUin" => describe_customer_uin(DescribeCustomerUinRequest),
    "DescribeCustomerVoucherList" => describe_customer_voucher_list(DescribeCustomerVoucherListRequest),
    "DescribeCustomerVoucherUsageDetails" => describe_customer_voucher_usage_details(DescribeCustomerVoucherUsageDetailsRequest),
    "DescribeRebateDownloadUrl" => describe_rebate_download_url(DescribeRebateDownloadUrlRequest),
    "ForceQN" => force_qn(ForceQNRequest),
    "GetCountryCodes" => get_country_codes(GetCountryCodesRequest),
    "GetTradeConfigList" => get_trade_config_list(GetTradeConfigListRequest),
    "ModifyClientRemark" => modify_client_remark(ModifyClientRemarkRequest),
    "QueryAccountVerificationStatus" => query_account_verification_status(QueryAccountVerificationStatusRequest),
    "QueryCreditAllocationHistory" => query_credit_allocation_history(QueryCreditAllocationHistoryRequest),
    "QueryCreditByUinList" => query_credit_by_uin_list(QueryCreditByUinListRequest),
    "QueryCustomerBillingQuota" => query_customer_billing_quota(QueryCustomerBillingQuotaRequest),
    "QueryCustomersCredit" => query_customers_credit(QueryCustomersCreditRequest),
    "QueryDirectCustomersCredit" => query_direct_customers_credit(QueryDirectCustomersCreditRequest),
    "QueryInvitationInfo" => query_invitation_info(QueryInvitationInfoRequest),
    "QueryPartnerCredit" => query_partner_credit(QueryPartnerCreditRequest),
    "QueryPendingClientsV2" => query_pending_clients_v2(QueryPendingClientsV2Request),
    "QueryPendingSubAgentsV2" => query_pending_sub_agents_v2(QueryPendingSubAgentsV2Request),
    "QueryPolicyProductListByCode" => query_policy_product_list_by_code(QueryPolicyProductListByCodeRequest),
    "QuerySubAgentsDetailV2" => query_sub_agents_detail_v2(QuerySubAgentsDetailV2Request),
    "QueryT1IndirectCustomersDetail" => query_t1_indirect_customers_detail(QueryT1IndirectCustomersDetailRequest),
    "QueryVoucherAmountByUin" => query_voucher_amount_by_uin(QueryVoucherAmountByUinRequest),
    "QueryVoucherListByUin" => query_voucher_list_by_uin(QueryVoucherListByUinRequest),
    "QueryVoucherPool" => query_voucher_pool(QueryVoucherPoolRequest),
    "SendVerifyCode" => send_verify_code(SendVerifyCodeRequest),
}
