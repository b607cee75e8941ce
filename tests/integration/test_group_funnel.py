"""The founding-group funnel on a hand-built world, on both engines (issue #12): the cohort of
groups formed in the period per office, by stage and legal form, conversion and median days."""

from __future__ import annotations

from datetime import date, datetime

from incubator.domain.group_funnel import funnel, median_days
from incubator.models import FoundingGroupStage
from incubator.services.group_funnel import group_funnel
from tests.factories import NOW, create_branch, create_group

_krs = iter(range(1, 100))


def _group(branch, form: str, formed: date, registered: date | None = None, stage="training"):
    extra = {}
    if registered is not None:
        stage = "registered"
        extra = {"register": "krs", "krs": f"{next(_krs):010d}"}
    group = create_group(
        branch_id=branch.id, legal_form=form, stage=stage,
        created_at_dt=datetime.combine(formed, datetime.min.time(), NOW.tzinfo), **extra,
    )  # fmt: skip
    if registered is not None:
        group.stage_history.append(
            FoundingGroupStage(from_value="application_filed", to_value="registered",
                               on_date=registered, changed_at_dt=NOW)
        )  # fmt: skip
    return group


def test_the_funnel_counts_the_cohort_formed_in_the_period(db) -> None:
    klucze, sacz = create_branch(code="klucze"), create_branch(code="sacz")
    _group(klucze, "social_cooperative", date(2025, 1, 10), date(2025, 7, 10))  # 181 days
    _group(klucze, "association", date(2025, 2, 1), date(2025, 3, 3))  # 30 days
    _group(klucze, "foundation", date(2025, 3, 1), date(2025, 4, 10))  # 40 days
    _group(klucze, "social_cooperative", date(2025, 5, 1))  # still in training
    _group(klucze, "social_cooperative", date(2024, 12, 31), date(2025, 2, 1))  # the year before
    _group(sacz, "social_cooperative", date(2025, 6, 1), date(2025, 6, 11))  # 10 days
    db.session.commit()
    year = {"first_day": date(2025, 1, 1), "last_day": date(2025, 12, 31)}

    office = group_funnel(db.session, branch_ids=[klucze.id], **year)
    assert (office.formed, office.registered, office.conversion) == (4, 3, 0.75)
    assert office.median_days_to_registration == 40.0
    assert office.by_stage["registered"] == 3 and office.by_stage["training"] == 1
    assert office.by_stage["formed"] == 0
    assert office.by_legal_form == {
        "social_cooperative": 2, "association": 1, "ordinary_association": 0, "foundation": 1,
    }  # fmt: skip

    everywhere = group_funnel(db.session, **year)
    assert (everywhere.formed, everywhere.registered, everywhere.conversion) == (5, 4, 0.8)
    assert everywhere.median_days_to_registration == 35.0  # (30 + 40) / 2

    empty = group_funnel(db.session, first_day=date(2020, 1, 1), last_day=date(2020, 12, 31))
    assert (empty.formed, empty.conversion, empty.median_days_to_registration) == (0, None, None)


def test_the_pure_funnel() -> None:
    assert median_days([]) is None
    assert median_days([(date(2025, 1, 1), date(2025, 1, 4))]) == 3.0
    f = funnel({("foundation", "registered"): 1, ("foundation", "formed"): 2}, [])
    assert (f.formed, f.registered, f.conversion) == (3, 1, 0.3333)
