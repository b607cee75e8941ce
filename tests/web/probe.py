"""What the generated gates (access matrix, robustness sweep) share: a small world with two
clients, two experts and a manager, a client per role, and every route of `app.url_map` with
real values for its path parameters."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from urllib.parse import quote

from flask import Flask, Request
from flask.testing import FlaskClient
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import Rule

from incubator.clock import utcnow
from incubator.domain.calendar import local_date
from incubator.extensions import db
from tests.conftest import IsolatedClient, login
from tests.factories import (
    PASSWORD,
    create_branch,
    create_call_task,
    create_client,
    create_consultation,
    create_domain,
    create_event,
    create_exception,
    create_expert,
    create_group,
    create_manager,
    create_project,
    create_rule,
    create_waitlist_offer,
)
from tests.helpers import local

ROLES = ("anonymous", "client_a", "client_b", "expert_x", "expert_y", "manager")
EMAILS = {
    "client_a": "a@example.org",
    "client_b": "b@example.org",
    "expert_x": "x@example.org",
    "expert_y": "y@example.org",
    "manager": "m@example.org",
}
SKIP_METHODS = {"HEAD", "OPTIONS"}
PARAMETER = re.compile(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>")


@dataclass
class World:
    ids: dict[str, int]
    day: date  # a working day a few days ahead (real clock: the pages read it)
    start: str  # a slot start on that day, as the pages put it in URLs


def build_world() -> World:
    """Client A's consultation with expert X; X's weekly hours and a day off; Y, B, a manager;
    a training X gives, with A registered."""
    branch = create_branch(code="klucze", name="Klucze")
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    x = create_expert(domains=[law], branches=[branch], email=EMAILS["expert_x"])
    y = create_expert(domains=[law], branches=[branch], email=EMAILS["expert_y"])
    a = create_client(email=EMAILS["client_a"], full_name="Anna Klient")
    b = create_client(email=EMAILS["client_b"], full_name="Bartek Klient")
    create_manager(email=EMAILS["manager"])
    rules = [
        create_rule(x, branch, weekday=d, start_time=time(9), end_time=time(12)) for d in range(6)
    ]
    for d in range(6):
        create_rule(y, branch, weekday=d)
    day = local_date(utcnow()) + timedelta(days=3)
    while day.weekday() == 6:
        day += timedelta(days=1)
    exception = create_exception(x, start_date=day + timedelta(days=20))
    consultation = create_consultation(
        expert=x, client=a, branch=branch, area=law, start_dt=local(day, 10)
    )
    project = create_project(branches=[branch])
    # A founding group guarded by X with A as a member (B and Y see nothing of it).
    group = create_group(branch_id=branch.id, guardian_id=x.id, members=[a])
    # A call to make about X's consultation (issue #13): X and managers see it, Y does not.
    task = create_call_task(user=a, consultation=consultation)
    # A on the waiting list with a slot of X's held for them (issue #13).
    offer_day = day + timedelta(days=2 if day.weekday() == 5 else 1)  # X works Monday–Saturday
    entry, offer = create_waitlist_offer(
        client=a, expert=x, branch=branch, area=law, start_dt=local(offer_day, 11)
    )
    # An event trained by X with a session ahead, client A registered (issue #14).
    start = local(offer_day, 13)
    event = create_event(
        kind="training", title="Szkolenie próbne", capacity=10, branch_id=branch.id,
        trainers=[x], sessions=[(start, start + timedelta(hours=2))], registered=[a],
    )  # fmt: skip
    registration = event.registrations[0]
    return World(
        ids={
            "consultation_id": consultation.id,
            "rule_id": rules[0].id,
            "exception_id": exception.id,
            "user_id": b.id,
            "branch": branch.id,
            "expert": x.id,
            "expert_y": y.id,
            "client": a.id,
            "client_b": b.id,
            "project_id": project.id,
            "client_id": a.id,
            "person_id": a.id,  # the subject access export (issue #15): client A's
            "group_id": group.id,
            "task_id": task.id,
            "entry_id": entry.id,
            "offer_id": offer.id,
            "event_id": event.id,
            "session_id": event.sessions[0].id,
            "registration_id": registration.id,
        },
        day=day,
        start=local(day, 9).isoformat(timespec="minutes"),
    )


def client_as(app: Flask, role: str) -> FlaskClient:
    """A fresh test client, logged in as `role` (or anonymous)."""
    app.test_client_class = IsolatedClient
    client = app.test_client()
    if role != "anonymous":
        response = login(client, EMAILS[role], PASSWORD, follow=False)
        assert response.status_code == 302, f"{role} could not log in"
    db.session.rollback()
    return client


def routes(app: Flask) -> Iterator[tuple[Rule, str]]:
    """Every rule of the app with each of its methods (HEAD and OPTIONS aside)."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        for method in sorted((rule.methods or set()) - SKIP_METHODS):
            yield rule, method


def path_values(rule: Rule, world: World) -> dict[str, object]:
    """Real values for a rule's path parameters: A's consultation, X's rule, B's account..."""
    values: dict[str, object] = {}
    for name in rule.arguments:
        if name in world.ids:
            values[name] = world.ids[name]
        elif name == "filename":
            values[name] = "css/app.css"
        elif name == "day":
            values[name] = world.day.isoformat()  # the day of A's consultation with X
        elif name == "fmt":
            values[name] = "csv"  # a format both download routes serve
        else:
            values[name] = "x"
    return values


def fill(rule: Rule, values: dict[str, object]) -> str:
    """The rule's path with each parameter replaced by its value (URL-quoted, unchecked)."""
    return PARAMETER.sub(lambda m: quote(str(values[m.group(1)]), safe="/"), rule.rule)


# --- which query and form parameters a view reads -------------------------------------------

READ: set[str] = set()  # names asked for by the last request (a plain set: requests run in
# their own contextvars.Context, see IsolatedClient)


class RecordingMultiDict(ImmutableMultiDict):
    """Query and form data that remember every name a view (or its WTForms form) asks for."""

    def __getitem__(self, key):
        READ.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):  # noqa: A002 - werkzeug's signature
        READ.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        READ.add(key)
        return super().getlist(key, type)

    def __contains__(self, key) -> bool:
        READ.add(key)
        return super().__contains__(key)


class RecordingRequest(Request):
    parameter_storage_class = RecordingMultiDict
