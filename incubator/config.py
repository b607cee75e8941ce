"""Configuration classes. `Config` reads the environment; subclasses override for tests and demo."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent  # the checkout root (in a wheel install: site-packages)
BUNDLED_DIR = PACKAGE_DIR / "_bundled"  # filled by setup.py's build step, in wheels only


def resource_dir(name: str, *, bundled: Path = BUNDLED_DIR, checkout: Path = ROOT) -> Path:
    """Where the top-level resource folder ``name`` (templates, static, seed_data) lives.

    A wheel carries it as ``incubator/_bundled/<name>`` (setup.py copies it there at build
    time); a checkout or an editable install keeps it at the root of the source tree. The
    bundled copy wins when present.
    """
    candidate = bundled / name
    return candidate if candidate.is_dir() else checkout / name


def normalise_database_url(url: str) -> str:
    """Accept the URL forms people paste (``postgres://``, ``postgresql://``) and pick psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _share(name: str, default: float) -> float:
    """A share such as 0.8: more than 0, at most 1; anything else stops the start with its name."""
    raw = os.environ.get(name)
    try:
        value = default if raw is None else float(raw.strip().replace(",", "."))
    except ValueError:
        value = -1.0
    if not 0 < value <= 1:
        raise ValueError(f"{name} must be a number above 0 and at most 1, e.g. 0.8; got {raw!r}")
    return value


# What the demo shows as the data controller and the data protection officer (RODO art. 13): made
# up, and recognised as such wherever they appear (the clause marks them, `incubator doctor` warns).
DEMO_DATA_CONTROLLER = (
    "Przykładowy Inkubator Ekonomii Społecznej, ul. Przykładowa 1, 00-001 Warszawa"
)
DEMO_DATA_PROTECTION_OFFICER = "Inspektor ochrony danych, iod@example.org"
PLACEHOLDERS = frozenset(
    {DEMO_DATA_CONTROLLER.casefold(), DEMO_DATA_PROTECTION_OFFICER.casefold()}
    | {"todo", "tbd", "changeme", "change-me", "xxx", "-", "placeholder"}
)


def is_placeholder(value: str | None) -> bool:
    """Whether a setting the public must read (the controller, the DPO) is unset or a stand-in."""
    text = (value or "").strip()
    return not text or text.casefold() in PLACEHOLDERS


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Production defaults; every value can be set from the environment."""

    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    # None means "a SQLite file in the instance folder", resolved in create_app.
    DATABASE_URL: str | None = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    DEMO = _bool("INCUBATOR_DEMO")
    TESTING = False

    TIMEZONE = "Europe/Warsaw"
    BABEL_DEFAULT_LOCALE = "pl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Warsaw"
    LANGUAGES = ("pl", "en")

    # Werkzeug's scrypt: a deliberately slow, memory-hard hash.
    PASSWORD_HASH_METHOD = "scrypt"
    PASSWORD_MIN_LENGTH = 10
    PASSWORD_RESET_MAX_AGE = timedelta(hours=2)

    MAX_CONTENT_LENGTH = 1024 * 1024  # no form or JSON body here comes near 1 MiB
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session

    # Every absolute link (password e-mails) is built from PUBLIC_URL, never from the request's
    # Host header; required outside debug, testing and the demo (create_app refuses to start).
    PUBLIC_URL: str | None = os.environ.get("PUBLIC_URL")
    # Host names the app answers to, from TRUSTED_HOSTS (comma-separated; a leading dot admits
    # subdomains, "*" any); others get 400 (web/common/hosts.py). Unset: PUBLIC_URL's host, plus
    # localhost and 127.0.0.1 in debug, testing and the demo. Not Flask's own TRUSTED_HOSTS key:
    # Flask 3.1 then builds no URL adapter, and the 400 page itself fails with a 500.
    ALLOWED_HOSTS: str | list[str] | None = os.environ.get("TRUSTED_HOSTS")
    # Sessions end after this long without a request, and this long after logging in at most
    # (web/common/sessions.py); the signed cookie itself is refused after SESSION_MAX_HOURS.
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
    SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "12"))
    PERMANENT_SESSION_LIFETIME = timedelta(hours=SESSION_MAX_HOURS)
    REMEMBER_COOKIE_DURATION = timedelta(hours=SESSION_MAX_HOURS)  # no "remember me" is offered

    # E-mail: with MAIL_SERVER unset, messages are written as .eml files to instance/outbox/.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    # After a response whose request queued e-mails, deliver them at once (after the response has
    # gone out); `incubator mail send` retries whatever this did not deliver.
    MAIL_SEND_AFTER_RESPONSE = _bool("MAIL_SEND_AFTER_RESPONSE", True)
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Inkubator Ekonomii Społecznej <inkubator@localhost>"
    )

    # Calendar entries (.ics downloads, e-mail attachments, feeds) carry UIDs "<id>@<domain>".
    # Set it once before going live and never change it: calendar programs match updates and
    # cancellations by UID, so a new domain would duplicate every subscribed event. Unset: the
    # host of PUBLIC_URL, else "inkubator.local" (exports/ics.py uid_domain).
    CALENDAR_UID_DOMAIN: str | None = os.environ.get("CALENDAR_UID_DOMAIN")

    # Rate limits (web/common/limits.py): each is a `limits` string such as "10 per minute" or
    # "5 per minute; 20 per hour". Counters live in RATELIMIT_STORAGE_URI: redis://… when
    # several workers serve, since memory:// counts per worker.
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "inkubator")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")  # per address
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "10 per 15 minutes")
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "20 per hour")
    RESET_RATE_LIMIT = os.environ.get("RESET_RATE_LIMIT", "5 per hour")
    # Checks of a certificate code on the public page (/certyfikat?kod=…), per client address.
    CERTIFICATE_CHECK_RATE_LIMIT = os.environ.get(
        "CERTIFICATE_CHECK_RATE_LIMIT", "10 per minute; 60 per hour"
    )
    # How many reverse proxies stand in front (nginx: 1). Only then is the client address taken
    # from X-Forwarded-For (and the scheme from X-Forwarded-Proto); 0 trusts no such header.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

    # The information clause (RODO art. 13, templates/main/_rodo_clause.html) names them: the
    # controller's name and address, the data protection officer's name and contact (e-mail).
    # Unset or a placeholder: the clause says so in plain sight and `incubator doctor` warns.
    DATA_CONTROLLER: str | None = os.environ.get("DATA_CONTROLLER")
    DATA_PROTECTION_OFFICER: str | None = os.environ.get("DATA_PROTECTION_OFFICER")

    # Booking policy (configurable, see docs/booking.md).
    BOOKING_MIN_NOTICE = timedelta(hours=int(os.environ.get("BOOKING_MIN_NOTICE_HOURS", "24")))
    BOOKING_HORIZON = timedelta(days=int(os.environ.get("BOOKING_HORIZON_DAYS", "60")))
    BOOKING_MAX_ACTIVE = int(os.environ.get("BOOKING_MAX_ACTIVE", "3"))
    BOOKING_CANCEL_NOTICE = timedelta(
        hours=int(os.environ.get("BOOKING_CANCEL_NOTICE_HOURS", "24"))
    )
    # How long a slot offered to the first person on the waitlist is held for them.
    WAITLIST_HOLD = timedelta(hours=int(os.environ.get("WAITLIST_HOLD_HOURS", "24")))
    # The share of a training's sessions (held since the person took their seat) a certificate
    # of completion needs: 0.8 is 4 of 5 (rounded up; domain/events.py sessions_needed).
    CERTIFICATE_MIN_SHARE = _share("CERTIFICATE_MIN_SHARE", 0.8)
    SQLITE_BUSY_TIMEOUT_MS = 15000
    # PostgreSQL: each worker listens for calendar changes on a connection of its own, so cached
    # slot listings need no query (services/slot_cache.py). 0 reads the versions on every listing
    # instead: for a pooler in transaction mode, where LISTEN does not work.
    SLOT_LISTEN = _bool("SLOT_LISTEN", True)


class DemoConfig(Config):
    """`incubator demo`: a local SQLite demo; the secret is kept in the instance folder."""

    DEMO = True
    # Made-up parties unless the environment names real ones; the clause flags them.
    DATA_CONTROLLER = Config.DATA_CONTROLLER or DEMO_DATA_CONTROLLER
    DATA_PROTECTION_OFFICER = Config.DATA_PROTECTION_OFFICER or DEMO_DATA_PROTECTION_OFFICER


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
    PUBLIC_URL = "https://inkubator.test"  # not the test client's host: links must not follow it
    # Fast hash in tests only; tests/web/test_auth.py checks the production default separately.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    RATELIMIT_ENABLED = False
    WTF_CSRF_ENABLED = False
    MAIL_SERVER = None
    # Not from the environment pytest runs in: tests set them when they need them.
    DATA_CONTROLLER = None
    DATA_PROTECTION_OFFICER = None
