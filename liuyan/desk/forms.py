"""Forms parse what staff typed; the services decide whether the step is allowed."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from liuyan.board.models import (
    REJECT_REASON_LABELS,
    SUPERVISION_LABELS,
    Message,
)
from liuyan.core.clock import SHANGHAI
from liuyan.core.lifecycle import RejectReason, SupervisionLevel
from liuyan.directory.models import Board, Domain, Region, Unit
from liuyan.directory.selectors import domain_tree
from liuyan.web.widgets import SearchableSelect

from .models import ReplyTemplate


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit: Unit) -> str:
        return f"{unit.name}（{unit.region.name}）"


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, unit: Unit) -> str:
        return f"{unit.name}（{unit.region.name}）"


class DomainTreeIterator(forms.models.ModelChoiceIterator):
    """The domains grouped by first-level domain, in tree order (directory.selectors)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from domain_tree()

    def __len__(self) -> int:
        return self.queryset.count() + (1 if self.field.empty_label is not None else 0)


class DomainChoiceField(forms.ModelChoiceField):
    """A domain picked from the tree: optgroups per first-level domain, and a search box."""

    iterator = DomainTreeIterator

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", SearchableSelect(placeholder=_("Search domains, e.g. 物业")))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, domain: Domain) -> str:
        return "　" * (domain.level - 1) + domain.name


def limit_units(form: forms.BaseForm, name: str, units: QuerySet[Unit] | None) -> None:
    """Offer only `units` (none when not given) in the form's unit field `name`."""
    field = form.fields[name]
    # form.fields is typed as plain Field; every unit field here is a ModelChoiceField.
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = units if units is not None else Unit.objects.none()


def domain_field(**kwargs: Any) -> DomainChoiceField:
    return DomainChoiceField(
        queryset=Domain.objects.order_by("level", "position", "name"),
        required=False,
        label=_("Domain"),
        **kwargs,
    )


# --- moderators --------------------------------------------------------------------------


class ScreenForm(forms.Form):
    public_title = forms.CharField(label=_("Public title"), max_length=60)
    public_body = forms.CharField(label=_("Public text"), widget=forms.Textarea(attrs={"rows": 8}))
    type = forms.ChoiceField(label=_("Type"), choices=Message.Type.choices)
    domain = domain_field()
    is_urgent = forms.BooleanField(label=_("Urgent"), required=False)


class RejectForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[(r.value, REJECT_REASON_LABELS[r]) for r in RejectReason if r != "duplicate"],
    )
    note = forms.CharField(
        label=_("Explanation for the author"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DuplicateForm(forms.Form):
    original_serial = forms.CharField(
        label=_("Serial number of the original message"), max_length=20, min_length=8
    )


class DispatchForm(forms.Form):
    lead_unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("Lead unit"))
    co_units = UnitMultipleChoiceField(
        queryset=Unit.objects.none(), label=_("Co-handling units"), required=False
    )
    note = forms.CharField(
        label=_("Note to the units"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, candidates: QuerySet[Unit] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_units(self, "lead_unit", candidates)
        limit_units(self, "co_units", candidates)


class ReopenForm(forms.Form):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("Unit for the second round"))
    note = forms.CharField(
        label=_("Why the message is handled again"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, candidates: QuerySet[Unit] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_units(self, "unit", candidates)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class SuperviseForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Level"), choices=[(lv.value, SUPERVISION_LABELS[lv]) for lv in SupervisionLevel]
    )
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: five working days from today."),
    )
    note = forms.CharField(
        label=_("Instruction to the unit"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def due_at(self) -> datetime | None:
        day = self.cleaned_data.get("due_date")
        # The service moves the due time to the end of that working day, Shanghai time.
        return datetime.combine(day, time(9), tzinfo=SHANGHAI) if day else None


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("deny", "deny")])
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


# --- units -------------------------------------------------------------------------------


class TransferForm(forms.Form):
    to_unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("Sub-unit"))
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, targets: QuerySet[Unit] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_units(self, "to_unit", targets)


class InviteForm(forms.Form):
    units = UnitMultipleChoiceField(queryset=Unit.objects.none(), label=_("Co-handling units"))

    def __init__(self, *args: Any, candidates: QuerySet[Unit] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_units(self, "units", candidates)


class ExtensionRequestForm(forms.Form):
    days = forms.IntegerField(label=_("Working days"), min_value=1, max_value=60, initial=10)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 12}))


class FollowUpAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer to the follow-up"), widget=forms.Textarea(attrs={"rows": 5})
    )


class FollowUpReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("return", "return")])
    reason = forms.CharField(
        label=_("Why it goes back"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ContributionForm(forms.Form):
    body = forms.CharField(label=_("Your unit's part"), widget=forms.Textarea(attrs={"rows": 8}))


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("JPG, PNG, PDF, DOCX or XLSX, at most 10 MB. Picture metadata is removed."),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf,.docx,.xlsx"}),
    )


class ReplyTemplateForm(forms.ModelForm):
    class Meta:
        model = ReplyTemplate
        fields = ["unit", "title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args: Any, units: QuerySet[Unit] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_units(self, "unit", units)


# --- leaders -----------------------------------------------------------------------------


class InstructionForm(forms.Form):
    body = forms.CharField(label=_("Instruction"), widget=forms.Textarea(attrs={"rows": 4}))
    is_public = forms.BooleanField(label=_("Show to the public"), required=False)


# --- hotline operators -------------------------------------------------------------------


class RegionField(forms.CharField):
    """A region typed with autocomplete: "430100 长沙市" (the code is what counts) or the code."""

    def clean(self, value: Any) -> Region | None:
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        code = text.split()[0]
        region = (
            Region.objects.filter(code=code).first() or Region.objects.filter(name=text).first()
        )
        if region is None:
            raise forms.ValidationError(_("Choose a region from the list."))
        return region


class HotlineMessageForm(forms.Form):
    """The hotline console: fields in the order of a call, so the operator can type through
    with Tab; the caller's number comes first (their history shows while the call goes on)."""

    caller_phone = forms.CharField(
        label=_("Caller's phone"),
        max_length=20,
        # Callers ring from landlines too, so any phone-like number is taken.
        validators=[RegexValidator(r"^\+?[0-9][0-9 \-]{5,18}[0-9]$", _("Enter a phone number."))],
        widget=forms.TextInput(
            attrs={"autofocus": True, "inputmode": "tel", "autocomplete": "off"}
        ),
    )
    caller_name = forms.CharField(label=_("Caller's name"), max_length=50, required=False)
    region = RegionField(
        label=_("Region"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"list": "region-options", "autocomplete": "off"}),
    )
    board = forms.ModelChoiceField(
        queryset=Board.objects.filter(is_active=True).select_related("region"),
        label=_("Board"),
    )
    type = forms.ChoiceField(label=_("Type"), choices=Message.Type.choices)
    title = forms.CharField(label=_("Title"), max_length=50)
    body = forms.CharField(
        label=_("What the caller says"), widget=forms.Textarea(attrs={"rows": 8})
    )
    domain = domain_field()
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    is_public = forms.BooleanField(label=_("The caller agrees to publish it"), required=False)
    is_urgent = forms.BooleanField(label=_("Urgent"), required=False)
    transfer_to = UnitChoiceField(
        queryset=Unit.objects.filter(is_active=True).select_related("region"),
        label=_("Urgent: transfer to this unit now"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.urls import reverse

        # htmx: each answer fills a box of its own (not the desk's boosted #main).
        def live(name: str, url: str, target: str, trigger: str, **extra: str) -> None:
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": reverse(url),
                    "hx-trigger": trigger,
                    "hx-target": target,
                    "hx-select": "unset",
                    "hx-swap": "innerHTML",
                    "hx-push-url": "false",
                    **extra,
                }
            )

        live("caller_phone", "desk:operator_caller", "#caller-history", "input changed delay:300ms")
        live("region", "desk:operator_regions", "#region-options", "input changed delay:200ms")
        for name in ("title", "body"):
            live(
                name,
                "desk:operator_domain",
                "#domain-suggestion",
                "change",
                **{"hx-include": "[name=title],[name=body]"},
            )

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if data.get("transfer_to") and not data.get("is_urgent"):
            self.add_error("transfer_to", _("Only urgent calls go straight to a unit."))
        return data


class ExportForm(forms.Form):
    """Which messages of the staff member's remit to export, and in which format."""

    format = forms.ChoiceField(
        label=_("format"),
        choices=[("csv", "CSV"), ("xlsx", "Excel (XLSX)"), ("jsonl", "JSON Lines")],
        initial="csv",
    )
    board = forms.ModelChoiceField(label=_("board"), queryset=Board.objects.all(), required=False)
    state = forms.ChoiceField(label=_("status"), required=False)
    channel = forms.ChoiceField(
        label=_("channel"), required=False, choices=[("", "—"), *Message.Channel.choices]
    )
    since = forms.DateField(label=_("submitted from"), required=False)
    until = forms.DateField(label=_("submitted until"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        state_field = self.fields["state"]
        assert isinstance(state_field, forms.ChoiceField)
        state_field.choices = [("", "—"), *Message._meta.get_field("state").choices]  # type: ignore[misc]

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The first day is after the last."))
        return data
