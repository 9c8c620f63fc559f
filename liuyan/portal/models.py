from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liuyan.board.models import Message


class FormToken(models.Model):
    """One write form as it was issued to a citizen: the key that makes one message of it.

    In the database rather than the session, because two requests of one browser session each
    save their whole copy of the session and the later one would drop the other's token. The row
    is consumed in the transaction that creates the message and keeps a link to it, so a resent
    form answers with the message it made. The draft images of the form wait on the row too.
    """

    token = models.CharField(_("token"), max_length=32, primary_key=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="form_tokens",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("created at"), db_index=True)
    consumed_at = models.DateTimeField(_("consumed at"), null=True, blank=True)
    message = models.OneToOneField(
        Message,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="form_token",
        verbose_name=_("message"),
    )
    images = models.JSONField(_("draft images"), default=list, blank=True)

    class Meta:
        verbose_name = _("form token")
        verbose_name_plural = _("form tokens")

    def __str__(self) -> str:
        return f"{self.owner_id} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_consumed(self) -> bool:
        return self.consumed_at is not None
