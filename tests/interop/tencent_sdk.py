#!/usr/bin/env python3
"""Run a plan of calls through Tencent Cloud's official Python SDK and print the outcomes.

The mock server's interoperability test (tests/tests/mock_server.rs) writes the plan and
checks the outcomes; this script only drives the SDK, which no one here wrote, so the
server is tested against a real client's signing, headers and response handling.

    pip install -r tests/interop/requirements.txt   # the tests do this in target/interop-venv
    python3 tests/interop/tencent_sdk.py PLAN.json > OUTCOMES.json

PLAN.json: {"url": "http://127.0.0.1:PORT",
            "calls": [{"action": "QueryPartnerCredit", "params": {...},
                       "secret_id": "...", "secret_key": "..."}, ...]}

Prints a JSON array, one object per call, in order: {"action", "ok", "request_id"} and
either "response" (the SDK's response model as JSON) or "code" and "message" (the
SDK's exception).

    python3 tests/interop/tencent_sdk.py --rate URL N

For `cargo xtask bench mock-server`: one client (credentials from TENCENTCLOUD_SECRET_ID
and TENCENTCLOUD_SECRET_KEY) calls QueryPartnerCredit N times in a row and prints the
calls per second.
"""

import os
import time

import json
import sys
import warnings

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
    TencentCloudSDKException,
)
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.intlpartnersmgt.v20220928 import intlpartnersmgt_client, models


def client_for(url, secret_id, secret_key):
    scheme, host = url.split("://", 1)
    profile = ClientProfile(httpProfile=HttpProfile(protocol=scheme, endpoint=host, reqTimeout=10))
    return intlpartnersmgt_client.IntlpartnersmgtClient(
        credential.Credential(secret_id, secret_key), "", profile
    )


def run(call, url):
    action = call["action"]
    client = client_for(url, call["secret_id"], call["secret_key"])
    request = getattr(models, action + "Request")()
    request.from_json_string(json.dumps(call["params"]))
    try:
        response = getattr(client, action)(request)
    except TencentCloudSDKException as err:
        return {
            "action": action,
            "ok": False,
            "code": err.get_code(),
            "message": err.get_message(),
            "request_id": err.get_request_id(),
        }
    return {
        "action": action,
        "ok": True,
        "response": json.loads(response.to_json_string()),
        "request_id": response.RequestId,
    }


def rate(url, count):
    client = client_for(url, os.environ["TENCENTCLOUD_SECRET_ID"], os.environ["TENCENTCLOUD_SECRET_KEY"])
    request = models.QueryPartnerCreditRequest()
    client.QueryPartnerCredit(request)  # warm up: connection, imports
    start = time.perf_counter()
    for _ in range(count):
        client.QueryPartnerCredit(request)
    elapsed = time.perf_counter() - start
    print("%.0f calls/s (%d sequential calls in %.2f s, one client)" % (count / elapsed, count, elapsed))


def main():
    if sys.argv[1] == "--rate":
        rate(sys.argv[2], int(sys.argv[3]))
        return
    with open(sys.argv[1], encoding="utf-8") as f:
        plan = json.load(f)
    # The SDK warns about fields it does not model; the outcomes are what matter here.
    warnings.simplefilter("ignore")
    outcomes = [run(call, plan["url"]) for call in plan["calls"]]
    json.dump(outcomes, sys.stdout, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
