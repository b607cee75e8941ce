"""Smoke check of a running `incubator demo`: the home page in Polish and a demo log-in.

Usage: python smoke_wheel.py http://127.0.0.1:PORT [TIMEOUT_SECONDS]
Waits (bounded) for the server to answer, then fetches `/` (200, Polish text) and a style sheet,
reads the log-in form's CSRF token and logs in as the demo manager. Exits non-zero, with one line
saying why, on any failure. Standard library only: it runs with whichever Python is at hand.
"""

from __future__ import annotations

import http.cookiejar
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

EMAIL = "kierownik@example.org"
PASSWORD = "inkubator-demo"
POLISH = "Zaloguj"  # the log-in link/button in the Polish interface (the default locale)
LOGIN_PATH = "/konto/logowanie"
LOGOUT_PATH = "/konto/wyloguj"  # its form is on every page once logged in


def fail(message: str) -> None:
    print(f"smoke: FAIL {message}", file=sys.stderr)
    raise SystemExit(1)


def fetch(opener: urllib.request.OpenerDirector, url: str, data: dict | None = None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Accept-Language": "pl"})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.geturl(), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, url, error.read().decode("utf-8", "replace")


def wait_until_up(opener: urllib.request.OpenerDirector, base: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            fetch(opener, base + "/")
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    fail(f"no answer from {base} within {timeout:.0f} s")


def main(base: str, timeout: float) -> None:
    base = base.rstrip("/")
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    wait_until_up(opener, base, timeout)

    status, _, home = fetch(opener, base + "/")
    if status != 200:
        fail(f"GET / answered {status}")
    if 'lang="pl"' not in home or POLISH not in home:
        fail("GET / is not the Polish home page")

    status, _, _ = fetch(opener, base + "/static/css/app.css")
    if status != 200:
        fail(f"GET /static/css/app.css answered {status}")

    status, _, form = fetch(opener, base + LOGIN_PATH)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    if status != 200 or token is None:
        fail(f"GET {LOGIN_PATH} answered {status} without a CSRF token")
    status, final_url, page = fetch(
        opener,
        base + LOGIN_PATH,
        {"csrf_token": token.group(1), "email": EMAIL, "password": PASSWORD},
    )
    if status != 200:
        fail(f"POST {LOGIN_PATH} answered {status}")
    if urllib.parse.urlsplit(final_url).path == LOGIN_PATH or LOGOUT_PATH not in page:
        fail(f"the demo log-in as {EMAIL} did not succeed")
    print(f"smoke: OK home page and demo log-in at {base}")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        fail("usage: smoke_wheel.py BASE_URL [TIMEOUT_SECONDS]")
    main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) == 3 else 60.0)
