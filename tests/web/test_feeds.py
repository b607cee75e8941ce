"""Calendar feeds through the test client (issue #13), on SQLite and PostgreSQL.

Every feed is read back with two independent parsers, icalendar and vobject, and the instants
are compared in UTC, across the March and October DST changes of 2027. Also: no login, no
session cookie, 404 for anything wrong, what each reader may see, the window, cancellations,
regenerating on the account page and through the API.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import vobject
from icalendar import Calendar
from sqlalchemy import select

from incubator.domain.consultations import ConsultationStatus
from incubator.models import AuditEvent, CalendarFeed
from incubator.services import calendar_feeds
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    create_branch,
    create_client,
    create_consultation,
    create_domain,
    create_expert,
    create_manager,
)
from tests.helpers import local
from tests.web import test_api
from tests.web.test_api import API, as_user

fresh_request_globals = test_api.fresh_request_globals

# "Now" for the feeds: a week before the spring change, so both changes of 2027 are ahead.
NOW = datetime(2027, 3, 21, 10, 0, tzinfo=UTC)
SPRING = date(2027, 3, 28)  # 02:00 CET -> 03:00 CEST
AUTUMN = date(2027, 10, 31)  # 03:00 CEST -> 02:00 CET
NOTES = "Klient ma długi w ZUS — poufne"
CANCEL_REASON = "Choroba dziecka"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch) -> None:
    import incubator.web.feeds.views as views

    monkeypatch.setattr(views, "utcnow", lambda: NOW)


@pytest.fixture()
def world(db) -> dict[str, Any]:
    klucze = create_branch(
        code="klucze", name="Klucze", address="ul. Rynek 1, 32-310 Klucze", phone="+48 32 642 00 00"
    )
    sacz = create_branch(code="nowy-sacz", name="Nowy Sącz", address="ul. Długa 5")
    piwniczna = create_branch(code="piwniczna", name="Piwniczna-Zdrój", parent_id=sacz.id)
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    nowak = create_expert(
        domains=[law], branches=[klucze, sacz], title="mec.", full_name="Anna Nowak",
        email="nowak@example.org", phone="+48 600 100 200",
    )  # fmt: skip
    other = create_expert(domains=[law], branches=[sacz], full_name="Jan Inny")
    maria = create_client(
        full_name="Maria Wiśniewska", email="maria@example.org", phone="+48 601 234 567"
    )
    zofia = create_client(full_name="Zofia Lis", email="zofia@example.org", phone="+48 602 0")
    piotr = create_client(full_name="Piotr Zając", email="piotr@example.org", phone="+48 603 0")
    manager = create_manager(full_name="Ewa Kierownik", email="ewa@example.org")
    common = dict(expert=nowak, area=law)
    rows = {
        "spring_before": create_consultation(  # 01:30 CET, just before the change
            client=maria, branch=klucze, start_dt=local(SPRING, 1, 30), notes=NOTES, **common
        ),
        "spring_after": create_consultation(  # 03:30 CEST, just after it
            client=maria, branch=klucze, start_dt=local(SPRING, 3, 30), **common
        ),
        "spring_day": create_consultation(
            client=maria, branch=klucze, start_dt=local(SPRING, 9), topic="Statut", **common
        ),
        "autumn_before": create_consultation(  # 01:30 CEST, before the change
            client=maria, branch=klucze, start_dt=local(AUTUMN, 1, 30), **common
        ),
        "autumn_day": create_consultation(
            client=maria, branch=klucze, start_dt=local(AUTUMN, 9), attendees=[zofia], **common
        ),
        "days_29_ago": create_consultation(
            client=maria, branch=klucze, start_dt=NOW - timedelta(days=29), **common
        ),
        "days_31_ago": create_consultation(
            client=maria, branch=klucze, start_dt=NOW - timedelta(days=31), **common
        ),
        "piotr": create_consultation(  # another client with the same expert
            client=piotr,
            branch=sacz,
            start_dt=local(date(2027, 4, 6), 10),
            topic="Długi",
            **common,
        ),  # fmt: skip
        "filia": create_consultation(
            expert=other,
            area=law,
            client=piotr,
            branch=piwniczna,
            start_dt=local(date(2027, 4, 7), 10),
        ),  # fmt: skip
    }
    return {
        "klucze": klucze, "sacz": sacz, "piwniczna": piwniczna, "nowak": nowak, "other": other,
        "maria": maria, "zofia": zofia, "piotr": piotr, "manager": manager, "rows": rows,
    }  # fmt: skip


def feed_path(app, user, branch_id: int | None = None) -> str:
    """The path of the user's feed (created on first use, as the account page does)."""
    from incubator.extensions import db

    feed = calendar_feeds.get_or_create(db.session, user=user, branch_id=branch_id, now=NOW)
    return f"/kalendarz/{feed.token}.ics"


def parse_both(data: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """The events by UID, once from icalendar and once from vobject."""
    first = {str(e["UID"]): e for e in Calendar.from_ical(data).walk("VEVENT")}
    second = {e.uid.value: e for e in vobject.readOne(data.decode("utf-8")).vevent_list}
    assert set(first) == set(second)
    return first, second


def uid(consultation) -> str:
    return f"{consultation.uid}@inkubator.test"


def fetch(client, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return response.data


# --- the feed itself -------------------------------------------------------------------------


def test_instants_across_both_dst_changes_read_the_same_in_two_parsers(app, client, world):
    data = fetch(client, feed_path(app, world["nowak"]))
    first, second = parse_both(data)
    expected = {
        "spring_before": datetime(2027, 3, 28, 0, 30, tzinfo=UTC),  # 01:30 CET
        "spring_after": datetime(2027, 3, 28, 1, 30, tzinfo=UTC),  # 03:30 CEST
        "spring_day": datetime(2027, 3, 28, 7, 0, tzinfo=UTC),  # 09:00 CEST
        "autumn_before": datetime(2027, 10, 30, 23, 30, tzinfo=UTC),  # 01:30 CEST
        "autumn_day": datetime(2027, 10, 31, 8, 0, tzinfo=UTC),  # 09:00 CET
    }
    for key, instant in expected.items():
        row = world["rows"][key]
        assert first[uid(row)].decoded("DTSTART").astimezone(UTC) == instant, key
        assert second[uid(row)].dtstart.value.astimezone(UTC) == instant, key
        assert second[uid(row)].dtend.value.astimezone(UTC) == instant + timedelta(hours=1), key
    assert b"DTSTART;TZID=Europe/Warsaw:20270328T033000" in data
    assert b"DTSTART;TZID=Europe/Warsaw:20271031T090000" in data


def test_the_vtimezone_agrees_with_the_tz_database_every_year():
    """The zone written into every calendar, read the way vobject reads it (from the VTIMEZONE,
    not by name), gives the tz database's offset around both changes of every year 2000-2040,
    both ways. (icalendar's generated zone failed this: summer wall-clock times read as CET.)"""
    from incubator.domain.calendar import WARSAW
    from incubator.exports.ics import WARSAW_VTIMEZONE

    text = f"BEGIN:VCALENDAR\r\n{WARSAW_VTIMEZONE}END:VCALENDAR\r\n"
    zone = vobject.readOne(text).vtimezone.gettzinfo()
    checked = 0
    for year in range(2000, 2041):
        for month in (3, 10):
            start = datetime(year, month, 24, tzinfo=UTC)
            for half_hour in range(9 * 48):  # 24 March / October .. 1 April / November
                instant = start + timedelta(minutes=30 * half_hour)
                local = instant.astimezone(WARSAW).replace(tzinfo=None)
                assert instant.astimezone(zone).replace(tzinfo=None) == local, instant
                # and back: a wall-clock time, as a calendar reads DTSTART (not the repeated hour)
                if local.replace(tzinfo=WARSAW, fold=1) == local.replace(tzinfo=WARSAW):
                    assert local.replace(tzinfo=zone).astimezone(UTC) == instant, local
                    checked += 1
    assert checked > 30_000


def test_calendar_properties_name_it_and_ask_for_hourly_refresh(app, client, world):
    data = fetch(client, feed_path(app, world["nowak"]))
    calendar = Calendar.from_ical(data)
    assert str(calendar["X-WR-CALNAME"]) == "Inkubator: moje konsultacje"
    assert calendar.decoded("REFRESH-INTERVAL") == timedelta(hours=1)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"
    parsed = vobject.readOne(data.decode("utf-8"))
    assert parsed.contents["x-published-ttl"][0].value == "PT1H"


def test_the_window_is_the_last_30_days_and_everything_ahead(app, client, world):
    first, _ = parse_both(fetch(client, feed_path(app, world["nowak"])))
    rows = world["rows"]
    assert uid(rows["days_29_ago"]) in first
    assert uid(rows["days_31_ago"]) not in first
    assert uid(rows["autumn_day"]) in first  # seven months ahead


def test_an_expert_sees_who_comes_but_nothing_private(app, client, world):
    data = fetch(client, feed_path(app, world["nowak"]))
    first, second = parse_both(data)
    event = first[uid(world["rows"]["autumn_day"])]
    assert str(event["SUMMARY"]) == "Konsultacja: Prawo — Maria Wiśniewska i 1 inna osoba"
    assert "Uczestnicy: Maria Wiśniewska, Zofia Lis" in str(event["DESCRIPTION"])
    assert second[uid(world["rows"]["piotr"])].summary.value.endswith("Piotr Zając")
    text = data.decode("utf-8").replace("\r\n ", "")  # unfolded
    for secret in (NOTES, "+48 601", "+48 602", "maria@example.org", "zofia@example.org"):
        assert secret not in text, secret
    assert uid(world["rows"]["filia"]) not in first  # another expert's


def test_a_clients_feed_has_their_bookings_only_and_no_one_elses_data(app, client, world):
    zofia = world["zofia"]
    data = fetch(client, feed_path(app, zofia))
    first, second = parse_both(data)
    assert set(first) == {uid(world["rows"]["autumn_day"])}  # attends Maria's consultation
    event = second[uid(world["rows"]["autumn_day"])]
    assert event.summary.value == "Konsultacja: Prawo — mec. Anna Nowak"
    assert event.location.value == "Klucze, ul. Rynek 1, 32-310 Klucze"
    text = data.decode("utf-8").replace("\r\n ", "")
    for other in ("Maria", "Wiśniewska", "Piotr", "+48 60", "@example.org", NOTES):
        assert other not in text, other
    maria, _ = parse_both(fetch(client, feed_path(app, world["maria"])))
    assert uid(world["rows"]["piotr"]) not in maria and uid(world["rows"]["spring_day"]) in maria
    assert "Temat: Statut" in str(maria[uid(world["rows"]["spring_day"])]["DESCRIPTION"])


def test_an_office_feed_holds_that_office_and_its_filie_only(app, client, world):
    manager, rows = world["manager"], world["rows"]
    sacz, _ = parse_both(fetch(client, feed_path(app, manager, world["sacz"].id)))
    assert set(sacz) == {uid(rows["piotr"]), uid(rows["filia"])}  # Piwniczna is its filia
    klucze, second = parse_both(fetch(client, feed_path(app, manager, world["klucze"].id)))
    assert uid(rows["piotr"]) not in klucze and uid(rows["spring_day"]) in klucze
    summary = second[uid(rows["spring_day"])].summary.value
    assert summary == "mec. Anna Nowak — Maria Wiśniewska (Prawo)"
    calendar = Calendar.from_ical(fetch(client, feed_path(app, manager, world["klucze"].id)))
    assert str(calendar["X-WR-CALNAME"]) == "Inkubator: oddział Klucze"


def test_the_owners_language_words_the_feed(app, client, db, world):
    world["nowak"].preferred_language = "en"
    db.session.commit()
    first, _ = parse_both(fetch(client, feed_path(app, world["nowak"])))
    assert str(first[uid(world["rows"]["spring_day"])]["SUMMARY"]) == (
        "Consultation: Law — Maria Wiśniewska"
    )


def test_a_cancelled_consultation_keeps_its_uid_with_a_higher_sequence(app, client, db, world):
    path = feed_path(app, world["maria"])
    row = world["rows"]["spring_day"]
    before, _ = parse_both(fetch(client, path))
    assert before[uid(row)]["STATUS"] == "CONFIRMED"
    client_a = as_user(app, world["maria"])
    response = client_a.post(f"{API}/consultations/{row.id}/cancel", json={})
    assert response.status_code == 200, response.json
    first, second = parse_both(fetch(client, path))
    assert first[uid(row)]["STATUS"] == "CANCELLED"
    assert second[uid(row)].status.value == "CANCELLED"
    assert int(second[uid(row)].sequence.value) > int(before[uid(row)]["SEQUENCE"])


def test_staff_cancellation_reasons_stay_out_of_every_feed(app, client, db, world):
    row = world["rows"]["piotr"]
    row.status, row.cancel_reason = ConsultationStatus.CANCELLED, CANCEL_REASON
    row.sequence += 1
    db.session.commit()
    readers = ((world["nowak"], None), (world["piotr"], None), (world["manager"], world["sacz"].id))
    for user, branch_id in readers:
        data = fetch(client, feed_path(app, user, branch_id)).decode("utf-8")
        assert "STATUS:CANCELLED" in data and CANCEL_REASON not in data


# --- no login, no session, nothing given away -------------------------------------------------


def test_no_login_no_cookie_and_a_private_short_cache(app, client, world):
    path = feed_path(app, world["maria"])
    login(client, world["maria"].email, PASSWORD)  # even a logged-in browser gets no cookie
    response = client.get(path)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "private, max-age=300"
    anonymous = app.test_client().get(path)
    assert anonymous.status_code == 200 and "Set-Cookie" not in anonymous.headers
    head = app.test_client().head(path)
    assert head.status_code == 200 and head.data == b""


@pytest.mark.parametrize(
    "token", ["x", "a" * 43, "a" * 65, "a" * 300, "a b" * 15, "ą" * 43, "a.b" * 15, "%2e" * 20]
)
def test_anything_wrong_is_a_bare_404(app, client, world, token):
    feed_path(app, world["maria"])  # a real feed exists
    response = client.get(f"/kalendarz/{token}.ics")
    assert response.status_code == 404
    assert response.data == b"Not Found\n"  # the same for every wrong token: nothing told
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_what_is_not_a_feed_address_is_an_ordinary_404(client, world):
    for path in ("/kalendarz/..%2F..%2Fetc.ics", "/kalendarz/", "/kalendarz/abc"):
        assert client.get(path).status_code == 404, path


def test_a_regenerated_token_is_404_at_once(app, client, db, world):
    old = feed_path(app, world["nowak"])
    assert client.get(old).status_code == 200
    page = app.test_client()
    login(page, world["nowak"].email, PASSWORD)
    response = page.post("/konto/kalendarz/nowy-adres")
    assert response.status_code == 302
    assert client.get(old).status_code == 404
    new = feed_path(app, world["nowak"])
    assert new != old and client.get(new).status_code == 200
    assert response.headers["Location"].endswith("/konto/")


def test_a_deactivated_owner_or_a_closed_office_is_404(app, client, db, world):
    own, office = feed_path(app, world["nowak"]), feed_path(app, world["manager"], world["sacz"].id)
    world["nowak"].active = False
    world["sacz"].active = False
    db.session.commit()
    assert client.get(own).status_code == 404
    assert client.get(office).status_code == 404


def test_a_feed_that_no_longer_fits_the_role_is_404(app, client, db, world):
    path = feed_path(app, world["maria"])
    world["maria"].role = "manager"
    db.session.commit()
    assert client.get(path).status_code == 404


def test_the_token_is_not_logged_whole(app, client, world, monkeypatch, caplog):
    path = feed_path(app, world["nowak"])
    token = path.removeprefix("/kalendarz/").removesuffix(".ics")

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("incubator.web.feeds.views.feed_bytes", broken)
    response = client.get(path)
    assert response.status_code == 500 and token.encode() not in response.data
    assert "Calendar feed" in caplog.text and token[:6] in caplog.text
    assert token not in caplog.text


# --- the account page -------------------------------------------------------------------------


def page_of(app, user) -> str:
    browser = app.test_client()
    login(browser, user.email, PASSWORD)
    response = browser.get("/konto/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_account_page_shows_the_address_and_webcal_link(app, db, world):
    html = page_of(app, world["maria"])
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == world["maria"].id))
    assert f'value="https://inkubator.test/kalendarz/{feed.token}.ics"' in html
    assert f'href="webcal://inkubator.test/kalendarz/{feed.token}.ics"' in html
    assert "Subskrypcja kalendarza" in html and "Google Calendar" in html
    assert "Thunderbird" in html and "Outlook" in html
    assert "przestanie działać" in html or "przestaje działać" in html
    assert page_of(app, world["maria"]).count(feed.token) == 2  # the same, not a new one


def test_a_manager_gets_one_feed_per_office_not_per_filia(app, db, world):
    html = page_of(app, world["manager"])
    feeds = db.session.scalars(
        select(CalendarFeed).where(CalendarFeed.user_id == world["manager"].id)
    ).all()
    assert {f.branch_id for f in feeds} == {world["klucze"].id, world["sacz"].id}
    assert all(f.token in html for f in feeds)
    assert html.count('name="branch_id"') == 2


def test_regenerating_an_office_feed_changes_that_one_only(app, client, db, world):
    manager = world["manager"]
    klucze = feed_path(app, manager, world["klucze"].id)
    sacz = feed_path(app, manager, world["sacz"].id)
    browser = app.test_client()
    login(browser, manager.email, PASSWORD)
    response = browser.post(
        "/konto/kalendarz/nowy-adres", data={"branch_id": world["sacz"].id}, follow_redirects=True
    )
    assert "nowy adres" in response.get_data(as_text=True)
    assert client.get(sacz).status_code == 404 and client.get(klucze).status_code == 200
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "calendar_feed.regenerated")
    )
    assert event.actor_id == manager.id and event.details == {"branch_id": world["sacz"].id}
    new = feed_path(app, manager, world["sacz"].id)
    assert new.split("/")[-1].removesuffix(".ics") not in str(event.details)
    bad = browser.post("/konto/kalendarz/nowy-adres", data={"branch_id": world["piwniczna"].id})
    assert bad.status_code == 302 and client.get(new).status_code == 200  # a filia: refused


# --- the API --------------------------------------------------------------------------------


def test_the_api_gives_the_address_and_regenerates_it(app, client, world):
    expert = as_user(app, world["nowak"])
    first = expert.get(f"{API}/calendar-feed")
    assert first.status_code == 200
    assert first.json["url"].startswith("https://inkubator.test/kalendarz/")
    assert first.json["webcal_url"] == "webcal" + first.json["url"].removeprefix("https")
    assert expert.get(f"{API}/calendar-feed").json["url"] == first.json["url"]
    again = expert.post(f"{API}/calendar-feed/regenerate")
    assert again.status_code == 200 and again.json["url"] != first.json["url"]
    assert client.get(urlsplit(first.json["url"]).path).status_code == 404
    assert client.get(urlsplit(again.json["url"]).path).status_code == 200


def test_the_api_scopes_office_feeds_to_managers(app, world):
    manager, expert = as_user(app, world["manager"]), as_user(app, world["nowak"])
    missing = manager.get(f"{API}/calendar-feed")
    assert missing.status_code == 422
    assert missing.json["error"]["code"] == "invalid_input"
    assert missing.json["error"]["field"] == "branch_id"
    ok = manager.get(f"{API}/calendar-feed?branch_id={world['klucze'].id}")
    assert ok.status_code == 200 and ok.json["branch_id"] == world["klucze"].id
    filia = manager.get(f"{API}/calendar-feed?branch_id={world['piwniczna'].id}")
    assert filia.status_code == 422 and filia.json["error"]["code"] == "unknown_branch"
    huge = manager.get(f"{API}/calendar-feed?branch_id={2**31}")
    assert huge.status_code == 422 and huge.json["error"]["field"] == "branch_id"
    body = manager.post(f"{API}/calendar-feed/regenerate", json={"branch_id": world["sacz"].id})
    assert body.status_code == 200 and body.json["branch_id"] == world["sacz"].id
    refused = expert.get(f"{API}/calendar-feed?branch_id={world['klucze'].id}")
    assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"
    assert app.test_client().get(f"{API}/calendar-feed").status_code == 401


def test_real_feed_responses_match_the_document(app, world):
    from incubator.web.api.openapi import openapi_document
    from tests.web.test_openapi import check

    document = openapi_document(server_url=API)
    manager, client_a = as_user(app, world["manager"]), as_user(app, world["maria"])
    regenerate = "/calendar-feed/regenerate"
    check(document, "/calendar-feed", "get", client_a.get(f"{API}/calendar-feed"))
    check(document, "/calendar-feed", "get", manager.get(f"{API}/calendar-feed"))
    check(document, "/calendar-feed", "get", client_a.get(f"{API}/calendar-feed?branch_id=1"))
    check(document, "/calendar-feed", "get", app.test_client().get(f"{API}/calendar-feed"))
    check(document, regenerate, "post", client_a.post(f"{API}{regenerate}"))
    check(
        document,
        regenerate,
        "post",
        manager.post(f"{API}{regenerate}", json={"branch_id": world["klucze"].id}),
    )
    check(document, regenerate, "post", manager.post(f"{API}{regenerate}", data=b"[1]"))
