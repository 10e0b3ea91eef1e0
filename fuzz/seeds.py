#!/usr/bin/env python3
"""Writes the seed requests of the raw mock-server targets (corpus/tencent_server and
corpus/huawei_server): signed and unsigned API calls, admin calls and malformed heads.
Each seed's first byte switches checks off (see the targets). Standard library only;
signed with the generated crates' mock test credentials at a fixed time, so the seeds
that keep the clock-skew check off are the ones that pass the signature."""
import hashlib, hmac, json, os, time

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, switches, raw):
    path = os.path.join(HERE, "corpus", target, name)
    with open(path, "wb") as f:
        f.write(bytes([switches]) + raw)


def http(method, target, headers, body=b""):
    head = f"{method} {target} HTTP/1.1\r\n"
    for k, v in headers:
        head += f"{k}: {v}\r\n"
    if body or method in ("POST", "PUT"):
        head += f"content-length: {len(body)}\r\n"
    return (head + "\r\n").encode() + body


def sha(b):
    return hashlib.sha256(b).hexdigest()


def hm(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


# Tencent Cloud API 3.0 (TC3-HMAC-SHA256), AKIDmock / mock-secret-key.
TS = 1_700_000_000


def tc3(action, body, ts=TS, token=None):
    host, ctype = "127.0.0.1", "application/json"
    date = time.strftime("%Y-%m-%d", time.gmtime(ts))
    canonical = f"POST\n/\n\ncontent-type:{ctype}\nhost:{host}\n\ncontent-type;host\n{sha(body)}"
    to_sign = f"TC3-HMAC-SHA256\n{ts}\n{date}/intlpartnersmgt/tc3_request\n{sha(canonical.encode())}"
    key = hm(hm(hm(b"TC3mock-secret-key", date), "intlpartnersmgt"), "tc3_request")
    sig = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers = [
        ("Host", host),
        ("Content-Type", ctype),
        ("X-TC-Action", action),
        ("X-TC-Version", "2022-09-28"),
        ("X-TC-Timestamp", str(ts)),
        ("Authorization", f"TC3-HMAC-SHA256 Credential=AKIDmock/{date}/intlpartnersmgt/tc3_request, "
                          f"SignedHeaders=content-type;host, Signature={sig}"),
    ]
    if token:
        headers.append(("X-TC-Token", token))
    return http("POST", "/", headers, body)


CLOCK_OFF, ALL_OFF = 0b10, 0b11111
T = "tencent_server"
write(T, "signed-query", CLOCK_OFF, tc3("QueryCustomersCredit", b'{"FilterType":"ClientUin","Filter":"1","Page":1,"Length":10}'))
write(T, "signed-policies-mapped-ip", CLOCK_OFF | 0x80, tc3("DescribeBillSummary", b'{"BillMonth":"2024-01"}'))
write(T, "signed-bad-params", CLOCK_OFF, tc3("CreateAccount", b'{"AccountType":1,"Mail":"a@b.c"}'))
write(T, "signed-with-token", CLOCK_OFF, tc3("QueryCustomersCredit", b"{}", token="t"))
write(T, "unsigned-all-off", ALL_OFF, http("POST", "/", [("Host", "h"), ("Content-Type", "application/json; charset=utf-8"),
    ("X-TC-Action", "CreateAccount"), ("X-TC-Version", "2022-09-28"), ("X-TC-Timestamp", "-9223372036854775807")],
    b'{"AccountType":"personal","Mail":"a@b.c","Password":"p","ConfirmPassword":"p","PhoneNum":"1","CountryCode":"86","Area":"x","VerifyCode":"1"}'))
write(T, "get-root", 0, http("GET", "/?a=b", [("Host", "h")]))
write(T, "chunked", ALL_OFF, b"POST / HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nX-TC-Action: QueryCustomersCredit\r\n"
      b"X-TC-Version: 2022-09-28\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
write(T, "admin-log", 0, http("GET", "/_mock/log", [("Host", "h")]))
write(T, "admin-checks", 0, http("POST", "/_mock/checks", [("Host", "h")], b'{"qps": false, "clock-skew": false}'))
write(T, "admin-rules", 0, http("POST", "/_mock/rules", [("Host", "h")],
      json.dumps([{"action": "QueryCustomersCredit", "match": {"Page": 1}, "replies": [{"error": {"code": "RequestLimitExceeded", "message": "slow down"}, "times": 2}, {"response": {"Total": 0}}]}]).encode()))
write(T, "admin-policies", 0, http("POST", "/_mock/policies", [("Host", "h")],
      json.dumps({"secret_id": "AKIDmock", "policies": [{"statement": [{"effect": "deny", "action": "intlpartnersmgt:*"}]}]}).encode()))
write(T, "pipelined", ALL_OFF, http("GET", "/_mock/calls", [("Host", "h")]) + http("POST", "/_mock/reset", [("Host", "h")]))


# Huawei SDK-HMAC-SHA256, MOCKACCESSKEY0000000 / mock-secret-key.
def quote(s):
    safe = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    return "".join(chr(b) if b in safe else "%%%02X" % b for b in s.encode())


def huawei(method, path, query, body, ts=TS):
    date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(ts))
    headers = [("Content-Type", "application/json"), ("X-Sdk-Date", date), ("Host", "127.0.0.1")]
    qs = "&".join(f"{quote(k)}={quote(v)}" for k, v in sorted(query))
    uri = "/".join(quote(seg) for seg in path.split("/"))
    if not uri.endswith("/"):
        uri += "/"
    signed = sorted(k.lower() for k, _ in headers)
    lines = "".join(f"{k.lower()}:{v}\n" for k, v in sorted(headers, key=lambda h: h[0].lower()))
    payload = sha(body) if body else sha(b"")
    canonical = f"{method}\n{uri}\n{qs}\n{lines}\n{';'.join(signed)}\n{payload}"
    to_sign = f"SDK-HMAC-SHA256\n{date}\n{sha(canonical.encode())}"
    sig = hmac.new(b"mock-secret-key", to_sign.encode(), hashlib.sha256).hexdigest()
    headers.append(("Authorization", f"SDK-HMAC-SHA256 Access=MOCKACCESSKEY0000000, SignedHeaders={';'.join(signed)}, Signature={sig}"))
    target = path + (f"?{qs}" if qs else "")
    return http(method, target, headers, body)


H = "huawei_server"
write(H, "signed-create", CLOCK_OFF, huawei("POST", "/v2/partners/sub-customers", [],
      b'{"xaccount_id":"x","domain_area":"CN","is_close_market_ms":false}'))
write(H, "signed-query-list", CLOCK_OFF, huawei("GET", "/v2/orders/customer-orders", [("limit", "10"), ("offset", "0"), ("order_id", "CS 01")], b""))
write(H, "signed-invoices", CLOCK_OFF | 0x80, huawei("GET", "/v1.0/abc123/payments/intl-invoices", [("limit", "x")], b""))
write(H, "unsigned-all-off", 0b1111, http("PUT", "/v2/customers/realname-auths/enterprise", [("Host", "h"), ("Content-Type", "application/json")],
      b'{"customer_id":"c","identify_type":1,"verified_type":0,"corp_name":"n","verified_number":"1","reg_country":"CN","reg_address":"a"}'))
write(H, "unknown-route", 0, http("DELETE", "/v2/nothing/%2F..%2F", [("Host", "h")]))
write(H, "admin-permissions", 0, http("POST", "/_mock/permissions", [("Host", "h")], b'{"permissions": ["BPC_ITEM_SUBCUSTSERV_010100"]}'))
write(H, "admin-log", 0, http("GET", "/_mock/log", [("Host", "h")]))
