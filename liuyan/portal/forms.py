"""Forms of the citizen portal. They parse and explain; the board services decide and write."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from liuyan.board import textrules
from liuyan.board.access import PUBLIC_STATES
from liuyan.directory.models import Board, Domain
from liuyan.directory.selectors import domain_tree
from liuyan.web.inputs import BoundedIntegerField
from liuyan.web.widgets import SearchableSelect

from . import uploads
from .wording import STATUS_WORDS, TYPE_WORDS

PHONE_RE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
STATUS_CHOICES = [
    ("", _("Any status")),
    ("handling", _("Being handled")),
    ("answered", _("Replied")),
]
PERIOD_CHOICES = [
    ("", _("Any time")),
    ("week", _("Last 7 days")),
    ("month", _("Last 30 days")),
    ("quarter", _("Last 3 months")),
    ("year", _("Last 12 months")),
]
TYPE_CHOICES = [(value, label) for value, label in TYPE_WORDS.items()]


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files from one input; each is checked by uploads.clean_image in the view."""

    widget = MultipleImageInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleImageField, self).clean(item, initial) for item in files]


def _field_error(error: ValidationError, field: str) -> ValidationError:
    """textrules raise {field: message}; a form field wants the bare message."""
    if hasattr(error, "message_dict"):
        return ValidationError(error.message_dict.get(field, error.messages))
    return error


class DomainChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, domain: Domain) -> str:
        # Second-level domains are indented under their first-level one.
        return domain.name if domain.level == 1 else f"\u3000{domain.name}"


class WriteForm(forms.Form):
    """A new message. The same fields travel through the preview as hidden inputs."""

    form_token = forms.CharField(widget=forms.HiddenInput)
    board = forms.ModelChoiceField(
        queryset=Board.objects.filter(is_active=True),
        widget=forms.HiddenInput,
        error_messages={"required": _("Choose the board you write to.")},
    )
    type = forms.ChoiceField(
        label=_("Type"),
        choices=TYPE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what kind of message this is.")},
    )
    domain = DomainChoiceField(
        label=_("Subject area"),
        queryset=Domain.objects.filter(level__lte=2),
        widget=SearchableSelect(placeholder=_("Search subject areas, e.g. 物业")),
        empty_label=_("Choose a subject area"),
        error_messages={"required": _("Choose the subject area closest to your problem.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=textrules.TITLE_MAX + 20,  # textrules gives the precise message
        help_text=_("5 to 50 characters: what, where."),
    )
    body = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=textrules.BODY_MAX + 200,
        help_text=_(
            "20 to 3,000 characters. Phone, ID, bank card and passport numbers, e-mail "
            "addresses and the house and flat number of an address are masked before the "
            "message is published."
        ),
    )
    place = forms.CharField(
        label=_("Place (optional)"),
        max_length=100,
        required=False,
        help_text=_("Street, community or landmark; not your home address."),
    )
    images = MultipleImageField(
        label=_("Photos (optional)"),
        required=False,
        help_text=_("Up to 6 JPEG, PNG or WebP images, 5 MB each. Location data is removed."),
        widget=MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_images = forms.MultipleChoiceField(
        label=_("Remove photos"), required=False, widget=forms.CheckboxSelectMultiple
    )
    is_public = forms.TypedChoiceField(
        label=_("Who may read it"),
        choices=[
            ("1", _("Public: everyone can read the message and the reply")),
            ("0", _("Private: only you, the handling units and the board's leaders")),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=20,
        help_text=_("For the handling unit only; never shown in public."),
    )

    def __init__(
        self, *args: Any, draft_keys: Iterable[tuple[str, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # form.fields is typed as plain Field; these are the fields declared above.
        field = self.fields["domain"]
        assert isinstance(field, DomainChoiceField)
        choices: list[tuple[object, object]] = [("", field.empty_label)]
        choices += domain_tree(max_level=2)  # grouped by first-level domain
        field.choices = choices
        remove = self.fields["remove_images"]
        assert isinstance(remove, forms.MultipleChoiceField)
        remove.choices = list(draft_keys)

    def clean_title(self) -> str:
        try:
            return textrules.validate_title(self.cleaned_data["title"])
        except ValidationError as error:
            raise _field_error(error, "title") from None

    def clean_body(self) -> str:
        try:
            return textrules.validate_body(self.cleaned_data["body"])
        except ValidationError as error:
            raise _field_error(error, "body") from None

    def clean_contact_phone(self) -> str:
        phone = re.sub(r"[\s()（）]", "", self.cleaned_data["contact_phone"])
        if not PHONE_RE.match(phone):
            raise ValidationError(
                _("Enter an 11-digit mobile number or a landline with its area code.")
            )
        return phone

    def clean_images(self) -> list:
        images = self.cleaned_data.get("images") or []
        if len(images) > uploads.MAX_IMAGES:
            raise ValidationError(_("Attach at most 6 photos."))
        return images


class RatingForm(forms.Form):
    solved = forms.TypedChoiceField(
        label=_("Is your problem solved?"),
        choices=[("1", _("Yes")), ("0", _("No"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether your problem is solved.")},
    )
    attitude = forms.TypedChoiceField(
        label=_("Attitude of the unit (1 poor – 5 very good)"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Give a score from 1 to 5.")},
    )
    speed = forms.TypedChoiceField(
        label=_("Speed of handling (1 poor – 5 very good)"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Give a score from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PostForm(forms.Form):
    """A follow-up question or thanks from the author."""

    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=textrules.BODY_MAX,
        error_messages={"required": _("Write a few words first.")},
    )


class BoardFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("Any type")), *TYPE_CHOICES], required=False
    )
    domain = forms.ModelChoiceField(
        label=_("Subject area"),
        queryset=Domain.objects.filter(level=1),
        required=False,
        empty_label=_("Any subject area"),
    )
    period = forms.ChoiceField(label=_("Time"), choices=PERIOD_CHOICES, required=False)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search messages"), max_length=100, required=False)
    type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("Any type")), *TYPE_CHOICES], required=False
    )
    state = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status"))]
        + [(state.value, STATUS_WORDS[state]) for state in sorted(PUBLIC_STATES)],
        required=False,
    )
    period = forms.ChoiceField(label=_("Time"), choices=PERIOD_CHOICES, required=False)
    board = BoundedIntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    domain = forms.ModelChoiceField(
        label=_("Subject area"),
        queryset=Domain.objects.filter(level=1),
        required=False,
        empty_label=_("Any subject area"),
    )
