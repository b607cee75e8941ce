"""The input edge: what every request is checked for before any view reads it.

- Record ids in URLs use the ``id`` converter (`IdConverter`): 1..2^31-1, digits only. Anything
  else does not match the route, so it is a 404 and never reaches a query (an id past the id
  columns (32-bit on PostgreSQL) made psycopg and sqlite3 raise).
- No text input may carry a NUL byte (`refuse_nul_bytes`, a ``before_request`` hook): PostgreSQL
  refuses it in ``text`` columns while SQLite stores it silently, so it is refused on both engines
  before a view sees it — in path segments, the query string, form fields and JSON strings.
- JSON bodies are parsed by `load_json`, which turns malformed or absurdly nested JSON into an
  `InvalidInput` on the field ``body`` instead of a `RecursionError`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from flask import abort, request
from werkzeug.routing import BaseConverter, ValidationError

from ...domain import bounds
from ...domain.errors import InvalidInput
from .urls import API_ROOT

MAX_JSON_DEPTH = 32  # the API's bodies nest two levels deep
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


class IdConverter(BaseConverter):
    """``<id:consultation_id>``: a record id, 1..2^31-1 without leading zeros (else a 404)."""

    regex = rf"[1-9][0-9]{{0,{bounds.MAX_ID_DIGITS - 1}}}"
    weight = 50  # as werkzeug's ``int``: preferred to a plain string segment

    def to_python(self, value: str) -> int:
        number = bounds.parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


def load_json(raw: bytes | str) -> Any:
    """Parse a JSON document; malformed, or nested deeper than MAX_JSON_DEPTH, is `InvalidInput`."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InvalidInput(field="body", reason="malformed_json") from None
    for depth, _value in _walk(data):
        if depth > MAX_JSON_DEPTH:
            raise InvalidInput(field="body", reason="malformed_json")
    return data


def _walk(data: Any) -> Iterator[tuple[int, Any]]:
    """Every value and object key in a parsed JSON document with its depth (iteratively)."""
    stack: list[tuple[int, Any]] = [(0, data)]
    while stack:
        depth, value = stack.pop()
        yield depth, value
        if isinstance(value, dict):
            stack.extend((depth + 1, k) for k in value)
            stack.extend((depth + 1, v) for v in value.values())
        elif isinstance(value, list):
            stack.extend((depth + 1, v) for v in value)


def _json_field_with_nul(raw: bytes) -> str | None:
    """The name of a JSON field (or ``body``) whose text holds a NUL byte, if any."""
    if b"\x00" in raw:
        return "body"
    try:
        data = load_json(raw)
    except InvalidInput:
        return None  # not JSON: the view that reads the body says so
    if isinstance(data, dict):
        for key, value in data.items():
            if any(isinstance(v, str) and bounds.NUL in v for _d, v in _walk(value)):
                return str(key).replace(bounds.NUL, "")
            if bounds.NUL in str(key):
                return "body"
    elif any(isinstance(v, str) and bounds.NUL in v for _d, v in _walk(data)):
        return "body"
    return None


def nul_field() -> str | None:
    """The first input of the current request that holds a NUL byte, or None."""
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str) and bounds.NUL in value:
            return name
    sources = [request.args]
    if request.mimetype in FORM_TYPES:
        sources.append(request.form)
    for source in sources:
        for key, values in source.lists():
            if bounds.NUL in key or any(bounds.NUL in v for v in values):
                return key.replace(bounds.NUL, "")
    if request.mimetype not in FORM_TYPES:
        raw = request.get_data(cache=True)
        return _json_field_with_nul(raw) if raw else None
    return None


def _may_hold_nul() -> bool:
    """False when the request certainly holds nothing to refuse: no body or content type, and
    neither the path nor the query string has a NUL (raw, or escaped as ``%00``). Most requests
    are such GETs, and this costs a fraction of parsing the arguments."""
    environ = request.environ
    if environ.get("CONTENT_TYPE") or environ.get("CONTENT_LENGTH") not in (None, "", "0"):
        return True
    if "HTTP_TRANSFER_ENCODING" in environ:
        return True
    query = environ.get("QUERY_STRING", "")
    path = environ.get("PATH_INFO", "")
    return "%00" in query or "\x00" in query or "\x00" in path or "%00" in path


def refuse_bad_input() -> None:
    """``before_request``: a NUL byte anywhere in the input is `InvalidInput` (422) on that field.

    The API answers it in JSON (its `DomainError` handler); pages show the error page. Pages take
    forms only: a JSON body there (which Flask-WTF would feed to the form) is a 415.
    """
    if not _may_hold_nul():
        return
    if request.is_json and not request.path.startswith(API_ROOT + "/"):
        abort(415)
    field = nul_field()
    if field is not None:
        raise InvalidInput(field=field, reason="nul_byte")
