"""The demo's participant records look like 2007-2013 ones: some incomplete, no 2012 fields."""

from __future__ import annotations

from sqlalchemy import func, select

from incubator.domain import participants as rules
from incubator.models import ClientProfile, Role, User
from incubator.services.participants import answers_of
from tests.integration.test_seeding import _load


def test_demo_participant_answers(app, db) -> None:
    summary = _load(app, db.session)
    assert summary.history.people_served == 207
    profiles = list(
        db.session.scalars(
            select(ClientProfile)
            .join(User, User.id == ClientProfile.user_id)
            .where(User.role == Role.CLIENT)
        )
    )
    # the generated history's people (the named demo accounts from seed_data aside)
    generated = [p for p in profiles if p.user.created_by_id is not None or p.entry_dt]
    assert len(generated) > 200
    # The 2012 questions were not asked of these people: unknown, never "no".
    for name in ("disability", "minority", "third_country", "foreign_background", "homeless"):
        assert all(getattr(p, name) is None for p in generated), name
    with_date = [p for p in generated if p.birth_date is not None]
    assert 0.25 < len(with_date) / len(generated) < 0.55
    assert all(p.birth_year == p.birth_date.year for p in with_date)
    incomplete = [p for p in generated if not rules.is_complete(answers_of(p))]
    missing = {m for p in incomplete for m in rules.missing_answers(answers_of(p))}
    assert 3 <= len(incomplete) < len(generated) // 10
    assert {"education", "labour_status"} <= missing
    assert db.session.scalar(select(func.count()).select_from(ClientProfile)) >= len(generated)


def test_every_demo_client_was_informed_and_how_fits_the_record(app, db) -> None:
    """RODO art. 13: each demo client has a date and a way; phone-only people (entered by staff)
    were informed by phone, the others on the page; staff accounts carry neither."""
    _load(app, db.session)
    people = list(db.session.scalars(select(User)))
    clients = [u for u in people if u.role == Role.CLIENT]
    assert len(clients) > 200
    assert all(u.consent_dt is not None for u in clients)
    by_phone = [u for u in clients if u.informed_via == "phone"]
    on_page = [u for u in clients if u.informed_via == "page"]
    assert len(by_phone) + len(on_page) == len(clients)
    assert by_phone and on_page
    assert all(u.email is None and u.created_by_id is not None for u in by_phone)
    assert all(u.email is not None for u in on_page)
    assert all(u.informed_via is None and u.consent_dt is None for u in people if u.is_staff)
