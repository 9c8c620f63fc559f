from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from liuyan.directory.models import Domain, Unit
from liuyan.web import images as image_rules
from liuyan.web.inputs import BoundedIntegerField

from .export import OUTCOME_CHOICES
from .models import (
    IMAGE_MAX_BYTES,
    IMAGE_MAX_PIXELS,
    REJECT_REASON_CHOICES,
    Campaign,
    Decision,
    Suggestion,
)


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "title",
            "description",
            "organiser_board",
            "organiser_region",
            "topics",
            "starts_at",
            "ends_at",
            "image",
            "support_threshold",
            "response_days",
        ]
        widgets = {
            # The browser's datetime-local input reads and writes only this format.
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "ends_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "topics": forms.CheckboxSelectMultiple,
        }
        # Bounded like every integer the site takes: 10**40 is a clear form error, never a 500.
        field_classes = {
            "support_threshold": BoundedIntegerField,
            "response_days": BoundedIntegerField,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelMultipleChoiceField, self.fields["topics"]
        ).queryset = Domain.objects.filter(level=1).order_by("position", "pk")

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if not image or not hasattr(image, "content_type"):
            return image  # nothing new uploaded
        if image.size > IMAGE_MAX_BYTES:
            raise forms.ValidationError(_("The image is larger than 2 MB."))
        if not _is_image(image):
            raise forms.ValidationError(_("The file is not a JPEG, PNG or WebP image."))
        return image


def _is_image(upload) -> bool:
    """Pillow (already used for message images) reads the file's structure: a JPEG, PNG or WebP
    of sane size, whatever its name says."""
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            kind = probe.format
            too_large = probe.width * probe.height > IMAGE_MAX_PIXELS
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        return False
    finally:
        upload.seek(0)
    return kind in ("JPEG", "PNG", "WEBP") and not too_large


MAX_SUGGESTION_IMAGES = 3


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files in one input (Django's documented recipe); each is checked and re-encoded
    by liuyan.web.images.clean_image, as a message's images are."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > MAX_SUGGESTION_IMAGES:
            raise forms.ValidationError(
                _("At most %(count)d images.") % {"count": MAX_SUGGESTION_IMAGES}
            )
        cleaned = [super(MultipleImageField, self).clean(f, initial) for f in files]
        return [image_rules.clean_image(f)[:3] for f in cleaned if f]


class SuggestionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    body = forms.CharField(label=_("Your suggestion"), max_length=5000, widget=forms.Textarea)
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Domain.objects.none(), required=False)
    images = MultipleImageField(
        label=_("Images"),
        required=False,
        help_text=_("Up to 3 images (JPEG, PNG or WebP, 5 MB each); their metadata is removed."),
    )
    is_public = forms.BooleanField(
        label=_("Public"),
        required=False,
        initial=True,
        help_text=_(
            "Public suggestions are shown (with personal data masked) and can be supported."
        ),
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        topics = campaign.topics.all()
        cast(forms.ModelChoiceField, self.fields["topic"]).queryset = (
            topics if topics.exists() else Domain.objects.filter(level=1)
        )


class ScreenForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Decision"), choices=[("publish", _("publish")), ("reject", _("reject"))]
    )
    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", "—"), *REJECT_REASON_CHOICES], required=False
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ResponseForm(forms.Form):
    text = forms.CharField(label=_("Public response"), max_length=5000, widget=forms.Textarea)


class SendForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.filter(is_active=True))


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Decision.Outcome.choices)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea)
    change = forms.CharField(
        label=_("What changed (when adopted)"),
        max_length=2000,
        widget=forms.Textarea,
        required=False,
    )
    change_link = forms.URLField(
        label=_("Link to the policy or document"), required=False, assume_scheme="https"
    )


class ExportForm(forms.Form):
    """Which of a campaign's suggestions to export, and in which format."""

    format = forms.ChoiceField(
        label=_("format"),
        choices=[("csv", "CSV"), ("xlsx", "Excel (XLSX)"), ("jsonl", "JSON Lines")],
        initial="csv",
    )
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", "—"), *Suggestion.Status.choices]
    )
    outcome = forms.ChoiceField(
        label=_("decision"), required=False, choices=[("", "—"), *OUTCOME_CHOICES]
    )
