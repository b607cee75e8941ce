"""The .ics builder: parsed back with icalendar, instants checked across DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from incubator.exports.ics import CalendarEntry, build_calendar

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def entry(start: datetime, **kw) -> CalendarEntry:
    params = dict(
        uid="abc123",
        sequence=0,
        start=start,
        end=start + timedelta(hours=1),
        summary="Konsultacja: Prawo — mec. Anna Nowak",
        location="Inkubator Klucze, ul. Żeromskiego 1",
        description="Temat: statut spółdzielni socjalnej",
        cancelled=False,
        created=NOW,
        last_modified=NOW,
    )
    params.update(kw)
    return CalendarEntry(**params)


def parse(data: bytes) -> Calendar:
    assert b"\r\n" in data  # RFC 5545 line endings
    return Calendar.from_ical(data)


def test_times_are_warsaw_local_with_vtimezone_on_both_sides_of_dst() -> None:
    winter = datetime(2026, 3, 28, 8, 0, tzinfo=UTC)  # 09:00 CET
    summer = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # 09:00 CEST
    data = build_calendar([entry(winter, uid="w"), entry(summer, uid="s")], now=NOW)
    assert b"DTSTART;TZID=Europe/Warsaw:20260328T090000" in data
    assert b"DTSTART;TZID=Europe/Warsaw:20260330T090000" in data
    calendar = parse(data)
    (tz,) = calendar.walk("VTIMEZONE")
    assert tz["TZID"] == "Europe/Warsaw"
    assert {c.name for c in tz.subcomponents} >= {"STANDARD", "DAYLIGHT"}
    starts = {e["UID"]: e.decoded("DTSTART") for e in calendar.walk("VEVENT")}
    assert starts["w@inkubator.local"] == winter and starts["s@inkubator.local"] == summer


def test_polish_text_survives_and_status_and_sequence_are_set() -> None:
    data = build_calendar(
        [entry(datetime(2026, 4, 1, 8, tzinfo=UTC), sequence=3, cancelled=True)], now=NOW
    )
    (event,) = parse(data).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Konsultacja: Prawo — mec. Anna Nowak"
    assert str(event["LOCATION"]) == "Inkubator Klucze, ul. Żeromskiego 1"
    assert event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 3
    assert str(event["UID"]) == "abc123@inkubator.local"


def test_uid_domain_comes_from_the_setting_then_the_public_url_then_the_default() -> None:
    from incubator.exports.ics import uid_domain

    assert uid_domain(
        {"CALENDAR_UID_DOMAIN": " ies.example.pl ", "PUBLIC_URL": "https://a.pl"}
    ) == ("ies.example.pl")
    assert uid_domain({"PUBLIC_URL": "https://inkubator.krakow.pl:8443/app"}) == (
        "inkubator.krakow.pl"
    )
    assert uid_domain({}) == "inkubator.local"
    assert uid_domain({"PUBLIC_URL": "http://127.0.0.1:5000"}) == "inkubator.local"
    assert uid_domain({"PUBLIC_URL": "http://localhost:5000"}) == "inkubator.local"
