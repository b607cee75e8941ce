"""Deliver a request's e-mails right after its response, instead of waiting for the next run
of `incubator mail send`.

The messages are already committed in the outbox with the change (services/outbox.py); this
only starts a send pass once the response has gone out, so the person who booked does not wait
for the mail server, and a server that is down changes nothing: the messages stay queued for the
sender's retries.
"""

from __future__ import annotations

from flask import Flask, Response, current_app

from ...clock import utcnow
from ...extensions import db
from ...services import outbox
from ...services.mail import MailSettings


def init_app(app: Flask) -> None:
    @app.after_request
    def _send_after_response(response: Response) -> Response:
        if db.session.info.pop(outbox.QUEUED_FLAG, False) and app.config.get(
            "MAIL_SEND_AFTER_RESPONSE", True
        ):
            flask_app = current_app._get_current_object()  # type: ignore[attr-defined]
            response.call_on_close(lambda: _send_pass(flask_app))
        return response


def _send_pass(app: Flask) -> None:
    with app.app_context():
        try:
            settings = MailSettings.from_config(app.config, app.instance_path)
            outbox.send_due(db.session, settings, now=utcnow(), limit=50)
        except Exception:  # the response is gone; the sender's next run retries, the log tells
            app.logger.exception("Sending e-mails after the response failed")
