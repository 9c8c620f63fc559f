"""People who use liuyan. Citizens sign in by mobile number; staff also by username."""

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

mainland_mobile = RegexValidator(r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number."))


class User(AbstractUser):
    phone = models.CharField(
        _("mobile number"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[mainland_mobile],
        help_text=_("Never shown in public."),
    )
    nickname = models.CharField(_("nickname"), max_length=30, blank=True)
    real_name = models.CharField(
        _("real name"), max_length=50, blank=True, help_text=_("Optional; never public.")
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        """The name shown in public: the nickname, or a masked number, never the real name."""
        if self.nickname:
            return self.nickname
        if self.phone:
            return f"{self.phone[:3]}****{self.phone[-4:]}"
        return self.username
