"""The access matrix: every route of `app.url_map` × six people → the status each gets today.

Generated from the URL map, so a new route without an entry in EXPECTED fails (the message shows
what it answered, ready to be reviewed and added). Path parameters name real records: client A's
consultation with expert X, X's weekly hours and day off, client B's account; so B on A's
consultation and Y on X's hours are record-level cases. A request that changed something is
followed by a fresh world, so no answer depends on the order the routes are visited in.

Answers: a status, ``"login"`` (a redirect to the login page) or ``"302>/path"`` (a redirect
elsewhere, e.g. staff sent from the clients' pages to their own).
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import _empty_all_tables
from tests.web import probe

LOGIN = "login"
STAFF_BOOK = "302>/personel/rezerwacja"
BOOK = "302>/rezerwacja"
DAY = "302>/personel/dzien"
AGENDA = "302>/personel/agenda"
OVERVIEW = "302>/personel/przeglad"
REPORTS = "302>/raporty/"
RESET = "302>/konto/reset"
HOME = "302>/"
MINE = "302>/moje-konsultacje"
MOVE = "302>/moje-konsultacje/{consultation_id}/zmiana-terminu"  # no new time chosen yet
STAFF_MOVE = "302>/personel/konsultacje/{consultation_id}/zmiana-terminu"  # no new time chosen
HOURS = "302>/personel/godziny"
TO_RECORD = "302>/personel/do-uzupelnienia"
CALLS = "302>/personel/do-zadzwonienia"
WAITLIST = "302>/lista-oczekujacych"
EVENT = "302>/wydarzenia/{event_id}"
ATTENDANCE = "302>/wydarzenia/{event_id}/sesje/{session_id}/obecnosc"
STAFF_WAITLIST = "302>/personel/lista-oczekujacych"
STAFF_CONFIRMATION_PDF = "302>/personel/konsultacje/{consultation_id}/potwierdzenie.pdf"
PARTICIPANT = "302>/personel/klienci/{client_id}/dane-uczestnika"
DENIED = (LOGIN, 403, 403, 403, 403)  # anonymous, client A, client B, expert X, expert Y
STAFF_DENIED = (LOGIN, 403, 403)  # anonymous, client A, client B

# "METHOD endpoint": (anonymous, client A, client B, expert X, expert Y, manager)
EXPECTED: dict[str, tuple[int | str, ...]] = {
    "GET main.index": (200,) * 6,
    "GET main.privacy": (200,) * 6,
    "GET main.accessibility": (200,) * 6,
    "POST main.set_language": (HOME,) * 6,
    "GET static": (200,) * 6,
    # accounts
    "GET auth.login": (200, MINE, MINE, AGENDA, AGENDA, REPORTS),  # each role's start page
    "POST auth.login": (200, MINE, MINE, AGENDA, AGENDA, REPORTS),
    "GET auth.register": (200, HOME, HOME, HOME, HOME, HOME),
    "POST auth.register": (200, HOME, HOME, HOME, HOME, HOME),
    "GET auth.reset_request": (200,) * 6,
    "POST auth.reset_request": (200,) * 6,
    "GET auth.reset_password": (RESET,) * 6,
    "POST auth.reset_password": (RESET,) * 6,
    "POST auth.logout": (HOME,) * 6,
    "GET auth.account": (LOGIN, 200, 200, 200, 200, 200),
    "POST auth.account": (LOGIN, *("302>/konto/",) * 5),
    "GET auth.password_change": (LOGIN, 200, 200, 200, 200, 200),
    "POST auth.password_change": (LOGIN, 200, 200, 200, 200, 200),
    # a client's own participant questionnaire (staff have none)
    "GET auth.participant": (LOGIN, 200, 200, 404, 404, 404),
    "POST auth.participant": (LOGIN, *("302>/konto/dane-uczestnika",) * 2, 404, 404, 404),
    # managers only
    "GET admin.users": (*DENIED, 200),
    "GET admin.user_new": (*DENIED, 200),
    "POST admin.user_new": (*DENIED, 200),
    "POST admin.user_set_active": (*DENIED, 400),
    "GET admin.user_edit": (*DENIED, 200),
    "POST admin.user_edit": (*DENIED, 200),
    "GET admin.user_deactivate": (*DENIED, 200),
    # a person's data (issue #15): managers only; an empty erasure form or body is refused
    "GET people.erase": (*DENIED, 200),
    "POST people.erase": (*DENIED, 422),
    "POST api.erase_person": (401, 403, 403, 403, 403, 422),
    "GET projects.index": (*DENIED, 200),
    "GET projects.new": (*DENIED, 200),
    "POST projects.new": (*DENIED, 422),
    "GET projects.edit": (*DENIED, 200),
    "POST projects.edit": (*DENIED, 422),
    "GET admin.merge": (*DENIED, 200),  # merging two records of one person: managers only
    "POST admin.merge_confirmed": (*DENIED, 400),  # no ids posted
    # the audit trail (issue #15): managers only, page and API
    "GET audit.index": (*DENIED, 200),
    "GET api.audit_list": (401, 403, 403, 403, 403, 200),
    # the clients' booking pages (staff are sent to their own)
    "GET booking.new": (LOGIN, 200, 200, STAFF_BOOK, STAFF_BOOK, STAFF_BOOK),
    "GET booking.branch": (LOGIN, BOOK, BOOK, STAFF_BOOK, STAFF_BOOK, STAFF_BOOK),
    "GET booking.expert": (LOGIN, BOOK, BOOK, STAFF_BOOK, STAFF_BOOK, STAFF_BOOK),
    "GET booking.date": (LOGIN, BOOK, BOOK, STAFF_BOOK, STAFF_BOOK, STAFF_BOOK),
    "GET booking.time": (LOGIN, BOOK, BOOK, STAFF_BOOK, STAFF_BOOK, STAFF_BOOK),
    "GET booking.confirm": (LOGIN, BOOK, BOOK, STAFF_BOOK, STAFF_BOOK, STAFF_BOOK),
    "POST booking.confirm": (LOGIN, BOOK, BOOK, STAFF_BOOK, STAFF_BOOK, STAFF_BOOK),
    "GET booking.mine": (LOGIN, 200, 200, DAY, DAY, DAY),
    # client A's consultation: B gets a 404, as for an id that does not exist
    "GET booking.done": (
        LOGIN,
        200,
        404,
        *("302>/personel/konsultacje/{consultation_id}/wydruk",) * 3,
    ),
    "GET booking.cancel": (LOGIN, 200, 404, STAFF_BOOK, STAFF_BOOK, STAFF_BOOK),
    "POST booking.cancel": (LOGIN, MINE, 404, STAFF_BOOK, STAFF_BOOK, STAFF_BOOK),
    "GET booking.reschedule": (LOGIN, 200, 404, STAFF_MOVE, STAFF_MOVE, STAFF_MOVE),
    "GET booking.reschedule_confirm": (LOGIN, MOVE, 404, STAFF_MOVE, STAFF_MOVE, STAFF_MOVE),
    "POST booking.reschedule_confirm": (LOGIN, MOVE, 404, STAFF_MOVE, STAFF_MOVE, STAFF_MOVE),
    # staff pages
    "GET staff.book": (*STAFF_DENIED, 200, 200, 200),
    "GET staff.book_domain": (*STAFF_DENIED, STAFF_BOOK, STAFF_BOOK, STAFF_BOOK),
    "GET staff.book_branch": (*STAFF_DENIED, STAFF_BOOK, STAFF_BOOK, STAFF_BOOK),
    "GET staff.book_expert": (*STAFF_DENIED, STAFF_BOOK, STAFF_BOOK, STAFF_BOOK),
    "GET staff.book_date": (*STAFF_DENIED, STAFF_BOOK, STAFF_BOOK, STAFF_BOOK),
    "GET staff.book_time": (*STAFF_DENIED, STAFF_BOOK, STAFF_BOOK, STAFF_BOOK),
    "GET staff.book_confirm": (*STAFF_DENIED, STAFF_BOOK, STAFF_BOOK, STAFF_BOOK),
    "POST staff.book_confirm": (*STAFF_DENIED, STAFF_BOOK, STAFF_BOOK, STAFF_BOOK),
    "GET staff.client_new": (*STAFF_DENIED, 200, 200, 200),
    "POST staff.client_new": (*STAFF_DENIED, 200, 200, 200),
    "GET staff.day": (*STAFF_DENIED, 200, 200, 200),
    "GET staff.week": (*STAFF_DENIED, 200, 200, 200),  # an expert's own; a manager chooses
    "GET staff.agenda": (*STAFF_DENIED, 200, 200, 200),
    "GET staff.overview": (*STAFF_DENIED, AGENDA, AGENDA, 200),  # managers only
    # X's consultation: Y gets a 404 (experts see their own consultations only)
    "GET staff.printout": (*STAFF_DENIED, 200, 404, 200),
    "GET staff.cancel": (*STAFF_DENIED, 200, 404, 200),
    "POST staff.cancel": (*STAFF_DENIED, 422, 404, 422),
    "GET staff.reschedule": (*STAFF_DENIED, 200, 404, 200),
    "GET staff.reschedule_confirm": (*STAFF_DENIED, STAFF_MOVE, 404, STAFF_MOVE),
    "POST staff.reschedule_confirm": (*STAFF_DENIED, STAFF_MOVE, 404, STAFF_MOVE),
    # PDFs: X's consultation; the advisory record is staff only (a client never gets it), Y's is
    # "not found"; the day's records (the day of X's consultation) need the office from a manager
    "GET staff.advisory_record": (*STAFF_DENIED, 200, 404, 200),
    "GET staff.confirmation": (*STAFF_DENIED, 200, 404, 200),
    "GET staff.day_records": (*STAFF_DENIED, 200, 404, 422),  # Y: nothing of theirs that day
    "GET booking.confirmation_pdf": (LOGIN, 200, 404, *(STAFF_CONFIRMATION_PDF,) * 3),
    # client A's participant record: managers, and the experts who advise A (X, with fewer
    # questions); Y has never had a consultation with A and is refused (issue #15)
    "GET staff.participant": (*STAFF_DENIED, 200, 403, 200),
    "POST staff.participant": (*STAFF_DENIED, PARTICIPANT, 403, PARTICIPANT),
    # staff record that the information clause was read out to A on the phone (issue #15): the
    # same people as the record itself; back to the record page (already recorded or not)
    "POST staff.informed": (*STAFF_DENIED, PARTICIPANT, 403, PARTICIPANT),
    # consultation hours: X's rule and day off; Y may not touch them
    "GET availability.index": (*STAFF_DENIED, 200, 200, 200),
    "POST availability.add_rule": (*STAFF_DENIED, 422, 422, 404),
    "POST availability.add_day_off": (*STAFF_DENIED, 422, 422, 404),
    "POST availability.add_extra_hours": (*STAFF_DENIED, 422, 422, 404),
    "GET availability.remove_rule": (*STAFF_DENIED, 200, 403, 200),
    "POST availability.remove_rule": (*STAFF_DENIED, HOURS, 403, HOURS),
    "GET availability.remove_exception": (*STAFF_DENIED, 200, 403, 200),
    "POST availability.remove_exception": (*STAFF_DENIED, HOURS, 403, HOURS),
    # the JSON API: 401 JSON for anonymous callers, never a redirect
    "GET api.branches": (200,) * 6,
    "GET api.domains": (200,) * 6,
    "GET api.experts": (200,) * 6,
    "GET api.slots": (422,) * 6,  # no query: "domain" is required
    "GET api.openapi": (200,) * 6,
    "GET api.session_get": (200,) * 6,
    "POST api.session_login": (422,) * 6,  # no body
    "DELETE api.session_logout": (200,) * 6,
    "GET api.consultations_list": (401, 200, 200, 200, 200, 200),
    "POST api.consultation_create": (401, 422, 422, 422, 422, 422),
    "GET api.consultation_get": (401, 200, 404, 200, 404, 200),
    "GET api.consultation_ics": (401, 200, 404, 200, 404, 200),
    "POST api.consultation_cancel": (401, 200, 404, 422, 404, 422),  # staff: a reason needed
    "POST api.consultation_reschedule": (401,) + (422,) * 5,  # no body: "start" is required
    # outcomes (issue #11): X's consultation has not started yet, so its expert and a manager
    # are sent to the to-record list; Y does not see it; the API's empty body is refused first
    "GET staff.to_record": (*STAFF_DENIED, 200, 200, 200),
    # the list of people to call (issue #13): X's own calls, all for managers; Y sees none
    "GET staff.calls": (*STAFF_DENIED, 200, 200, 200),
    "POST staff.call_done": (*STAFF_DENIED, CALLS, 404, CALLS),
    "GET staff.outcome": (*STAFF_DENIED, TO_RECORD, 404, TO_RECORD),
    "POST staff.outcome": (*STAFF_DENIED, TO_RECORD, 404, TO_RECORD),
    "POST api.consultation_outcome": (401,) + (422,) * 5,  # no body: "attendees" is required
    # reports (issue #11): managers only; without filters the current month, empty is fine
    "GET reports.index": (*DENIED, 200),
    "GET reports.download": (*DENIED, 200),
    "GET reports.participants": (*DENIED, 200),
    "GET reports.participants_download": (*DENIED, 200),
    "GET api.report_summary": (401, 403, 403, 403, 403, 200),
    "GET api.projects_list": (401, 403, 403, 403, 403, 200),
    # founding groups: X guards the probe's group, A is a member (read-only); B and Y cannot
    # tell it from a missing one; managers and the guardian write
    "GET groups.index": (LOGIN, 200, 200, 200, 200, 200),
    "GET groups.show": (LOGIN, 200, 404, 200, 404, 200),
    "GET groups.add_member": (LOGIN, 403, 404, 200, 404, 200),
    "POST groups.add_member": (LOGIN, 403, 404, 422, 404, 422),
    "GET groups.move": (LOGIN, 403, 404, 200, 404, 200),
    "POST groups.move": (LOGIN, 403, 404, 422, 404, 422),
    "GET groups.legal_form": (LOGIN, 403, 404, 200, 404, 200),
    "POST groups.legal_form": (LOGIN, 403, 404, 422, 404, 422),
    "GET groups.register": (LOGIN, 403, 404, 200, 404, 200),
    "POST groups.register": (LOGIN, 403, 404, 422, 404, 422),
    "GET groups.new": (*STAFF_DENIED, 200, 200, 200),
    "POST groups.new": (*STAFF_DENIED, 422, 422, 422),
    "GET groups.registry": (*STAFF_DENIED, 200, 200, 200),
    "POST groups.publish": (LOGIN, 403, 403, 403, 403, 400),  # no switch value posted
    "GET main.founded_entities": (404,) * 6,  # not published until a manager switches it on
    # founding groups (issue #12): A is a member of X's group; managers and the guardian write
    "GET api.groups_list": (401, 200, 200, 200, 200, 200),
    "POST api.groups_create": (401, 403, 403, 422, 422, 422),  # staff: no body, 422
    "GET api.groups_detail": (401, 200, 404, 200, 404, 200),
    "POST api.groups_add_member": (401, 403, 404, 422, 404, 422),  # no body
    "POST api.groups_move": (401, 403, 404, 422, 404, 422),  # no body
    # calendar feeds (issue #13): the feed answers to its token alone, never to a login ("x" is
    # no token: 404 for everyone; real tokens in test_feeds.py); its owner regenerates it on the
    # account page; a manager must name an office on the API (422 without one)
    "GET feeds.feed": (404,) * 6,
    # trainings and information meetings (issue #14): X trains the probe's event, A is
    # registered; every account sees the events; managers create them; attendance is for the
    # event's trainers and managers; staff register and cancel for anyone, a client only their own
    "GET events.index": (LOGIN, 200, 200, 200, 200, 200),
    "GET events.detail": (LOGIN, 200, 200, 200, 200, 200),
    "GET events.ics": (LOGIN, 200, 200, 200, 200, 200),
    "GET events.new": (LOGIN, 403, 403, 403, 403, 200),
    "POST events.new": (LOGIN, 403, 403, 403, 403, 200),  # 200: the form again, with errors
    "POST events.register": (LOGIN, *(EVENT,) * 5),
    "POST events.cancel": (LOGIN, EVENT, 404, EVENT, EVENT, EVENT),
    "GET events.attendance": (LOGIN, 403, 403, 200, 403, 200),
    "POST events.attendance": (LOGIN, 403, 403, ATTENDANCE, 403, ATTENDANCE),
    # the waiting list (issue #13): A waits with a slot of X's held; B cannot tell it exists;
    # experts see the list but do not answer for anyone (403 on the API, a message on pages)
    "GET booking.waitlist_page": (LOGIN, 200, 200, *(STAFF_WAITLIST,) * 3),
    "POST booking.waitlist_join": (LOGIN, WAITLIST, WAITLIST, *(STAFF_BOOK,) * 3),
    "POST booking.waitlist_leave": (LOGIN, WAITLIST, 404, *(STAFF_BOOK,) * 3),
    "POST booking.waitlist_decline": (LOGIN, WAITLIST, 404, *(STAFF_BOOK,) * 3),
    "POST booking.waitlist_accept": (
        LOGIN,
        "302>/rezerwacja/{new}/gotowe",
        404,
        *(STAFF_BOOK,) * 3,
    ),
    "GET staff.waitlist_page": (*STAFF_DENIED, 200, 200, 200),
    "POST staff.waitlist_join": (*STAFF_DENIED, 404, 404, 404),  # no client named
    "POST staff.waitlist_leave": (*STAFF_DENIED, *(STAFF_WAITLIST,) * 3),
    "POST staff.waitlist_decline": (*STAFF_DENIED, *(STAFF_WAITLIST,) * 3),
    "POST staff.waitlist_accept": (
        *STAFF_DENIED,
        STAFF_WAITLIST,
        STAFF_WAITLIST,
        "302>/personel/konsultacje/{new}/wydruk",
    ),
    "GET api.waitlist_list": (401, 200, 200, 200, 200, 200),
    "POST api.waitlist_join": (401, 422, 422, 422, 422, 422),  # no body
    "DELETE api.waitlist_leave": (401, 200, 404, 403, 403, 200),
    "POST api.waitlist_offer_accept": (401, 201, 404, 403, 403, 201),
    "POST api.waitlist_offer_decline": (401, 200, 404, 403, 403, 200),
    "POST auth.feed_regenerate": (LOGIN, *("302>/konto/",) * 5),
    "GET api.calendar_feed_get": (401, 200, 200, 200, 200, 422),
    "POST api.calendar_feed_regenerate": (401, 200, 200, 200, 200, 422),
    # trainings (issue #14): X trains at the probe's training, A is registered for it. The
    # attendance lists are for its trainers and managers (a client never; Y cannot tell it from
    # a missing one); a certificate is a client's own (A: no session held yet, so refused; B:
    # not registered), staff name the person (422 without ?user=); anyone checks a code
    "GET event_pdfs.session_attendance_list": (*STAFF_DENIED, 200, 404, 200),
    "GET event_pdfs.attendance_lists": (*STAFF_DENIED, 200, 404, 200),
    "GET event_pdfs.certificate": (LOGIN, 422, 409, 422, 422, 422),
    "GET event_pdfs.verify": (200,) * 6,
    # trainings and information meetings (issue #14): X leads the probe's training, A is
    # registered. Everyone logged in reads events (only staff see who registered); managers alone
    # create them (others 403 before the body is read; the manager's empty body is a 422). With
    # `{}` a client registers themselves (A is already: 409; B gets a seat) and staff must name a
    # client (422); staff cancel anyone's registration, B cannot tell A's exists.
    "GET api.events_list": (401, 200, 200, 200, 200, 200),
    "GET api.event_get": (401, 200, 200, 200, 200, 200),
    "POST api.event_create": (401, 403, 403, 403, 403, 422),
    "POST api.event_register": (401, 409, 201, 422, 422, 422),
    "DELETE api.event_registration_cancel": (401, 200, 404, 200, 200, 200),
    "POST api.event_cancel": (401, 403, 403, 403, 403, 422),  # the manager sent no reason
    "POST events.call_off": (LOGIN, 403, 403, 403, 403, EVENT),
    # subject access (issue #15): client A's data. Managers see and export anyone; a person
    # downloads their own from the account page (experts ask a manager: 403); on the API A
    # exports themselves, B is refused before the id is looked at
    "GET people.person": (*DENIED, 200),
    "GET people.export_json": (*DENIED, 200),
    "GET people.export_pdf": (*DENIED, 200),
    "GET auth.own_data_json": (LOGIN, 200, 200, 403, 403, 200),
    "GET auth.own_data_pdf": (LOGIN, 200, 200, 403, 403, 200),
    "GET api.person_export": (401, 200, 403, 403, 403, 200),
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def answer(response, world: probe.World) -> int | str:
    """A response as the table writes it."""
    location = response.headers.get("Location")
    if location is None:
        return response.status_code
    path = location.split("?")[0].split("#")[0]
    if path == "/konto/logowanie":
        return LOGIN
    path = path.replace(f"/wydarzenia/{world.ids['event_id']}", "/wydarzenia/{event_id}")
    path = path.replace(f"/sesje/{world.ids['session_id']}/", "/sesje/{session_id}/")
    path = path.replace(f"/{world.ids['consultation_id']}/", "/{consultation_id}/")
    path = path.replace(f"/klienci/{world.ids['client_id']}/", "/klienci/{client_id}/")
    path = re.sub(r"/[0-9]+/", "/{new}/", path)  # a record the request itself created
    return f"{response.status_code}>{path}"


def observe(app, db) -> tuple[dict[str, tuple[int | str, ...]], list[str]]:
    """Every route × role as the app answers it, and any API 401 that is not JSON."""
    world = probe.build_world()
    seen: dict[str, tuple[int | str, ...]] = {}
    problems: list[str] = []
    for rule, method in probe.routes(app):
        row = []
        for role in probe.ROLES:
            client = probe.client_as(app, role)
            response = client.open(probe.fill(rule, probe.path_values(rule, world)), method=method)
            response.close()  # a static file's stream
            row.append(answer(response, world))
            if response.status_code == 401 and (
                not response.is_json or response.json["error"]["code"] != "unauthorized"
            ):
                problems.append(f"{method} {rule.rule}: 401 without the JSON error")
            if method in WRITES and response.status_code < 400:
                _empty_all_tables()  # start the next request from the same world
                world = probe.build_world()
        seen[f"{method} {rule.endpoint}"] = tuple(row)
    return seen, problems


@pytest.fixture()
def matrix(app, db):
    return observe(app, db)


def test_every_route_answers_each_role_as_the_table_says(matrix) -> None:
    seen, problems = matrix
    missing = {k: v for k, v in seen.items() if k not in EXPECTED}
    assert not missing, "routes without an entry in EXPECTED (review, then add):\n" + "\n".join(
        f'    "{k}": {v},' for k, v in missing.items()
    )
    assert not set(EXPECTED) - set(seen), "entries for routes that no longer exist"
    wrong = {k: (EXPECTED[k], v) for k, v in seen.items() if EXPECTED[k] != v}
    assert not wrong, "\n".join(f"{k}: expected {e}, got {g}" for k, (e, g) in wrong.items())
    assert not problems, problems


def test_the_table_holds_the_record_level_rules() -> None:
    """The cases the review probed, read back from the table so they cannot be edited away."""
    column = dict(zip(probe.ROLES, range(len(probe.ROLES)), strict=True))
    for key, row in EXPECTED.items():
        method, endpoint = key.split(" ")
        if endpoint.startswith("api."):  # the API never redirects to a form
            assert isinstance(row[column["anonymous"]], int), key
            if row[column["client_a"]] == 200 and row[column["anonymous"]] != 200:
                assert row[column["anonymous"]] == 401, key
        elif endpoint.split(".")[0] in {"admin", "staff", "availability", "booking"}:
            assert row[column["anonymous"]] == LOGIN, key
        if endpoint.startswith("admin."):
            assert row[column["expert_x"]] == row[column["expert_y"]] == 403, key
    for key in (
        "staff.advisory_record",
        "staff.day_records",
        "event_pdfs.session_attendance_list",
        "event_pdfs.attendance_lists",
    ):  # never a client
        assert EXPECTED[f"GET {key}"][column["client_a"]] == 403
    for key in (
        "booking.done",
        "booking.cancel",
        "booking.reschedule",
        "booking.confirmation_pdf",
        "api.consultation_get",
    ):
        assert EXPECTED[f"GET {key}"][column["client_b"]] == 404
    assert EXPECTED["GET api.consultation_ics"][column["client_b"]] == 404
    assert EXPECTED["POST api.consultation_cancel"][column["client_b"]] == 404
    assert EXPECTED["DELETE api.event_registration_cancel"][column["client_b"]] == 404
    for role in ("client_a", "client_b", "expert_x", "expert_y"):  # managers only
        assert EXPECTED["POST api.event_create"][column[role]] == 403
        assert EXPECTED["POST api.erase_person"][column[role]] == 403
        assert EXPECTED["GET people.erase"][column[role]] == 403
    for key in (
        "staff.printout",
        "staff.cancel",
        "staff.reschedule",
        "staff.advisory_record",
        "staff.confirmation",
        "api.consultation_get",
        "api.consultation_ics",
        "event_pdfs.session_attendance_list",
        "event_pdfs.attendance_lists",
    ):
        assert EXPECTED[f"GET {key}"][column["expert_y"]] == 404
    for key in ("groups_detail", "groups_add_member", "groups_move"):  # not their group
        method = "GET" if key == "groups_detail" else "POST"
        assert EXPECTED[f"{method} api.{key}"][column["client_b"]] == 404
        assert EXPECTED[f"{method} api.{key}"][column["expert_y"]] == 404
    for key in ("remove_rule", "remove_exception"):
        for method in ("GET", "POST"):
            assert EXPECTED[f"{method} availability.{key}"][column["expert_y"]] in (403, 404)
    # least privilege (issue #15): an expert who does not advise A never opens A's record
    for key in ("GET staff.participant", "POST staff.participant", "POST staff.informed"):
        assert EXPECTED[key][column["expert_y"]] == 403, key
        assert EXPECTED[key][column["client_b"]] == 403, key
        assert EXPECTED[key][column["manager"]] != 403, key


def test_another_clients_consultation_looks_like_one_that_does_not_exist(app, db) -> None:
    """Client B cannot tell A's consultation from a missing one (ids cannot be probed)."""
    world = probe.build_world()
    client = probe.client_as(app, "client_b")
    client.get("/")  # shows (and so clears) the "logged in" message
    mine, missing = world.ids["consultation_id"], world.ids["consultation_id"] + 1000
    for path in (
        "/api/v1/consultations/{}",
        "/api/v1/consultations/{}.ics",
        "/rezerwacja/{}/gotowe",
        "/moje-konsultacje/{}/odwolanie",
        "/moje-konsultacje/{}/zmiana-terminu",
    ):
        a, b = client.get(path.format(mine)), client.get(path.format(missing))
        assert a.status_code == b.status_code == 404, path
        assert _same_page(a, mine) == _same_page(b, missing), path


def _same_page(response, record_id: int) -> str:
    """The body without what differs between any two requests: the CSRF token (signed with the
    time) and the address itself (the language switch returns to it)."""
    body = response.get_data(as_text=True).replace(f"/{record_id}/", "/ID/")
    body = body.replace(f"/{record_id}.", "/ID.")
    return re.sub(r'(name="csrf[-_]token"[^>]*?(content|value)=")[^"]*', r"\1", body)
