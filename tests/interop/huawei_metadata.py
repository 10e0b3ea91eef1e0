#!/usr/bin/env python3
"""Drive Huawei Cloud's official Python SDK with no AK/SK: its MetadataAccessor reads the
ECS metadata service (here the mock server's), and the account ID is looked up from IAM
(here the mock's too). Prints what happened; tests/tests/huawei_mock_credentials.rs
checks it against the server's log.

    python3 tests/interop/huawei_metadata.py PLAN.json > OUTCOME.json

PLAN.json: {"url": "http://127.0.0.1:PORT", "wait_for_expiry": true,
            "max_wait_seconds": 10}

The SDK has no setting for the metadata address: it is the class attribute
`MetadataAccessor._METADATA_ENDPOINT`, which this script sets. Prints
{"first": OUTCOME, "again": OUTCOME}, each {"ok", "access" (the AK signed with),
"status", "error_code", "error_msg"}; "again" is a call made after the first key
expired.
"""

import json
import sys
import time

from huaweicloudsdkbssintl.v2 import BssintlClient, model
from huaweicloudsdkcore.auth.credentials import GlobalCredentials
from huaweicloudsdkcore.auth.internal import MetadataAccessor
from huaweicloudsdkcore.exceptions.exceptions import ServiceResponseException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.region.region import Region


def call(client, credentials):
    request = model.ListInvoicesRequest(start_time="2024-01", end_time="2024-02", offset=1, limit=10)
    try:
        client.list_invoices(request)
    except ServiceResponseException as err:
        return {
            "ok": False,
            "access": credentials.ak,
            "status": err.status_code,
            "error_code": err.error_code,
            "error_msg": err.error_msg,
        }
    return {"ok": True, "access": credentials.ak, "expire_at": credentials._expired_at}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        plan = json.load(f)
    url = plan["url"]
    MetadataAccessor._METADATA_ENDPOINT = url
    config = HttpConfig.get_default_config()
    config.timeout = 10
    # No AK/SK and no domain ID: the SDK reads the metadata service and asks IAM.
    credentials = GlobalCredentials().with_iam_endpoint(url)
    client = (
        BssintlClient.new_builder()
        .with_http_config(config)
        .with_credentials(credentials)
        # A region (not bare endpoints): only then does the SDK look the account ID up.
        .with_region(Region("ap-southeast-1", url))
        .build()
    )
    out = {"first": call(client, credentials)}
    if plan.get("wait_for_expiry"):
        # The SDK renews keys with less than 40 minutes left, so each call reads the
        # metadata service again; waiting past the first key's expiry makes the server
        # hand out a new one.
        first_access = out["first"].get("access")
        deadline = time.time() + plan.get("max_wait_seconds", 10)
        while True:
            out["again"] = call(client, credentials)
            if out["again"].get("access") != first_access or time.time() > deadline:
                break
            time.sleep(0.5)
    json.dump(out, sys.stdout, default=str)


if __name__ == "__main__":
    main()
