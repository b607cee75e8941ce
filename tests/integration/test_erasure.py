"""Erasure (services.erasure) against the database: what goes, what stays, and every refusal
leaving the data exactly as it was."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from incubator.domain import erasure as rules
from incubator.domain.errors import NotAllowed, NotFound
from incubator.extensions import db as _db
from incubator.models import (
    AuditEvent,
    CalendarFeed,
    CallTask,
    ClientProfile,
    Consultation,
    ConsultationAttendee,
    FoundingGroupMember,
    OutboxMessage,
    ProjectParticipant,
    User,
    WaitlistEntry,
)
from incubator.services import erasure
from tests.factories import (
    create_branch,
    create_call_task,
    create_client,
    create_consultation,
    create_domain,
    create_event,
    create_expert,
    create_group,
    create_manager,
    create_project,
    create_waitlist_offer,
)
from tests.helpers import NOW, local

PAST = date(2026, 3, 10)


@pytest.fixture()
def world(db):
    branch, area = create_branch(), create_domain()
    expert = create_expert(domains=[area], branches=[branch])
    manager = create_manager()
    person = create_client(full_name="Zażółć Gęślą", phone="601 222 333")
    profile = person.client_profile
    profile.pesel, profile.birth_date, profile.birth_year = "80071512345", date(1980, 7, 15), 1980
    profile.gender, profile.disability, profile.locality = "female", "yes", "Piwniczna-Zdrój"
    past = create_consultation(
        expert=expert, client=person, branch=branch, area=area, start_dt=local(PAST, 10),
        status="attended", topic="Długi wobec ZUS", notes="Ma problemy zdrowotne",
    )  # fmt: skip
    past.attendees[0].attended = True
    project = create_project(branches=[branch], retention_until=date(2026, 11, 1))
    _db.session.add(ProjectParticipant(project_id=project.id, user_id=person.id, entry_date=PAST))
    _db.session.add(
        OutboxMessage(
            key="k1", kind="booking", recipient_id=person.id, to_address="zazolc@example.org",
            subject="Potwierdzenie", message="Zażółć Gęślą".encode(), next_attempt_at_dt=NOW,
            created_at_dt=NOW,
        )
    )  # fmt: skip
    _db.session.add(CalendarFeed(user_id=person.id, token="t" * 43, created_at_dt=NOW))
    _db.session.add(
        WaitlistEntry(client_id=person.id, area_id=area.id, branch_id=branch.id, created_at_dt=NOW)
    )
    _db.session.commit()
    create_call_task(user=person, consultation=past)
    group = create_group(members=[person], branch_id=branch.id)
    create_event(
        sessions=[(local(PAST, 12), local(PAST, 14))], registered=[person], came={0: [person]}
    )
    return {
        "person": person, "manager": manager, "expert": expert, "branch": branch, "area": area,
        "consultation": past, "project": project, "group": group,
    }  # fmt: skip


def _erase(w, **kw):
    kw.setdefault("reason", "Wniosek osoby z 20.11.2026 (pismo)")
    return erasure.erase(_db.session, actor=w["manager"], person_id=w["person"].id, now=NOW, **kw)


def _count(model, *where) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_erasure_removes_identity_and_keeps_what_reports_count(world) -> None:
    pid = world["person"].id
    before_generation = world["person"].session_generation
    removed = _erase(world)
    _db.session.expire_all()

    person = _db.session.get(User, pid)
    assert person.full_name == f"#{pid}" and person.email is None and person.phone == ""
    assert person.password_hash is None and not person.can_log_in and not person.active
    assert person.session_generation == before_generation + 1
    assert person.erased_at_dt == NOW
    profile = _db.session.get(ClientProfile, pid)
    assert (profile.pesel, profile.locality) == (None, "")
    assert (profile.gender, profile.disability, profile.birth_year) == ("female", "yes", 1980)
    # 1 January 1980 gives the same age on every support day (all in March 2026, before July).
    assert profile.birth_date == date(1980, 3, 11)
    consultation = _db.session.get(Consultation, world["consultation"].id)
    assert (consultation.topic, consultation.notes) == ("", "")
    assert consultation.status == "attended"
    assert _count(ConsultationAttendee, ConsultationAttendee.user_id == pid) == 1
    assert _count(ProjectParticipant, ProjectParticipant.user_id == pid) == 1
    assert _count(FoundingGroupMember, FoundingGroupMember.user_id == pid) == 1
    for model, column in (
        (OutboxMessage, OutboxMessage.recipient_id),
        (CallTask, CallTask.user_id),
        (CalendarFeed, CalendarFeed.user_id),
    ):
        assert _count(model, column == pid) == 0
    assert _db.session.scalar(select(WaitlistEntry.status)) == "left"
    assert removed == {
        "consultation_texts": 1, "waitlist_entries": 1, "messages": 1, "calls": 1,
        "calendar_feeds": 1,
    }  # fmt: skip
    (entry,) = _db.session.scalars(select(AuditEvent).where(AuditEvent.action == "person.erased"))
    assert entry.subject_id == pid and entry.actor_id == world["manager"].id
    assert entry.details["reason"] == "Wniosek osoby z 20.11.2026 (pismo)"
    assert entry.details["ground"] is None
    assert "Zażółć" not in str(entry.details)


def _snapshot(pid: int) -> tuple:
    _db.session.expire_all()
    person = _db.session.get(User, pid)
    profile = person.client_profile
    return (
        person.full_name, person.email, person.phone, person.active, person.erased_at_dt,
        profile.pesel, profile.birth_date, _count(OutboxMessage), _count(CallTask),
        _db.session.scalar(select(Consultation.notes)),
        _count(AuditEvent, AuditEvent.action == "person.erased"),
    )  # fmt: skip


def test_an_upcoming_consultation_refuses_and_changes_nothing(world) -> None:
    create_consultation(
        expert=world["expert"], client=world["person"], branch=world["branch"],
        area=world["area"], start_dt=NOW + timedelta(days=3),
    )  # fmt: skip
    before = _snapshot(world["person"].id)
    with pytest.raises(rules.UpcomingSupport) as refused:
        _erase(world, ground="funder_consent")
    assert refused.value.params["consultations"] == 1
    assert _snapshot(world["person"].id) == before


def test_a_held_waitlist_time_is_upcoming_too(world) -> None:
    create_waitlist_offer(
        client=world["person"], expert=world["expert"], branch=world["branch"],
        area=create_domain(), start_dt=NOW + timedelta(days=5),
    )  # fmt: skip
    with pytest.raises(rules.UpcomingSupport) as refused:
        _erase(world)
    assert refused.value.params["offers"] == 1


def test_a_seat_at_an_event_ahead_is_upcoming(world) -> None:
    create_event(
        sessions=[(NOW + timedelta(days=9), NOW + timedelta(days=9, hours=2))],
        registered=[world["person"]],
    )
    with pytest.raises(rules.UpcomingSupport) as refused:
        _erase(world)
    assert refused.value.params["events"] == 1


def test_retention_refuses_unless_a_legal_ground_is_chosen(world) -> None:
    world["project"].retention_until = date(2031, 12, 31)
    _db.session.commit()
    before = _snapshot(world["person"].id)
    with pytest.raises(rules.RetentionRequired) as refused:
        _erase(world)
    assert refused.value.params["until"] == date(2031, 12, 31)
    assert _snapshot(world["person"].id) == before

    _erase(world, ground="funder_consent")
    entry = _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "person.erased"))
    assert entry.details["ground"] == "funder_consent"
    assert entry.details["projects"] == [world["project"].code]


def test_a_project_without_a_retention_date_holds_the_identity(world) -> None:
    world["project"].retention_until = None
    _db.session.commit()
    with pytest.raises(rules.RetentionRequired) as refused:
        _erase(world)
    assert refused.value.params["unset"] == [world["project"].code]


def test_erasing_twice_is_refused_and_the_first_stays(world) -> None:
    _erase(world)
    first = _snapshot(world["person"].id)
    with pytest.raises(rules.AlreadyErased):
        _erase(world, reason="again")
    assert _snapshot(world["person"].id) == first


def test_a_staff_account_with_consultations_is_refused(world) -> None:
    with pytest.raises(rules.StaffHasWork) as refused:
        erasure.erase(
            _db.session, actor=world["manager"], person_id=world["expert"].id, reason="left",
            now=NOW,
        )  # fmt: skip
    assert refused.value.params["consultations"] == 1
    assert _db.session.get(User, world["expert"].id).full_name != f"#{world['expert'].id}"


def test_a_staff_account_without_work_may_be_erased(world) -> None:
    idle = create_expert(full_name="Jan Bez Pracy")
    erasure.erase(_db.session, actor=world["manager"], person_id=idle.id, reason="left", now=NOW)
    gone = _db.session.get(User, idle.id)
    assert gone.email == f"erased-{idle.id}@invalid" and gone.full_name == f"#{idle.id}"
    assert not gone.can_log_in


def test_refusals_of_the_caller_and_the_input(world) -> None:
    with pytest.raises(NotFound):
        erasure.erase(_db.session, actor=world["manager"], person_id=999_999, reason="x", now=NOW)
    with pytest.raises(NotAllowed):
        erasure.erase(
            _db.session, actor=world["expert"], person_id=world["person"].id, reason="x", now=NOW
        )
    with pytest.raises(rules.ReasonRequired):
        _erase(world, reason="  ")
    with pytest.raises(rules.UnknownGround):
        _erase(world, ground="because")
    with pytest.raises(rules.ErasingSelf):
        erasure.erase(
            _db.session, actor=world["manager"], person_id=world["manager"].id, reason="x",
            now=NOW,
        )  # fmt: skip
    assert _count(AuditEvent, AuditEvent.action == "person.erased") == 0


def test_the_preview_says_why_before_anything_is_done(world) -> None:
    world["project"].retention_until = date(2030, 1, 1)
    _db.session.commit()
    found = erasure.preview(
        _db.session, actor=world["manager"], person_id=world["person"].id, now=NOW
    )
    assert isinstance(found.refusal, rules.RetentionRequired) and found.overridable
    held = rules.ProjectRetention(world["project"].code, date(2030, 1, 1))
    assert found.facts.projects == (held,)


def test_an_anonymised_account_stays_anonymous(world) -> None:
    from incubator.services import accounts, participants, person_merge, user_admin

    _erase(world)
    person = _db.session.get(User, world["person"].id)
    manager = world["manager"]
    with pytest.raises(rules.AlreadyErased):
        accounts.set_active(_db.session, actor=manager, user=person, active=True, now=NOW)
    with pytest.raises(rules.AlreadyErased):
        user_admin.update_account(
            _db.session, actor=manager, user=person, now=NOW,
            changes=user_admin.AccountChanges(
                full_name="Zażółć Gęślą", email="z@example.org", phone="", preferred_language="pl"
            ),
        )  # fmt: skip
    with pytest.raises(rules.AlreadyErased):
        accounts.set_password(
            _db.session, actor=None, user=person, password="długie-hasło-2026!",
            policy=accounts.PasswordPolicy(
                min_length=10, hash_method="pbkdf2:sha256:1000", common=frozenset()
            ),
            now=NOW,
        )  # fmt: skip
    with pytest.raises(rules.AlreadyErased):
        participants.update(
            _db.session, actor=manager, person_id=person.id, raw={"gender": "male"},
            today=NOW.date(), now=NOW,
        )  # fmt: skip
    other = create_client()
    with pytest.raises(rules.AlreadyErased):
        person_merge.merge(_db.session, manager, other.id, person.id, now=NOW)
    _db.session.expire_all()
    again = _db.session.get(User, person.id)
    assert (again.full_name, again.email, again.active) == (f"#{person.id}", None, False)
