"""The permission matrix: every desk view, against objects inside and outside each scope, tried
by every person of the `world` fixture (and by an anonymous visitor).

Each row of the matrix is one test; it asserts the whole row at once, so a failure shows which
people got the wrong answer:
- "ok": the page (200), or for a form post a redirect back to the desk (the service decides);
- "login": a redirect to the staff sign-in page;
- "forbidden": 403 — signed in, but no membership for this desk;
- "missing": 404 — the right desk, but the object is outside the person's scope.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.shortcuts import resolve_url
from django.urls import reverse

pytestmark = pytest.mark.django_db

PEOPLE = (
    "anonymous",
    "citizen",
    "other_citizen",
    "moderator",
    "city_moderator",
    "admin",
    "handler",
    "head",
    "sub_handler",
    "other_handler",
    "signoff_handler",
    "signoff_head",
    "leader",
    "other_leader",
    "operator",
)
MODERATORS = frozenset({"moderator", "city_moderator", "admin"})
UNIT_STAFF = frozenset(
    {"handler", "head", "sub_handler", "other_handler", "signoff_handler", "signoff_head"}
)
LEADERS = frozenset({"leader", "other_leader"})
OPERATORS = frozenset({"operator"})
STAFF = MODERATORS | UNIT_STAFF | LEADERS | OPERATORS
EVERYWHERE_MODERATORS = frozenset({"moderator", "admin"})
BUREAU = frozenset({"handler", "head"})  # the head of the bureau also heads the district office


@dataclass(frozen=True)
class Case:
    view: str
    obj: str | None  # attribute path on the `objects` fixture, e.g. "pending" or "reviewing"
    desk: frozenset[str]  # who has the desk at all (others: 403)
    allowed: frozenset[str]  # who may see this object (others of the desk: 404)
    method: str = "get"
    ok_status: int = 200

    @property
    def id(self) -> str:
        return f"{self.method}-{self.view}-{self.obj or 'list'}"


def get(view, obj=None, desk=MODERATORS, allowed=None, **kw) -> Case:
    return Case(view, obj, desk, desk if allowed is None else frozenset(allowed), **kw)


def post(view, obj=None, desk=MODERATORS, allowed=None, ok_status=302) -> Case:
    return get(view, obj, desk, allowed, method="post", ok_status=ok_status)


CASES = [
    get("home", desk=STAFF, ok_status=302),
    # moderator console: lists, then objects in the city (not city_moderator's) and elsewhere
    get("screening"),
    get("returned"),
    get("reply_queue"),
    get("extensions"),
    get("lookback"),
    get("overdue"),
    get("supervision"),
    get("serial_search"),
    get("moderate_message", "new_city", allowed=EVERYWHERE_MODERATORS),
    get("moderate_message", "new_other"),
    get("moderate_message", "returned", allowed=EVERYWHERE_MODERATORS),
    get("moderate_message", "lookback", allowed=EVERYWHERE_MODERATORS),
    get("review_reply", "reviewing", allowed=EVERYWHERE_MODERATORS),
    get("review_reply", "other_reviewing"),
    post("screen", "new_city", allowed=EVERYWHERE_MODERATORS),
    post("screen", "new_other"),
    post("reject", "new_city", allowed=EVERYWHERE_MODERATORS),
    post("duplicate", "new_city", allowed=EVERYWHERE_MODERATORS),
    post("dispatch", "new_city", allowed=EVERYWHERE_MODERATORS),
    post("dispatch", "new_other"),
    post("reopen", "lookback", allowed=EVERYWHERE_MODERATORS),
    post("close", "lookback", allowed=EVERYWHERE_MODERATORS),
    post("supervise", "new_city", allowed=EVERYWHERE_MODERATORS),
    post("supervise", "new_other"),
    post("decide_extension", "extension", allowed=EVERYWHERE_MODERATORS),
    post("approve_reply", "reviewing", allowed=EVERYWHERE_MODERATORS),
    post("return_reply", "reviewing", allowed=EVERYWHERE_MODERATORS),
    post("approve_reply", "other_reviewing"),
    post("review_follow_up", "follow_up_answered", allowed=EVERYWHERE_MODERATORS),
    # unit workbench
    get("inbox", desk=UNIT_STAFF),
    get("signoff_queue", desk=UNIT_STAFF),
    get("archive", desk=UNIT_STAFF),
    get("templates", desk=UNIT_STAFF),
    get("knowledge", desk=UNIT_STAFF),
    get("assignment", "pending", desk=UNIT_STAFF, allowed=BUREAU),
    get("assignment", "sub_pending", desk=UNIT_STAFF, allowed={"sub_handler", "head"}),
    get("assignment", "other_pending", desk=UNIT_STAFF, allowed={"other_handler"}),
    get(
        "assignment",
        "signoff_reply.assignment",
        desk=UNIT_STAFF,
        allowed={"signoff_handler", "signoff_head"},
    ),
    get("template_text", "template", desk=UNIT_STAFF, allowed=BUREAU),
    get("edit_template", "template", desk=UNIT_STAFF, allowed={"head"}),
    get("attachment", "attachment", desk=STAFF, allowed=BUREAU | EVERYWHERE_MODERATORS),
    post("bulk_accept", desk=UNIT_STAFF),
    post("accept", "pending", desk=UNIT_STAFF, allowed=BUREAU),
    post("accept", "sub_pending", desk=UNIT_STAFF, allowed={"sub_handler", "head"}),
    post("accept", "other_pending", desk=UNIT_STAFF, allowed={"other_handler"}),
    post("return_assignment", "pending", desk=UNIT_STAFF, allowed=BUREAU),
    post("transfer", "pending", desk=UNIT_STAFF, allowed=BUREAU),
    post("invite", "accepted", desk=UNIT_STAFF, allowed=BUREAU),
    post("request_extension", "accepted", desk=UNIT_STAFF, allowed=BUREAU),
    post("write_reply", "accepted", desk=UNIT_STAFF, allowed=BUREAU),
    post("contribute", "accepted", desk=UNIT_STAFF, allowed=BUREAU),
    post("upload_attachment", "accepted", desk=UNIT_STAFF, allowed=BUREAU),
    post("sign_off", "signoff_reply", desk=UNIT_STAFF, allowed={"signoff_head"}),
    post("refuse_signoff", "signoff_reply", desk=UNIT_STAFF, allowed={"signoff_head"}),
    post("create_template", desk=UNIT_STAFF, allowed={"head", "signoff_head"}),
    post("edit_template", "template", desk=UNIT_STAFF, allowed={"head"}),
    post("delete_template", "template", desk=UNIT_STAFF, allowed={"head"}),
    post("remove_attachment", "attachment", desk=STAFF, allowed=BUREAU),
    post("answer_follow_up", "follow_up", desk=UNIT_STAFF, allowed=BUREAU),
    # leader desk
    get("leader", desk=LEADERS),
    get("leader_messages", desk=LEADERS),
    get("leader_supervision", desk=LEADERS),
    get("leader_message", "pending.message", desk=LEADERS, allowed={"leader"}),
    get("leader_message", "other_pending.message", desk=LEADERS, allowed={"other_leader"}),
    post("instruct", "pending.message", desk=LEADERS, allowed={"leader"}),
    post("instruct", "other_pending.message", desk=LEADERS, allowed={"other_leader"}),
    post("leader_supervise", "pending.message", desk=LEADERS, allowed={"leader"}),
    # hotline
    get("operator", desk=OPERATORS),
    get("operator_new", desk=OPERATORS),
    get("operator_message", "hotline", desk=OPERATORS),
    post("operator_new", desk=OPERATORS, ok_status=200),  # an empty form comes back
    get("operator_caller", desk=OPERATORS),
    get("operator_regions", desk=OPERATORS),
    get("operator_domain", desk=OPERATORS),
    # export: every desk, each within its remit (tests/channels/test_export.py)
    get("export", desk=STAFF),
]


def expected(case: Case, person: str) -> str:
    if person == "anonymous":
        return "login"
    if person not in case.desk:
        return "forbidden"
    return "ok" if person in case.allowed else "missing"


def outcome(response, case: Case) -> str:
    login_url = resolve_url("accounts:staff_login")
    if response.status_code == 302 and response["Location"].startswith(str(login_url)):
        return "login"
    if response.status_code == case.ok_status:
        return "ok"
    return {403: "forbidden", 404: "missing"}.get(response.status_code, str(response.status_code))


def _resolve(objects, path: str):
    value = objects
    for name in path.split("."):
        value = getattr(value, name)
    return value


def test_the_matrix_covers_every_desk_view():
    from liuyan.desk.urls import urlpatterns

    names = {pattern.name for pattern in urlpatterns}
    assert names == {case.view for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_permission_matrix(client, world, objects, case):
    args = [_resolve(objects, case.obj).pk] if case.obj else []
    url = reverse(f"desk:{case.view}", args=args)
    actual, wanted = {}, {}
    # Refusals first: they change nothing, so the allowed people then act on fresh objects.
    for person in sorted(PEOPLE, key=lambda p: expected(case, p) == "ok"):
        client.logout()
        if person != "anonymous":
            client.force_login(getattr(world, person))
        response = getattr(client, case.method)(url)
        actual[person], wanted[person] = outcome(response, case), expected(case, person)
    assert actual == wanted
