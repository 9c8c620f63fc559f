"""Model fields for personal data: encrypted at rest, with a keyed hash for exact look-ups."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import validators
from django.db import models
from django.forms import EmailField as EmailFormField

from . import crypto


class EncryptedCharField(models.CharField):
    """A CharField whose column holds a Fernet token (text) instead of the value.

    `max_length` still limits the clear text (forms, validation); the column is unbounded
    text since a token is about 1.4 × the UTF-8 bytes + 57. An empty value stays empty and NULL
    stays NULL: neither tells anything about a person. Tokens are randomised, so lookups
    other than isnull/empty never match: use a LookupHashField for exact matches.
    """

    description = "Text encrypted at rest"

    def get_internal_type(self) -> str:
        return "TextField"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)


class EncryptedEmailField(EncryptedCharField):
    default_validators = [validators.validate_email]

    def formfield(
        self,
        form_class: type[forms.Field] | None = EmailFormField,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        return super().formfield(
            form_class=form_class, choices_form_class=choices_form_class, **kwargs
        )


class PhoneHashField(models.CharField):
    """The keyed hash of the phone number in the field named `source`, kept in step on every
    save (also bulk_create). QuerySet.update() of the source bypasses it: update both."""

    def __init__(self, *args, source: str = "phone", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("null", True), ("blank", True)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = crypto.phone_hash(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value
