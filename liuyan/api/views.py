"""The REST API, /api/v1/: thin views that parse, call one selector or service, and render.

Reads are public (public messages only, masked text); a per-user key with the `read` scope sees
what its user may see on the pages. Writes need a key with the matching scope, and then the
same rules as the pages: `board.access` for what the caller may see, the lifecycle services for
whether they may take the step.
"""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from liuyan.accounts import audit
from liuyan.board import services as board_services
from liuyan.board.access import staff_scope
from liuyan.board.models import Message
from liuyan.campaigns.models import Campaign, Suggestion
from liuyan.core.lifecycle import RejectReason, State
from liuyan.directory.models import Board, Domain, Region

from . import selectors
from .auth import calling_key
from .models import Scope
from .problems import PROBLEM_TYPE, activate_language, problem
from .serializers import (
    AssignmentSerializer,
    BoardSerializer,
    CampaignSerializer,
    DispatchSerializer,
    DomainSerializer,
    EventSerializer,
    ExtensionSerializer,
    FiguresSerializer,
    FilingSerializer,
    MessageSerializer,
    ReasonSerializer,
    RegionSerializer,
    ReplyBodySerializer,
    ReplySerializer,
    ScreenSerializer,
    SuggestionSerializer,
    TransferSerializer,
    UnitSerializer,
)
from .services import IdempotencyConflict, file_message

# Problem responses (400, 401, 403, 404, 409, 422, 429) are added to every operation by
# liuyan.api.schema.add_problem_responses.
ERRORS: dict = {}


class Newest(CursorPagination):
    """Cursor pages, newest first: a later page costs what the first does, and rows written
    meanwhile neither repeat nor vanish."""

    ordering = ("-submitted_at", "-id")
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class ById(CursorPagination):
    ordering: tuple[str, ...] = ("id",)
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ByCode(ById):
    ordering = ("code",)


class ByCreated(ById):
    ordering = ("-created_at", "-id")


class ApiView(APIView):
    """Every endpoint answers in the language of Accept-Language, and a write made with a
    per-user key goes into the audit trail as the pages' writes do (the trail's middleware
    only sees signed-in sessions)."""

    def initial(self, request: Request, *args, **kwargs) -> None:
        activate_language(request)
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request: Request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        key = calling_key(request)
        if (
            key is not None
            and key.user is not None
            and request.method not in ("GET", "HEAD", "OPTIONS")
        ):
            match = request._request.resolver_match
            audit.record(
                request._request,
                match.view_name if match else "api",
                None,
                status=response.status_code,
                api_key=key.prefix,
                **{name: str(value) for name, value in kwargs.items()},
            )
        return response


class ListView(ApiView, generics.ListAPIView):
    pass


def _one(model, value, field: str = "pk"):
    """The row a query parameter names, or a 400 problem naming the parameter."""
    try:
        return model.objects.get(**{field: value})
    except (model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise exceptions.ValidationError(
            {field: [_("No such %(what)s.") % {"what": value}]}
        ) from None


def _int(value: str, name: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise exceptions.ValidationError({name: [_("A whole number is needed.")]}) from None
    if not 0 < number < 2**31:
        raise exceptions.ValidationError({name: [_("Out of range.")]})
    return number


def _datetime(value: str, name: str) -> datetime:
    field = serializers.DateTimeField()
    try:
        return field.to_internal_value(value)
    except serializers.ValidationError as error:
        raise exceptions.ValidationError({name: error.detail}) from None


MESSAGE_FILTERS = [
    OpenApiParameter("board", int, description="Board id"),
    OpenApiParameter("region", str, description="Region code (GB/T 2260); includes sub-regions"),
    OpenApiParameter("domain", int, description="Domain id; includes sub-domains"),
    OpenApiParameter("type", str, enum=Message.Type.values),
    OpenApiParameter(
        "status", str, enum=["handling", "answered", *[state.value for state in State]]
    ),
    OpenApiParameter("since", OpenApiTypes.DATETIME, description="Submitted at or after"),
    OpenApiParameter("until", OpenApiTypes.DATETIME, description="Submitted before"),
]


@extend_schema(tags=["messages"])
class MessageList(ListView):
    """Messages, newest first. Anonymous callers and application keys see public messages only;
    a per-user key with the `read` scope sees what its user may see on the pages."""

    serializer_class = MessageSerializer
    pagination_class = Newest
    required_scope = Scope.SUBMIT

    def get_queryset(self):
        params = self.request.query_params
        filters: dict = {}
        if board := params.get("board"):
            filters["board"] = _one(Board, _int(board, "board"))
        if region := params.get("region"):
            filters["region"] = _one(Region, region[:12], "code")
        if domain := params.get("domain"):
            filters["domain"] = _one(Domain, _int(domain, "domain"))
        if (kind := params.get("type")) is not None and kind:
            if kind not in Message.Type.values:
                raise exceptions.ValidationError({"type": [_("Unknown type.")]})
            filters["type"] = kind
        if status_ := params.get("status"):
            if status_ not in {"handling", "answered", *State}:
                raise exceptions.ValidationError({"status": [_("Unknown status.")]})
            filters["status"] = status_
        if since := params.get("since"):
            filters["since"] = _datetime(since, "since")
        if until := params.get("until"):
            filters["until"] = _datetime(until, "until")
        return selectors.messages_for(_reader(self.request), **filters)

    @extend_schema(
        parameters=MESSAGE_FILTERS, responses={200: MessageSerializer(many=True), **ERRORS}
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=FilingSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description=(
                    "A retry with the same key returns the first result, never a second message"
                ),
            )
        ],
        responses={201: MessageSerializer, 200: MessageSerializer},
    )
    def post(self, request: Request) -> Response:
        """File a message (scope `submit`). Its channel is recorded as API."""
        filing = FilingSerializer(data=request.data)
        filing.is_valid(raise_exception=True)
        try:
            filed = file_message(
                author=request.user,
                key=calling_key(request),
                data=filing.validated_data,
                idempotency_key=request.headers.get("Idempotency-Key", "").strip(),
            )
        except IdempotencyConflict:
            return Response(
                problem(
                    422,
                    _("This Idempotency-Key was used for a different request."),
                    instance=request.path,
                ),
                status=422,
                content_type=PROBLEM_TYPE,
            )
        response = Response(
            MessageSerializer(filed.message).data,
            status=status.HTTP_200_OK if filed.replayed else status.HTTP_201_CREATED,
        )
        response["Location"] = f"/api/v1/messages/{filed.message.serial}/"
        if filed.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


def _reader(request: Request):
    """Whose eyes the answer is for: a per-user key's user only with the `read` scope."""
    key = calling_key(request)
    if key is not None and not key.has_scope(Scope.READ):
        return None
    return request.user


def _message(request: Request, serial: str) -> Message:
    message = selectors.message_for(_reader(request), serial[:20])
    if message is None:
        raise exceptions.NotFound(_("No such message."))
    return message


@extend_schema(tags=["messages"], responses={200: MessageSerializer, **ERRORS})
class MessageDetail(ApiView, generics.GenericAPIView):
    serializer_class = MessageSerializer

    def get(self, request: Request, serial: str) -> Response:
        return Response(MessageSerializer(_message(request, serial)).data)


@extend_schema(tags=["messages"], responses={200: ReplySerializer(many=True), **ERRORS})
class MessageReplies(ApiView, generics.GenericAPIView):
    """A message's published replies, oldest first."""

    serializer_class = ReplySerializer
    pagination_class = None

    def get(self, request: Request, serial: str) -> Response:
        replies = selectors.published_replies(_message(request, serial))
        return Response(ReplySerializer(replies, many=True).data)


@extend_schema(tags=["messages"], responses={200: EventSerializer(many=True), **ERRORS})
class MessageTimeline(ApiView, generics.GenericAPIView):
    """The message's public timeline (internal notes are not shown)."""

    serializer_class = EventSerializer
    pagination_class = None

    def get(self, request: Request, serial: str) -> Response:
        events = selectors.public_timeline(_message(request, serial))
        return Response(EventSerializer(events, many=True).data)


REGION_FILTER = [OpenApiParameter("region", str, description="Region code; includes sub-regions")]


@extend_schema(tags=["directory"], parameters=REGION_FILTER)
class BoardList(ListView):
    serializer_class = BoardSerializer
    pagination_class = ById

    def get_queryset(self):
        region = self.request.query_params.get("region")
        return selectors.boards(region=_one(Region, region[:12], "code") if region else None)


@extend_schema(tags=["directory"], responses={200: BoardSerializer, **ERRORS})
class BoardDetail(ApiView, generics.RetrieveAPIView):
    serializer_class = BoardSerializer
    queryset = Board.objects.filter(is_active=True).select_related("region")


@extend_schema(tags=["directory"], parameters=REGION_FILTER)
class UnitList(ListView):
    serializer_class = UnitSerializer
    pagination_class = ById

    def get_queryset(self):
        region = self.request.query_params.get("region")
        return selectors.units(region=_one(Region, region[:12], "code") if region else None)


@extend_schema(
    tags=["directory"],
    parameters=[
        OpenApiParameter("parent", str, description="Parent region code"),
        OpenApiParameter("level", int, enum=[1, 2, 3]),
    ],
)
class RegionList(ListView):
    serializer_class = RegionSerializer
    pagination_class = ByCode

    def get_queryset(self):
        params = self.request.query_params
        parent = params.get("parent")
        level = params.get("level")
        return selectors.regions(
            parent=_one(Region, parent[:12], "code") if parent else None,
            level=_int(level, "level") if level else None,
        )


@extend_schema(tags=["directory"])
class DomainList(ListView):
    serializer_class = DomainSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.domains()


@extend_schema(
    tags=["figures"],
    parameters=[OpenApiParameter("board", int, description="One board's figures")],
    responses={200: FiguresSerializer, **ERRORS},
)
class FiguresView(ApiView, generics.GenericAPIView):
    """This year's headline figures over public messages (cached for five minutes)."""

    serializer_class = FiguresSerializer

    def get(self, request: Request) -> Response:
        board_id = request.query_params.get("board")
        board = _one(Board, _int(board_id, "board")) if board_id else None
        figures = selectors.figures(board=board)
        data = {
            "since": figures.since,
            "board": board.pk if board else None,
            "messages": figures.messages,
            "replied": figures.replied,
            "reply_rate": figures.reply_rate,
            "rated": figures.rated,
            "satisfied": figures.satisfied,
            "satisfaction": figures.satisfaction,
        }
        return Response(FiguresSerializer(data).data)


# --- staff: the unit workflow ----------------------------------------------------------------


def _staff_user(request: Request):
    if not request.user.is_authenticated:
        raise exceptions.PermissionDenied(_("This needs a per-user key or a signed-in user."))
    return request.user


@extend_schema(
    tags=["unit workflow"],
    parameters=[OpenApiParameter("state", str, description="Assignment state, e.g. pending")],
)
class AssignmentList(ListView):
    """The assignments of the caller's units (and the units below those they head)."""

    serializer_class = AssignmentSerializer
    pagination_class = ByCreated
    read_scope = Scope.HANDLE

    def get_queryset(self):
        scope = staff_scope(_staff_user(self.request))
        return selectors.assignments_for(
            scope, state=self.request.query_params.get("state", "")[:12]
        )


class _AssignmentStep(ApiView, generics.GenericAPIView):
    required_scope = Scope.HANDLE
    serializer_class = AssignmentSerializer

    def assignment(self, request: Request, pk: int):
        scope = staff_scope(_staff_user(request))
        return get_object_or_404(selectors.assignments_for(scope), pk=pk)

    def done(self, assignment) -> Response:
        assignment.refresh_from_db()
        return Response(AssignmentSerializer(assignment).data)


def _input(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema(
    tags=["unit workflow"], request=None, responses={200: AssignmentSerializer, **ERRORS}
)
class AcceptAssignment(_AssignmentStep):
    def post(self, request: Request, pk: int) -> Response:
        assignment = self.assignment(request, pk)
        board_services.accept_assignment(assignment_id=assignment.pk, actor=request.user)
        return self.done(assignment)


@extend_schema(
    tags=["unit workflow"],
    request=ReasonSerializer,
    responses={200: AssignmentSerializer, **ERRORS},
)
class ReturnAssignment(_AssignmentStep):
    """Return a misrouted message to the moderators (退回)."""

    def post(self, request: Request, pk: int) -> Response:
        assignment = self.assignment(request, pk)
        data = _input(ReasonSerializer, request)
        board_services.return_assignment(
            assignment_id=assignment.pk, actor=request.user, reason=data["reason"]
        )
        return self.done(assignment)


@extend_schema(
    tags=["unit workflow"],
    request=TransferSerializer,
    responses={200: AssignmentSerializer, **ERRORS},
)
class TransferAssignment(_AssignmentStep):
    """Transfer to a subordinate unit, which gets a child assignment."""

    def post(self, request: Request, pk: int) -> Response:
        assignment = self.assignment(request, pk)
        data = _input(TransferSerializer, request)
        board_services.transfer_assignment(
            assignment_id=assignment.pk,
            actor=request.user,
            to_unit=data["to_unit"],
            note=data["note"],
        )
        return self.done(assignment)


@extend_schema(
    tags=["unit workflow"],
    request=ReplyBodySerializer,
    responses={200: AssignmentSerializer, **ERRORS},
)
class ReplyToAssignment(_AssignmentStep):
    """Write the reply and submit it for sign-off or review (or save a draft)."""

    def post(self, request: Request, pk: int) -> Response:
        assignment = self.assignment(request, pk)
        data = _input(ReplyBodySerializer, request)
        if data["submit"]:
            board_services.submit_reply(
                assignment_id=assignment.pk, actor=request.user, body=data["body"]
            )
        else:
            board_services.save_reply_draft(
                assignment_id=assignment.pk, actor=request.user, body=data["body"]
            )
        return self.done(assignment)


@extend_schema(
    tags=["unit workflow"],
    request=ExtensionSerializer,
    responses={200: AssignmentSerializer, **ERRORS},
)
class RequestExtension(_AssignmentStep):
    def post(self, request: Request, pk: int) -> Response:
        assignment = self.assignment(request, pk)
        data = _input(ExtensionSerializer, request)
        board_services.request_extension(
            assignment_id=assignment.pk,
            actor=request.user,
            reason=data["reason"],
            days=data["days"],
        )
        return self.done(assignment)


# --- staff: moderators ----------------------------------------------------------------------


@extend_schema(tags=["moderation"])
class ModerationQueue(ListView):
    """Messages waiting for screening in the caller's region (masked text)."""

    serializer_class = MessageSerializer
    pagination_class = Newest
    read_scope = Scope.MODERATE

    def get_queryset(self):
        scope = staff_scope(_staff_user(self.request))
        if not scope.is_moderator:
            raise exceptions.PermissionDenied(_("Only moderators have a screening queue."))
        return selectors.moderation_queue(scope)


class _ModerationStep(ApiView, generics.GenericAPIView):
    required_scope = Scope.MODERATE
    serializer_class = MessageSerializer

    def message(self, request: Request, serial: str) -> Message:
        scope = staff_scope(_staff_user(request))
        from liuyan.board.access import moderated_messages

        return get_object_or_404(moderated_messages(scope), serial=serial[:20])

    def done(self, message: Message) -> Response:
        message.refresh_from_db()
        return Response(MessageSerializer(message).data)


@extend_schema(
    tags=["moderation"], request=ScreenSerializer, responses={200: MessageSerializer, **ERRORS}
)
class ScreenMessage(_ModerationStep):
    """Approve (with corrected public text and classification) or reject with a reason."""

    def post(self, request: Request, serial: str) -> Response:
        message = self.message(request, serial)
        data = _input(ScreenSerializer, request)
        if data["approve"]:
            board_services.screen_message(
                message_id=message.pk,
                actor=request.user,
                public_title=data.get("public_title"),
                public_body=data.get("public_body"),
                type=data.get("type"),
                domain=data.get("domain"),
                is_urgent=data.get("is_urgent"),
            )
        else:
            board_services.reject_message(
                message_id=message.pk,
                actor=request.user,
                reason=data.get("reject_reason") or RejectReason.OTHER,
                note=data["reject_note"],
            )
        return self.done(message)


@extend_schema(
    tags=["moderation"], request=DispatchSerializer, responses={200: MessageSerializer, **ERRORS}
)
class DispatchMessage(_ModerationStep):
    """Send the message to a lead unit and optional co-handling units (交办)."""

    def post(self, request: Request, serial: str) -> Response:
        message = self.message(request, serial)
        data = _input(DispatchSerializer, request)
        board_services.dispatch_message(
            message_id=message.pk,
            actor=request.user,
            lead_unit=data["lead_unit"],
            co_units=data["co_units"],
            note=data["note"],
        )
        return self.done(message)


# --- suggestion campaigns (read-only; public suggestions only, masked) ------------------------


@extend_schema(tags=["campaigns"])
class CampaignList(ListView):
    serializer_class = CampaignSerializer
    pagination_class = ById

    def get_queryset(self):
        return Campaign.objects.select_related(
            "organiser_board__region", "organiser_region"
        ).order_by("id")


@extend_schema(tags=["campaigns"], responses={200: CampaignSerializer, **ERRORS})
class CampaignDetail(ApiView, generics.RetrieveAPIView):
    serializer_class = CampaignSerializer
    queryset = Campaign.objects.select_related("organiser_board__region", "organiser_region")


@extend_schema(tags=["campaigns"])
class CampaignSuggestions(ListView):
    """The campaign's published public suggestions, masked, with the unit's decision."""

    serializer_class = SuggestionSerializer
    pagination_class = ById

    def get_queryset(self):
        campaign = get_object_or_404(Campaign, pk=self.kwargs["pk"])
        return (
            campaign.suggestions.filter(status=Suggestion.Status.PUBLISHED, is_public=True)
            .select_related("theme", "decision__unit")
            .order_by("id")
        )
