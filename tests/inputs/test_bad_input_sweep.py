"""No 500 from bad input: a sweep over every URL pattern of the site.

The URL patterns come from the resolver, so a view added later is swept too. Each pattern is
opened by every role (anonymous, citizen, each staff role, administrator); the forms that the
pages render give the fields each POST endpoint takes (and valid values for the others), and the
form classes and view sources name the rest. Every integer, id and choice field then gets huge,
negative, zero, non-numeric, empty and odd-Unicode values and the ids of other people's objects,
and every URL id is replaced by huge ones. Nothing may answer 5xx or raise: a 4xx, a redirect or
a form shown again with its error is fine.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import pkgutil
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django import forms
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern

import liuyan

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

HUGE = [str(2**63), str(10**40), str(-(2**63) - 1)]
# Values an integer, id or choice field may receive from a careless or hostile client.
JUNK = [
    *HUGE,
    "-1",
    "0",
    "1.5",
    "1e3",
    "abc",
    "",
    " ",
    "²",  # str.isdigit() says yes, int() says no
    "１２",  # full-width digits: int() takes them
    "١٢",  # Arabic-Indic digits
    "\x00",
    "'; DROP TABLE x; --",
    "2026-03-02T09:00:00+00:00~²",  # keyset cursors: timestamp~id
    f"2026-03-02T09:00:00+00:00~{10**40}",
    f"{10**40}~{10**40}",
    f"{10**40}_{10**40}",
    "x" * 5000,
]
ADMIN_JUNK = [HUGE[0], HUGE[1], "-1", "²"]
# Once an endpoint has had all of JUNK (its first object, by the first role that gets in), the
# other objects and roles get one value of each way a number goes wrong: the same view code
# runs, and the whole sweep stays within minutes on PostgreSQL.
COMPACT_JUNK = [HUGE[1], "-1", "abc", "²", "\x00"]
# One field at a time (the others keep the values the page's form had).
FIELD_JUNK = [HUGE[0], HUGE[1], "-1", "0", "abc", "", "²", "\x00"]
CURSOR_NAMES = {"after", "before", "page"}
CURSOR_JUNK = [
    "2026-03-02T09:00:00+00:00~²",  # keyset cursors: timestamp~id
    f"2026-03-02T09:00:00+00:00~{10**40}",
    f"{10**40}~{10**40}",
    f"{10**40}_{10**40}",
    "9999-12-31T23:59:59-23:59~1",
]
# The URL kwargs swapped for these (int converters match digits only).
HUGE_URL_IDS = [str(2**63), str(10**40), "0"]
ODD_URL_STRINGS = ["²", "%00", "x" * 300]
INTEGER_LIKE_INPUTS = {"select", "radio", "checkbox", "number", "hidden"}


# --- what to send --------------------------------------------------------------------------


def _form_classes():
    for module_info in pkgutil.walk_packages(liuyan.__path__, "liuyan."):
        if not module_info.name.endswith(".forms"):
            continue
        module = importlib.import_module(module_info.name)
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                yield value


def _choice_or_number(form_field) -> bool:
    # ModelMultipleChoiceField is a ModelChoiceField.
    return isinstance(form_field, forms.IntegerField | forms.ChoiceField | forms.ModelChoiceField)


def declared_field_names() -> set[str]:
    """Integer, id and choice fields of every form class in liuyan."""
    names = set()
    for form_class in _form_classes():
        for name, form_field in form_class.base_fields.items():
            if _choice_or_number(form_field):
                names.add(name)
    return names


RAW_PARAMETER = re.compile(r"request\.(GET|POST)(?:\.get|\.getlist)?\(\s*[\"']([\w-]+)[\"']")


def raw_parameter_names() -> tuple[set[str], set[str]]:
    """Parameters views read straight from request.GET / request.POST, by reading their source."""
    get_names, post_names = set(), set()
    for path in (liuyan.__path__[0],):
        from pathlib import Path

        for source in Path(path).rglob("*.py"):
            for method, name in RAW_PARAMETER.findall(source.read_text(encoding="utf-8")):
                (get_names if method == "GET" else post_names).add(name)
    return get_names, post_names


# --- the pages' forms ------------------------------------------------------------------------


@dataclass
class FoundForm:
    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)


class FormParser(HTMLParser):
    """Collects each <form>'s action, method and fields with their first (default) value."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path = page_path
        self.forms: list[FoundForm] = []
        self.current: FoundForm | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = urlsplit(a.get("action") or self.page_path).path or self.page_path
            self.current = FoundForm(action=action, method=(a.get("method") or "get").lower())
            self.forms.append(self.current)
            return
        form = self.current
        if form is None or ("name" not in a and tag != "option"):
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            form.kinds.setdefault(a["name"], kind)
            values = form.fields.setdefault(a["name"], [])
            if kind in {"radio", "checkbox"} and "checked" not in a:
                return
            values.append(a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "textarea":
            form.kinds.setdefault(a["name"], "textarea")
            form.fields.setdefault(a["name"], ["文本内容足够长，用来通过最短长度的检查。" * 2])
        elif tag == "select":
            self.select = a["name"]
            form.kinds.setdefault(a["name"], "select")
            form.fields.setdefault(a["name"], [])
        elif tag == "option" and self.select:
            values = form.fields[self.select]
            value = a.get("value", "")
            if "selected" in a or (not values and value):
                values[:] = [value]

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


# --- the URLs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: str  # namespaced, for reverse()
    params: tuple[str, ...]
    int_params: frozenset[str]


def url_patterns(patterns=None, namespace: str = "", route_converters=None) -> list[Pattern]:
    found = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += url_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and (entry.name or _ours(entry)):
            found.append(_pattern(entry, namespace))
    return found


def _ours(entry: URLPattern) -> bool:
    # The admin's few unnamed patterns only redirect to named ones.
    return getattr(entry.callback, "__module__", "").startswith("liuyan")


def _pattern(entry: URLPattern, namespace: str) -> Pattern:
    assert entry.name, f"every URL pattern is named, so the sweep can reach it: {entry}"
    if isinstance(entry.pattern, RoutePattern):
        converters = entry.pattern.converters
        params = tuple(converters)
        ints = frozenset(n for n, c in converters.items() if c.regex == "[0-9]+")
    else:
        params = tuple(entry.pattern.regex.groupindex)
        ints = frozenset()
    return Pattern(name=f"{namespace}{entry.name}", params=params, int_params=ints)


# --- the sweep -------------------------------------------------------------------------------


@dataclass
class Sweep:
    failures: list[str] = field(default_factory=list)
    requests: int = 0
    started: float = field(default_factory=time.monotonic)

    def mark(self, phase: str) -> None:
        elapsed = time.monotonic() - self.started
        print(f"{phase}: {self.requests} requests in {elapsed:.0f} s, {len(self.failures)} 5xx")

    def summary(self) -> str:
        """One line per endpoint and error, with a count and the first example."""
        groups: dict[str, list[str]] = {}
        for failure in self.failures:
            _who, method, url, rest = failure.split(" ", 3)
            try:
                route = resolve(urlsplit(url).path).route
            except Exception:  # a URL the resolver refuses is still a finding
                route = url
            error = rest.rsplit(": ", 1)[-1][:80]
            groups.setdefault(f"{method} {route} -> {error}", []).append(failure)
        return "\n".join(
            f"{len(found)}x {key}\n    e.g. {found[0][:300]}" for key, found in groups.items()
        )

    def send(self, client: Client, who: str, method: str, url: str, data=None):
        self.requests += 1
        try:
            # A savepoint per request: on PostgreSQL a failed query would break the test's
            # transaction and every request after it.
            with transaction.atomic():
                if method == "get":
                    response = client.get(url, data or {})
                else:
                    response = client.post(url, data or {})
        except Exception as error:
            self.failures.append(f"{who} {method.upper()} {url} {_short(data)}: {error!r:.200}")
            return None
        if response.status_code >= 500:
            self.failures.append(
                f"{who} {method.upper()} {url} {_short(data)}: {response.status_code}"
            )
        return response


def _short(data) -> str:
    return repr(
        {k: (v if len(str(v)) < 40 else str(v)[:37] + "...") for k, v in (data or {}).items()}
    )


def _param_values(world, o) -> dict[str, list]:
    """Real objects of every kind, this user's and other people's."""
    from liuyan.accounts.models import User
    from liuyan.board.models import Attachment, Message
    from liuyan.notifications.models import Notification

    notification = (
        Notification.objects.filter(recipient=world.citizen).first() or Notification.objects.first()
    )
    image = Attachment.objects.filter(message__isnull=False).first()
    public = Message.objects.filter(pk=o.lookback.pk).first()
    return {
        "message_id": [o.new_city.pk, o.new_other.pk, o.hotline.pk, o.lookback.pk],
        "assignment_id": [
            o.accepted.pk,
            o.pending.pk,
            o.other_pending.pk,
            o.sub_pending.pk,
            o.signoff_reply.assignment_id,
        ],
        "reply_id": [o.reviewing.pk, o.signoff_reply.pk, o.other_reviewing.pk],
        "request_id": [o.extension.pk],
        "template_id": [o.template.pk],
        "attachment_id": [o.attachment.pk],
        "notification_id": [notification.pk] if notification else [1],
        "board_id": [world.board.pk, world.other_board.pk],
        "serial": [public.serial, o.new_other.serial],
        "token": [image.token if image else o.attachment.token],
        "user_id": [User.objects.first().pk],
    }


def _admin_values(pattern: Pattern) -> dict[str, list]:
    """The admin's object ids belong to the model its pattern is named after."""
    from django.contrib import admin

    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if pattern.name.startswith(prefix):
            first = model._default_manager.order_by("pk").first()
            return {"object_id": [str(first.pk) if first else "1"]}
    if pattern.name == "admin:app_list":
        return {"app_label": ["board", "accounts"]}
    return {}


def concrete_urls(pattern: Pattern, values: dict[str, list]) -> list[str]:
    """The pattern with real ids (each one in turn for the first parameter)."""
    if not pattern.params:
        return [reverse(pattern.name)]
    first, *rest = pattern.params
    urls = []
    for choice in values.get(first, ["1"]):
        kwargs = {first: choice, **{p: values.get(p, ["1"])[0] for p in rest}}
        try:
            urls.append(reverse(pattern.name, kwargs=kwargs))
        except NoReverseMatch:
            continue
    return urls


def bad_urls(pattern: Pattern, values: dict[str, list]) -> list[str]:
    """The pattern with each parameter replaced by a huge or odd value."""
    urls = []
    for param in pattern.params:
        good = {p: values.get(p, ["1"])[0] for p in pattern.params}
        bad = HUGE_URL_IDS if param in pattern.int_params else ODD_URL_STRINGS
        for value in bad:
            try:
                url = reverse(pattern.name, kwargs={**good, param: "12345"})
            except NoReverseMatch:
                continue
            urls.append(url.replace("12345", value, 1))
    return urls


ROLES = [
    "anonymous",
    "citizen",
    "other_citizen",
    "moderator",
    "handler",
    "head",
    "signoff_head",
    "leader",
    "operator",
    "admin",
]


def _roles_for(pattern: Pattern) -> list[str]:
    # Django's admin is for administrators only; everyone else is turned away at its door.
    # The API answers machines with keys, not signed-in roles: schemathesis fuzzes it from its
    # own schema (tests/api/test_api_fuzz.py), so the sweep only knocks on its doors.
    return ["anonymous", "admin"] if _compact(pattern) else ROLES


def _compact(pattern: Pattern) -> bool:
    """Patterns that get a few values only: Django's admin and the API (fuzzed on its own)."""
    return pattern.name.startswith(("admin:", "api:"))


def _client(world, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


def _reached(response) -> bool:
    if response is None:
        return True  # it crashed: worth sweeping
    if response.status_code in (401, 403, 404, 405):
        return False
    location = response.get("Location", "") if response.status_code in (301, 302) else ""
    return "login" not in location


@pytest.fixture(autouse=True)
def _quiet_request_log():
    """Thousands of 4xx answers would each log a traceback; the sweep reports what matters."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


@pytest.fixture
def admin_staff(world):
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    return world


def test_no_url_answers_5xx_to_bad_input(world, objects, admin_staff):
    from liuyan.notifications import services as notifications

    notifications.follow_board(user=world.citizen, board=world.board)
    values = _param_values(world, objects)
    get_names, post_names = raw_parameter_names()
    int_names = declared_field_names() | get_names | post_names
    other_ids = _other_peoples_ids(world, objects)
    sweep = Sweep()
    patterns = url_patterns()
    assert len(patterns) > 50, "the resolver lists the site's URLs"

    # Who gets past each pattern's door (GET or POST), and the forms its pages render.
    reached: dict[str, list[str]] = {}  # pattern name -> roles
    posts: list[tuple[Pattern, int, str, str]] = []  # (pattern, URL's index, URL, role)
    get_pages: dict[str, list[str]] = {}  # pattern name -> URLs that answered a GET
    found_forms: dict[tuple[str, str], FoundForm] = {}  # (role, action) -> a rendered form
    for pattern in patterns:
        urls = concrete_urls(pattern, {**values, **_admin_values(pattern)})
        for role in _roles_for(pattern):
            client = _client(world, role)
            if pattern.name != "admin:logout":
                _open_pages(sweep, client, role, urls, pattern, get_pages, found_forms, reached)
            for index, url in enumerate(urls):
                if _reached(sweep.send(client, role, "post", url, {})):
                    posts.append((pattern, index, url, role))
                    if role not in reached.setdefault(pattern.name, []):
                        reached[pattern.name].append(role)
    sweep.mark("doors and pages")

    # GET: each page with every known parameter set to junk, all at once and one by one.
    for pattern in patterns:
        if pattern.name not in get_pages:
            continue
        url, role = get_pages[pattern.name][0], reached[pattern.name][0]
        client = _client(world, role)
        if _compact(pattern):
            # Django's own admin (its ids are guarded by the ORM's bounds) and the API (fuzzed
            # from its schema): a few values only.
            for junk in ADMIN_JUNK:
                sweep.send(client, role, "get", url, {"q": junk, "p": junk, "id__in": junk})
            continue
        for junk in JUNK:
            sweep.send(client, role, "get", url, dict.fromkeys(sorted(int_names), junk))
        # Bytes that are not UTF-8 (a lone surrogate's encoding, a stray 0xFF).
        raw = "&".join(f"{name}=%ED%A0%80%FF" for name in sorted(int_names))
        sweep.send(client, role, "get", f"{url}?{raw}")
        on_page = {
            name
            for (_role, action), form in found_forms.items()
            if action == url and form.method == "get"
            for name in form.fields
        }
        for name in sorted(get_names | on_page):
            cursors = CURSOR_JUNK if name in CURSOR_NAMES else []
            for junk in (HUGE[0], "²", *cursors):
                sweep.send(client, role, "get", url, {name: junk})
    sweep.mark("GET parameters")

    # URL ids too big for any database, and odd strings where the URL takes text.
    for pattern in patterns:
        role = (reached.get(pattern.name) or ["moderator"])[0]
        for url in bad_urls(pattern, {**values, **_admin_values(pattern)}):
            sweep.send(_client(world, role), role, "get", url)
            sweep.send(_client(world, role), role, "post", url, {"lead_unit": "1"})
    sweep.mark("URL ids")

    # POST: every endpoint, by every role that gets past its door.
    swept_posts = 0
    fully_swept: set[str] = set()  # endpoints that had every value of JUNK
    field_swept: set[tuple[str, frozenset]] = set()  # (endpoint, a form's fields) swept one by one
    for pattern, index, url, role in posts:
        admin = _compact(pattern)
        swept_posts += 1
        form = found_forms.get((role, url))
        baseline = {k: v for k, v in (form.fields if form else {}).items() if v}
        names = set(form.fields) if form else int_names
        first = index == 0 and pattern.name not in fully_swept
        if first:
            fully_swept.add(pattern.name)
        for junk in ADMIN_JUNK if admin else JUNK if first else COMPACT_JUNK:
            client = _client(world, role)  # a step may have signed the client out
            all_junk = {**baseline, **dict.fromkeys(names, junk)}
            sweep.send(client, role, "post", url, all_junk)
        if form is None or index > 0:
            continue  # one by one: on the first object of each kind
        shape = (pattern.name, frozenset(form.kinds.items()))
        if shape in field_swept:
            continue  # another role already had this very form field by field
        field_swept.add(shape)
        for name, kind in form.kinds.items():
            if admin and kind not in {"select", "number"}:
                continue
            if kind not in INTEGER_LIKE_INPUTS and name not in int_names:
                continue
            for junk in ADMIN_JUNK[:2] if admin else [*FIELD_JUNK, *other_ids]:
                sweep.send(client, role, "post", url, {**baseline, name: junk})
            several = [HUGE[0], other_ids[0], HUGE[1]]
            sweep.send(client, role, "post", url, {**baseline, name: several})
    sweep.mark("POST fields")
    assert swept_posts > 40, "the sweep reached the POST endpoints"
    assert not sweep.failures, f"{len(sweep.failures)} answers were 5xx:\n{sweep.summary()}"


def _open_pages(sweep, client, role, urls, pattern, get_pages, found_forms, reached) -> None:
    for url in urls:
        response = sweep.send(client, role, "get", url)
        if not _reached(response):
            continue
        if role not in reached.setdefault(pattern.name, []):
            reached[pattern.name].append(role)
        get_pages.setdefault(pattern.name, []).append(url)
        if _is_html_page(response):
            parser = FormParser(url)
            parser.feed(response.content.decode("utf-8", "replace"))
            for form in parser.forms:
                found_forms.setdefault((role, form.action), form)


def _is_html_page(response) -> bool:
    return (
        response is not None
        and response.status_code == 200
        and "html" in response.get("Content-Type", "")
    )


def _other_peoples_ids(world, o) -> list[str]:
    """Ids that exist but belong to someone else: another city's unit, board and messages,
    another unit's assignment and reply, and one id that exists nowhere."""
    ids = {
        world.other_unit.pk,
        world.other_board.pk,
        world.other_city.pk,
        o.new_other.pk,
        o.other_pending.pk,
        o.other_reviewing.pk,
        987654,
    }
    return sorted(str(pk) for pk in ids)


def test_sweep_names_every_view_parameter():
    """The parameter lists come from the code itself, so a new field cannot be missed."""
    form_names = declared_field_names()
    get_names, post_names = raw_parameter_names()
    assert {"lead_unit", "co_units", "units", "to_unit", "unit", "board", "domain"} <= form_names
    assert {"page", "unit", "after", "before", "region"} <= get_names
    assert {"assignment", "board", "next"} <= post_names
    assert resolve("/desk/").url_name == "home"
