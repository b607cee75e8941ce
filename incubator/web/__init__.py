"""Web layer: one blueprint package per area. Views are thin: parse, call a service, render."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import user_loader  # noqa: F401  (registers the Flask-Login loader)
    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .audit import bp as audit_bp
    from .auth import bp as auth_bp
    from .availability import bp as availability_bp
    from .booking import bp as booking_bp
    from .common.client import trust_proxies
    from .common.headers import register_security_headers
    from .common.inputs import IdConverter, refuse_bad_input
    from .common.limits import check_limits_only_where_they_apply
    from .common.outbox_flush import init_app as send_mail_after_responses
    from .common.request_ids import install as install_request_ids
    from .common.sessions import CookieSessions
    from .common.urls import API_ROOT
    from .errors import register_error_handlers
    from .event_pdfs import bp as event_pdfs_bp
    from .events import bp as events_bp
    from .feeds import bp as feeds_bp
    from .groups import bp as groups_bp
    from .main import bp as main_bp
    from .people import bp as people_bp
    from .projects import bp as projects_bp
    from .reports import bp as reports_bp
    from .staff import bp as staff_bp
    from .template_helpers import register_template_helpers

    # Before any route is added: the rules below resolve `<id:...>` against this map.
    app.url_map.converters["id"] = IdConverter
    app.session_interface = CookieSessions()
    install_request_ids(app)
    app.before_request(refuse_bad_input)
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/konto")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(projects_bp, url_prefix="/admin/projekty")
    app.register_blueprint(booking_bp)
    app.register_blueprint(staff_bp, url_prefix="/personel")
    app.register_blueprint(availability_bp, url_prefix="/personel/godziny")
    app.register_blueprint(api_bp, url_prefix=f"{API_ROOT}/v1")
    app.register_blueprint(reports_bp, url_prefix="/raporty")
    app.register_blueprint(groups_bp, url_prefix="/grupy")
    app.register_blueprint(events_bp, url_prefix="/wydarzenia")
    app.register_blueprint(people_bp, url_prefix="/osoby")
    app.register_blueprint(audit_bp, url_prefix="/audyt")
    app.register_blueprint(feeds_bp)  # /kalendarz/<token>.ics: no login, no session
    app.register_blueprint(event_pdfs_bp)  # /wydarzenia/<id>/….pdf, the public /certyfikat
    register_error_handlers(app)
    register_template_helpers(app)
    register_security_headers(app)
    trust_proxies(app)
    check_limits_only_where_they_apply(app)
    send_mail_after_responses(app)
