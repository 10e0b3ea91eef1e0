#!/usr/bin/env python3
"""Temporary credentials through Tencent Cloud's official Python SDK, against our mock.

The credentials test (tests/tests/mock_credentials.rs) starts the mock server in its TLS
mode and writes the plan; this script only drives the SDK, which no one here wrote:
`STSAssumeRoleCredential` asks our mock STS for a role's keys, then an
`IntlpartnersmgtClient` signs with them (X-TC-Token included) and calls the mock API.

    python3 tests/interop/tencent_sts.py PLAN.json > OUTCOMES.json

PLAN.json: {"host": "127.0.0.1:PORT", "ca_file": "ca.pem",
            "secret_id": "...", "secret_key": "...",
            "role_arn": "qcs::cam::uin/1:roleName/NAME", "bad_role_arn": "...",
            "wait_for_expiry": true, "max_wait_seconds": 10}

Prints one JSON object: "assumed" (the first call's outcome, with the temporary SecretId
it used), "again" (a second call), "bad_role" (the SDK's exception for a role the STS does
not know) and, when asked to wait for expiry, "expired" (the first keys, fixed, called
with until the server refuses them, at most max_wait_seconds). Each outcome is {"ok", "request_id"} and "code", "message"
on failure.
"""

import json
import sys
import time

import certifi

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
    TencentCloudSDKException,
)
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.intlpartnersmgt.v20220928 import intlpartnersmgt_client, models


def call(cred, host, ca_file):
    profile = ClientProfile(
        httpProfile=HttpProfile(endpoint=host, reqTimeout=10, certification=ca_file)
    )
    client = intlpartnersmgt_client.IntlpartnersmgtClient(cred, "", profile)
    try:
        response = client.QueryPartnerCredit(models.QueryPartnerCreditRequest())
    except TencentCloudSDKException as err:
        return {
            "ok": False,
            "code": err.get_code(),
            "message": err.get_message(),
            "request_id": err.get_request_id(),
        }
    return {"ok": True, "request_id": response.RequestId}


def main(plan_path):
    with open(plan_path) as f:
        plan = json.load(f)
    host, ca_file = plan["host"], plan["ca_file"]
    # STSAssumeRoleCredential makes its own HttpProfile, whose certification is None, so
    # the SDK verifies with certifi.where(): our CA goes in there. (requests ignores
    # REQUESTS_CA_BUNDLE when it is given a bundle, as the SDK always gives it one.)
    certifi.where = lambda: ca_file

    sts = credential.STSAssumeRoleCredential(
        plan["secret_id"],
        plan["secret_key"],
        plan["role_arn"],
        "interop-session",
        endpoint=host,
    )
    out = {"assumed": call(sts, host, ca_file)}
    secret_id, secret_key, token = sts.get_credential_info()
    out["assumed"]["secret_id"] = secret_id
    out["again"] = call(sts, host, ca_file)

    bad = credential.STSAssumeRoleCredential(
        plan["secret_id"], plan["secret_key"], plan["bad_role_arn"], "interop-session",
        endpoint=host,
    )
    try:
        bad.get_credential_info()
        out["bad_role"] = {"ok": True}
    except TencentCloudSDKException as err:
        out["bad_role"] = {"ok": False, "code": err.get_code(), "message": err.get_message()}

    if plan.get("wait_for_expiry"):
        # The first keys, fixed (no refresh), once the server says they have expired.
        fixed = credential.Credential(secret_id, secret_key, token)
        deadline = time.time() + plan.get("max_wait_seconds", 10)
        outcome = call(fixed, host, ca_file)
        while outcome["ok"] and time.time() < deadline:
            time.sleep(0.25)
            outcome = call(fixed, host, ca_file)
        out["expired"] = outcome
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
