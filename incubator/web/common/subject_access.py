"""What the manager's person page, the client's account page and the API share for the subject
access export (RODO art. 15): running it for the logged-in user and wrapping it as a download."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app
from flask_babel import get_locale
from werkzeug.wrappers import Response

from ...clock import utcnow
from ...exports.pdf import subject_access_labels as words
from ...exports.pdf.subject_access import subject_access_pdf
from ...extensions import db
from ...services import subject_access
from .access import current_actor
from .client import client_ip


def locale() -> str:
    found = get_locale()
    return str(found) if found else current_app.config["BABEL_DEFAULT_LOCALE"]


def export(person_id: int, fmt: str) -> dict[str, Any]:
    """The logged-in user's export of person `person_id` (audited with `fmt`), with a sentence
    in the reader's language for each part left out (`withheld`)."""
    document = subject_access.export(
        db.session,
        viewer=current_actor(),
        person_id=person_id,
        now=utcnow(),
        ip=client_ip(),
        fmt=fmt,
        locale=locale(),
    )
    explained = words.withheld()
    document["withheld_explained"] = {
        code: explained.get(code, code) for code in document["withheld"]
    }
    return document


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    """``filename`` is plain ASCII (no names: it ends up in download folders)."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def json_download(person_id: int) -> Response:
    document = export(person_id, "json")
    body = json.dumps(document, ensure_ascii=False, indent=2).encode()
    return _download(body, "application/json", f"dane-osobowe-{person_id}.json")


def pdf_download(person_id: int) -> Response:
    document = export(person_id, "pdf")
    body = subject_access_pdf(document, locale=locale(), author=current_actor().full_name)
    return _download(body, "application/pdf", f"dane-osobowe-{person_id}.pdf")
