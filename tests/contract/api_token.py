#!/usr/bin/env python3
"""Signs in to a running CareCERT demo as a security lead, the way a person would (password,
then the two-step code from the demo key), creates an API token on the organisation's token
page and prints it. Used by tests/contract/run to fuzz the API as a real machine client.

Usage: api_token.py BASE_URL EMAIL PASSWORD TOTP_KEY
"""

import base64
import hashlib
import hmac
import html
import http.cookiejar
import re
import struct
import sys
import time
import urllib.parse
import urllib.request


def totp(key_base32: str, at: float) -> str:
    """The RFC 6238 code (SHA-1, 30-second steps, 6 digits) for the time `at`."""
    key = base64.b32decode(key_base32.upper() + "=" * (-len(key_base32) % 8))
    counter = struct.pack(">Q", int(at) // 30)
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


class Browser:
    """Just enough of a browser: cookies, forms with the CSRF field, redirects."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path) as r:
            return r.geturl(), r.read().decode()

    def post(self, path: str, page: str, fields: dict[str, str]) -> tuple[str, str]:
        fields = {"csrf_token": csrf_of(page), **fields}
        data = urllib.parse.urlencode(fields).encode()
        with self.opener.open(self.base + path, data=data) as r:
            return r.geturl(), r.read().decode()


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if not found:
        sys.exit("api_token: the page has no CSRF field")
    return found.group(1)


def main() -> None:
    base, email, password, key = sys.argv[1:5]
    b = Browser(base)
    _, page = b.get("/sign-in")
    url, page = b.post("/sign-in", page, {"email": email, "password": password, "next": "/"})
    if "/sign-in/two-step" not in url:
        sys.exit(f"api_token: signing in as {email} did not reach the two-step page ({url})")
    url, page = b.post("/sign-in/two-step", page, {"code": totp(key, time.time()), "next": "/"})
    orgs = re.findall(r'href="/organisations/([0-9a-f-]{36})"', page)
    if not orgs:
        sys.exit(f"api_token: no organisation to manage after two-step ({url})")
    tokens = f"/organisations/{orgs[0]}/api-tokens"
    _, page = b.get(tokens)
    _, page = b.post(tokens, page, {"name": "API contract check"})
    secret = re.search(r'id="token" type="text" value="([^"]+)"', page)
    if not secret:
        sys.exit("api_token: the token page did not show a new token")
    print(html.unescape(secret.group(1)))


if __name__ == "__main__":
    main()
