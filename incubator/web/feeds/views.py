"""``GET /kalendarz/<token>.ics``: a subscribable calendar (issue #13), no login.

The token is the only credential, so the answers give nothing away: anything wrong (malformed,
too long, unknown, regenerated, a deactivated owner) is the same bare 404 with no page, and no
answer carries a cookie (a browser that happens to be logged in gets none back).
The token is never logged whole: an unexpected error is logged with its first characters and
answered as a plain 500. What a feed holds is decided in `services.calendar_feeds` and how an
entry is worded in `exports.calendar_entry`.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, request
from flask.wrappers import Response
from flask_babel import force_locale
from flask_babel import gettext as _

from ...clock import utcnow
from ...exports.calendar_entry import feed_bytes
from ...exports.event_entries import session_entries
from ...exports.ics import uid_domain
from ...extensions import db
from ...services import calendar_feeds
from ...services.calendar_feeds import Feed
from ..common.feed_links import FEED_ENDPOINT

bp = Blueprint("feeds", __name__)
log = logging.getLogger(__name__)

# Calendars poll; five minutes in the subscriber's own cache, never in a shared one.
CACHE_CONTROL = "private, max-age=300"
SHOWN_TOKEN_CHARS = 6


class FeedResponse(Response):
    """A feed's answer never carries a cookie: a browser that happens to be logged in would
    otherwise get its session cookie refreshed (Flask re-sends a permanent session's cookie on
    every request). Dropped as the headers are sent, after every hook has run."""

    def get_wsgi_headers(self, environ):  # type: ignore[no-untyped-def]
        headers = super().get_wsgi_headers(environ)
        headers.remove("Set-Cookie")
        return headers


@bp.get("/kalendarz/<token>.ics")
def feed(token: str) -> Response:
    try:
        found = calendar_feeds.resolve(db.session, token, now=utcnow())
        if found is None:
            return _plain(404, "Not Found")
        data = _calendar(found)
    except Exception:
        log.exception("Calendar feed %s… failed", token[:SHOWN_TOKEN_CHARS])
        return _plain(500, "Internal Server Error")  # no error page: it would log the path
    response = FeedResponse(data, mimetype="text/calendar")  # Flask adds "; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="inkubator.ics"'
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _plain(status: int, text: str) -> Response:
    return FeedResponse(text + "\n", status=status, mimetype="text/plain")


def _calendar(found: Feed) -> bytes:
    locale = found.owner.preferred_language
    with force_locale(locale):
        if found.office is not None:
            name = _("Inkubator: %(office)s office", office=found.office.name)
        else:
            name = _("Inkubator: my consultations")
    return feed_bytes(
        found.consultations,
        reader=found.audience,
        name=name,
        locale=locale,
        now=utcnow(),
        domain=uid_domain(current_app.config),
        extra=session_entries(found.sessions, locale=locale),
    )


@bp.after_app_request
def feed_cache(response: Response) -> Response:
    """A feed may be kept five minutes by the subscriber. Registered on the app before the
    security headers (`web.common.headers`), so it runs after them (Flask runs the app's
    after-request functions in reverse) and replaces their ``no-store`` for a feed only."""
    if request.endpoint == FEED_ENDPOINT and response.status_code == 200:
        response.headers["Cache-Control"] = CACHE_CONTROL
    return response
