"""The images of a message being written, kept between the form, its preview and the send.

Stored in the session under the form's one-time token; the files themselves wait in the draft
folder (see uploads). A draft exists only while its token is live.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import formtokens, uploads
from .uploads import DraftImage

SESSION_KEY = "portal_drafts"


class Draft:
    def __init__(self, request, token: str):
        self.request = request
        self.token = token
        stored = request.session.get(SESSION_KEY, {}).get(token, [])
        self.images = [DraftImage(**item) for item in stored]

    @classmethod
    def for_token(cls, request, token: str) -> Draft | None:
        if not formtokens.is_live(request, token):
            return None
        return cls(request, token)

    def choices(self) -> list[tuple[str, str]]:
        return [(image.key, image.original_name or image.key) for image in self.images]

    @property
    def room(self) -> int:
        return uploads.MAX_IMAGES - len(self.images)

    def add_uploads(self, form, files) -> bool:
        """Clean and keep each uploaded image; errors go on the form's images field."""
        ok = True
        for upload in files:
            if self.room <= 0:
                form.add_error("images", _("Attach at most 6 photos."))
                ok = False
                break
            try:
                self.images.append(uploads.stash_image(upload, form_token=self.token))
            except ValidationError as error:
                form.add_error("images", error)
                ok = False
        self._save()
        return ok

    def keep_valid_uploads(self, form, files) -> None:
        """When another field has an error, keep the good images so nobody picks them again."""
        for upload in files:
            if self.room <= 0:
                break
            try:
                self.images.append(uploads.stash_image(upload, form_token=self.token))
            except ValidationError as error:
                if "images" not in form.errors or error.messages[0] not in form.errors["images"]:
                    form.add_error("images", error)
        self._save()

    def remove(self, keys) -> None:
        keys = set(keys or [])
        gone = [image for image in self.images if image.key in keys]
        uploads.discard_drafts(gone)
        self.images = [image for image in self.images if image.key not in keys]
        self._save()

    def finish(self) -> None:
        """The message is sent: its images now belong to Attachment rows."""
        uploads.discard_drafts(self.images)
        drafts = self.request.session.get(SESSION_KEY, {})
        drafts.pop(self.token, None)
        self.request.session[SESSION_KEY] = drafts

    def _save(self) -> None:
        drafts = self.request.session.get(SESSION_KEY, {})
        drafts[self.token] = [image.as_session() for image in self.images]
        # Drafts of lapsed tokens go too, so the session does not grow without end.
        live = set(self.request.session.get(formtokens.SESSION_KEY, []))
        self.request.session[SESSION_KEY] = {k: v for k, v in drafts.items() if k in live}
