"""The participant record service and merging two records, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, text

from incubator.domain import participants as rules
from incubator.domain.errors import NotAllowed, NotFound
from incubator.extensions import db as _db
from incubator.models import (
    AuditEvent,
    ClientProfile,
    Consultation,
    ConsultationAttendee,
    FoundingGroupMember,
    ProjectParticipant,
    User,
)
from incubator.services import audit, participants, person_merge
from tests.factories import (
    create_branch,
    create_client,
    create_consultation,
    create_domain,
    create_expert,
    create_group,
    create_manager,
    create_project,
)
from tests.helpers import NOW, TODAY

PESEL = "85010112345"


def _events(action: str) -> list[AuditEvent]:
    return list(_db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _answers(user_id: int, **values) -> None:
    profile = _db.session.get(ClientProfile, user_id)
    for name, value in values.items():
        setattr(profile, name, value)
    _db.session.commit()


# --- reading and updating ---------------------------------------------------------------------


def test_a_manager_sees_every_answer_and_the_view_is_audited(db) -> None:
    manager, person = create_manager(), create_client()
    _answers(person.id, disability="yes", minority="refused", gender="female")
    record = participants.read(
        db.session, viewer=manager, person_id=person.id, now=NOW, ip="1.2.3.4"
    )
    assert record.value("disability") == "yes"
    assert record.value("minority") == "refused"
    assert record.shows_sensitive
    (event,) = _events("participant.viewed")
    assert (event.actor_id, event.target_type, event.target_id) == (manager.id, "user", person.id)
    assert "yes" not in str(event.details) and "female" not in str(event.details)


def _advise(expert: User, person: User, **params) -> Consultation:
    """A consultation of `person` with `expert`: the expert now advises the person."""
    return create_consultation(
        expert=expert, client=person, branch=create_branch(), area=create_domain(), **params
    )


def test_an_expert_sees_no_sensitive_answer(db) -> None:
    expert, person = create_expert(), create_client(phone="600 100 200")
    _advise(expert, person)
    _answers(person.id, disability="yes", minority="yes", pesel=PESEL, gender="female")
    record = participants.read(db.session, viewer=expert, person_id=person.id, now=NOW)
    assert record.value("gender") == "female"
    assert record.phone == "600 100 200"  # an expert advising the person has their contact
    for hidden in (*rules.SENSITIVE_FIELDS, "pesel"):
        assert record.value(hidden) is None
        assert hidden not in record.fields
    assert not record.shows_sensitive
    assert len(_events("participant.viewed")) == 1


def test_a_client_cannot_read_another_record(db) -> None:
    one, other = create_client(), create_client()
    with pytest.raises(NotAllowed):
        participants.read(db.session, viewer=one, person_id=other.id, now=NOW)
    own = participants.read(db.session, viewer=one, person_id=one.id, now=NOW)
    assert set(own.fields) == set(rules.FIELDS)
    assert _events("participant.viewed") == []  # one's own record: no staff view to log


def test_staff_records_are_not_participants(db) -> None:
    manager = create_manager()
    with pytest.raises(NotFound):
        participants.read(db.session, viewer=manager, person_id=create_expert().id, now=NOW)


def test_update_audits_the_changed_names_only(db) -> None:
    manager, person = create_manager(), create_client()
    changed = participants.update(
        db.session,
        actor=manager,
        person_id=person.id,
        raw={"gender": "male", "birth_date": date(1970, 3, 4), "education": "isced_3_4"},
        today=TODAY,
        now=NOW,
    )
    assert changed == ["gender", "birth_date", "birth_year", "education"]
    profile = db.session.get(ClientProfile, person.id)
    assert (profile.gender, profile.birth_year, profile.education) == ("male", 1970, "isced_3_4")
    (event,) = _events("participant.updated")
    assert event.details == {"fields": changed}


def test_an_expert_saving_keeps_the_sensitive_answers(db) -> None:
    expert, person = create_expert(), create_client()
    _advise(expert, person)
    _answers(person.id, disability="yes")
    participants.update(
        db.session,
        actor=expert,
        person_id=person.id,
        raw={"gender": "female", "disability": "no"},
        today=TODAY,
        now=NOW,
    )
    profile = db.session.get(ClientProfile, person.id)
    assert (profile.gender, profile.disability) == ("female", "yes")


def test_a_refused_update_writes_nothing(db) -> None:
    manager, person = create_manager(), create_client()
    with pytest.raises(rules.InvalidPesel):
        participants.update(
            db.session,
            actor=manager,
            person_id=person.id,
            raw={"gender": "male", "pesel": "85010112346"},
            today=TODAY,
            now=NOW,
        )
    db.session.rollback()
    assert db.session.get(ClientProfile, person.id).gender is None
    assert _events("participant.updated") == []


def test_nothing_changed_writes_no_audit(db) -> None:
    manager, person = create_manager(), create_client()
    assert (
        participants.update(
            db.session, actor=manager, person_id=person.id, raw={}, today=TODAY, now=NOW
        )
        == []
    )
    assert _events("participant.updated") == []


# --- duplicates -------------------------------------------------------------------------------


def test_find_duplicates_by_each_rule(db) -> None:
    by_pesel = create_client(full_name="Anna Nowak")
    _answers(by_pesel.id, pesel=PESEL, birth_year=1985)
    by_email = create_client(email="jan@example.org", full_name="Jan Kos")
    by_phone = create_client(full_name="Ewa Lis", phone="+48 600-100-200")
    by_name = create_client(full_name="Łucja  Żak")
    _answers(by_name.id, birth_year=1962)
    create_client(full_name="Łucja Żak")  # no birth year: not enough
    keys = rules.PersonKeys.of(
        pesel=PESEL,
        email="JAN@example.org",
        phone="600 100 200",
        full_name="lucja zak",
        birth_year=1962,
    )
    found = {d.person.id: d.reasons for d in participants.find_duplicates(db.session, keys)}
    assert found == {
        by_pesel.id: ["pesel"],
        by_email.id: ["email"],
        by_phone.id: ["phone"],
        by_name.id: ["name_birth_year"],
    }
    assert by_email.id not in {
        d.person.id for d in participants.find_duplicates(db.session, keys, exclude_id=by_email.id)
    }


def test_staff_and_inactive_people_are_not_duplicates(db) -> None:
    create_expert(email="x@example.org")
    create_client(email="gone@example.org", active=False)
    for address in ("x@example.org", "gone@example.org"):
        keys = rules.PersonKeys.of(email=address)
        assert participants.find_duplicates(db.session, keys) == []


# --- merging ----------------------------------------------------------------------------------


def _held(expert, client, branch, area, start: datetime, attendees=(), came=True) -> Consultation:
    c = create_consultation(
        expert=expert,
        client=client,
        branch=branch,
        area=area,
        attendees=attendees,
        start_dt=start,
        status="attended",
    )
    for row in c.attendees:
        row.attended = came
    _db.session.commit()
    return c


def _served(start: datetime, end: datetime) -> int:
    return _db.session.execute(
        text(
            "SELECT COUNT(DISTINCT a.user_id) FROM consultation_attendees a "
            "JOIN consultations c ON c.id = a.consultation_id "
            "WHERE c.status = 'attended' AND a.attended = :yes "
            "AND c.start_dt >= :start AND c.start_dt < :end"
        ),
        {"yes": True, "start": start, "end": end},
    ).scalar_one()


def test_merging_two_served_records_counts_the_person_once(db) -> None:
    branch, area = create_branch(), create_domain()
    expert, manager = create_expert(), create_manager()
    phone_only = create_client(email=None, password=None, phone="600 100 200", full_name="Jan Kos")
    registered = create_client(email="jan@example.org", full_name="Jan Kos")
    other = create_client()
    start = NOW - timedelta(days=30)
    _held(expert, phone_only, branch, area, start)
    _held(expert, registered, branch, area, start + timedelta(days=2))
    _held(expert, other, branch, area, start + timedelta(days=3))
    period = (NOW - timedelta(days=60), NOW)
    assert _served(*period) == 3
    person_merge.merge(db.session, manager, phone_only.id, registered.id, now=NOW, ip="1.2.3.4")
    assert _served(*period) == 2
    kept = db.session.get(User, phone_only.id)
    assert kept.email == "jan@example.org" and kept.password_hash  # can still log in
    assert db.session.get(User, registered.id) is None


def test_merge_keeps_every_consultation_membership_and_audit_entry(db) -> None:
    branch, area = create_branch(), create_domain()
    expert, manager = create_expert(), create_manager()
    keep = create_client(full_name="Anna Nowak")
    drop = create_client(full_name="Anna  Nowak", phone="601 000 000")
    _answers(drop.id, education="isced_5_8", pesel=PESEL, gender="female")
    _answers(keep.id, gender="non_binary")
    both = _held(expert, keep, branch, area, NOW - timedelta(days=5), attendees=[drop], came=False)
    both_row = _db.session.get(ConsultationAttendee, (both.id, drop.id))
    both_row.attended = True
    own = create_consultation(expert=expert, client=drop, branch=branch, area=area)
    group = create_group(members=[keep, drop])
    other_group = create_group(members=[drop])
    project = create_project(programme="efs_2007_2013")
    _db.session.add_all(
        [
            ProjectParticipant(
                project_id=project.id,
                user_id=keep.id,
                entry_date=date(2026, 6, 1),
                education="isced_0_2",
            ),
            ProjectParticipant(
                project_id=project.id,
                user_id=drop.id,
                entry_date=date(2026, 3, 1),
                education="isced_5_8",
            ),
        ]
    )
    _db.session.add(AuditEvent(at_dt=NOW, actor_id=drop.id, action="user.login", details={}))
    _db.session.add(
        AuditEvent(
            at_dt=NOW,
            actor_id=manager.id,
            action="x",
            target_type="user",
            target_id=drop.id,
            subject_id=drop.id,
            details={},
        )
    )
    _db.session.commit()
    keep_id, drop_id = keep.id, drop.id

    person_merge.merge(db.session, manager, keep_id, drop_id, now=NOW)

    rows = _db.session.scalars(
        select(ConsultationAttendee).where(ConsultationAttendee.consultation_id == both.id)
    ).all()
    assert [(r.user_id, r.attended) for r in rows] == [(keep_id, True)]
    assert _db.session.get(Consultation, own.id).client_id == keep_id
    assert _db.session.get(Consultation, own.id).created_by_id == keep_id
    members = _db.session.scalars(
        select(FoundingGroupMember).where(FoundingGroupMember.user_id == keep_id)
    ).all()
    assert sorted(m.group_id for m in members) == sorted([group.id, other_group.id])
    entries = _db.session.scalars(select(ProjectParticipant)).all()
    assert [(e.user_id, e.entry_date, e.education) for e in entries] == [
        (keep_id, date(2026, 3, 1), "isced_5_8")
    ]
    # The append-only trail is not rewritten: entries keep the dropped id, and the kept
    # person's entries are found through the merge record.
    assert (
        _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.login")).actor_id
        == drop_id
    )
    assert (
        _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "x")).subject_id == drop_id
    )
    assert audit.subject_ids(_db.session, keep_id) == {keep_id, drop_id}
    profile = _db.session.get(ClientProfile, keep_id)
    assert (profile.gender, profile.education, profile.pesel) == ("non_binary", "isced_5_8", PESEL)
    assert _db.session.get(User, keep_id).phone == "601 000 000"
    (merged,) = _events("person.merged")
    assert merged.details["kept"] == keep_id and merged.details["dropped"] == drop_id
    assert merged.actor_id == manager.id


def test_merge_refusals(db) -> None:
    manager, expert = create_manager(), create_expert()
    a, b = create_client(), create_client()
    with pytest.raises(rules.MergeSamePerson):
        person_merge.merge(db.session, manager, a.id, a.id, now=NOW)
    with pytest.raises(rules.MergeStaffAccount):
        person_merge.merge(db.session, manager, a.id, expert.id, now=NOW)
    with pytest.raises(NotFound):
        person_merge.merge(db.session, manager, a.id, 999_999, now=NOW)
    with pytest.raises(NotAllowed):
        person_merge.merge(db.session, expert, a.id, b.id, now=NOW)
    db.session.rollback()
    assert db.session.get(User, b.id) is not None
    assert _events("person.merged") == []


def test_preview_counts_both_sides(db) -> None:
    branch, area, expert, manager = (
        create_branch(),
        create_domain(),
        create_expert(),
        create_manager(),
    )
    a, b = create_client(), create_client()
    create_consultation(expert=expert, client=b, branch=branch, area=area)
    create_group(members=[a])
    view = person_merge.preview(db.session, manager, a.id, b.id)
    assert view.consultations == {a.id: 0, b.id: 1}
    assert len(view.groups[a.id]) == 1 and view.groups[b.id] == []
