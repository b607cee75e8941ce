"""Inkubator: consultation booking and founding-group tracking for social-economy incubators."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask

from .config import Config, normalise_database_url, resource_dir

log = logging.getLogger(__name__)


class ConfigurationError(RuntimeError):
    """Raised at start-up when the configuration cannot work (e.g. no SECRET_KEY)."""


def create_app(config_class: type[Config] | Config = Config, *, strict: bool = True) -> Flask:
    """Build the application. Binds extensions, registers blueprints and CLI; no other effects.

    ``strict=False`` is used by the command line, where a missing SECRET_KEY must not stop
    `incubator db upgrade` or `incubator users list`; serving requests still refuses to start.
    """
    app = Flask(
        __name__,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
        instance_path=_instance_path(),
        instance_relative_config=True,
    )
    app.config.from_object(config_class)
    app.json.ensure_ascii = False  # JSON carries Polish letters as UTF-8, not \u escapes
    _configure_database(app)
    _check_secret_key(app, strict=strict)
    _configure_hosts(app, strict=strict)

    from . import models  # noqa: F401  (registers the tables)
    from .extensions import babel, csrf, db, limiter, login_manager, migrate
    from .i18n import localize_login, select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(Path(__file__).parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    localize_login(login_manager)

    from .db_events import install as install_db_events

    with app.app_context():
        install_db_events(db.engine)

    from .web import register_blueprints

    register_blueprints(app)

    from .cli import register_commands

    register_commands(app)
    return app


def _instance_path() -> str | None:
    """``INCUBATOR_INSTANCE_PATH`` moves the instance folder (SQLite file, demo secret, outbox);
    unset, Flask's default (``instance/`` next to the package) applies."""
    value = os.environ.get("INCUBATOR_INSTANCE_PATH")
    return str(Path(value).expanduser().resolve()) if value else None


def _configure_database(app: Flask) -> None:
    url = app.config.get("DATABASE_URL")
    if not url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{Path(app.instance_path) / 'incubator.db'}"
    url = normalise_database_url(url)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if url.startswith("sqlite"):
        # Seconds; writers wait for each other instead of failing with "database is locked".
        options.setdefault("connect_args", {"timeout": app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000})
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _check_secret_key(app: Flask, *, strict: bool) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if app.config.get("DEMO"):
        app.config["SECRET_KEY"] = _instance_secret(app)
        return
    if app.debug or app.config.get("TESTING"):
        app.config["SECRET_KEY"] = secrets.token_urlsafe(32)
        return
    message = (
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random value "
        '(e.g. python3 -c "import secrets; print(secrets.token_urlsafe(48))") before serving.'
    )
    if strict:
        raise ConfigurationError(message)

    # Command-line use: maintenance commands work, serving a page does not.
    def refuse_to_serve() -> None:
        raise ConfigurationError(message)

    app.before_request(refuse_to_serve)
    app.config["SECRET_KEY"] = secrets.token_urlsafe(32)


LOCAL_HOSTS = ("localhost", "127.0.0.1")
DEBUG_PUBLIC_URL = "http://127.0.0.1:5000"  # debug and demo without PUBLIC_URL


def _configure_hosts(app: Flask, *, strict: bool) -> None:
    """Check PUBLIC_URL (absolute links are built from it) and which hosts are answered.

    Requests whose Host header is not trusted are answered 400 before any view runs; the
    default trusts only PUBLIC_URL's host (and localhost in debug, testing and the demo).
    """
    local = bool(app.debug or app.config.get("TESTING") or app.config.get("DEMO"))
    url = (app.config.get("PUBLIC_URL") or "").strip().rstrip("/")
    if not url and local:
        url = DEBUG_PUBLIC_URL
    parts = urlsplit(url)
    message = ""
    if not url:
        message = (
            "PUBLIC_URL is not set. Set it to the address people use to reach the site, "
            "e.g. PUBLIC_URL=https://inkubator.example.org, before serving."
        )
    elif parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        message = (
            f"PUBLIC_URL {url!r} is not an http(s) address like https://inkubator.example.org."
        )
    if message:
        if strict:
            raise ConfigurationError(message)

        def refuse_to_serve() -> None:
            raise ConfigurationError(message)

        app.before_request(refuse_to_serve)
        app.config["PUBLIC_URL"] = DEBUG_PUBLIC_URL  # for commands; no page is served
        app.config["ALLOWED_HOSTS"] = None
        return
    app.config["PUBLIC_URL"] = url
    app.config["ALLOWED_HOSTS"] = trusted_hosts(
        app.config.get("ALLOWED_HOSTS"), parts.hostname or "", local=local
    )
    from .web.common.hosts import refuse_unknown_host

    # First of all request hooks: nothing runs for a Host header the site does not answer to.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_unknown_host)


def trusted_hosts(
    setting: str | list[str] | None, public_host: str, *, local: bool
) -> list[str] | None:
    """The TRUSTED_HOSTS setting as a list of names (None = any host, only when set to "*")."""
    if isinstance(setting, str):
        setting = [name.strip() for name in setting.split(",") if name.strip()]
    if setting:
        return None if "*" in setting else list(setting)
    return [public_host, *(LOCAL_HOSTS if local else ())]


def _instance_secret(app: Flask) -> str:
    """A per-installation secret for the demo, kept so sessions survive a restart."""
    path = Path(app.instance_path) / "demo-secret-key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
