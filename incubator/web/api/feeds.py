"""`/api/v1/calendar-feed`: the address of the user's subscribable calendar (issue #13).

``GET`` answers ``{"url": ..., "webcal_url": ...}``, creating the feed on first use;
``POST /calendar-feed/regenerate`` replaces the token (the old address answers 404 at once) and
answers the new addresses. Clients and experts have one feed of their own. Managers have one per
office and must name it with ``branch_id`` (query string, or the JSON body of the POST); without
it the answer is 422 ``invalid_input`` on ``branch_id`` (the offices are listed by
``GET /branches``). A client or an expert naming an office gets 403 ``forbidden``; an unknown,
closed or filia office is 422 ``unknown_branch``. The rules are `services.calendar_feeds`';
registered on the API blueprint from here, like `reports` and `groups`.
"""

from __future__ import annotations

from flask import Response, jsonify

from ...clock import utcnow
from ...domain.errors import InvalidInput
from ...extensions import db
from ...models import CalendarFeed
from ...services import calendar_feeds
from ..common.access import current_actor
from ..common.client import client_ip
from ..common.feed_links import feed_links
from . import inputs
from .responses import login_required
from .views import bp


def feed_json(feed: CalendarFeed) -> dict[str, str | int | None]:
    links = feed_links(feed.token)
    return {"url": links.url, "webcal_url": links.webcal, "branch_id": feed.branch_id}


@bp.get("/calendar-feed")
@login_required
def calendar_feed_get() -> Response:
    """The address of the user's feed (a manager's: of the office `branch_id`)."""
    branch_id = inputs.int_arg("branch_id", required=False)
    feed = calendar_feeds.get_or_create(
        db.session, user=current_actor(), branch_id=branch_id, now=utcnow()
    )
    return jsonify(feed_json(feed))


@bp.post("/calendar-feed/regenerate")
@login_required
def calendar_feed_regenerate() -> Response:
    """A new address for the feed; the old one stops working at once."""
    body = inputs.json_body(allow_empty=True)
    from_query = inputs.int_arg("branch_id", required=False)
    from_body = inputs.int_field(body, "branch_id", required=False)
    if from_query is not None and from_body is not None and from_query != from_body:
        raise InvalidInput(field="branch_id", reason="conflicting")
    feed = calendar_feeds.regenerate(
        db.session,
        user=current_actor(),
        branch_id=from_body if from_body is not None else from_query,
        now=utcnow(),
        ip=client_ip(),
    )
    return jsonify(feed_json(feed))
