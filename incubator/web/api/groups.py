"""`/api/v1/groups`: founding groups as JSON (issue #12).

Everyone logged in reads the groups they may see (`services.groups.group_ids_for`: managers all,
experts the ones they guard or advised, clients their own); managers and a group's guardian
write. Bodies are read strictly (`group_inputs`): a wrong type or an unknown field is 422
`invalid_input` naming the field. Registered on the API blueprint from here, like `reports`.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify
from flask_babel import get_locale

from ...clock import utcnow
from ...domain.at_risk import category_visible_to
from ...domain.calendar import local_date
from ...domain.errors import NotAllowed
from ...domain.group_moves import MoveRequest, RequirementsUnmet
from ...extensions import db
from ...models import FoundingGroup
from ...services import group_reads, group_stages, groups
from ..common.access import current_actor
from ..common.client import client_ip
from ..common.errors import message_for, status_for
from . import group_inputs, inputs
from .responses import json_error, login_required
from .views import bp


def _locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def group_json(group: FoundingGroup, today: Any, viewer: Any = None) -> dict[str, Any]:
    """The group with its members, history and unmet founding requirements (an empty list
    when every requirement is met)."""
    locale = _locale()
    return {
        "id": group.id,
        "name": group.name,
        "legal_form": group.legal_form,
        "branch_id": group.branch_id,
        "guardian_id": group.guardian_id,
        "stage": group.stage,
        "formed_on": _iso(group.formed_date),
        "founding_meeting_on": _iso(group.founding_meeting_date),
        "registered_on": _iso(group.registered_date),
        "register": group.register,
        "krs": group.krs,
        "ewidencja_number": group.ewidencja_number,
        "nip": group.nip,
        "regon": group.regon,
        "members": [_member_json(m, viewer) for m in group.members],
        "history": [
            {
                "kind": h.kind,
                "from": h.from_value,
                "to": h.to_value,
                "on": h.on_date.isoformat(),
                "note": h.note,
                "override_reason": h.override_reason,
                "by": h.changed_by.full_name if h.changed_by is not None else None,
            }
            for h in group.stage_history
        ],
        "requirements": [
            {"code": u.code, "met": False, "message": u.message(locale)}
            for u in group_stages.requirements(group, today)
        ],
    }


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


def _member_json(member: Any, viewer: Any = None) -> dict[str, Any]:
    """A member; the at-risk category only for those who may see it (`category_visible_to`:
    staff and the member themself; the key is absent for a client reading another member)."""
    body = {
        "id": member.id,
        "kind": member.kind,
        "name": member.display_name,
        "user_id": member.user_id,
        "founder": member.is_founder,
        "legal_type": member.legal_type,
        "krs": member.krs,
        "nip": member.nip,
        "joined_on": _iso(member.joined_date),
        "left_on": _iso(member.left_date),
    }
    if viewer is None or category_visible_to(viewer, member.user_id):
        body["at_risk"] = member.at_risk_category
    return body


@bp.get("/groups")
@login_required
def groups_list() -> Response:
    """The founding groups the user may see, filtered by stage, legal form and office."""
    found = group_reads.list_groups(
        db.session,
        current_actor(),
        stage=inputs.str_arg("stage", required=False),
        legal_form=inputs.str_arg("legal_form", required=False),
        branch_id=inputs.int_arg("branch_id", required=False),
    )
    today = local_date(utcnow())
    return jsonify([group_json(g, today, current_actor()) for g in found])


@bp.post("/groups")
@login_required
def groups_create() -> tuple[Response, int]:
    """A new group at its first stage; managers and experts (who then guard it by default)."""
    if not current_actor().is_staff:  # a client is refused whatever the body says
        raise NotAllowed(reason="staff_only")
    new = group_inputs.new_group(inputs.json_body())
    now = utcnow()
    group = groups.create_group(
        db.session, user=current_actor(), name=new.name, legal_form=new.legal_form,
        branch_id=new.branch_id, guardian_id=new.guardian_id,
        formed_on=new.formed_on or local_date(now), now=now, ip=client_ip(),
    )  # fmt: skip
    return jsonify(group_json(group, local_date(now), current_actor())), 201


@bp.get("/groups/<id:group_id>")
@login_required
def groups_detail(group_id: int) -> Response:
    group = group_reads.visible_group(db.session, current_actor(), group_id)
    return jsonify(group_json(group, local_date(utcnow()), current_actor()))


@bp.post("/groups/<id:group_id>/members")
@login_required
def groups_add_member(group_id: int) -> tuple[Response, int]:
    """A natural or legal person joins; the group (with its requirements now) comes back."""
    user = current_actor()
    _writable(user, group_id)
    now = utcnow()
    groups.add_member(
        db.session, user=user, group_id=group_id, new=group_inputs.new_member(inputs.json_body()),
        now=now, today=local_date(now), ip=client_ip(),
    )  # fmt: skip
    return _group_response(group_id, 201)


@bp.post("/groups/<id:group_id>/stage")
@login_required
def groups_move(group_id: int) -> tuple[Response, int]:
    """Move the group (and register it when the stage is ``registered``)."""
    user = current_actor()
    _writable(user, group_id)
    now = utcnow()
    today = local_date(now)
    step = group_inputs.stage_move(inputs.json_body())
    move = MoveRequest(step.stage, step.on or today, step.note, step.override_reason)
    try:
        group_stages.move_stage(
            db.session, user=user, group_id=group_id, move=move,
            registration=step.registration, now=now, today=today, ip=client_ip(),
        )  # fmt: skip
    except RequirementsUnmet as refused:
        locale = _locale()
        unmet = [
            {"code": u.code, "met": False, "message": u.message(locale)} for u in refused.unmet
        ]
        return json_error(
            status_for(refused), refused.code, message_for(refused), requirements=unmet
        )
    return _group_response(group_id, 200)


def _writable(user: Any, group_id: int) -> None:
    """404 for a group the user may not see, 403 for one they see but may not change (before
    the body is read, so a reader learns they cannot write, not what a body lacks)."""
    group = group_reads.visible_group(db.session, user, group_id)
    if not group_stages.can_write(user, group):
        raise NotAllowed(reason="not_guardian")


def _group_response(group_id: int, status: int) -> tuple[Response, int]:
    group = group_reads.visible_group(db.session, current_actor(), group_id)
    return jsonify(group_json(group, local_date(utcnow()), current_actor())), status
