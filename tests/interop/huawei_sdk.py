#!/usr/bin/env python3
"""Run a plan of calls through Huawei Cloud's official Python SDK and print the outcomes.

The Huawei mock server's interoperability test (tests/tests/huawei_mock.rs) writes the
plan and checks the outcomes; this script only drives the SDK, which no one here wrote,
so the server is tested against a real client's signing, routing and error handling.

    pip install -r tests/interop/requirements.txt   # the tests do this in target/interop-venv
    python3 tests/interop/huawei_sdk.py PLAN.json > OUTCOMES.json

PLAN.json: {"url": "http://127.0.0.1:PORT",
            "calls": [{"operation": "ListSubCustomers", "method": "list_sub_customers",
                       "params": {"body": {...}}, "ak": "...", "sk": "...",
                       "url": "(optional: another server for this call)"}, ...]}

`params` are the request class's attributes (path, query and header parameters by the
SDK's attribute names; `body` as JSON with the wire names). Prints a JSON array, one
object per call: {"operation", "ok", "status", "request_id"} and either "response" (the
SDK's response model as a dict) or "error_code" and "error_msg" (its exception).
"""

import json
import sys

from huaweicloudsdkbssintl.v2 import BssintlClient, model
from huaweicloudsdkcore.auth.credentials import GlobalCredentials
from huaweicloudsdkcore.exceptions.exceptions import ServiceResponseException
from huaweicloudsdkcore.http.http_config import HttpConfig

PLAIN = ("str", "int", "float", "bool", "object", "date", "datetime", "decimal.Decimal")


def convert(type_name, value):
    """A JSON value as the SDK model `type_name` expects it."""
    if value is None or type_name in PLAIN or type_name.startswith("dict("):
        return value
    if type_name.startswith("list["):
        return [convert(type_name[5:-1], v) for v in value]
    return build(getattr(model, type_name), value)


def build(cls, data):
    """An SDK model from JSON keyed by its wire names (`attribute_map`)."""
    kwargs = {}
    for attribute, type_name in cls.openapi_types.items():
        wire = cls.attribute_map[attribute]
        if wire in data:
            kwargs[attribute] = convert(type_name, data[wire])
    return cls(**kwargs)


def client_for(url, ak, sk):
    config = HttpConfig.get_default_config()
    config.timeout = 10
    # The domain id is given so the SDK does not ask IAM for it (no network here).
    credentials = GlobalCredentials(ak, sk, "mockdomainid0000")
    return (
        BssintlClient.new_builder()
        .with_http_config(config)
        .with_credentials(credentials)
        .with_endpoints([url])
        .build()
    )


def run(call, url):
    operation = call["operation"]
    client = client_for(call.get("url", url), call["ak"], call["sk"])
    request = build(getattr(model, operation + "Request"), call["params"])
    try:
        response = getattr(client, call["method"])(request)
    except ServiceResponseException as err:
        return {
            "operation": operation,
            "ok": False,
            "status": err.status_code,
            "error_code": err.error_code,
            "error_msg": err.error_msg,
            "request_id": err.request_id,
        }
    return {
        "operation": operation,
        "ok": True,
        "status": response.status_code,
        "response": response.to_dict(),
        # The SDK keeps no request id on a success (X-Request-Id is not in its models).
        "request_id": None,
    }


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        plan = json.load(f)
    outcomes = [run(call, plan["url"]) for call in plan["calls"]]
    json.dump(outcomes, sys.stdout, ensure_ascii=False, indent=1, default=str)


if __name__ == "__main__":
    main()
