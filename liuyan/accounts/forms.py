from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .models import mainland_mobile

six_digits = RegexValidator(r"^\d{6}$", _("Enter the 6 digits."))


class PhoneField(forms.CharField):
    default_validators = [mainland_mobile]

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Mobile number"))
        # Room for "+86 139 1234 5678": the digits are checked after clean-up, not the raw text.
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel-national"})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        # People paste numbers with spaces, dashes or the +86 prefix.
        value = super().to_python(value)
        digits = "".join(ch for ch in value if ch.isdigit())
        if digits.startswith("86") and len(digits) == 13:
            digits = digits[2:]
        return digits


class CodeField(forms.CharField):
    default_validators = [six_digits]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 6)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": r"\d{6}"}
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        assert text is not None, "CharField gives its empty_value, which is '' here"
        return text.replace(" ", "")


class PhoneForm(forms.Form):
    phone = PhoneField()


class CodeSignInForm(forms.Form):
    phone = PhoneField()
    code = CodeField(label=_("Code from the text message"))


class PasswordSignInForm(forms.Form):
    phone = PhoneField()
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ProfileForm(forms.Form):
    nickname = forms.CharField(
        label=_("Nickname"),
        max_length=30,
        required=False,
        help_text=_("Shown next to your public messages."),
    )
    real_name = forms.CharField(
        label=_("Real name"),
        max_length=50,
        required=False,
        help_text=_("Optional. Only the units handling your messages see it; never public."),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("Optional. We send news about your messages there."),
    )


class NewPasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean() returns (its stub says it may be None)
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class ChangePasswordForm(NewPasswordForm):
    """For someone who already has a password: they type it again first."""

    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["current_password", "password1", "password2"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_current_password(self):
        value = self.cleaned_data["current_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("The current password is wrong."))
        return value


class StaffSignInForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class AuthenticatorCodeForm(forms.Form):
    code = CodeField(label=_("6-digit code from your authenticator app"))


class AuditFilterForm(forms.Form):
    user = forms.CharField(label=_("Username"), required=False, max_length=150)
    action = forms.CharField(label=_("Action"), required=False, max_length=80)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
