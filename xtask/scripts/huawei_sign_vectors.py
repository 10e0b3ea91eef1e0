#!/usr/bin/env python3
"""Print SDK-HMAC-SHA256 signing vectors computed by Huawei Cloud's official Python SDK.

The Rust signer (partnergen_runtime::huawei_sign) is tested against these vectors: for
fixed credentials, time, host, paths, query parameters, headers and bodies, the official
SDK's own client pipeline (`Client.build_future_request`: path-parameter substitution,
query tuples, default headers, body serialisation) and its AK/SK signer
(`huaweicloudsdkcore.signer.signer.Signer`) produce the headers, request URI and
Authorization value below. The output is kept as test data in
runtime/tests/data/huawei_sign_vectors.json.

How to run it:

    pip install huaweicloudsdkbssintl==3.1.219   # pulls huaweicloudsdkcore
    python3 xtask/scripts/huawei_sign_vectors.py > runtime/tests/data/huawei_sign_vectors.json

Nothing is sent over the network: the signed request is built and recorded, never sent.
The SDK's clock is pinned by replacing the `datetime` class its signer module reads
`utcnow()` from, and the signer's canonical request and string to sign are recorded by
wrapping (not re-implementing) its own methods. Nothing of the SDK is copied; it is
imported and called.
"""

import datetime
import json
import sys
from importlib.metadata import version

import huaweicloudsdkcore.signer.signer as signer_module
from huaweicloudsdkbssintl.v2 import BssintlClient
from huaweicloudsdkcore.auth.credentials import GlobalCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig

AK = "HPUAEXAMPLEACCESSKEY01"
SK = "exampleSecretKey0123456789abcdefghijklmn"
HOST = "bss-intl.myhuaweicloud.com"
TIMESTAMP = 1700000000  # 2023-11-14T22:13:20Z

CASES = [
    {
        # (a) JSON body; one header with surrounding blanks (the signer trims values) and
        # one whose name contains `_` (sent, never signed).
        "name": "post json body",
        "method": "POST",
        "path": "/v2/partners/sub-customers/query",
        "headers": {
            "Content-Type": "application/json",
            "X-Client-Note": "  padded  value \t",
            "X_Trace_Id": "underscore-header-is-not-signed",
        },
        "body": '{"account_name":"客户 A","offset":0,"limit":10}',
    },
    {
        # (b) Query values that need encoding, a repeated key given out of order, an empty
        # value, and two keys whose order flips once encoded (`.` < `/`, but `%2F` < `.`).
        "name": "get query encoding",
        "method": "GET",
        "path": "/v2/orders/customer-orders",
        "query": [
            ("customer_id", "客户 ID+1/2:3"),
            ("status", "2"),
            ("status", "1"),
            ("remark", ""),
            ("order/by", "a b"),
            ("order.by", "x~y*z!'()"),
            ("offset", "0"),
        ],
    },
    {
        # (c) A path parameter the client percent-encodes (safe=''): `/`, space, non-ASCII,
        # `+`, `:`; `~` stays as it is.
        "name": "get path parameter",
        "method": "GET",
        "path": "/v2/orders/customer-orders/details/{order_id}",
        "path_params": {"order_id": "CS24/01 ü+x:y~z%"},
        "query": [("limit", "10")],
    },
    {
        # (d) PUT with a JSON body under a Content-Type with parameters (still signed).
        "name": "put json body",
        "method": "PUT",
        "path": "/v2/orders/customer-orders/cancel",
        "headers": {"Content-Type": "application/json;charset=UTF-8"},
        "body": '{"order_id":"CS2311142213ABCDE","customer_id":"0123456789abcdef"}',
    },
    {
        # (e) A non-JSON Content-Type: the signer adds X-Sdk-Content-Sha256:
        # UNSIGNED-PAYLOAD and signs that string in place of the body's hash.
        "name": "put unsigned payload",
        "method": "PUT",
        "path": "/v2/customers/realname-auths/enterprise",
        "headers": {"Content-Type": "text/plain; charset=utf-8"},
        "body": "any bytes at all",
    },
    {
        # (f) A trailing slash on the path (the canonical URI gets exactly one) and no body.
        "name": "get trailing slash",
        "method": "GET",
        "path": "/v2/orders/customer-orders/",
        "query": [("offset", "0"), ("limit", "1")],
    },
    {
        # (g) A non-JSON Content-Type with no body: X-Sdk-Content-Sha256 is added and
        # signed, but an empty body always hashes as the empty string.
        "name": "delete unsigned empty body",
        "method": "DELETE",
        "path": "/v2/partners/sub-customers/{customer_id}",
        "path_params": {"customer_id": "0123456789abcdef"},
        "headers": {"Content-Type": "text/plain"},
    },
]


class PinnedClock(datetime.datetime):
    """The signer's `datetime`, with `utcnow()` pinned to TIMESTAMP."""

    @classmethod
    def utcnow(cls):
        return cls.fromtimestamp(TIMESTAMP, tz=datetime.timezone.utc).replace(tzinfo=None)


def record_signer_internals(captured):
    """Wrap the signer's own methods to record what they build."""
    signer = signer_module.Signer
    canonical_request = signer._process_canonical_request
    string_to_sign = signer._process_string_to_sign
    sign = signer.sign

    def wrapped_sign(self, request):
        captured["headers_to_sign"] = list(request.header_params.items())
        return sign(self, request)

    def wrapped_canonical_request(self, request, signed_headers):
        captured["canonical_request"] = canonical_request(self, request, signed_headers)
        return captured["canonical_request"]

    def wrapped_string_to_sign(self, canonical, time):
        captured["string_to_sign"] = string_to_sign(self, canonical, time)
        return captured["string_to_sign"]

    signer.sign = wrapped_sign
    signer._process_canonical_request = wrapped_canonical_request
    signer._process_string_to_sign = wrapped_string_to_sign


def new_client():
    config = HttpConfig.get_default_config()
    # The default User-Agent names this machine's OS and Python; keep only the SDK's own.
    config.user_agent = ""
    return (
        BssintlClient.new_builder()
        .with_credentials(GlobalCredentials(AK, SK))  # no domain id: no X-Domain-Id header
        .with_http_config(config)
        .with_endpoints(["https://" + HOST])
        .build()
    )


def vector(client, captured, case):
    captured.clear()
    headers = dict(case.get("headers", {}))
    query = list(case.get("query", []))
    request = client.build_future_request(
        case["method"],
        case["path"],
        dict(case.get("path_params", {})),
        list(query),
        dict(headers),
        case.get("body"),
        None,  # post_params
        None,  # cname
        None,  # response_type
        {},  # collection_formats
        None,  # progress_callback
    ).result()
    body = request.body or b""
    path, _, raw_query = request.uri.partition("?")
    signed = request.header_params["Authorization"].split("SignedHeaders=")[1].split(",")[0]
    return {
        "name": case["name"],
        "method": case["method"],
        "host": request.host,
        "path_template": case["path"],
        "path_params": case.get("path_params", {}),
        # The path as sent: path parameters substituted and percent-encoded by the client.
        "path": path,
        "query": [[k, v] for k, v in query],
        # The query string as sent: the SDK sends its canonical query string.
        "raw_query": raw_query,
        "headers_given": headers,
        # The headers as they entered the signer (the client adds User-Agent and a
        # default Content-Type); the signer adds X-Sdk-Date, Host and, for non-JSON
        # bodies, X-Sdk-Content-Sha256.
        "headers_to_sign": [[k, v] for k, v in captured["headers_to_sign"]],
        "headers_sent": [[k, v] for k, v in request.header_params.items()],
        "body": body.decode("utf-8"),
        "timestamp": TIMESTAMP,
        "x_sdk_date": request.header_params["X-Sdk-Date"],
        "canonical_request": captured["canonical_request"],
        "string_to_sign": captured["string_to_sign"],
        "signed_headers": signed,
        "authorization": request.header_params["Authorization"],
    }


def main():
    signer_module.datetime = PinnedClock
    captured = {}
    record_signer_internals(captured)
    client = new_client()
    vectors = [vector(client, captured, case) for case in CASES]
    json.dump(
        {
            "sdk": "huaweicloudsdkcore",
            "version": version("huaweicloudsdkcore"),
            "client": "huaweicloudsdkbssintl",
            "client_version": version("huaweicloudsdkbssintl"),
            "access_key": AK,
            "secret_key": SK,
            "vectors": vectors,
        },
        sys.stdout,
        indent=2,
        ensure_ascii=False,
    )
    print()


if __name__ == "__main__":
    main()
