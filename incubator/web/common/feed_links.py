"""The addresses of a calendar feed, for the account page and the API alike.

Built from PUBLIC_URL (`links.public_url_for`), never from the request's Host: the address is
copied into Google Calendar or Outlook and must stay the site's own. ``webcal://`` is the same
address with the scheme calendar programs register for, so a click offers to subscribe.
"""

from __future__ import annotations

from dataclasses import dataclass

from .links import public_url_for

FEED_ENDPOINT = "feeds.feed"


@dataclass(frozen=True)
class FeedLinks:
    url: str  # https://…/kalendarz/<token>.ics
    webcal: str  # webcal://…/kalendarz/<token>.ics


def feed_links(token: str) -> FeedLinks:
    url = public_url_for(FEED_ENDPOINT, token=token)
    return FeedLinks(url=url, webcal="webcal://" + url.split("://", 1)[1])
