"""The robustness sweep: every route of `app.url_map`, every method, hostile input → never a 5xx.

Generated, so a new route is covered without touching this file: for each route and role the
sweep sends one request with sane values, records which query and form parameters the view (or
its form) asked for, then sends each of them again with huge ids, extreme dates, garbage and
NUL bytes. Path parameters get huge ids and NUL bytes; JSON operations of the API get deeply
nested and wrongly typed bodies and fields (taken from the OpenAPI document). A NUL byte must be
refused (422 `invalid_input`), never stored: the last check reads every text column.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import String, Text, func, select

from incubator.extensions import db as _db
from incubator.web.api.openapi import openapi_document
from incubator.web.common.inputs import IdConverter
from tests.web import probe

ROLES = ("anonymous", "client_a", "expert_x", "manager")
# past PostgreSQL's integer id columns, past 64 bits, far past
HUGE_IDS = ("2147483648", "9223372036854775808", "18446744073709551616", "1" + "0" * 30)
BAD_PATH_IDS = (*HUGE_IDS, "0", "-1", "007", "1.5")
BAD_VALUES = (
    HUGE_IDS[0],
    HUGE_IDS[1],
    HUGE_IDS[3],
    "-1",
    "x",
    "",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00+14:00",
    "9999-12-31T23:59:59.999999-14:00",
    "ok\x00",  # a NUL byte: refused with 422 wherever it is
)
DEEP_BODIES = ("[" * 100_000, '{"a":' * 100_000, '{"a": ' + "[" * 40 + "]" * 40 + "}")
WRONG_BODIES = ("[]", '"text"', "null", "1", "{", "\x00", '{"a": "\\u0000"}')
BAD_JSON_VALUES: tuple[Any, ...] = (
    2**31,
    2**63,
    10**30,
    -1,
    1.5,
    True,
    "1",
    [],
    {},
    None,
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "ok\x00",
    {"nested": ["\x00"]},
)


def sane_args(world: probe.World) -> dict[str, str]:
    """A sane value for every query or form parameter name the app uses."""
    day = world.day.isoformat()
    return {
        "domain": "law",
        "branch": str(world.ids["branch"]),
        "expert": str(world.ids["expert"]),
        "client": str(world.ids["client"]),
        "date": day,
        "from": day,
        "to": day,
        "start": world.start,
        "q": "Anna",
        "page": "1",
    }


def sane_json(world: probe.World) -> dict[str, Any]:
    """A sane value for every JSON field of the API's request bodies."""
    return {
        "email": probe.EMAILS["client_a"],
        "password": "x",
        "expert_id": world.ids["expert"],
        "branch_id": world.ids["branch"],
        "client_id": world.ids["client"],
        "domain": "law",
        "start": world.start,
        "topic": "Sweep",
        "reason": "Sweep",
        "attendee_ids": [],
    }


def body_fields(app: Flask) -> dict[tuple[str, str], list[str]]:
    """(method, OpenAPI path) → the JSON fields of its request body."""
    with app.test_request_context():
        document = openapi_document(server_url="/api/v1")
    schemas = document["components"]["schemas"]
    found = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            ref = content.get("application/json", {}).get("schema", {}).get("$ref")
            if ref:
                schema = schemas[ref.rsplit("/", 1)[1]]
                found[(method.upper(), path)] = list(schema.get("properties", {}))
    return found


def openapi_path(rule: str) -> str:
    return probe.PARAMETER.sub(lambda m: "{" + m.group(1) + "}", rule.removeprefix("/api/v1"))


class Sweep:
    def __init__(self, app: Flask, world: probe.World, role: str) -> None:
        self.app, self.world, self.role = app, world, role
        self.failures: list[str] = []
        self.count = 0

    def send(self, method: str, path: str, label: str, **kwargs):
        client = self.client
        response = client.open(path, method=method, **kwargs)
        response.close()  # a static file's stream
        self.count += 1
        if response.status_code >= 500:
            self.failures.append(f"{self.role} {method} {path} {label}: {response.status_code}")
        return response

    def expect_refused(self, response, field: str, label: str) -> None:
        """A NUL byte: 422 invalid_input naming the field (JSON under /api/)."""
        ok = response.status_code == 422
        if ok and response.is_json:
            error = response.json["error"]
            ok = error["code"] == "invalid_input" and error.get("field") == field
        if not ok:
            self.failures.append(f"{self.role} {label}: NUL not refused ({response.status_code})")

    def route(self, rule, method: str, json_fields: list[str] | None) -> None:
        self.client = probe.client_as(self.app, self.role)
        values = probe.path_values(rule, self.world)
        self.path_cases(rule, method, values)
        path = probe.fill(rule, values)
        self.client = probe.client_as(self.app, self.role)  # the path cases may have logged out
        args = sane_args(self.world)
        probe.READ.clear()
        self.send(method, path, "sane", **self.params(method, args, {"_probe": "1"}))
        for name in sorted(probe.READ):
            for bad in BAD_VALUES:
                changed = {**args, name: bad}
                r = self.send(method, path, f"{name}={bad!r}", **self.params(method, changed, {}))
                if "\x00" in bad:
                    self.expect_refused(r, name, f"{method} {path} {name}={bad!r}")
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            self.body_cases(method, path, json_fields)

    def params(self, method: str, args: Mapping[str, str], extra: Mapping[str, str]) -> dict:
        if method == "GET":
            return {"query_string": dict(args)}
        return {"query_string": dict(args), "data": {**args, **extra}}

    def path_cases(self, rule, method: str, values: dict[str, object]) -> None:
        for name in rule.arguments:
            is_id = isinstance(rule._converters[name], IdConverter)
            for bad in (*(BAD_PATH_IDS if is_id else ()), "1\x00", "x\x00y"):
                path = probe.fill(rule, {**values, name: bad})
                r = self.send(method, path, f"path {name}={bad!r}")
                if is_id and r.status_code != 404:  # not a record id: the route does not match
                    self.failures.append(f"{self.role} {method} {path}: {r.status_code}, not 404")
                elif not is_id:  # a text segment (a token, a file name) with a NUL byte
                    self.expect_refused(r, name, f"{method} {path}")

    def body_cases(self, method: str, path: str, json_fields: list[str] | None) -> None:
        for body in (*DEEP_BODIES, *WRONG_BODIES):
            self.send(
                method, path, f"body {body[:12]!r}", data=body, content_type="application/json"
            )
        if not json_fields:
            return
        sane = {k: v for k, v in sane_json(self.world).items() if k in json_fields}
        for name in json_fields:
            for bad in BAD_JSON_VALUES:
                body = json.dumps({**sane, name: bad})
                r = self.send(
                    method, path, f"json {name}={bad!r}", data=body, content_type="application/json"
                )
                if "\x00" in json.dumps(bad, ensure_ascii=False):
                    self.expect_refused(r, name, f"{method} {path} json {name}={bad!r}")


@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_hostile_input_with_a_server_error(app, db, role) -> None:
    world = probe.build_world()
    fields = body_fields(app)
    sweep = Sweep(app, world, role)
    previous = app.request_class
    app.request_class = probe.RecordingRequest
    try:
        for rule, method in probe.routes(app):
            json_fields = None
            if rule.rule.startswith("/api/"):
                json_fields = fields.get((method, openapi_path(rule.rule)))
            sweep.route(rule, method, json_fields)
    finally:
        app.request_class = previous
    assert sweep.count > 500, "the sweep did not run"
    assert not sweep.failures, "\n".join(sweep.failures[:60])
    assert_no_nul_stored()


def assert_no_nul_stored() -> None:
    """No text column of any table holds a NUL byte (SQLite would have stored one silently).

    PostgreSQL's text cannot hold one at all: an attempt to store it raises, which the sweep
    sees as a 5xx.
    """
    if _db.engine.dialect.name != "sqlite":
        return
    holding = []
    for table in _db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text):
                holds = func.instr(column, func.char(0)) > 0
                found = _db.session.scalar(select(func.count()).select_from(table).where(holds))
                if found:
                    holding.append(f"{table.name}.{column.name}")
    assert not holding, holding


# --- the cases the outside review found, by name ----------------------------------------------


@pytest.fixture()
def world(db) -> probe.World:
    return probe.build_world()


def test_an_id_past_64_bits_in_a_url_is_a_404(app, world) -> None:
    client = probe.client_as(app, "manager")
    for url in (
        "/api/v1/consultations/9223372036854775808",
        "/personel/konsultacje/18446744073709551616/wydruk",
        f"/admin/uzytkownicy/{10**30}/aktywnosc",
    ):
        method = "POST" if url.endswith("aktywnosc") else "GET"
        assert client.open(url, method=method).status_code == 404, url
    # the largest id that fits is a valid address of a record that does not exist
    assert client.get("/api/v1/consultations/2147483647").status_code == 404
    assert client.get("/api/v1/consultations/2147483648").status_code == 404
    assert client.get(f"/api/v1/consultations/{world.ids['consultation_id']}").status_code == 200


def test_query_string_ids_past_64_bits_are_refused_or_ignored(app, world) -> None:
    client = probe.client_as(app, "manager")
    for huge in HUGE_IDS:
        r = client.get(f"/api/v1/experts?branch={huge}")
        assert r.status_code == 422 and r.json["error"]["field"] == "branch"
    r = client.get("/personel/rezerwacja/dziedzina?client=9223372036854775808")
    assert r.status_code == 302 and r.headers["Location"].endswith("/personel/rezerwacja")


def test_a_deeply_nested_json_body_is_refused(app, world) -> None:
    client = probe.client_as(app, "client_a")
    for body in ("[" * 100_000, '{"a":' * 100_000):
        r = client.post("/api/v1/consultations", data=body, content_type="application/json")
        assert r.status_code == 422
        assert r.json["error"]["code"] == "invalid_input" and r.json["error"]["field"] == "body"


def test_wrongly_typed_json_names_the_field(app, world) -> None:
    client = probe.client_as(app, "client_a")
    good = sane_json(world)
    for field, bad in (
        ("expert_id", "1"),
        ("branch_id", True),
        ("attendee_ids", [2**63]),
        ("client_id", 2**31),
    ):
        r = client.post("/api/v1/consultations", json={**good, field: bad})
        assert r.status_code == 422 and r.json["error"]["field"] == field, field
    r = client.post("/api/v1/consultations", json=[good])
    assert r.status_code == 422 and r.json["error"]["field"] == "body"


def test_extreme_dates_are_answered_clearly(app, world) -> None:
    client = probe.client_as(app, "expert_x")
    for day in ("0001-01-01", "9999-12-31"):
        r = client.get(f"/personel/dzien?date={day}")
        assert r.status_code == 200 and "Wybierz dzień." in r.get_data(as_text=True)
        r = client.get(
            f"/personel/rezerwacja/godzina?client={world.ids['client']}&domain=law"
            f"&branch={world.ids['branch']}&date={day}"
        )
        assert r.status_code == 302 and "/personel/rezerwacja/dzien" in r.headers["Location"]
        r = client.get(f"/api/v1/slots?domain=law&branch={world.ids['branch']}&from={day}&to={day}")
        assert r.status_code == 422 and r.json["error"]["field"] == "from"


def test_a_huge_or_odd_page_number_shows_the_first_page(app, world) -> None:
    client = probe.client_as(app, "manager")
    for page in ("9223372036854775808", "-1", "0", "x", "1e9"):
        assert client.get(f"/admin/uzytkownicy?page={page}").status_code == 200, page


def test_a_nul_byte_is_refused_the_same_way_everywhere(app, world) -> None:
    anonymous = probe.client_as(app, "anonymous")
    r = anonymous.get("/api/v1/experts?domain=%00")
    assert r.status_code == 422
    assert r.json["error"] == {
        "code": "invalid_input",
        "field": "domain",
        "message": "Pole „domain” ma nieprawidłową wartość.",
    }
    r = anonymous.post("/konto/rejestracja", data={"full_name": "Ala\x00", "email": "a@b.pl"})
    assert r.status_code == 422 and "„full_name”" in r.get_data(as_text=True)
    r = anonymous.get("/konto/reset/abc%00def")
    assert r.status_code == 422
    client = probe.client_as(app, "client_a")
    r = client.post("/api/v1/session", json={"email": "a@example.org", "password": "x\x00"})
    assert r.status_code == 422 and r.json["error"]["field"] == "password"
    r = client.post("/konto/", data={"full_name": "Anna\x00Klient"})
    assert r.status_code == 422
    assert_no_nul_stored()
