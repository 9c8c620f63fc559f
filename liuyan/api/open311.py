"""Open311 GeoReport v2 at /open311/v2/, in JSON and XML (the `.json` / `.xml` suffix).

How liuyan maps onto the spec (docs/api.md#open311-georeport-v2):
- a **service** is a board (service_code = the board's id); `jurisdiction_id` is a region code
  and narrows to the boards of that region and below. The message type and the first-level
  domain are the service's attributes (`attribute[type]`, `attribute[domain]`).
- a **service request** is a message; `service_request_id` is its serial. Filing needs an
  `api_key` with the `submit` scope; the message is made by the lifecycle service with
  channel = API, and the Open311 extras (lat/long, address_id, media_url, device and account
  ids) are kept beside it in `Open311Request`.
- `status` is `closed` once the message is closed, rejected or a duplicate, else `open`.
- What is shown: a request filed through Open311 can be looked up by its id at once (status
  only; one filed as private only with the api_key that filed it, or by its token); its text,
  place, media and coordinates (rounded to about 100 m) only once it is
  screened and public. Lists show public messages only. Personal data is masked, contact
  details are never shown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree as ET

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import re_path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from liuyan.accounts.ip import client_ip
from liuyan.board.access import is_publicly_visible
from liuyan.board.models import REJECT_REASON_LABELS, STATE_LABELS, Message
from liuyan.board.refusals import describe_refusal
from liuyan.board.selectors import public_messages
from liuyan.board.textrules import mask_personal_data
from liuyan.core.clock import SHANGHAI
from liuyan.core.lifecycle import AssignmentKind, RejectReason, State
from liuyan.directory.models import Board, Domain, Region

from .keys import key_for
from .models import ApiKey, Open311Request, Scope
from .problems import activate_language
from .selectors import region_subtree_q
from .services import IdempotencyConflict, file_message
from .throttling import hit, retry_after

CLOSED_STATES = frozenset({State.CLOSED, State.REJECTED, State.DUPLICATE})
DEFAULT_DAYS = 90
MAX_RESULTS = 1000
COORDINATE_PLACES = Decimal("0.001")  # about 100 m: where, not whose doorstep


class Open311Error(Exception):
    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code = code
        self.description = description


# --- rendering ----------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_element(tag: str, value) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, child in value.items():
            element.append(_xml_element(key, child))
    elif isinstance(value, list):
        child_tag = {
            "attributes": "attribute",
            "values": "value",
            "endpoints": "endpoint",
            "formats": "format",
        }.get(tag, "item")
        for item in value:
            element.append(_xml_element(child_tag, item))
    else:
        element.text = _text(value)
    return element


def render(
    data: list, fmt: str, *, root: str, item: str, status: int = 200, extra: dict | None = None
) -> HttpResponse:
    """A list of objects as the spec's JSON array or XML (`<root><item>…</item></root>`)."""
    if fmt == "xml":
        tree = ET.Element(root)
        for row in data:
            tree.append(_xml_element(item, row))
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(tree, encoding="utf-8")
        body = body.replace(b"<?xml version='1.0' encoding='utf-8'?>\n", b"")
        response = HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    else:
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False),
            status=status,
            content_type="application/json; charset=utf-8",
        )
    for header, value in (extra or {}).items():
        response[header] = value
    return response


def render_one(data: dict, fmt: str, *, root: str) -> HttpResponse:
    """One object (a service definition): a JSON object, or XML with `root` as the element."""
    if fmt == "xml":
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(
            _xml_element(root, data), encoding="utf-8"
        )
        body = body.replace(b"<?xml version='1.0' encoding='utf-8'?>\n", b"")
        return HttpResponse(body, content_type="text/xml; charset=utf-8")
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/json")


def error(code: int, description: str, fmt: str, extra: dict | None = None) -> HttpResponse:
    return render(
        [{"code": code, "description": description}],
        fmt,
        root="errors",
        item="error",
        status=code,
        extra=extra,
    )


def endpoint(view: Callable, methods: tuple[str, ...] = ("GET", "HEAD")) -> Callable:
    """Language, rate limit and errors the spec's way, for every Open311 view."""

    @csrf_exempt
    def wrapped(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
        activate_language(request)
        fmt = fmt.lower()
        if request.method not in methods:
            return error(405, _("Method not allowed."), fmt, {"Allow": ", ".join(methods)})
        key = _key_from(request)
        bucket = f"key:{key.prefix}" if key else f"ip:{client_ip(request) or 'unknown'}"
        from django.conf import settings

        limit = settings.LIUYAN_API_RATE_PER_KEY if key else settings.LIUYAN_API_RATE_PER_ADDRESS
        if hit(bucket) > limit:
            return error(
                429,
                _("Too many requests; try again later."),
                fmt,
                {"Retry-After": str(retry_after())},
            )
        try:
            return view(request, fmt, key=key, **kwargs)
        except Open311Error as problem:
            return error(problem.code, problem.description, fmt)
        except ValidationError as invalid:
            return error(400, describe_refusal(invalid), fmt)

    return wrapped


def _key_from(request: HttpRequest) -> ApiKey | None:
    secret = request.POST.get("api_key") if request.method == "POST" else None
    secret = secret or request.GET.get("api_key", "")
    if not secret:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            secret = header[7:].strip()
    if not secret:
        return None
    key = key_for(secret.strip())
    if key is None:
        raise_later = Open311Error(403, _("Unknown or revoked api_key."))
        # Checked when the view runs, so the answer is in the requested format.
        return _BadKey(raise_later)  # type: ignore[return-value]
    return key


class _BadKey:
    """Stands in for a key that did not check out: any use of it answers 403."""

    prefix = "invalid"

    def __init__(self, problem: Open311Error):
        self.problem = problem


def _require_key(key, scope: str) -> ApiKey:
    if key is None:
        raise Open311Error(400, _("api_key is required."))
    if isinstance(key, _BadKey):
        raise key.problem
    if not key.has_scope(scope):
        raise Open311Error(403, _("This api_key lacks the scope “%(scope)s”.") % {"scope": scope})
    return key


def _check_key_if_given(key) -> None:
    if isinstance(key, _BadKey):
        raise key.problem


# --- services -----------------------------------------------------------------------------


def _jurisdiction(request: HttpRequest) -> Region | None:
    code = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id") or ""
    if not code:
        return None
    region = Region.objects.filter(code=code.strip()[:12]).first()
    if region is None:
        raise Open311Error(404, _("Unknown jurisdiction_id."))
    return region


def _boards(region: Region | None) -> QuerySet[Board]:
    rows = Board.objects.filter(is_active=True).select_related("region")
    if region is not None:
        rows = rows.filter(region_subtree_q(region))
    return rows.order_by("region__code", "position", "id")


def _service(board: Board) -> dict:
    return {
        "service_code": str(board.pk),
        "service_name": board.name,
        "description": board.description or board.name,
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join(filter(None, [board.post, board.region.name])),
        "group": board.region.name,
    }


def services(request: HttpRequest, fmt: str, *, key) -> HttpResponse:
    _check_key_if_given(key)
    rows = [_service(board) for board in _boards(_jurisdiction(request))]
    return render(rows, fmt, root="services", item="service")


def _board_for(code: str) -> Board:
    if not re.fullmatch(r"\d{1,9}", code or ""):
        raise Open311Error(404, _("Unknown service_code."))
    board = Board.objects.filter(pk=int(code), is_active=True).select_related("region").first()
    if board is None:
        raise Open311Error(404, _("Unknown service_code."))
    return board


def _top_domains() -> list[Domain]:
    return list(Domain.objects.filter(level=1).order_by("position", "id"))


def service_definition(request: HttpRequest, fmt: str, *, key, code: str) -> HttpResponse:
    _check_key_if_given(key)
    board = _board_for(code)
    attributes = [
        {
            "variable": True,
            "code": "type",
            "datatype": "singlevaluelist",
            "required": True,
            "datatype_description": _("What kind of message this is."),
            "order": 1,
            "description": _("Type"),
            "values": [{"key": value, "name": str(label)} for value, label in Message.Type.choices],
        },
        {
            "variable": True,
            "code": "domain",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("The field it concerns, if known."),
            "order": 2,
            "description": _("Domain"),
            "values": [{"key": str(d.pk), "name": d.name} for d in _top_domains()],
        },
        {
            "variable": True,
            "code": "title",
            "datatype": "string",
            "required": False,
            "datatype_description": _("5 to 50 characters; taken from the description if empty."),
            "order": 3,
            "description": _("Title"),
        },
        {
            "variable": True,
            "code": "is_public",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("Whether the message may be published (default: yes)."),
            "order": 4,
            "description": _("Public"),
            "values": [
                {"key": "true", "name": _("public")},
                {"key": "false", "name": _("private")},
            ],
        },
    ]
    return render_one(
        {"service_code": str(board.pk), "attributes": attributes}, fmt, root="service_definition"
    )


# --- requests -----------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(SHANGHAI).isoformat(timespec="seconds") if value else None


def _status(message: Message) -> str:
    return "closed" if message.state in CLOSED_STATES else "open"


def _status_notes(message: Message) -> str:
    note = str(STATE_LABELS.get(State(message.state), message.state))
    # Why a message was thrown out is told to its author on the pages, not to everyone.
    if message.reject_reason and is_publicly_visible(message):
        reason = REJECT_REASON_LABELS.get(RejectReason(message.reject_reason), "")
        note = f"{note}: {reason}"
    return note


def _lead(message: Message):
    leads = [a for a in message.assignments.all() if a.kind == AssignmentKind.LEAD]
    active = [a for a in leads if a.is_active]
    chosen = active or leads
    return chosen[-1] if chosen else None


def _rounded(value: Decimal | None) -> str | None:
    return str(value.quantize(COORDINATE_PLACES)) if value is not None else None


def _request_row(message: Message) -> dict:
    extra: Open311Request | None = getattr(message, "open311", None)
    row: dict = {
        "service_request_id": message.serial,
        "status": _status(message),
        "status_notes": _status_notes(message),
        "service_name": message.board.name,
        "service_code": str(message.board_id),
        "requested_datetime": _iso(message.submitted_at),
        "updated_datetime": _iso(message.updated_at),
    }
    if not is_publicly_visible(message):
        # Filed, not yet screened and public (or never to be): its status only.
        return row
    lead = _lead(message)
    row.update(
        {
            "description": message.public_body,
            "agency_responsible": lead.unit.name if lead else "",
            "service_notice": "",
            "expected_datetime": _iso(lead.reply_by) if lead else None,
            "address": mask_personal_data(message.place or ""),
            "address_id": extra.address_id if extra else "",
            "zipcode": "",
            "lat": _rounded(extra.lat) if extra else None,
            "long": _rounded(extra.long) if extra else None,
            "media_url": extra.media_url if extra else "",
        }
    )
    return row


def _with_extras(rows: QuerySet[Message]) -> QuerySet[Message]:
    return rows.select_related("board", "open311").prefetch_related("assignments__unit")


def _date(value: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, _("%(name)s must be a W3C date-time.") % {"name": name}) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=SHANGHAI)
    return parsed


def _lookup_q(ids: list[str], key) -> Q:
    """Public messages, and requests filed through Open311 (found at once, status only); a
    request filed as private only with the api_key that filed it."""
    findable = Q(pk__in=public_messages().values("pk")) | Q(open311__isnull=False, is_public=True)
    if isinstance(key, ApiKey):
        findable |= Q(open311__api_key=key)
    return Q(serial__in=ids) & findable


def requests_list(request: HttpRequest, fmt: str, *, key) -> HttpResponse:
    if request.method == "POST":
        return file_request(request, fmt, key=key)
    _check_key_if_given(key)
    params = request.GET
    ids = [part.strip()[:20] for part in params.get("service_request_id", "").split(",")]
    ids = [part for part in ids if part][:MAX_RESULTS]
    if ids:
        rows = Message.objects.filter(_lookup_q(ids, key))
    else:
        rows = public_messages()
        end = _date(params["end_date"], "end_date") if params.get("end_date") else None
        start = _date(params["start_date"], "start_date") if params.get("start_date") else None
        if start is None and end is None:
            start = timezone.now() - timedelta(days=DEFAULT_DAYS)
        if start is not None:
            rows = rows.filter(submitted_at__gte=start)
        if end is not None:
            rows = rows.filter(submitted_at__lte=end)
        if codes := params.get("service_code"):
            boards = [c.strip() for c in codes.split(",") if re.fullmatch(r"\d{1,9}", c.strip())]
            rows = rows.filter(board_id__in=[int(c) for c in boards])
        if statuses := params.get("status"):
            wanted = {s.strip().lower() for s in statuses.split(",")}
            if not wanted <= {"open", "closed"}:
                raise Open311Error(400, _("status is open or closed."))
            if wanted == {"closed"}:
                rows = rows.filter(state__in=CLOSED_STATES)
            elif wanted == {"open"}:
                rows = rows.exclude(state__in=CLOSED_STATES)
        if region := _jurisdiction(request):
            rows = rows.filter(region_subtree_q(region))
    rows = _with_extras(rows).order_by("-submitted_at", "-id")[:MAX_RESULTS]
    return render([_request_row(m) for m in rows], fmt, root="service_requests", item="request")


def request_detail(request: HttpRequest, fmt: str, *, key, id: str) -> HttpResponse:
    _check_key_if_given(key)
    message = _with_extras(Message.objects.filter(_lookup_q([id[:20]], key))).first()
    if message is None:
        raise Open311Error(404, _("No such service request."))
    return render([_request_row(message)], fmt, root="service_requests", item="request")


def token_detail(request: HttpRequest, fmt: str, *, key, token: str) -> HttpResponse:
    _check_key_if_given(key)
    found = Open311Request.objects.select_related("message").filter(token=token[:40]).first()
    if found is None:
        raise Open311Error(404, _("No such token."))
    row = {"service_request_id": found.message.serial, "token": found.token}
    return render([row], fmt, root="service_requests", item="request")


def _coordinate(value: str, name: str, limit: int) -> Decimal | None:
    if not value.strip():
        return None
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise Open311Error(400, _("%(name)s must be a number.") % {"name": name}) from None
    if not number.is_finite() or abs(number) > limit:
        raise Open311Error(400, _("%(name)s is out of range.") % {"name": name})
    return number.quantize(Decimal("0.000001"))


def _title_from(description: str) -> str:
    text = " ".join(description.split())
    return text[:30]


def file_request(request: HttpRequest, fmt: str, *, key) -> HttpResponse:
    key = _require_key(key, Scope.SUBMIT)
    form = request.POST
    board = _board_for(form.get("service_code", "").strip())
    region = _jurisdiction(request)
    if (
        region is not None
        and not Board.objects.filter(region_subtree_q(region), pk=board.pk).exists()
    ):
        raise Open311Error(400, _("This service_code is not in that jurisdiction."))
    lat = _coordinate(form.get("lat", ""), "lat", 90)
    long = _coordinate(form.get("long", ""), "long", 180)
    address = " ".join(form.get("address_string", "").split())[:200]
    address_id = form.get("address_id", "").strip()[:100]
    if (lat is None) != (long is None):
        raise Open311Error(400, _("Send lat and long together."))
    if lat is None and not address and not address_id:
        raise Open311Error(
            400, _("A location is required: lat and long, address_string or address_id.")
        )
    media_url = form.get("media_url", "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Open311Error(400, _("media_url must be an http(s) address.")) from None
        if len(media_url) > 500:
            raise Open311Error(400, _("media_url is too long."))
    kind = form.get("attribute[type]", "").strip() or Message.Type.COMPLAINT
    if kind not in Message.Type.values:
        raise Open311Error(400, _("attribute[type] is not one of the service's values."))
    domain = None
    if domain_code := form.get("attribute[domain]", "").strip():
        if not domain_code.isdigit() or len(domain_code) > 9:
            raise Open311Error(400, _("attribute[domain] is not one of the service's values."))
        domain = Domain.objects.filter(pk=int(domain_code), level=1).first()
        if domain is None:
            raise Open311Error(400, _("attribute[domain] is not one of the service's values."))
    is_public = form.get("attribute[is_public]", "true").strip().lower() != "false"
    description = form.get("description", "")
    phone = form.get("phone", "").strip()[:20]
    email = form.get("email", "").strip()[:254]
    if email:
        from django.core.validators import validate_email

        try:
            validate_email(email)
        except ValidationError:
            raise Open311Error(400, _("email is not a valid address.")) from None
    name = (form.get("last_name", "").strip() + form.get("first_name", "").strip())[:50]
    data = {
        "board": board,
        "type": kind,
        "title": form.get("attribute[title]", "").strip() or _title_from(description),
        "body": description,
        "is_public": is_public,
        "domain": domain,
        "place": address[:100],
        "contact_name": name,
        "contact_phone": phone,
        "contact_email": email,
        "contact_address": address,
    }
    extra = {
        "service_code": str(board.pk),
        "lat": lat,
        "long": long,
        "address_id": address_id,
        "media_url": media_url,
        "device_id": form.get("device_id", "").strip()[:100],
        "account_id": form.get("account_id", "").strip()[:100],
    }
    try:
        filed = file_message(
            author=key.user,
            key=key,
            data=data,
            idempotency_key=request.headers.get("Idempotency-Key", "").strip(),
            open311=extra,
        )
    except IdempotencyConflict:
        raise Open311Error(
            422, _("This Idempotency-Key was used for a different request.")
        ) from None
    message = filed.message
    row = {
        "service_request_id": message.serial,
        "token": message.open311.token,
        "service_notice": _("Received; it is published once screened."),
        "account_id": extra["account_id"],
    }
    return render([row], fmt, root="service_requests", item="request", status=201)


def discovery(request: HttpRequest, fmt: str, *, key) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/")
    data = {
        "changeset": "2026-12-07T00:00:00Z",
        "contact": "",
        "key_service": _("Ask the site's administrators for an api_key (docs/api.md)."),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": "2026-12-07T00:00:00Z",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return render_one(data, fmt, root="discovery")


FMT = r"\.(?P<fmt>json|xml|JSON|XML)$"
urlpatterns = [
    re_path(r"^discovery" + FMT, endpoint(discovery), name="discovery"),
    re_path(r"^services" + FMT, endpoint(services), name="services"),
    re_path(r"^services/(?P<code>[^/.]{1,40})" + FMT, endpoint(service_definition), name="service"),
    re_path(r"^requests" + FMT, endpoint(requests_list, ("GET", "HEAD", "POST")), name="requests"),
    re_path(r"^requests/(?P<id>[^/.]{1,40})" + FMT, endpoint(request_detail), name="request"),
    re_path(r"^tokens/(?P<token>[^/.]{1,60})" + FMT, endpoint(token_detail), name="token"),
]
