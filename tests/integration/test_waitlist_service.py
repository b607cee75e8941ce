"""The waitlist service against the real database (SQLite and PostgreSQL): joining, offers made
when a slot frees up (held for one person, hidden from everyone else), answering them, the
periodic run, and what the schema itself guarantees."""

from __future__ import annotations

import email
import re
from dataclasses import replace
from datetime import date, time, timedelta
from email import policy as email_policy

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from incubator.domain import booking_rules as rules
from incubator.domain import errors
from incubator.domain import waitlist as wl
from incubator.models import (
    CallTask,
    Consultation,
    OutboxMessage,
    SlotOffer,
    WaitlistEntry,
)
from incubator.services import booking, slot_cache, waitlist
from incubator.services import slots as slot_service
from incubator.services.booking import BookingRequest
from incubator.services.slots import SlotQuery
from tests.factories import (
    create_branch,
    create_client,
    create_consultation,
    create_domain,
    create_exception,
    create_expert,
    create_manager,
    create_rule,
)
from tests.helpers import NOTICES, NOW, POLICY, TODAY, WED, local

THU = WED + timedelta(days=1)  # Thursday 26 November 2026
TEN, ELEVEN = local(THU, 10), local(THU, 11)
PUBLIC_URL = "https://inkubator.test/"  # TestConfig's PUBLIC_URL


@pytest.fixture()
def world(db):
    """One lawyer at Klucze with two hours on Thursday (10:00 and 11:00), both booked by
    `booker`; three people who may wait for them; taxes are given only at another office."""
    klucze = create_branch(
        code="klucze", name="Klucze", address="ul. Zielona 1, 32-310 Klucze", phone="32 642 00 00"
    )
    olkusz = create_branch(code="olkusz", name="Olkusz")
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    tax = create_domain(code="tax", name_pl="Podatki", name_en="Taxes")
    nowak = create_expert(
        domains=[law], branches=[klucze], title="mec.", full_name="Anna Żółkiewska",
        email="anna@ies.example.pl",
    )  # fmt: skip
    kos = create_expert(domains=[law, tax], branches=[olkusz], full_name="Jan Kos")
    create_exception(
        nowak, kind="extra", branch_id=klucze.id, start_date=THU, start_time=time(10),
        end_time=time(12),
    )  # fmt: skip
    booker = create_client(full_name="Zofia Rezerwująca")
    held = {
        h: create_consultation(
            expert=nowak, client=booker, branch=klucze, area=law, start_dt=local(THU, h)
        )
        for h in (10, 11)
    }
    return {
        "klucze": klucze, "olkusz": olkusz, "law": law, "tax": tax, "nowak": nowak, "kos": kos,
        "booker": booker, "held": held,
        "first": create_client(full_name="Łucja Wiśniewska", email="lucja@example.org"),
        "second": create_client(full_name="Grzegorz Żak", email="grzegorz@example.org"),
        "phone_only": create_client(
            full_name="Jerzy Bąk", email=None, password=None, phone="600 100 200"
        ),
        "manager": create_manager(full_name="Ewa Śliwa"),
    }  # fmt: skip


def _join(db, w, who, *, actor=None, now=NOW, policy=POLICY, **kw) -> WaitlistEntry:
    staff = actor is not None and actor.is_staff
    request = waitlist.JoinRequest(
        area_code=kw.pop("area_code", "law"), branch_id=kw.pop("branch_id", w["klucze"].id),
        client_id=who.id if staff else None, **kw,
    )  # fmt: skip
    return waitlist.join(
        db.session, request, actor=actor or who, now=now, policy=policy, notices=NOTICES
    )


def _cancel(db, w, hour: int = 10, *, now=NOW, policy=POLICY) -> None:
    booking.cancel(
        db.session, w["held"][hour].id, actor=w["booker"], now=now, policy=policy,
        notices=NOTICES,
    )  # fmt: skip


def _accept(db, offer: SlotOffer, actor, now=NOW) -> Consultation:
    return waitlist.accept(
        db.session, offer.id, actor=actor, now=now, policy=POLICY, notices=NOTICES
    )


def _decline(db, offer: SlotOffer, actor, now=NOW) -> WaitlistEntry:
    return waitlist.decline(
        db.session, offer.id, actor=actor, now=now, policy=POLICY, notices=NOTICES
    )


def _process(db, now, policy=POLICY) -> waitlist.ProcessReport:
    return waitlist.process(db.session, now=now, policy=policy, notices=NOTICES)


def _fresh(db, model, **where) -> list:
    """Committed rows of `model` (the session's snapshot is ended first), oldest first."""
    db.session.rollback()
    stmt = select(model).filter_by(**where).order_by(model.id)
    return list(db.session.scalars(stmt))


def _offers_to(db, person) -> list[SlotOffer]:
    db.session.rollback()
    stmt = (
        select(SlotOffer)
        .join(WaitlistEntry, WaitlistEntry.id == SlotOffer.entry_id)
        .where(WaitlistEntry.client_id == person.id)
        .order_by(SlotOffer.id)
    )
    return list(db.session.scalars(stmt))


def _offer_mails(db, person=None) -> list[OutboxMessage]:
    rows = _fresh(db, OutboxMessage, kind="waitlist_offer")
    return [r for r in rows if person is None or r.recipient_id == person.id]


def _free_starts(db, w, *, now=NOW) -> list:
    db.session.rollback()
    found = slot_service.find_slots(
        db.session, area=w["law"], branch=w["klucze"], start_date=TODAY,
        end_date=THU + timedelta(days=14), now=now, policy=POLICY,
    )  # fmt: skip
    return [s.start for s in found]


def _booked_at(db, start) -> list[Consultation]:
    return [c for c in _fresh(db, Consultation, status="booked") if c.start_dt == start]


# Joining ------------------------------------------------------------------------------------


def test_joining_with_nothing_free_waits_without_an_offer(db, world) -> None:
    entry = _join(db, world, world["first"])
    assert (entry.status, entry.client_id, entry.created_by_id) == (
        "waiting", world["first"].id, world["first"].id,
    )  # fmt: skip
    assert (entry.area_id, entry.branch_id) == (world["law"].id, world["klucze"].id)
    assert entry.from_date is None and entry.to_date is None and entry.created_at_dt == NOW
    assert entry.offers == [] and entry.open_offer is None
    assert _fresh(db, SlotOffer) == [] and _offer_mails(db) == []


def test_joining_twice_is_refused_and_keeps_one_row(db, world) -> None:
    _join(db, world, world["first"])
    with pytest.raises(wl.AlreadyWaiting):
        _join(db, world, world["first"], from_date=THU)
    with pytest.raises(wl.AlreadyWaiting):  # staff adding them again: the same refusal
        _join(db, world, world["first"], actor=world["manager"])
    assert len(_fresh(db, WaitlistEntry)) == 1
    _cancel(db, world)  # their entry is 'offered' now: still live, still refused
    with pytest.raises(wl.AlreadyWaiting):
        _join(db, world, world["first"])
    assert [e.status for e in _fresh(db, WaitlistEntry)] == ["offered"]
    _join(db, world, world["first"], branch_id=world["olkusz"].id)  # another office: fine
    assert len(_fresh(db, WaitlistEntry)) == 2


@pytest.mark.parametrize(
    ("from_date", "to_date", "field", "reason"),
    [
        (THU, WED, "to_date", "before_from"),
        (None, TODAY - timedelta(days=1), "to_date", "range_over"),
        (TODAY - timedelta(days=7), TODAY - timedelta(days=1), "to_date", "range_over"),
        (TODAY + timedelta(days=61), None, "from_date", "beyond_waitlist_horizon"),
    ],
)
def test_a_range_that_cannot_be_waited_for_is_refused(
    db, world, from_date, to_date, field, reason
) -> None:
    with pytest.raises(errors.InvalidInput) as refused:
        _join(db, world, world["first"], from_date=from_date, to_date=to_date)
    assert refused.value.field == field and refused.value.params["reason"] == reason
    assert _fresh(db, WaitlistEntry) == []


def test_the_last_day_of_the_horizon_and_today_are_fine(db, world) -> None:
    last = _join(db, world, world["first"], from_date=TODAY + timedelta(days=60))
    today = _join(db, world, world["second"], from_date=TODAY, to_date=TODAY)
    assert (last.status, today.status) == ("waiting", "waiting")


def test_an_area_not_given_at_the_office_is_refused(db, world) -> None:
    with pytest.raises(wl.AreaNotHere) as refused:
        _join(db, world, world["first"], area_code="tax")  # given at Olkusz only
    assert refused.value.params == {"area": "tax", "branch_id": world["klucze"].id}
    assert _fresh(db, WaitlistEntry) == []


def test_who_may_join_and_for_whom(db, world) -> None:
    expert_asks = waitlist.JoinRequest(area_code="law", branch_id=world["klucze"].id)
    with pytest.raises(errors.NotAllowed):
        waitlist.join(
            db.session, expert_asks, actor=world["nowak"], now=NOW, policy=POLICY,
            notices=NOTICES,
        )  # fmt: skip
    for_other = replace(expert_asks, client_id=world["second"].id)
    with pytest.raises(errors.NotAllowed):  # a client joins for themselves only
        waitlist.join(
            db.session, for_other, actor=world["first"], now=NOW, policy=POLICY, notices=NOTICES
        )
    with pytest.raises(rules.UnknownClient):  # staff must say for whom
        waitlist.join(
            db.session, expert_asks, actor=world["manager"], now=NOW, policy=POLICY,
            notices=NOTICES,
        )  # fmt: skip
    assert _fresh(db, WaitlistEntry) == []


def test_a_manager_puts_a_phone_only_client_on_the_waitlist(db, world) -> None:
    entry = _join(db, world, world["phone_only"], actor=world["manager"])
    assert entry.status == "waiting"
    assert (entry.client_id, entry.created_by_id) == (world["phone_only"].id, world["manager"].id)
    (row,) = _fresh(db, WaitlistEntry)
    assert row.client_id == world["phone_only"].id


# Offers when a slot frees up ------------------------------------------------------------------


def test_a_cancellation_offers_the_slot_to_the_first_in_line_only(db, world) -> None:
    first = _join(db, world, world["first"], now=NOW - timedelta(hours=2))
    second = _join(db, world, world["second"], now=NOW - timedelta(hours=1))
    _cancel(db, world)
    (offer,) = _fresh(db, SlotOffer)
    assert (offer.entry_id, offer.status, offer.expert_id) == (first.id, "open", world["nowak"].id)
    assert (offer.start_dt, offer.end_dt, offer.offered_at_dt) == (TEN, ELEVEN, NOW)
    assert offer.expires_at_dt == NOW + POLICY.waitlist_hold  # sooner than TEN - 24 h
    assert offer.answered_at_dt is None
    assert [e.status for e in _fresh(db, WaitlistEntry)] == ["offered", "waiting"]
    (mail,) = _offer_mails(db)
    assert mail.recipient_id == world["first"].id and mail.status == "queued"
    assert mail.to_address == "Łucja Wiśniewska <lucja@example.org>"
    assert mail.key == f"waitlist-offer:{offer.id}:{world['first'].id}"
    assert (
        _offers_to(db, world["second"]) == []
        and db.session.get(WaitlistEntry, second.id).status == "waiting"
    )
    # The other hour frees up too: the second in line gets that one, not the first's.
    _cancel(db, world, 11)
    (later,) = _offers_to(db, world["second"])
    assert (later.start_dt, later.status) == (ELEVEN, "open")
    assert len(_offers_to(db, world["first"])) == 1
    assert [m.recipient_id for m in _offer_mails(db)] == [world["first"].id, world["second"].id]


def test_first_in_line_is_who_joined_first_not_the_lower_id(db, world) -> None:
    late = _join(db, world, world["first"], now=NOW - timedelta(minutes=5))
    early = _join(db, world, world["second"], now=NOW - timedelta(hours=3))
    assert late.id < early.id
    _cancel(db, world)
    (offer,) = _fresh(db, SlotOffer)
    assert offer.entry_id == early.id


def test_the_offer_email_is_polish_and_links_to_the_public_site(db, world) -> None:
    _join(db, world, world["first"])
    _cancel(db, world)
    (row,) = _offer_mails(db)
    message = email.message_from_bytes(row.message, policy=email_policy.default)
    assert message["To"] == "Łucja Wiśniewska <lucja@example.org>"
    subject = " ".join(message["Subject"].split())  # unfolded (a long header is folded)
    assert subject == row.subject
    assert subject == "Termin konsultacji czeka na Ciebie: czwartek, 26 listopada 2026, 10:00–11:00"
    body = message.get_body(("plain",)).get_content()
    assert "Dzień dobry, Łucja Wiśniewska," in body
    assert "Kiedy: czwartek, 26 listopada 2026, 10:00–11:00" in body
    assert "Gdzie: Klucze, ul. Zielona 1, 32-310 Klucze" in body
    assert "Z kim: mec. Anna Żółkiewska (Prawo)" in body
    assert "wtorek, 24 listopada 2026, 10:00" in body  # held until NOW + 24 h, Warsaw time
    assert "32 642 00 00" in body and "Inkubator Ekonomii Społecznej" in body
    assert "Termin nie jest jeszcze zarezerwowany. Potwierdź go" in body
    assert "termin przejdzie na następną osobę z listy" in body
    for english in ("It is not booked yet", "If we do not hear from you", "You can also call"):
        assert english not in body
    links = re.findall(r"https?://\S+", body)
    assert links and all(link.startswith(PUBLIC_URL) for link in links)
    html = message.get_body(("html",)).get_content()
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs and all(h.startswith(PUBLIC_URL) for h in hrefs)
    assert "Łucja Wiśniewska" in html and "czwartek" in html
    # Nothing is booked yet: no calendar file to put into anyone's calendar.
    assert not [p for p in message.walk() if p.get_content_type() == "text/calendar"]


def test_a_phone_only_client_is_called_about_an_offer(db, world) -> None:
    _join(db, world, world["phone_only"], actor=world["manager"])
    _cancel(db, world)
    (offer,) = _fresh(db, SlotOffer)
    (task,) = _fresh(db, CallTask, kind="waitlist_offer")
    assert (task.user_id, task.expert_id, task.branch_id) == (
        world["phone_only"].id, offer.expert_id, world["klucze"].id,
    )  # fmt: skip
    assert task.consultation_id is None and task.done_at_dt is None
    assert "26 listopada 2026" in task.note and "Anna Żółkiewska" in task.note
    assert task.key == f"waitlist-offer:{offer.id}:{world['phone_only'].id}"
    assert _offer_mails(db) == []


@pytest.mark.parametrize(
    ("hold", "expected"),
    [
        (timedelta(hours=24), NOW + timedelta(hours=24)),  # the hold ends first
        (timedelta(hours=72), TEN - POLICY.min_notice),  # the last moment it can be booked
        (timedelta(hours=3), NOW + timedelta(hours=3)),
    ],
)
def test_the_hold_never_outlasts_the_minimum_notice(db, world, hold, expected) -> None:
    policy = replace(POLICY, waitlist_hold=hold)
    _join(db, world, world["first"], policy=policy)
    _cancel(db, world, policy=policy)
    (offer,) = _fresh(db, SlotOffer)
    assert offer.expires_at_dt == expected


def test_a_slot_too_close_to_be_held_is_not_offered(db, world) -> None:
    _join(db, world, world["first"])
    late = TEN - POLICY.min_notice - timedelta(minutes=30)  # half an hour left to answer
    _cancel(db, world, now=late)
    assert _fresh(db, SlotOffer) == []
    assert _process(db, late).offered == 0
    assert [e.status for e in _fresh(db, WaitlistEntry)] == ["waiting"]


def test_a_slot_that_clashes_with_the_persons_own_booking_goes_to_the_next(db, world) -> None:
    other = create_expert(domains=[world["law"]], branches=[world["klucze"]], full_name="Ola Pyź")
    create_consultation(
        expert=other, client=world["first"], branch=world["klucze"], area=world["law"],
        start_dt=TEN,
    )  # fmt: skip
    _join(db, world, world["first"], now=NOW - timedelta(hours=1))
    _join(db, world, world["second"])
    _cancel(db, world)
    assert _offers_to(db, world["first"]) == []
    assert [o.start_dt for o in _offers_to(db, world["second"])] == [TEN]


def test_a_move_frees_the_old_slot_for_the_waitlist(db, world) -> None:
    _join(db, world, world["first"])
    fri = THU + timedelta(days=1)
    create_exception(
        world["nowak"], kind="extra", branch_id=world["klucze"].id, start_date=fri,
        start_time=time(10), end_time=time(11),
    )  # fmt: skip
    booking.reschedule(
        db.session, world["held"][10].id, actor=world["booker"], start=local(fri, 10), now=NOW,
        policy=POLICY, notices=NOTICES,
    )  # fmt: skip
    (offer,) = _offers_to(db, world["first"])
    assert (offer.start_dt, offer.status) == (TEN, "open")


# A held slot ----------------------------------------------------------------------------------


def test_a_held_slot_is_hidden_and_cannot_be_booked_by_anyone_else(db, world) -> None:
    _join(db, world, world["first"])
    _cancel(db, world)
    assert TEN not in _free_starts(db, world)
    request = BookingRequest(
        expert_id=world["nowak"].id, branch_id=world["klucze"].id, domain_code="law", start=TEN
    )
    with pytest.raises(rules.SlotTaken):
        booking.book(
            db.session, request, actor=world["second"], now=NOW, policy=POLICY, notices=NOTICES
        )
    on_behalf = replace(request, client_id=world["phone_only"].id)
    with pytest.raises(rules.SlotTaken):
        booking.book(
            db.session, on_behalf, actor=world["manager"], now=NOW, policy=POLICY,
            notices=NOTICES,
        )  # fmt: skip
    assert _booked_at(db, TEN) == []
    (offer,) = _fresh(db, SlotOffer)
    assert offer.status == "open"


def test_a_held_slot_is_free_again_once_the_hold_runs_out(db, world) -> None:
    _join(db, world, world["first"])
    _cancel(db, world)
    (offer,) = _fresh(db, SlotOffer)
    just_before = offer.expires_at_dt - timedelta(seconds=1)
    assert TEN not in _free_starts(db, world, now=just_before)
    assert TEN in _free_starts(db, world, now=offer.expires_at_dt)  # before any process run
    request = BookingRequest(
        expert_id=world["nowak"].id, branch_id=world["klucze"].id, domain_code="law", start=TEN
    )
    booked = booking.book(
        db.session, request, actor=world["second"], now=offer.expires_at_dt, policy=POLICY,
        notices=NOTICES,
    )  # fmt: skip
    assert booked.client_id == world["second"].id
    with pytest.raises(wl.OfferExpired):
        _accept(db, offer, world["first"], now=offer.expires_at_dt)
    assert [c.client_id for c in _booked_at(db, TEN)] == [world["second"].id]


# Answering an offer ---------------------------------------------------------------------------


def test_accepting_books_exactly_the_offered_slot(db, world) -> None:
    entry = _join(db, world, world["first"])
    _cancel(db, world)
    (offer,) = _fresh(db, SlotOffer)
    answered = NOW + timedelta(hours=2)
    consultation = _accept(db, offer, world["first"], now=answered)
    assert (consultation.start_dt, consultation.end_dt) == (TEN, ELEVEN)
    assert (consultation.expert_id, consultation.branch_id, consultation.domain_id) == (
        world["nowak"].id, world["klucze"].id, world["law"].id,
    )  # fmt: skip
    assert consultation.client_id == consultation.created_by_id == world["first"].id
    assert [a.user_id for a in consultation.attendees] == [world["first"].id]
    assert consultation.status == "booked"
    (row,) = _fresh(db, WaitlistEntry)
    assert (row.id, row.status, row.consultation_id) == (entry.id, "booked", consultation.id)
    assert row.closed_at_dt == answered
    (offer,) = _fresh(db, SlotOffer)
    assert (offer.status, offer.answered_at_dt) == ("accepted", answered)
    assert [c.id for c in _booked_at(db, TEN)] == [consultation.id]
    booked_mails = _fresh(db, OutboxMessage, kind="booked", consultation_id=consultation.id)
    assert {m.recipient_id for m in booked_mails} == {world["first"].id, world["nowak"].id}
    assert TEN not in _free_starts(db, world, now=answered)


def test_a_manager_accepts_on_behalf_of_a_phone_only_client(db, world) -> None:
    _join(db, world, world["phone_only"], actor=world["manager"])
    _cancel(db, world)
    (offer,) = _fresh(db, SlotOffer)
    consultation = _accept(db, offer, world["manager"])
    assert (consultation.client_id, consultation.created_by_id) == (
        world["phone_only"].id, world["manager"].id,
    )  # fmt: skip
    assert consultation.start_dt == TEN
    assert [a.user_id for a in consultation.attendees] == [world["phone_only"].id]
    (entry,) = _fresh(db, WaitlistEntry)
    assert (entry.status, entry.consultation_id) == ("booked", consultation.id)


def test_an_offer_cannot_be_accepted_twice(db, world) -> None:
    _join(db, world, world["first"])
    _cancel(db, world)
    (offer,) = _fresh(db, SlotOffer)
    _accept(db, offer, world["first"])
    with pytest.raises(wl.OfferClosed):
        _accept(db, offer, world["first"])
    with pytest.raises(wl.OfferClosed):
        _decline(db, offer, world["first"])
    assert len(_booked_at(db, TEN)) == 1
    (entry,) = _fresh(db, WaitlistEntry)
    assert entry.status == "booked"


def test_an_expired_offer_cannot_be_accepted_and_books_nothing(db, world) -> None:
    _join(db, world, world["first"])
    _cancel(db, world)
    (offer,) = _fresh(db, SlotOffer)
    with pytest.raises(wl.OfferExpired):
        _accept(db, offer, world["first"], now=offer.expires_at_dt)
    with pytest.raises(wl.OfferExpired):
        _decline(db, offer, world["first"], now=offer.expires_at_dt + timedelta(hours=1))
    assert _booked_at(db, TEN) == []
    (entry,) = _fresh(db, WaitlistEntry)
    assert entry.status == "offered" and entry.consultation_id is None
    _process(db, offer.expires_at_dt)
    with pytest.raises(wl.OfferClosed):  # lapsed by the run: closed now
        _accept(db, offer, world["first"], now=offer.expires_at_dt)
    assert _booked_at(db, TEN) == []


def test_nobody_else_may_answer_an_offer(db, world) -> None:
    _join(db, world, world["first"])
    _cancel(db, world)
    (offer,) = _fresh(db, SlotOffer)
    with pytest.raises(errors.NotFound):  # another client: as if there were no such offer
        _accept(db, offer, world["second"])
    with pytest.raises(errors.NotFound):
        _decline(db, offer, world["second"])
    with pytest.raises(errors.NotFound):
        waitlist.leave(db.session, offer.entry_id, actor=world["second"], now=NOW)
    with pytest.raises(errors.NotAllowed):  # the expert sees the list but does not answer
        _accept(db, offer, world["nowak"])
    with pytest.raises(errors.NotAllowed):
        _decline(db, offer, world["nowak"])
    with pytest.raises(errors.NotFound):
        waitlist.accept(
            db.session, 10_000, actor=world["first"], now=NOW, policy=POLICY, notices=NOTICES
        )
    assert _booked_at(db, TEN) == []
    (offer,) = _fresh(db, SlotOffer)
    assert offer.status == "open"
    assert _fresh(db, WaitlistEntry)[0].status == "offered"


def test_declining_passes_the_slot_on_and_never_offers_it_again(db, world) -> None:
    first = _join(db, world, world["first"], now=NOW - timedelta(hours=1))
    _join(db, world, world["second"])
    _cancel(db, world)
    (offer,) = _fresh(db, SlotOffer)
    entry = _decline(db, offer, world["first"], now=NOW + timedelta(hours=1))
    assert (entry.id, entry.status, entry.closed_at_dt) == (first.id, "waiting", None)
    (declined,) = _offers_to(db, world["first"])
    assert (declined.status, declined.answered_at_dt) == ("declined", NOW + timedelta(hours=1))
    (passed,) = _offers_to(db, world["second"])
    assert (passed.start_dt, passed.status) == (TEN, "open")
    assert [m.recipient_id for m in _offer_mails(db)] == [world["first"].id, world["second"].id]
    # The second declines too: the first is still first in line, but never gets it again.
    _decline(db, passed, world["second"], now=NOW + timedelta(hours=2))
    assert _process(db, NOW + timedelta(hours=3)).offered == 0
    assert [o.status for o in _fresh(db, SlotOffer)] == ["declined", "declined"]
    assert [e.status for e in _fresh(db, WaitlistEntry)] == ["waiting", "waiting"]
    assert TEN in _free_starts(db, world, now=NOW + timedelta(hours=3))
    # A new slot is still offered to them, first in line first.
    _cancel(db, world, 11, now=NOW + timedelta(hours=4))
    assert [o.start_dt for o in _offers_to(db, world["first"])] == [TEN, ELEVEN]


# The periodic run -----------------------------------------------------------------------------


def test_process_lapses_expired_offers_and_passes_the_slot_on(db, world) -> None:
    _join(db, world, world["first"], now=NOW - timedelta(hours=1))
    _join(db, world, world["second"])
    _cancel(db, world)
    (offer,) = _fresh(db, SlotOffer)
    assert _process(db, offer.expires_at_dt - timedelta(seconds=1)) == waitlist.ProcessReport()
    run_at = offer.expires_at_dt
    report = _process(db, run_at)
    assert (report.expired, report.offered) == (1, 1)
    (expired,) = _offers_to(db, world["first"])
    assert expired.status == "expired"
    first, second = _fresh(db, WaitlistEntry)
    assert (first.status, first.closed_at_dt) == ("lapsed", run_at)
    assert second.status == "offered"
    (passed,) = _offers_to(db, world["second"])
    assert (passed.start_dt, passed.status, passed.offered_at_dt) == (TEN, "open", run_at)
    assert passed.expires_at_dt == TEN - POLICY.min_notice  # not past the minimum notice
    # Having lapsed, the first may join again (at the back of the line).
    again = _join(db, world, world["first"], now=run_at)
    assert again.status == "waiting" and again.id != first.id


def test_process_twice_with_the_same_now_changes_nothing(db, world) -> None:
    _join(db, world, world["first"], now=NOW - timedelta(hours=1))
    _join(db, world, world["second"])
    _cancel(db, world)
    assert _process(db, NOW) == waitlist.ProcessReport()  # right after: nothing to do
    run_at = NOW + POLICY.waitlist_hold
    assert _process(db, run_at) == waitlist.ProcessReport(expired=1, offered=1)
    offers, mails = len(_fresh(db, SlotOffer)), len(_fresh(db, OutboxMessage))
    assert _process(db, run_at) == waitlist.ProcessReport()
    assert (len(_fresh(db, SlotOffer)), len(_fresh(db, OutboxMessage))) == (offers, mails)
    assert [m.recipient_id for m in _offer_mails(db)] == [world["first"].id, world["second"].id]
    assert [e.status for e in _fresh(db, WaitlistEntry)] == ["lapsed", "offered"]


def test_process_offers_new_hours_to_everyone_waiting(db, world) -> None:
    _join(db, world, world["first"], now=NOW - timedelta(hours=1))
    _join(db, world, world["second"])
    _join(db, world, world["phone_only"], actor=world["manager"], from_date=date(2026, 12, 21))
    assert _fresh(db, SlotOffer) == []
    create_rule(world["nowak"], world["klucze"], weekday=4, start_time=time(9), end_time=time(10))
    report = _process(db, NOW)
    assert (report.expired, report.offered) == (0, 3)
    fridays = [local(date(2026, 11, 27), 9), local(date(2026, 12, 4), 9)]
    assert [o.start_dt for o in _offers_to(db, world["first"])] == fridays[:1]
    assert [o.start_dt for o in _offers_to(db, world["second"])] == fridays[1:]
    # Waiting from 21 December: 25 December and 1 January are holidays, so 8 January.
    assert [o.start_dt for o in _offers_to(db, world["phone_only"])] == [local(date(2027, 1, 8), 9)]
    assert len(_offer_mails(db)) == 2 and len(_fresh(db, CallTask, kind="waitlist_offer")) == 1
    assert _process(db, NOW) == waitlist.ProcessReport()


def test_a_slot_freed_after_a_hold_ran_out_is_offered_before_any_run(db, world) -> None:
    """The first person's hold ran out a moment ago and no run has lapsed it yet; another hour
    frees up. The second in line must get an offer now, not only at the next run: a hold that
    ran out holds nothing (find_slots already shows both hours as free)."""
    _join(db, world, world["first"], now=NOW - timedelta(hours=1))
    _join(db, world, world["second"])
    _cancel(db, world)
    (offer,) = _fresh(db, SlotOffer)
    ran_out = offer.expires_at_dt
    _cancel(db, world, 11, now=ran_out)
    held = [o for o in _offers_to(db, world["second"]) if o.status == "open"]
    assert len(held) == 1 and held[0].start_dt in (TEN, ELEVEN)
    assert held[0].expires_at_dt > ran_out
    # the first person's run-out offer lapsed on the way; of the two hours, one is held
    assert (offer.status, offer.entry.status) == ("expired", "lapsed")
    assert _free_starts(db, world, now=ran_out) == sorted({TEN, ELEVEN} - {held[0].start_dt})


# Leaving --------------------------------------------------------------------------------------


def test_leaving_withdraws_the_open_offer_and_the_next_run_passes_it_on(db, world) -> None:
    entry = _join(db, world, world["first"], now=NOW - timedelta(hours=1))
    _join(db, world, world["second"])
    _cancel(db, world)
    left_at = NOW + timedelta(minutes=30)
    left = waitlist.leave(db.session, entry.id, actor=world["first"], now=left_at)
    assert (left.status, left.closed_at_dt) == ("left", left_at)
    (offer,) = _offers_to(db, world["first"])
    assert (offer.status, offer.answered_at_dt) == ("withdrawn", left_at)
    assert TEN in _free_starts(db, world, now=left_at)
    with pytest.raises(wl.NotWaiting):
        waitlist.leave(db.session, entry.id, actor=world["first"], now=left_at)
    with pytest.raises(wl.OfferClosed):
        _accept(db, offer, world["first"], now=left_at)
    assert _process(db, left_at).offered == 1
    (passed,) = _offers_to(db, world["second"])
    assert (passed.start_dt, passed.status) == (TEN, "open")


def test_staff_take_someone_off_the_waitlist_but_experts_do_not(db, world) -> None:
    entry = _join(db, world, world["phone_only"], actor=world["manager"])
    with pytest.raises(errors.NotAllowed):
        waitlist.leave(db.session, entry.id, actor=world["nowak"], now=NOW)
    assert _fresh(db, WaitlistEntry)[0].status == "waiting"
    left = waitlist.leave(db.session, entry.id, actor=world["manager"], now=NOW)
    assert left.status == "left"
    with pytest.raises(wl.NotWaiting):
        waitlist.leave(db.session, entry.id, actor=world["manager"], now=NOW)


def test_staff_see_the_queue_in_order_and_clients_their_own_entries(db, world) -> None:
    second = _join(db, world, world["second"], now=NOW - timedelta(hours=1))
    first = _join(db, world, world["first"])
    elsewhere = _join(
        db, world, world["first"], branch_id=world["olkusz"].id, now=NOW - timedelta(hours=2)
    )
    manager = world["manager"]
    everyone = [second.id, first.id, elsewhere.id]  # by office, then area, then who came first
    assert [e.id for e in waitlist.queue(db.session, manager)] == everyone
    assert [e.id for e in waitlist.queue(db.session, world["nowak"], area_code="law")] == everyone
    at_klucze = waitlist.queue(db.session, manager, branch_id=world["klucze"].id)
    assert [e.id for e in at_klucze] == [second.id, first.id]
    with pytest.raises(errors.NotAllowed):
        waitlist.queue(db.session, world["first"])
    waitlist.leave(db.session, first.id, actor=world["first"], now=NOW)
    assert [e.id for e in waitlist.queue(db.session, manager)] == [second.id, elsewhere.id]
    own = waitlist.entries_of(db.session, world["first"].id)
    assert [(e.id, e.status) for e in own] == [(elsewhere.id, "waiting"), (first.id, "left")]


# The days an entry waits for ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("from_date", "to_date"),
    [
        (THU + timedelta(days=7), THU + timedelta(days=13)),  # only the week after
        (None, WED),  # only until Wednesday
        (TODAY, WED),
    ],
)
def test_an_entry_is_not_offered_a_slot_outside_its_days(db, world, from_date, to_date) -> None:
    _join(
        db, world, world["first"], from_date=from_date, to_date=to_date,
        now=NOW - timedelta(hours=1),
    )  # fmt: skip
    _join(db, world, world["second"])
    _cancel(db, world)
    assert _offers_to(db, world["first"]) == []
    assert [o.start_dt for o in _offers_to(db, world["second"])] == [TEN]
    assert [e.status for e in _fresh(db, WaitlistEntry)] == ["waiting", "offered"]


def test_an_entry_for_exactly_that_day_is_offered_it(db, world) -> None:
    _join(db, world, world["first"], from_date=THU, to_date=THU)
    _cancel(db, world)
    assert [o.start_dt for o in _offers_to(db, world["first"])] == [TEN]


# What the schema guarantees -------------------------------------------------------------------


def _offer_row(entry: WaitlistEntry, expert, start, status="open") -> SlotOffer:
    return SlotOffer(
        entry_id=entry.id, expert_id=expert.id, start_dt=start, end_dt=start + timedelta(hours=1),
        offered_at_dt=NOW, expires_at_dt=NOW + timedelta(hours=24), status=status,
    )  # fmt: skip


def test_the_schema_holds_a_slot_for_one_person_at_a_time(db, world) -> None:
    first = _join(db, world, world["first"])
    second = _join(db, world, world["second"])
    db.session.add(_offer_row(first, world["nowak"], TEN))
    db.session.flush()
    db.session.add(_offer_row(second, world["nowak"], TEN))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # Closed offers of the same slot do not count; one open offer per entry, too.
    db.session.add(_offer_row(first, world["nowak"], TEN, status="declined"))
    db.session.add(_offer_row(second, world["nowak"], TEN, status="expired"))
    db.session.add(_offer_row(second, world["nowak"], TEN))
    db.session.flush()
    db.session.add(_offer_row(second, world["nowak"], ELEVEN))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert _fresh(db, SlotOffer) == []


def test_the_schema_holds_one_live_entry_per_person_area_and_office(db, world) -> None:
    def row(status: str) -> WaitlistEntry:
        return WaitlistEntry(
            client_id=world["first"].id, area_id=world["law"].id, branch_id=world["klucze"].id,
            status=status, created_at_dt=NOW,
        )  # fmt: skip

    db.session.add_all([row("waiting"), row("left"), row("lapsed"), row("booked")])
    db.session.flush()
    db.session.add(row("offered"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add_all([row("waiting"), row("waiting")])
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert _fresh(db, WaitlistEntry) == []


# Calendar versions and cached listings --------------------------------------------------------


def _versions(db) -> dict[int, int]:
    db.session.rollback()
    found = dict(db.session.execute(text("SELECT id, version FROM calendar_versions")).all())
    db.session.rollback()
    return found


def _cached_starts(db, w) -> list:
    db.session.rollback()
    query = SlotQuery("law", w["klucze"].id, THU, THU)
    found = slot_service.cached_listing(db.session, query, now=NOW, policy=POLICY, listen=False)
    return [s.start for s in found]


def test_an_offer_raises_the_experts_calendar_and_leaves_cached_listings(db, world) -> None:
    _cancel(db, world)  # nobody waits yet: the hour is simply free
    assert _fresh(db, SlotOffer) == []
    slot_cache.slot_listings.clear()
    assert _cached_starts(db, world) == [TEN]
    assert _cached_starts(db, world) == [TEN]  # served from the cache
    before = _versions(db)
    entry = _join(db, world, world["first"])  # offered at once
    assert entry.status == "offered" and entry.open_offer.start_dt == TEN
    after = _versions(db)
    raised = {k for k, v in after.items() if v > before.get(k, 0)}
    assert raised == {world["nowak"].id}
    assert _cached_starts(db, world) == []  # the held slot is never served from the cache
    before = after
    _decline(db, entry.open_offer, world["first"])  # its hold ends: the hour is free again
    after = _versions(db)
    assert {k for k, v in after.items() if v > before.get(k, 0)} == {world["nowak"].id}
    assert _cached_starts(db, world) == [TEN]


def test_an_offer_made_on_joining_is_told_at_once(db, world) -> None:
    _cancel(db, world)
    count = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    entry = _join(db, world, world["first"])
    (offer,) = entry.offers
    assert (offer.status, offer.start_dt, offer.expires_at_dt) == (
        "open",
        TEN,
        NOW + timedelta(hours=24),
    )
    assert [m.recipient_id for m in _offer_mails(db)] == [world["first"].id]
    assert len(_fresh(db, OutboxMessage)) == count + 1
