"""The form a manager confirms an erasure with (shape only; the rules are `domain.erasure`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from ...domain.erasure import CHOOSABLE_GROUNDS, REASON_MAX_LENGTH, LegalGround
from ..common.fields import choice

GROUND_LABELS = {
    LegalGround.FUNDER_CONSENT: _l(
        "The managing institution agreed in writing to erase before the retention date"
    ),
    LegalGround.UNLAWFUL_PROCESSING: _l(
        "The data should not be held at all (Art. 17(1)(d) GDPR: unlawful processing)"
    ),
    LegalGround.AUTHORITY_ORDER: _l("A decision of the President of the UODO or a court"),
    LegalGround.RETENTION_ENDED: _l("The retention period of every project has ended"),
}


class ErasureForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (e.g. the date and form of the person's request)"),
        validators=[
            DataRequired(message=_l("Give the reason for the erasure.")),
            Length(max=REASON_MAX_LENGTH),
        ],
    )
    ground = SelectField(_l("Legal ground before the retention date"), validate_choice=False)
    confirm = BooleanField(
        _l("I understand that the name, contact details and notes cannot be brought back."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )

    def fill(self) -> None:
        self.ground.choices = [
            choice("", _l("None — the retention period allows it")),
            *(choice(g.value, GROUND_LABELS[g]) for g in CHOOSABLE_GROUNDS),
        ]
