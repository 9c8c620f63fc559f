"""The images of a message being written, kept between the form, its preview and the send.

Listed on the form's FormToken row (not in the session, which concurrent requests overwrite);
the files themselves wait in the draft folder (see uploads). A draft exists only while its token
is live.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import formtokens, uploads
from .models import FormToken
from .uploads import DraftImage


class Draft:
    def __init__(self, form_token: FormToken):
        self.form_token = form_token
        self.token = form_token.token
        self.images = [DraftImage(**item) for item in form_token.images]

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

    def _save(self) -> None:
        formtokens.keep_images(self.form_token, [image.as_session() for image in self.images])
