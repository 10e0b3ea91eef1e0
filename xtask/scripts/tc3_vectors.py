#!/usr/bin/env python3
"""Print TC3-HMAC-SHA256 signing vectors computed by Tencent Cloud's official Python SDK.

The Rust signer (partnergen_runtime) is tested against these vectors: for fixed
credentials, timestamp, host, action and body, the official SDK's own request builder
(`AbstractClient._build_req_with_tc3_signature`) produces the headers and Authorization
value below. The output is kept as test data in runtime/tests/data/tc3_vectors.json.

How to run it:

    pip install tencentcloud-sdk-python-intl-en==3.1.193
    python3 xtask/scripts/tc3_vectors.py > runtime/tests/data/tc3_vectors.json

Nothing of the SDK is copied; it is imported and called.
"""

import json
import sys
import time
from importlib.metadata import version

from tencentcloud.common.abstract_client import AbstractClient
from tencentcloud.common.credential import Credential
from tencentcloud.common.http.request import RequestInternal
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

SERVICE = "intlpartnersmgt"
VERSION = "2022-09-28"
HOST = "intlpartnersmgt.tencentcloudapi.com"

CASES = [
    # name, action, params (JSON-encoded by the SDK), token, language, timestamp[, raw UTF-8]
    ("plain payload", "QueryPartnerCredit", {"ClientUin": 100000000001, "Credit": 12.5}, None, None, 1700000000),
    ("non-ascii payload", "ModifyClientRemark", {"ClientUin": "100000000001", "Remark": "客户备注 ünïcödé"}, None, "zh-CN", 1710000000),
    ("non-ascii payload as raw UTF-8", "ModifyClientRemark", {"ClientUin": "100000000001", "Remark": "客户备注 ünïcödé"}, None, "zh-CN", 1710000000, True),
    ("empty payload", "QueryPartnerCredit", {}, None, None, 1700003600),
    ("session token", "QueryVoucherPool", {"Limit": 10}, "temporary-session-token", "en-US", 1735689599),
]


class Client(AbstractClient):
    _service = SERVICE
    _apiVersion = VERSION
    _endpoint = HOST


def vector(name, action, params, token, language, timestamp, raw_utf8=False):
    credential = Credential("AKIDexampleSecretId0123456789", "exampleSecretKey0123456789abcd", token)
    profile = ClientProfile()
    profile.httpProfile = HttpProfile(endpoint=HOST)
    if language:
        profile.language = language
    client = Client(credential, "ap-singapore", profile)
    request = RequestInternal(HOST, "POST", "/")
    real_time = time.time
    time.time = lambda: timestamp
    try:
        client._build_req_inter(action, params, request)
    finally:
        time.time = real_time
    if raw_utf8:
        # The SDK escapes non-ASCII characters; a client may send them as raw UTF-8.
        # Sign that body with the SDK's own routine, and build Authorization as it does.
        request.data = json.dumps(params, ensure_ascii=False)
        date = time.strftime("%Y-%m-%d", time.gmtime(timestamp))
        signature = client._get_tc3_signature(params, request, date, SERVICE, credential.secret_key)
        request.header["Authorization"] = (
            "TC3-HMAC-SHA256 Credential=%s/%s/%s/tc3_request, SignedHeaders=content-type;host, Signature=%s"
            % (credential.secret_id, date, SERVICE, signature)
        )
    # The SDK's own client-identification header is not part of the protocol.
    headers = {k: v for k, v in request.header.items() if k not in ("X-TC-RequestClient", "Authorization")}
    return {
        "name": name,
        "secret_id": credential.secret_id,
        "secret_key": credential.secret_key,
        "token": token,
        "region": "ap-singapore",
        "service": SERVICE,
        "version": VERSION,
        "action": action,
        "timestamp": timestamp,
        "language": language,
        "body": request.data,
        "headers": headers,
        "authorization": request.header["Authorization"],
    }


def main():
    vectors = [vector(*case) for case in CASES]
    json.dump(
        {"sdk": "tencentcloud-sdk-python-intl-en", "version": version("tencentcloud-sdk-python-intl-en"), "vectors": vectors},
        sys.stdout,
        indent=2,
        ensure_ascii=False,
    )
    print()


if __name__ == "__main__":
    main()
