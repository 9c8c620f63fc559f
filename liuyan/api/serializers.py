"""What the API shows and accepts. Message text is always the masked public version; contact
details are accepted when filing and never shown."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from liuyan.board.models import STATE_LABELS, Assignment, Event, Message, Reply
from liuyan.board.textrules import mask_personal_data, mask_staff_text
from liuyan.campaigns.models import Campaign
from liuyan.core.lifecycle import RejectReason, State
from liuyan.directory.models import Board, Domain, Region, Unit


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]


class DomainSerializer(serializers.ModelSerializer):
    class Meta:
        model = Domain
        fields = ["id", "name", "level", "parent"]


class BoardSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Board
        fields = ["id", "name", "kind", "region", "post", "holder", "description"]


class UnitSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "name", "region", "parent"]


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MessageSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="public_title")
    body = serializers.CharField(source="public_body")
    place = serializers.SerializerMethodField()
    board = NamedSerializer()
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    domain = NamedSerializer(allow_null=True)
    status = serializers.CharField(source="state")
    status_label = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "serial",
            "title",
            "body",
            "place",
            "board",
            "region",
            "domain",
            "type",
            "channel",
            "status",
            "status_label",
            "is_public",
            "is_urgent",
            "likes",
            "submitted_at",
            "replied_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_place(self, message: Message) -> str:
        return mask_personal_data(message.place or "")

    def get_status_label(self, message: Message) -> str:
        return str(STATE_LABELS.get(State(message.state), message.state))


class ReplySerializer(serializers.ModelSerializer):
    unit = NamedSerializer()
    body = serializers.SerializerMethodField()

    class Meta:
        model = Reply
        fields = ["id", "unit", "round", "body", "published_at"]

    def get_body(self, reply: Reply) -> str:
        return mask_staff_text(reply.body)


class EventSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField()
    unit = NamedSerializer(allow_null=True)

    class Meta:
        model = Event
        fields = ["seq", "at", "action", "action_label", "actor_role", "unit", "to_state"]


class FiguresSerializer(serializers.Serializer):
    since = serializers.DateTimeField()
    board = serializers.IntegerField(allow_null=True)
    messages = serializers.IntegerField()
    replied = serializers.IntegerField()
    reply_rate = serializers.FloatField(allow_null=True)
    rated = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    satisfaction = serializers.FloatField(allow_null=True)


class FilingSerializer(serializers.Serializer):
    """A new message. The contact details reach the handling unit only; never shown."""

    board = serializers.PrimaryKeyRelatedField(queryset=Board.objects.filter(is_active=True))
    type = serializers.ChoiceField(choices=Message.Type.choices)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=5000)
    is_public = serializers.BooleanField(default=True)
    domain = serializers.PrimaryKeyRelatedField(
        queryset=Domain.objects.all(), required=False, allow_null=True
    )
    place = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    contact_name = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default=""
    )
    contact_phone = serializers.RegexField(
        r"^\+?[0-9][0-9 -]{4,18}$", required=False, allow_blank=True, default=""
    )
    contact_email = serializers.EmailField(required=False, allow_blank=True, default="")


class AssignmentSerializer(serializers.ModelSerializer):
    message = serializers.SlugRelatedField(slug_field="serial", read_only=True)
    unit = NamedSerializer()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "message",
            "unit",
            "kind",
            "round",
            "state",
            "created_at",
            "accept_by",
            "accepted_at",
            "reply_by",
        ]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class TransferSerializer(serializers.Serializer):
    to_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.filter(is_active=True))
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReplyBodySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=10000)
    submit = serializers.BooleanField(
        default=True, help_text=_("Submit for review now (false: save a draft).")
    )


class ExtensionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    days = serializers.IntegerField(min_value=1, max_value=60)


class ScreenSerializer(serializers.Serializer):
    approve = serializers.BooleanField(default=True)
    public_title = serializers.CharField(max_length=200, required=False)
    public_body = serializers.CharField(max_length=5000, required=False)
    type = serializers.ChoiceField(choices=Message.Type.choices, required=False)
    domain = serializers.PrimaryKeyRelatedField(queryset=Domain.objects.all(), required=False)
    is_urgent = serializers.BooleanField(required=False)
    reject_reason = serializers.ChoiceField(
        choices=[(reason.value, reason.value) for reason in RejectReason], required=False
    )
    reject_note = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )


class DispatchSerializer(serializers.Serializer):
    lead_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.filter(is_active=True))
    co_units = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.filter(is_active=True), many=True, required=False, default=list
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


# --- suggestion campaigns (read-only, public data only) -------------------------------------


class CampaignSerializer(serializers.ModelSerializer):
    organiser = serializers.CharField(source="organiser_name", read_only=True)
    region = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "title",
            "description",
            "organiser",
            "region",
            "starts_at",
            "ends_at",
            "status",
            "support_threshold",
            "response_days",
        ]

    def get_region(self, campaign) -> str:
        return campaign.region.code

    def get_status(self, campaign) -> str:
        return campaign.status_at(timezone.now())


class DecisionSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    unit = serializers.CharField(source="unit.name")
    reason = serializers.CharField()
    change = serializers.CharField()
    change_link = serializers.CharField()
    decided_at = serializers.DateTimeField()


class SuggestionSerializer(serializers.Serializer):
    """A published public suggestion, in its masked words."""

    id = serializers.IntegerField()
    title = serializers.CharField(source="public_title")
    text = serializers.CharField(source="public_body")
    submitted_at = serializers.DateTimeField()
    supports = serializers.IntegerField(source="support_count")
    theme = serializers.CharField(source="theme.name", default=None)
    response_due_at = serializers.DateTimeField()
    response = serializers.CharField()
    responded_at = serializers.DateTimeField()
    decision = serializers.SerializerMethodField()

    def get_decision(self, suggestion) -> dict | None:
        decision = getattr(suggestion, "decision", None)
        if decision is None or decision.decided_at is None:
            return None
        return DecisionSerializer(decision).data
