"""Names of legal forms, stages, registers and legal-person types as the pages show them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ...domain.founding import GroupStage, LegalForm, Register
from ...models.founding_group import LegalType

LEGAL_FORMS = {
    LegalForm.SOCIAL_COOPERATIVE: _l("Social cooperative"),
    LegalForm.ASSOCIATION: _l("Registered association"),
    LegalForm.ORDINARY_ASSOCIATION: _l("Ordinary association"),
    LegalForm.FOUNDATION: _l("Foundation"),
}
STAGES = {
    GroupStage.FORMED: _l("Group formed"),
    GroupStage.TRAINING: _l("Training and advice"),
    GroupStage.STATUTE_DRAFTED: _l("Statute drafted"),
    GroupStage.FOUNDING_MEETING_HELD: _l("Founding meeting held"),
    GroupStage.FOUNDING_ACT: _l("Founding act (notarial deed)"),
    GroupStage.APPLICATION_FILED: _l("KRS application filed"),
    GroupStage.APPLICATION_TO_STAROSTA: _l("Application to the starosta"),
    GroupStage.REGISTERED: _l("Registered"),
    GroupStage.ABANDONED: _l("Abandoned"),
}
REGISTERS = {
    Register.KRS: _l("National Court Register (KRS)"),
    Register.EWIDENCJA: _l("Starosta's register of ordinary associations"),
}
LEGAL_TYPES = {
    LegalType.NGO: _l("Non-governmental organisation"),
    LegalType.LOCAL_GOVERNMENT: _l("Local government unit"),
    LegalType.CHURCH: _l("Church legal person"),
    LegalType.OTHER: _l("Other legal person"),
}
NOT_RECORDED = ""  # the select's value for "not recorded" (stored as None)
NOT_AT_RISK_LABEL = _l("Not in an at-risk group")
NOT_RECORDED_LABEL = _l("Not recorded")
