"""Subject access (RODO art. 15): a person with one of everything, exported section by section."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from incubator.domain.subject_access import FORMAT, ExportNotAllowed, UnknownPerson
from incubator.models import (
    AuditEvent,
    CalendarFeed,
    ClientProfile,
    EventCertificate,
    OutboxMessage,
    ProjectParticipant,
    TopicCategory,
)
from incubator.services import audit, subject_access
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
    create_rule,
    create_waitlist_offer,
)
from tests.helpers import NOW, local

NAME = "Zażółć Gęśląjaźń"
SECRET_TOKEN = "tajny-token-kalendarza-0123456789abcdef0123"


def build_person_with_everything(db) -> dict:
    """A client with one row in every table that refers to a person, and their staff."""
    branch = create_branch(name="Klucze")
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    expert = create_expert(domains=[law], branches=[branch], title="mec.", full_name="Anna Nowak")
    manager = create_manager(full_name="Maria Kierownik")
    person = create_client(full_name=NAME, phone="600100200", consent_dt=NOW,
                           informed_via="page", last_login_dt=NOW)  # fmt: skip
    other = create_client(full_name="Ktoś Inny")
    person.client_profile = ClientProfile(
        gender="female", birth_date=date(1990, 5, 17), birth_year=1990, pesel="90051712345",
        disability="yes", minority="refused", labour_status="long_term_unemployed",
        education="isced_3_4", residence="rural", locality="Klucze",
    )  # fmt: skip
    category = TopicCategory(code="start", name_pl="Zakładanie", name_en="Starting up")
    db.session.add(category)
    db.session.commit()
    project = create_project(branches=[branch], code="pes-2026", name="Projekt PES")
    db.session.add(ProjectParticipant(project_id=project.id, user_id=person.id,
                                      entry_date=date(2026, 3, 2), age_at_entry=35))  # fmt: skip
    held = create_consultation(
        expert=expert, client=person, branch=branch, area=law, start_dt=local(date(2026, 3, 2), 10),
        status="attended", topic="Statut spółdzielni", notes="Prywatna notatka eksperta",
        duration_min=50, topic_category_id=category.id,
    )  # fmt: skip
    held.attendees[0].attended = True
    as_guest = create_consultation(expert=expert, client=other, branch=branch, area=law,
                                   attendees=[person])  # fmt: skip
    group = create_group(branch_id=branch.id, guardian_id=expert.id, members=[person],
                         name="Spółdzielnia „Łąka”")  # fmt: skip
    start = local(date(2026, 4, 1), 9)
    event = create_event(kind="training", title="Szkolenie z księgowości", branch_id=branch.id,
                         trainers=[expert], sessions=[(start, start + timedelta(hours=3))],
                         registered=[person], came={0: [person]})  # fmt: skip
    db.session.add(EventCertificate(
        event_id=event.id, user_id=person.id, code="ABCD-1234", issued_at_dt=NOW,
        sessions_attended=1, sessions_held=1,
    ))  # fmt: skip
    create_waitlist_offer(client=person, expert=expert, branch=branch, area=law,
                          start_dt=local(date(2026, 11, 30), 11))  # fmt: skip
    db.session.add(OutboxMessage(
        key="k1", kind="reminder", recipient_id=person.id, to_address="x@example.org",
        subject="Przypomnienie o konsultacji", message=b"TRESC-WIADOMOSCI", status="sent",
        next_attempt_at_dt=NOW, created_at_dt=NOW, sent_at_dt=NOW,
    ))  # fmt: skip
    db.session.add(CalendarFeed(user_id=person.id, token=SECRET_TOKEN, created_at_dt=NOW))
    db.session.commit()
    create_call_task(user=person, consultation=as_guest, note="zadzwonić rano")
    create_rule(expert, branch)
    # the trail: the person themselves, a manager, the system, and a record merged into theirs
    audit.record(db.session, actor=person, action="user.login", target=person, ip="10.0.0.7",
                 now=NOW)  # fmt: skip
    audit.record(db.session, actor=manager, action="participant.viewed", target=person,
                 ip="10.9.9.9", now=NOW)  # fmt: skip
    audit.record(db.session, actor=None, action="reminder.sent", target=held, now=NOW)
    audit.record(db.session, actor=None, action="user.created", subject=9999, now=NOW)
    audit.record(db.session, actor=manager, action="person.merged", target=person,
                 details={"kept": person.id, "dropped": 9999}, now=NOW)  # fmt: skip
    audit.record(db.session, actor=manager, action="participant.viewed", target=other, now=NOW)
    db.session.commit()
    return {"person": person, "manager": manager, "expert": expert, "other": other,
            "held": held, "as_guest": as_guest, "group": group, "event": event}  # fmt: skip


def test_a_managers_export_holds_every_section(db) -> None:
    w = build_person_with_everything(db)
    doc = subject_access.export(
        db.session, viewer=w["manager"], person_id=w["person"].id, now=NOW, fmt="json"
    )
    json.dumps(doc)  # serialisable as it is
    assert doc["format"] == FORMAT and doc["generated_at"] == "2026-11-23T09:00:00+00:00"
    assert doc["withheld"] == []
    account = doc["account"]
    assert (account["full_name"], account["phone"], account["role"]) == (
        NAME,
        "600100200",
        "client",
    )
    assert account["active"] is True and account["erased_at"] is None
    assert doc["information"] == {"consent_dt": "2026-11-23T10:00:00+01:00", "informed_via": "page"}
    record = doc["participant_record"]
    assert record["pesel"] == "90051712345" and record["disability"] == "yes"
    assert record["minority"] == "refused" and record["birth_date"] == "1990-05-17"
    assert record["locality"] == "Klucze"
    assert doc["projects"] == [{
        "project_code": "pes-2026", "project_name": "Projekt PES", "programme": "efs_2021_2027",
        "entry_date": "2026-03-02", "age_at_entry": 35, "labour_status": None,
        "education": None, "residence": None,
    }]  # fmt: skip
    held, guest = doc["consultations"]
    assert held["start"] == "2026-03-02T10:00:00+01:00" and held["as"] == "client"
    assert (held["expert"], held["area"], held["office"]) == ("mec. Anna Nowak", "Prawo", "Klucze")
    assert (held["status"], held["attended"], held["duration_min"]) == ("attended", True, 50)
    assert held["topic_category"] == "Zakładanie" and held["topic"] == "Statut spółdzielni"
    assert held["notes"] == "Prywatna notatka eksperta"
    assert guest["as"] == "attendee" and guest["id"] == w["as_guest"].id
    [group] = doc["founding_groups"]
    assert group["group"] == "Spółdzielnia „Łąka”" and group["legal_form"] == "social_cooperative"
    assert group["kind"] == "natural" and group["is_founder"] is True
    [event] = doc["events"]
    assert event["title"] == "Szkolenie z księgowości" and event["kind"] == "training"
    assert event["registrations"][0]["status"] == "registered"
    assert event["sessions"] == [
        {"start": "2026-04-01T09:00:00+02:00", "end": "2026-04-01T12:00:00+02:00", "attended": True}
    ]
    assert event["certificate"]["code"] == "ABCD-1234"
    [entry] = doc["waiting_list"]
    assert entry["status"] == "offered" and entry["offers"][0]["expert"] == "mec. Anna Nowak"
    assert doc["messages"] == [{
        "created_at": "2026-11-23T10:00:00+01:00", "sent_at": "2026-11-23T10:00:00+01:00",
        "kind": "reminder", "subject": "Przypomnienie o konsultacji", "status": "sent",
    }]  # fmt: skip
    assert [t["note"] for t in doc["call_tasks"]] == ["zadzwonić rano"]
    assert doc["calendar_feeds"] == [{"office": None, "created_at": "2026-11-23T10:00:00+01:00"}]
    assert doc["staff_work"] is None and doc["expert_profile"] is None
    text = json.dumps(doc, ensure_ascii=False)
    assert SECRET_TOKEN not in text and "TRESC-WIADOMOSCI" not in text


def test_the_trail_names_actors_and_only_the_persons_own_addresses(db) -> None:
    w = build_person_with_everything(db)
    doc = subject_access.export(db.session, viewer=w["manager"], person_id=w["person"].id, now=NOW)
    entries = {(e["action"], e["actor_name"]): e for e in doc["audit"]}
    login = entries[("user.login", NAME)]
    assert login["by_self"] is True and login["ip"] == "10.0.0.7"
    viewed = entries[("participant.viewed", "Maria Kierownik")]
    assert viewed["actor_role"] == "manager" and viewed["ip"] is None
    assert entries[("reminder.sent", None)]["actor_role"] == "system"
    assert ("user.created", None) in entries  # about the record merged into theirs
    # the other client's entry is not theirs; the export's own entry comes after the document
    assert len(doc["audit"]) == 5


def test_the_export_is_audited_with_its_format(db) -> None:
    w = build_person_with_everything(db)
    subject_access.export(
        db.session, viewer=w["manager"], person_id=w["person"].id, now=NOW, fmt="pdf", ip="1.2.3.4"
    )
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person.exported")
    ).one()
    assert (event.subject_id, event.actor_id) == (w["person"].id, w["manager"].id)
    assert event.details == {"format": "pdf"} and event.ip == "1.2.3.4"


def test_a_clients_own_download_leaves_the_experts_notes_out(db) -> None:
    w = build_person_with_everything(db)
    doc = subject_access.export(db.session, viewer=w["person"], person_id=w["person"].id, now=NOW)
    assert doc["withheld"] == ["consultation_notes"] and doc["for"] == "self"
    assert all("notes" not in c for c in doc["consultations"])
    assert "Prywatna notatka" not in json.dumps(doc, ensure_ascii=False)
    assert doc["participant_record"]["pesel"] == "90051712345"  # their own, so all of it


def test_a_staff_account_shows_its_profile_and_work_counts(db) -> None:
    w = build_person_with_everything(db)
    doc = subject_access.export(db.session, viewer=w["manager"], person_id=w["expert"].id, now=NOW)
    assert doc["account"]["role"] == "expert" and doc["participant_record"] is None
    assert doc["expert_profile"]["title"] == "mec." and doc["expert_profile"]["areas"] == ["Prawo"]
    assert doc["staff_work"] == {"consultations_given": 2, "weekly_hours": 1,
                                 "days_off_and_extra_hours": 0, "events_trained": 1,
                                 "groups_guarded": 1}  # fmt: skip


@pytest.mark.parametrize("who", ["expert", "other"])
def test_experts_and_other_clients_are_refused_and_nothing_is_written(db, who) -> None:
    w = build_person_with_everything(db)
    before = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    with pytest.raises(ExportNotAllowed):
        subject_access.export(db.session, viewer=w[who], person_id=w["person"].id, now=NOW)
    after = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    assert before == after


def test_an_unknown_person_is_refused_by_name(db) -> None:
    manager = create_manager()
    with pytest.raises(UnknownPerson):
        subject_access.export(db.session, viewer=manager, person_id=manager.id + 100, now=NOW)
    assert db.session.scalars(select(AuditEvent)).all() == []


def test_the_overview_counts_without_writing(db) -> None:
    w = build_person_with_everything(db)
    person, doc = subject_access.overview(
        db.session, viewer=w["manager"], person_id=w["person"].id, now=NOW
    )
    counts = subject_access.counts(doc)
    assert person.id == w["person"].id and counts["consultations"] == 2 and counts["events"] == 1
    assert not db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person.exported")
    ).all()
