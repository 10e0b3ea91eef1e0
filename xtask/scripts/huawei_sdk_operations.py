#!/usr/bin/env python3
"""Print the operation names of Huawei Cloud's official BSS (international) Python SDK.

The Partner Center permission page gives each API as `METHOD /path` only; the official SDK
names the same operations (`ListSubCustomers`, ...). This script reads those names from the
installed SDK so that `cargo xtask import huawei --sdk-operations FILE` can use them.

How to run it:

    pip install huaweicloudsdkbssintl
    python3 xtask/scripts/huawei_sdk_operations.py > /tmp/huawei-ops.json

It prints one JSON object:

    {"sdk": "huaweicloudsdkbssintl", "version": "3.1.219",
     "operations": {"POST /v2/partners/sub-customers/query": "ListSubCustomers", ...}}

The SDK is read as text and never imported (importing it needs huaweicloudsdkcore and its
dependencies); nothing of the SDK's code is copied into this repository.
"""

import importlib.metadata
import importlib.util
import json
import pathlib
import re
import sys

PACKAGE = "huaweicloudsdkbssintl"
CLIENT = pathlib.Path("v2") / "bssintl_client.py"

# Each operation of the generated client has a classmethod like
#
#     def _list_sub_customers_http_info(cls, request):
#         http_info = {
#             "method": "POST",
#             "resource_path": "/v2/partners/sub-customers/query",
#             "request_type": request.__class__.__name__,
#             "response_type": "ListSubCustomersResponse"
#             }
#
# `[^}]*?` keeps each match inside its own dict literal.
HTTP_INFO = re.compile(
    r"def _(?P<function>\w+)_http_info\(cls, request\):\s*"
    r"http_info = \{[^}]*?"
    r'"method": "(?P<method>[A-Z]+)",[^}]*?'
    r'"resource_path": "(?P<path>[^"]+)",[^}]*?'
    r'"response_type": "(?P<response>\w+)"'
)


def fail(message):
    print(f"huawei_sdk_operations.py: error: {message}", file=sys.stderr)
    sys.exit(1)


def client_source():
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        fail(f"the Python package `{PACKAGE}` is not installed; run `pip install {PACKAGE}` first")
    for location in spec.submodule_search_locations:
        path = pathlib.Path(location) / CLIENT
        if path.is_file():
            return path, path.read_text(encoding="utf-8")
    fail(f"`{PACKAGE}` is installed but has no {CLIENT}; has the SDK's layout changed?")


def main():
    path, source = client_source()
    operations = {}
    for match in HTTP_INFO.finditer(source):
        response = match["response"]
        if not response.endswith("Response"):
            fail(f"{path}: _{match['function']}_http_info: response type `{response}` does not end in `Response`")
        route = f"{match['method']} {match['path']}"
        name = response[: -len("Response")]
        if operations.get(route, name) != name:
            fail(f"{path}: {route} is the route of both {operations[route]} and {name}")
        operations[route] = name
    if not operations:
        fail(f"{path}: no `_..._http_info` methods found; has the SDK's code layout changed?")
    print(
        json.dumps(
            {
                "sdk": PACKAGE,
                "version": importlib.metadata.version(PACKAGE),
                "operations": dict(sorted(operations.items())),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
