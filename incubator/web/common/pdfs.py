"""What the staff and client pages share for PDFs: the response (shown in the browser, never
cached) and the appointment confirmation, built the same for both."""

from __future__ import annotations

from werkzeug.wrappers import Response

from ...exports.pdf.confirmation import confirmation_pdf
from ...models import Consultation
from . import booking_flow as f
from . import display
from .links import public_url_for


def pdf_response(body: bytes, filename: str) -> Response:
    """``filename`` is plain ASCII (no names of people: it ends up in download folders)."""
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def confirmation_response(c: Consultation, *, locale: str) -> Response:
    """The confirmation of ``c`` in ``locale``; a client with an account is pointed to their
    consultations page (an address from PUBLIC_URL, never from the request's Host)."""
    body = confirmation_pdf(
        c,
        locale=locale,
        full_date=display.full_date,
        cancel_hours=int(f.policy().cancel_notice.total_seconds() // 3600),
        my_bookings_url=public_url_for("booking.mine") if c.client.can_log_in else None,
    )
    return pdf_response(body, f"potwierdzenie-{c.id}.pdf")
