"""`incubator reminders send` and `incubator mail send|status` as cron runs them."""

from __future__ import annotations

import email
from datetime import timedelta
from email import policy

from incubator.clock import utcnow
from incubator.domain.calendar import local_date
from tests.factories import (
    create_branch,
    create_client,
    create_consultation,
    create_domain,
    create_expert,
)
from tests.helpers import local


def tomorrow_at(hour: int):
    return local(local_date(utcnow()) + timedelta(days=1), hour)


def world():
    branch = create_branch(code="klucze", name="Klucze", address="ul. Rynek 1")
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    expert = create_expert(domains=[law], branches=[branch], full_name="Anna Żółkiewska")
    client = create_client(full_name="Łucja Wiśniewska", email="lucja@example.org")
    phone_only = create_client(full_name="Jerzy Bąk", email=None, password=None, phone="600 1")
    create_consultation(
        expert=expert, client=client, branch=branch, area=law, start_dt=tomorrow_at(10)
    )
    create_consultation(
        expert=expert, client=phone_only, branch=branch, area=law, start_dt=tomorrow_at(12)
    )


def test_reminders_for_tomorrow_are_queued_once_then_sent_as_eml(runner, outbox) -> None:
    world()
    first = runner.invoke(args=["reminders", "send"])
    assert first.exit_code == 0, first.output
    day = local_date(utcnow()) + timedelta(days=1)
    assert f"{day}: 2 consultation(s), 1 e-mail(s) queued, 1 person(s) added" in first.output
    again = runner.invoke(args=["reminders", "send"])
    assert again.exit_code == 0 and "0 e-mail(s) queued" in again.output
    assert "all reminded already" in again.output
    assert "queued: 1" in runner.invoke(args=["mail", "status"]).output
    sent = runner.invoke(args=["mail", "send"])
    assert sent.exit_code == 0 and "Sent 1, to retry 0, failed 0." in sent.output
    files = list(outbox.glob("*.eml"))
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["To"] == "Łucja Wiśniewska <lucja@example.org>"
    assert message["Subject"].startswith("Przypomnienie: jutro konsultacja")
    assert runner.invoke(args=["mail", "send"]).output.strip() == "Sent 0, to retry 0, failed 0."


def test_a_day_without_consultations_says_so(runner) -> None:
    result = runner.invoke(args=["reminders", "send", "--date", "2099-01-05"])
    assert result.exit_code == 0
    assert result.output.strip() == "No booked consultations on 2099-01-05: nothing to send."


def test_a_past_day_or_a_bad_date_is_one_line_and_exit_status_1_or_2(runner) -> None:
    past = runner.invoke(args=["reminders", "send", "--date", "2001-01-01"])
    assert past.exit_code == 1
    assert past.output.strip() == "Error: 2001-01-01 is in the past; nothing was queued."
    bad = runner.invoke(args=["reminders", "send", "--date", "jutro"])
    assert bad.exit_code == 2 and "'jutro' does not match the format '%Y-%m-%d'" in bad.output


def test_a_booking_through_the_api_is_delivered_right_after_the_response(
    client, db, outbox
) -> None:
    from tests.conftest import login
    from tests.factories import PASSWORD, create_rule

    branch = create_branch(code="klucze", name="Klucze")
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    expert = create_expert(domains=[law], branches=[branch], full_name="Anna Żółkiewska")
    day = local_date(utcnow()) + timedelta(days=3)
    create_rule(expert, branch, weekday=day.weekday())
    create_client(full_name="Łucja Wiśniewska", email="lucja@example.org")
    login(client, "lucja@example.org", PASSWORD)
    token = client.get("/api/v1/session").json["csrf_token"]
    response = client.post(
        "/api/v1/consultations",
        json={"expert_id": expert.id, "branch_id": branch.id, "domain": "law",
              "start": local(day, 9).isoformat()},
        headers={"X-CSRFToken": token},
    )  # fmt: skip
    assert response.status_code == 201, response.json
    assert not list(outbox.glob("*.eml"))  # nothing sent while the client waits
    response.close()  # what the WSGI server does once the body is out
    subjects = sorted(
        str(email.message_from_bytes(f.read_bytes(), policy=policy.default)["To"])
        for f in outbox.glob("*.eml")
    )
    assert subjects == [
        "Anna Żółkiewska <" + expert.email + ">",
        "Łucja Wiśniewska <lucja@example.org>",
    ]
