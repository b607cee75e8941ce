"""Forms of the clients' booking pages: cancel, confirm a new time.

They check shape only; every booking rule is the service's (`services.booking`).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from ..common.booking_forms import REASON_MAX


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), Length(max=REASON_MAX)])
