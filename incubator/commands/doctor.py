"""`incubator doctor`: check the configuration an operator is about to go live with.

Every check is a plain function returning a `Check` (OK, WARN, FAIL or SKIP with a short
reason); the command only prints them, one a line, and exits 1 when any failed. A warning does not
stop the site from working, but must be fixed before going live (e.g. an information clause
that names no controller). Nothing here sends
mail, writes to the database or changes a setting. No secret is printed: database and Redis
URLs are shown with their password masked, and every line is scrubbed of the secret values
before it is written (exception texts included).
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from flask import current_app

from ..config import Config, is_placeholder
from ..services.mail import MailSettings

OK, WARN, FAIL, SKIP = "OK", "WARN", "FAIL", "SKIP"
TIMEOUT_S = 5.0  # every network check gives up after this long
MIN_SECRET_LENGTH = 32
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
OBVIOUS_SECRETS = {"secret", "changeme", "change-me", "password", "dev", "development", "test"}


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str

    def line(self) -> str:
        return f"{self.status:<4} {self.name}: {self.detail}"


def mask_url(url: str) -> str:
    """The URL with any password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return parts._replace(netloc=user + netloc).geturl()


def check_secret_key(secret: str | None) -> Check:
    name = "SECRET_KEY"
    if not secret:
        return Check(name, FAIL, "not set; sessions and tokens would be forgeable")
    if len(secret) < MIN_SECRET_LENGTH:
        return Check(name, FAIL, f"only {len(secret)} characters; use {MIN_SECRET_LENGTH} or more")
    if secret.strip().lower() in OBVIOUS_SECRETS or len(set(secret)) < 8:
        return Check(name, FAIL, "an obvious value; use a long random one")
    return Check(name, OK, f"set, {len(secret)} characters")


def check_public_url(url: str | None) -> Check:
    name = "PUBLIC_URL"
    url = (url or "").strip().rstrip("/")
    if not url:
        return Check(name, FAIL, "not set; e-mailed links need the site's address")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        return Check(name, FAIL, "not an http(s) address like https://inkubator.example.org")
    if parts.username or parts.password:
        return Check(name, FAIL, "must not carry a user name or password")
    return Check(name, OK, url)


def check_database(uri: str) -> tuple[Check, Check]:
    """Whether the database answers, and whether Alembic's revision there is the head."""
    from alembic.config import Config as AlembicConfig
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine, make_url
    from sqlalchemy.pool import NullPool

    url = make_url(uri)
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        if not Path(url.database).is_file():
            return (
                Check("database", FAIL, f"{shown}: the file does not exist"),
                Check("migrations", SKIP, "no database"),
            )
    connect_args = (
        {"connect_timeout": int(TIMEOUT_S)} if url.get_backend_name() == "postgresql" else {}
    )
    engine = create_engine(url, poolclass=NullPool, connect_args=connect_args)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
    except Exception as error:  # noqa: BLE001  (any driver error means "not reachable")
        return (
            Check("database", FAIL, f"{shown}: {_first_line(error)}"),
            Check("migrations", SKIP, "no database"),
        )
    finally:
        engine.dispose()
    alembic_config = AlembicConfig()
    alembic_config.set_main_option("script_location", str(MIGRATIONS))
    heads = set(ScriptDirectory.from_config(alembic_config).get_heads())
    reachable = Check("database", OK, f"{shown} answers")
    if not current:
        return reachable, Check(
            "migrations", FAIL, "the database is not migrated; run `incubator db upgrade`"
        )
    if set(current) != heads:
        return reachable, Check(
            "migrations",
            FAIL,
            f"at {', '.join(sorted(current))}, head is {', '.join(sorted(heads))}; "
            "run `incubator db upgrade`",
        )
    return reachable, Check("migrations", OK, f"at head {', '.join(sorted(heads))}")


def _writable(folder: Path) -> str | None:
    """None when a file can be created in `folder` (or, if it is missing, in its nearest
    existing parent, where the app would create it); otherwise the reason."""
    target = folder
    while not target.exists() and target != target.parent:
        target = target.parent
    if not target.is_dir():
        return f"{target} is not a folder"
    try:
        with tempfile.TemporaryFile(dir=target):
            pass
    except OSError as error:
        return f"{target} is not writable ({error.strerror or error})"
    return None


def check_folder(name: str, folder: Path) -> Check:
    problem = _writable(folder)
    if problem:
        return Check(name, FAIL, problem)
    return Check(name, OK, f"{folder} is writable")


def check_mail(settings: MailSettings) -> Check:
    """SMTP: connect, EHLO and (with MAIL_USE_TLS) STARTTLS; no mail is sent, no login tried.
    Without MAIL_SERVER, mail goes to the outbox folder, which must be writable."""
    if not settings.server:
        problem = _writable(settings.outbox)
        if problem:
            return Check("mail", FAIL, f"no MAIL_SERVER, and the outbox {problem}")
        return Check("mail", OK, f"no MAIL_SERVER; messages go to {settings.outbox}")
    where = f"{settings.server}:{settings.port}"
    try:
        with smtplib.SMTP(settings.server, settings.port, timeout=TIMEOUT_S) as smtp:
            smtp.ehlo()
            if settings.use_tls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
    except smtplib.SMTPNotSupportedError:
        return Check("mail", FAIL, f"{where} does not offer STARTTLS (MAIL_USE_TLS is on)")
    except (smtplib.SMTPException, OSError) as error:
        return Check("mail", FAIL, f"{where}: {_first_line(error)}")
    tls = ", STARTTLS" if settings.use_tls else ", no TLS (MAIL_USE_TLS is off)"
    return Check("mail", OK, f"{where} answers EHLO{tls}")


def check_redis(uri: str, enabled: bool = True) -> Check:
    name = "rate-limit storage"
    if not enabled:
        return Check(name, SKIP, "rate limits are off (RATELIMIT_ENABLED)")
    if not uri.startswith(("redis://", "rediss://", "unix://")):
        return Check(name, SKIP, f"{mask_url(uri)} is not Redis; it counts per worker")
    import redis

    try:
        client = redis.Redis.from_url(
            uri, socket_connect_timeout=TIMEOUT_S, socket_timeout=TIMEOUT_S
        )
        client.ping()
        client.close()
    except redis.RedisError as error:
        return Check(name, FAIL, f"{mask_url(uri)}: {_first_line(error)}")
    return Check(name, OK, f"{mask_url(uri)} answers PING")


def check_cookies(public_url: str | None, secure: bool) -> Check:
    name = "secure cookies"
    if urlsplit((public_url or "").strip()).scheme != "https":
        return Check(name, SKIP, "PUBLIC_URL is not https")
    if not secure:
        return Check(name, FAIL, "PUBLIC_URL is https but SESSION_COOKIE_SECURE is off")
    return Check(name, OK, "SESSION_COOKIE_SECURE is on")


def check_trusted_hosts(public_url: str | None, setting: str | list[str] | None) -> Check:
    from werkzeug.sansio.utils import host_is_trusted

    from .. import trusted_hosts

    name = "TRUSTED_HOSTS"
    host = urlsplit((public_url or "").strip()).hostname
    if not host:
        return Check(name, SKIP, "no PUBLIC_URL host to compare")
    allowed = trusted_hosts(setting, host, local=False)
    if allowed is None:
        return Check(name, OK, 'any host ("*"); the proxy must refuse unknown ones')
    if not host_is_trusted(host, allowed):
        return Check(name, FAIL, f"{', '.join(allowed)} leaves out PUBLIC_URL's host {host}")
    return Check(name, OK, ", ".join(allowed))


def check_clause_party(name: str, value: str | None, what: str) -> Check:
    """A party the information clause names (RODO art. 13): set, and not a placeholder."""
    if not (value or "").strip():
        return Check(name, WARN, f"not set; the information clause cannot name {what}")
    if is_placeholder(value):
        return Check(name, WARN, f"a placeholder ({value.strip()!r}); set {what}")
    return Check(name, OK, value.strip())


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:200]


def run_checks(
    config: Mapping[str, Any], instance_path: str, raw: Mapping[str, Any]
) -> list[Check]:
    """All checks, in order. `raw` holds SECRET_KEY, PUBLIC_URL and TRUSTED_HOSTS as configured:
    the command-line app replaces missing ones with stand-ins so that maintenance commands run."""
    public_url = raw.get("PUBLIC_URL")
    return [
        check_secret_key(raw.get("SECRET_KEY")),
        check_public_url(public_url),
        *check_database(config["SQLALCHEMY_DATABASE_URI"]),
        check_folder("instance folder", Path(instance_path)),
        check_mail(MailSettings.from_config(config, instance_path)),
        check_redis(
            config.get("RATELIMIT_STORAGE_URI") or "memory://",
            bool(config.get("RATELIMIT_ENABLED", True)),
        ),
        check_cookies(public_url, bool(config.get("SESSION_COOKIE_SECURE"))),
        check_trusted_hosts(public_url, raw.get("TRUSTED_HOSTS")),
        check_clause_party(
            "DATA_CONTROLLER",
            config.get("DATA_CONTROLLER"),
            "the data controller's name and address",
        ),
        check_clause_party(
            "DATA_PROTECTION_OFFICER",
            config.get("DATA_PROTECTION_OFFICER"),
            "the data protection officer's name and contact",
        ),
    ]


def scrub(line: str, secrets: Iterable[str | None]) -> str:
    """`line` with every secret value replaced by ***."""
    for secret in secrets:
        if secret and len(secret) >= 3:
            line = line.replace(secret, "***")
    return line


def _secrets(config: Mapping[str, Any], raw: Mapping[str, Any]) -> list[str | None]:
    values = [raw.get("SECRET_KEY"), config.get("SECRET_KEY"), config.get("MAIL_PASSWORD")]
    for key in ("SQLALCHEMY_DATABASE_URI", "RATELIMIT_STORAGE_URI"):
        try:
            values.append(urlsplit(str(config.get(key) or "")).password)
        except ValueError:
            continue
    return sorted((value for value in values if value), key=len, reverse=True)


@click.command("doctor")
def doctor() -> None:
    """Check the configuration before going live: one line per check; exit 1 on any FAIL.

    Checks SECRET_KEY, PUBLIC_URL, the database and its migrations, the instance folder, mail
    (SMTP or the outbox), the Redis rate-limit storage, secure cookies and TRUSTED_HOSTS; warns
    when DATA_CONTROLLER or DATA_PROTECTION_OFFICER (named by the information clause) is unset
    or a placeholder.
    """
    config = current_app.config
    # As configured in the environment (the command-line app fills in stand-ins when missing).
    raw = {
        "SECRET_KEY": Config.SECRET_KEY,
        "PUBLIC_URL": Config.PUBLIC_URL,
        "TRUSTED_HOSTS": os.environ.get("TRUSTED_HOSTS"),
    }
    checks = run_checks(config, current_app.instance_path, raw)
    secrets = _secrets(config, raw)
    for check in checks:
        click.echo(scrub(check.line(), secrets))
    failed = sum(check.status == FAIL for check in checks)
    warned = sum(check.status == WARN for check in checks)
    if warned:
        click.echo(f"{warned} of {len(checks)} checks gave a warning; fix them before going live.")
    if failed:
        click.echo(f"{failed} of {len(checks)} checks failed.")
        raise SystemExit(1)
    if not warned:
        click.echo(f"All {len(checks)} checks passed or were skipped.")


commands = [doctor]
