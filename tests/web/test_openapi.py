"""The OpenAPI document is valid, complete, and tells the truth about real responses."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from incubator.web.api.openapi import error_codes, openapi_document
from tests.factories import PASSWORD
from tests.web import test_api
from tests.web.test_api import API, as_user, body_for, bookable, today

# The API tests' fixtures, shared rather than copied.
world = test_api.world
fresh_request_globals = test_api.fresh_request_globals

IGNORED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi_document(server_url="/api/v1")


def _openapi_path(rule: str) -> str:
    """`/api/v1/consultations/<int:consultation_id>` -> `/consultations/{consultation_id}`"""
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.removeprefix(API))


def _routes(app: Flask) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API + "/"):
            methods = {m.lower() for m in (rule.methods or set()) - IGNORED_METHODS}
            routes.setdefault(_openapi_path(rule.rule), set()).update(methods)
    return routes


def test_the_document_is_valid_openapi(client, document) -> None:
    validate(document)
    served = client.get(f"{API}/openapi.json")
    assert served.status_code == 200 and served.mimetype == "application/json"
    assert served.json["servers"] == [{"url": API}]
    validate(served.json)


def test_every_route_is_documented_and_nothing_else(app, document) -> None:
    routes = _routes(app)
    assert len(routes) >= 8  # the check itself found the API
    documented = {
        path: {m for m in item if m in {"get", "post", "put", "patch", "delete"}}
        for path, item in document["paths"].items()
    }
    assert routes == documented


def test_operation_ids_are_the_endpoint_names(app, document) -> None:
    by_path_and_method = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API + "/"):
            for method in (rule.methods or set()) - IGNORED_METHODS:
                by_path_and_method[(_openapi_path(rule.rule), method.lower())] = rule.endpoint
    for (path, method), endpoint in by_path_and_method.items():
        assert document["paths"][path][method]["operationId"] == endpoint.removeprefix("api.")


def test_every_domain_error_code_is_listed() -> None:
    codes = error_codes()
    for code in ("slot_taken", "not_a_slot", "busy", "csrf_failed", "unauthorized"):
        assert code in codes


# --- real responses against the documented schemas -----------------------------------------


def _resolve(document: dict, item: dict) -> dict:
    while "$ref" in item:
        node: Any = document
        for part in item["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        item = node
    return item


def check(document: dict, path: str, method: str, response) -> None:
    """The status is documented for the operation and the JSON body matches its schema."""
    operation = document["paths"][path][method]
    documented = operation["responses"]
    status = str(response.status_code)
    assert status in documented, f"{method.upper()} {path} answered undocumented {status}"
    spec = _resolve(document, documented[status])
    content = spec.get("content", {})
    if response.mimetype != "application/json":
        assert response.mimetype in content
        return
    schema = {**content["application/json"]["schema"], "components": document["components"]}
    OAS31Validator(schema).validate(response.get_json())
    for header in spec.get("headers", {}):
        assert header in response.headers


def test_real_responses_match_the_document(app, client, world, document) -> None:
    klucze = world["klucze"].id
    slots_query = f"domain=law&branch={klucze}&from={today()}&to={today()}"
    check(document, "/branches", "get", client.get(f"{API}/branches"))
    check(document, "/domains", "get", client.get(f"{API}/domains"))
    check(document, "/experts", "get", client.get(f"{API}/experts?domain=law"))
    check(document, "/experts", "get", client.get(f"{API}/experts?domain=astrology"))
    check(document, "/slots", "get", client.get(f"{API}/slots?{slots_query}"))
    check(document, "/slots", "get", client.get(f"{API}/slots?domain=law"))
    check(document, "/session", "get", client.get(f"{API}/session"))
    check(document, "/consultations", "get", client.get(f"{API}/consultations"))
    check(
        document,
        "/session",
        "post",
        client.post(f"{API}/session", json={"email": "x@example.org", "password": "x"}),
    )
    check(
        document,
        "/session",
        "post",
        client.post(f"{API}/session", json={"email": world["client"].email, "password": PASSWORD}),
    )
    slots = bookable(client, world, expert=world["nowak"])
    created = client.post(f"{API}/consultations", json=body_for(slots[0]))
    check(document, "/consultations", "post", created)
    rival = as_user(app, world["other"])
    check(
        document,
        "/consultations",
        "post",
        rival.post(f"{API}/consultations", json=body_for(slots[0])),
    )
    check(document, "/consultations", "post", rival.post(f"{API}/consultations", data=b"{"))
    item = "/consultations/{consultation_id}"
    url = created.json["url"]
    check(document, "/consultations", "get", client.get(f"{API}/consultations"))
    check(document, item, "get", client.get(url))
    check(document, item, "get", rival.get(url))
    check(document, item + ".ics", "get", client.get(created.json["ics_url"]))
    check(
        document,
        item + "/reschedule",
        "post",
        client.post(f"{url}/reschedule", json={"start": slots[1]["start"]}),
    )
    check(document, item + "/cancel", "post", client.post(f"{url}/cancel", json={}))
    check(document, item + "/cancel", "post", client.post(f"{url}/cancel", json={}))
    check(document, "/session", "delete", client.delete(f"{API}/session"))
    check(document, item + "/cancel", "post", client.post(f"{url}/cancel", json={}))
    check(document, "/openapi.json", "get", client.get(f"{API}/openapi.json"))
