"""Rate limits on the doors an attacker knocks on: logging in, registering, asking for a reset,
checking a certificate code.

Each door has two buckets, and a request must fit in both:

* per client address (the address Werkzeug's `ProxyFix` recovers behind `TRUSTED_PROXIES`
  proxies, see `web.common.client`), so one machine cannot try many accounts;
* per target e-mail address (the one typed into the form or the JSON body, normalised the way
  accounts are looked up), so many machines cannot try one account, and one address cannot be
  flooded with registration or reset e-mails.

Logging in on the page and through ``POST /api/v1/session`` share both buckets, so switching
between them does not double an attacker's attempts. The counters live where
``RATELIMIT_STORAGE_URI`` says (``redis://…`` when several workers serve: in memory each worker
would count alone). The e-mail is kept there only as a hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Flask, current_app, request

from ...domain.accounts import InvalidEmail
from ...extensions import limiter
from ...services.accounts import normalise_email

EMAIL_FIELD = "email"


def submitted_email() -> str:
    """The e-mail address this request tries, as accounts are looked up ("" when none).

    Read from the form, or from a JSON object body (the API); anything unreadable counts as no
    address, and the view itself answers the bad input.
    """
    raw: Any = request.form.get(EMAIL_FIELD) if request.form else None
    if raw is None and request.is_json:
        try:
            body = request.get_json(silent=True)
        except RecursionError:  # absurdly nested JSON: the view refuses it
            body = None
        if isinstance(body, dict):
            raw = body.get(EMAIL_FIELD)
    if not isinstance(raw, str):
        return ""
    try:
        return normalise_email(raw)
    except InvalidEmail:
        return raw.strip().lower()


def email_key() -> str:
    """The rate-limit key for the target e-mail: a hash, so the store holds no addresses."""
    address = submitted_email().encode("utf-8", "replace")
    return "email:" + hashlib.sha256(address).hexdigest()


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def _per_address_and_email(setting: str, scope: str, account_setting: str | None = None):
    """A decorator applying `setting` per client address and per target e-mail (POST only)."""
    by_address = limiter.shared_limit(_setting(setting), scope=scope, methods=["POST"])
    by_email = limiter.shared_limit(
        _setting(account_setting or setting),
        scope=f"{scope}-email",
        key_func=email_key,
        methods=["POST"],
    )

    def decorate(view):
        limited = by_address(by_email(view))
        LIMITED_VIEWS.add(limited)
        return limited

    return decorate


# The login page and POST /api/v1/session: LOGIN_RATE_LIMIT per address,
# LOGIN_ACCOUNT_RATE_LIMIT per e-mail tried.
login_limit = _per_address_and_email("LOGIN_RATE_LIMIT", "login", "LOGIN_ACCOUNT_RATE_LIMIT")
# Registration: REGISTER_RATE_LIMIT per address and per e-mail registered.
register_limit = _per_address_and_email("REGISTER_RATE_LIMIT", "register")
# Password-reset requests: RESET_RATE_LIMIT per address and per e-mail asked for.
reset_limit = _per_address_and_email("RESET_RATE_LIMIT", "reset")


# The public check of a certificate code (GET /certyfikat?kod=…): CERTIFICATE_CHECK_RATE_LIMIT per
# client address, counting only requests that carry a code (the empty form is free), so nobody
# can walk through the codes.
CODE_FIELD = "kod"


def _no_code_typed() -> bool:
    return not request.args.get(CODE_FIELD, "").strip()


def certificate_check_limit(view):
    limited = limiter.shared_limit(
        _setting("CERTIFICATE_CHECK_RATE_LIMIT"),
        scope="certificate-check",
        methods=["GET"],
        exempt_when=_no_code_typed,
    )(view)
    LIMITED_VIEWS.add(limited)
    return limited


# The views the decorators above guard (what Flask registers as each endpoint's function).
LIMITED_VIEWS: set[Callable[..., Any]] = set()


def check_limits_only_where_they_apply(app: Flask) -> int:
    """Run Flask-Limiter's per-request hooks only on the endpoints that carry a limit.

    Flask-Limiter works out, on every request, which limits apply, and tidies up after it
    (~60 µs even for an exempt endpoint: a fifth of a cached slot listing). Here every limit is
    a decorator above, so other endpoints have none to check and nothing to tidy. With default or
    application-wide limits configured (``RATELIMIT_DEFAULT``, ``RATELIMIT_APPLICATION``) every
    request needs them, and they are left as they are. Returns the number of hooks wrapped (a
    test checks it, so a Flask-Limiter upgrade that registers its hooks differently shows).
    """
    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
        return 0
    views = app.view_functions

    def limited() -> bool:
        return views.get(request.endpoint or "") in LIMITED_VIEWS

    wrapped = 0
    for registry, wrap in (
        (app.before_request_funcs, _before),
        (app.after_request_funcs, _after),
        (app.teardown_request_funcs, _teardown),
    ):
        hooks = registry.get(None, [])
        for i, hook in enumerate(hooks):
            if _is_limiters(hook):
                hooks[i] = wrap(hook, limited)
                wrapped += 1
    return wrapped


def _is_limiters(hook: Callable[..., Any]) -> bool:
    """A hook Flask-Limiter registered: a method of `limiter`, or a partial bound to it."""
    if getattr(hook, "__self__", None) is limiter:
        return True
    return isinstance(hook, partial) and hook.args[:1] == (limiter,)


def _before(hook: Callable[[], Any], limited: Callable[[], bool]) -> Callable[[], Any]:
    def before_if_limited() -> Any:
        return hook() if limited() else None

    return before_if_limited


def _after(hook: Callable[[Any], Any], limited: Callable[[], bool]) -> Callable[[Any], Any]:
    def after_if_limited(response: Any) -> Any:
        return hook(response) if limited() else response

    return after_if_limited


def _teardown(hook: Callable[[Any], Any], limited: Callable[[], bool]) -> Callable[[Any], None]:
    def teardown_if_limited(error: Any) -> None:
        if limited():
            hook(error)

    return teardown_if_limited
