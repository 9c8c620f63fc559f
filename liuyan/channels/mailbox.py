"""Mailbox intake: e-mail to a board's address becomes a message (channel = mailbox).

`take_in(raw)` decides what one e-mail is:

- **refused and quarantined** (a `QuarantinedMail` row with the raw bytes, and the source moves
  the mail to its quarantine folder, so nothing is lost): larger than
  `LIUYAN_MAILBOX_MAX_BYTES`, not readable as e-mail (no sender, no text), marked as spam by the
  mail server's filter (`X-Spam-Flag: YES`, SpamAssassin and rspamd set it), sent automatically
  (`Auto-Submitted`, `Precedence: bulk/junk/list`: answering those makes mail loops), addressed
  to no board, or text the message rules refuse;
- **a follow-up** of an earlier message when it belongs to that message's thread
  (`In-Reply-To`/`References` name a mail of it, or the subject carries its serial) *and* comes
  from the address the message came from; the lifecycle takes follow-ups once a message has a
  reply, so earlier mail of the thread is quarantined with that reason and the sender is told;
- otherwise **a new message** to the board whose address it was sent to, entered like a
  caller's message (no account; contact e-mail encrypted at rest, personal data masked in the
  public text as for web messages, private until the author says otherwise).

The sender of a message or follow-up is answered with the serial through Django's mail backend,
after the transaction commits. The sources (`ImapSource` over TLS, with IDLE or polling, and
`EmlFolder` for a directory of .eml files) only fetch mail and file it away.
"""

from __future__ import annotations

import logging
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, make_msgid, parseaddr
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage as DjangoEmail
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from liuyan.board import services
from liuyan.board.models import Message
from liuyan.board.textrules import TITLE_MAX
from liuyan.core.lifecycle import LifecycleError
from liuyan.directory.models import Board

from .models import MailMessage, QuarantinedMail

log = logging.getLogger(__name__)

SERIAL_IN_SUBJECT = re.compile(r"(?<!\d)(\d{14})(?!\d)")
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# Where a reply's quoted original starts (mail clients in Chinese and English).
QUOTE_STARTS = re.compile(
    r"^(-{2,}\s*(Original Message|原始邮件)|在.{0,80}写道[:：]"
    r"|On .{0,120} wrote:|发件人[:：]|From: )",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Outcome:
    kind: str  # "message", "follow_up", "quarantined", "duplicate"
    message: Message | None = None
    quarantine: QuarantinedMail | None = None


class Refused(Exception):
    def __init__(
        self, reason: str, detail: str = "", *, answer: tuple[Message, str] | None = None
    ) -> None:
        super().__init__(detail or reason)
        self.reason, self.detail = reason, detail
        self.answer = answer  # tell the sender all the same: (the message, the text)


def max_bytes() -> int:
    return int(getattr(settings, "LIUYAN_MAILBOX_MAX_BYTES", 10 * 1024 * 1024))


def _header(mail: EmailMessage, name: str) -> str:
    try:
        return str(mail.get(name, "") or "")
    except Exception:  # a header the parser cannot decode: treated as absent
        return ""


def _ids(text: str) -> list[str]:
    return MESSAGE_ID.findall(text or "")[:50]


def _body_text(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain", "html"))
    if part is None:
        raise Refused(QuarantinedMail.Reason.MALFORMED, "no text part")
    try:
        text = part.get_content()
    except (LookupError, ValueError, AssertionError) as error:  # unknown charset, bad encoding
        raise Refused(QuarantinedMail.Reason.MALFORMED, f"unreadable text: {error}") from None
    if not isinstance(text, str):
        raise Refused(QuarantinedMail.Reason.MALFORMED, "text part is not text")
    if part.get_content_subtype() == "html":
        text = strip_tags(text)
    return text.replace("\r\n", "\n").replace("\x00", "")


def _without_quote(text: str) -> str:
    """A reply's own words: the quoted original and '>' lines dropped."""
    match = QUOTE_STARTS.search(text)
    if match:
        text = text[: match.start()]
    lines = [line for line in text.splitlines() if not line.lstrip().startswith(">")]
    return "\n".join(lines).strip()


def _title(subject: str, body: str) -> str:
    subject = " ".join(
        re.sub(r"^((re|fw|fwd|回复|转发)\s*[:：]\s*)+", "", subject, flags=re.I).split()
    )
    title = subject or " ".join(body.split())[:TITLE_MAX]
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1] + "…"
    return title


def _board_for(mail: EmailMessage) -> Board | None:
    addresses = {
        address.lower()
        for _name, address in getaddresses(
            [
                _header(mail, name)
                for name in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
            ]
        )
        if address
    }
    if not addresses:
        return None
    for board in Board.objects.exclude(email="").filter(is_active=True):
        if board.email.lower() in addresses:
            return board
    return None


def _parse(raw: bytes) -> EmailMessage:
    if len(raw) > max_bytes():
        raise Refused(
            QuarantinedMail.Reason.OVERSIZED, f"{len(raw)} bytes > {max_bytes()} bytes allowed"
        )
    try:
        mail = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as error:  # the parser is lenient; anything it still cannot read
        raise Refused(QuarantinedMail.Reason.MALFORMED, str(error)) from None
    assert isinstance(mail, EmailMessage)  # policy.default makes EmailMessage objects
    sender = parseaddr(_header(mail, "From"))[1]
    if "@" not in sender:
        raise Refused(QuarantinedMail.Reason.MALFORMED, "no sender address")
    if not mail.keys() or not _header(mail, "Message-ID"):
        raise Refused(QuarantinedMail.Reason.MALFORMED, "no Message-ID")
    if _header(mail, "X-Spam-Flag").strip().upper() == "YES" or _header(
        mail, "X-Spam-Status"
    ).strip().lower().startswith("yes"):
        raise Refused(QuarantinedMail.Reason.SPAM, _header(mail, "X-Spam-Status")[:200])
    auto = _header(mail, "Auto-Submitted").strip().lower()
    if (auto and auto != "no") or _header(mail, "Precedence").strip().lower() in (
        "bulk",
        "junk",
        "list",
    ):
        raise Refused(QuarantinedMail.Reason.SPAM, "sent automatically")
    return mail


def take_in(raw: bytes, *, mailbox: str, kept_in: str = "", now: datetime | None = None) -> Outcome:
    """One e-mail: a message, a follow-up, or quarantined (see the module's docstring)."""
    now = now or timezone.now()
    mail: EmailMessage | None = None
    sender = ""
    try:
        mail = _parse(raw)
        sender = parseaddr(_header(mail, "From"))[1].strip()
        mid = _header(mail, "Message-ID").strip()[:998]
        if MailMessage.objects.filter(
            message_id_header=mid, kind__in=["message", "follow_up"]
        ).exists():
            return Outcome("duplicate")  # read again (a crash before the mail was filed away)
        with transaction.atomic():
            thread = _thread_message(mail, sender)
            if thread is not None:
                return _follow_up(mail, thread, raw, mailbox=mailbox, sender=sender, now=now)
            return _new_message(mail, raw, mailbox=mailbox, sender=sender, now=now)
    except Refused as refusal:
        with transaction.atomic():
            kept = _quarantine(raw, mail, mailbox, refusal.reason, refusal.detail, kept_in, now)
            if refusal.answer is not None and mail is not None:
                message, text = refusal.answer
                _answer(mail, message, sender, text, mailbox=mailbox, now=now)
        return Outcome("quarantined", quarantine=kept)


def _thread_message(mail: EmailMessage, sender: str) -> Message | None:
    """The message this mail continues, if it comes from the address that message came from."""
    ids = _ids(_header(mail, "In-Reply-To")) + _ids(_header(mail, "References"))
    candidates = list(
        MailMessage.objects.filter(message_id_header__in=ids).values_list("message_id", flat=True)
    )
    serial = SERIAL_IN_SUBJECT.search(_header(mail, "Subject"))
    if serial:
        candidates += list(
            Message.objects.filter(serial=serial.group(1)).values_list("pk", flat=True)
        )
    for message_id in dict.fromkeys(candidates):
        came_from = MailMessage.objects.filter(
            message_id=message_id, kind=MailMessage.Kind.MESSAGE
        ).values_list("sender", flat=True)
        if any(address.lower() == sender.lower() for address in came_from):
            return Message.objects.get(pk=message_id)
    return None


def _new_message(
    mail: EmailMessage, raw: bytes, *, mailbox: str, sender: str, now: datetime
) -> Outcome:
    board = _board_for(mail)
    if board is None:
        raise Refused(QuarantinedMail.Reason.NO_BOARD, _header(mail, "To")[:300])
    body = _body_text(mail).strip()
    name = parseaddr(_header(mail, "From"))[0].strip()[:50]
    try:
        message = services.submit_message(
            author=None,
            board=board,
            type=Message.Type.CONSULTATION,  # moderators set the type when they screen it
            title=_title(_header(mail, "Subject"), body),
            body=body,
            is_public=False,  # nobody said it may be published
            channel=Message.Channel.MAILBOX,
            contact={"name": name, "email": sender},
            now=now,
        )
    except ValidationError as error:
        raise Refused(QuarantinedMail.Reason.INVALID, "; ".join(error.messages)) from None
    MailMessage.objects.create(
        mailbox=mailbox,
        message_id_header=_header(mail, "Message-ID").strip()[:998],
        message=message,
        kind=MailMessage.Kind.MESSAGE,
        sender=sender,
        received_at=now,
    )
    text = _(
        "Your message to %(board)s has been received. Its serial number is %(serial)s: quote it "
        "when you call or write again, or reply to this e-mail."
    ) % {"board": board.name, "serial": message.serial}
    _answer(mail, message, sender, text, mailbox=mailbox, now=now)
    return Outcome("message", message=message)


def _follow_up(
    mail: EmailMessage, message: Message, raw: bytes, *, mailbox: str, sender: str, now: datetime
) -> Outcome:
    body = _without_quote(_body_text(mail))
    try:
        services.follow_up_from_contact(message_id=message.pk, body=body, now=now)
    except LifecycleError:
        # Kept in quarantine with the reason; the sender learns the mail did not get lost.
        text = _(
            "Your e-mail about message %(serial)s has been kept. The message is still being "
            "handled; you can follow it up by e-mail once it has been answered."
        ) % {"serial": message.serial}
        raise Refused(
            QuarantinedMail.Reason.INVALID,
            _("Follow-up of %(serial)s before its reply.") % {"serial": message.serial},
            answer=(message, text),
        ) from None
    except ValidationError as error:
        raise Refused(QuarantinedMail.Reason.INVALID, "; ".join(error.messages)) from None
    MailMessage.objects.create(
        mailbox=mailbox,
        message_id_header=_header(mail, "Message-ID").strip()[:998],
        message=message,
        kind=MailMessage.Kind.FOLLOW_UP,
        sender=sender,
        received_at=now,
    )
    text = _("Your follow-up has been added to message %(serial)s.") % {"serial": message.serial}
    _answer(mail, message, sender, text, mailbox=mailbox, now=now)
    return Outcome("follow_up", message=message)


def _answer(
    mail: EmailMessage, message: Message, sender: str, text: str, *, mailbox: str, now: datetime
) -> None:
    """Tell the sender, in the same thread; sent once the transaction has committed. Our own
    Message-ID is remembered, so a reply to the answer finds the message."""
    incoming = _header(mail, "Message-ID").strip()
    own = make_msgid(domain=(message.board.email or "liuyan.localhost").split("@")[-1])
    references = " ".join([*_ids(_header(mail, "References")), incoming])[-900:]
    subject = _header(mail, "Subject") or message.title
    email = DjangoEmail(
        subject=f"[{message.serial}] {subject}"[:200].replace("\n", " ").replace("\r", " "),
        body=text,
        from_email=message.board.email or settings.DEFAULT_FROM_EMAIL,
        to=[sender],
        headers={
            "Message-ID": own,
            "In-Reply-To": incoming,
            "References": references,
            "Auto-Submitted": "auto-replied",  # RFC 3834: no auto-answer to this answer
        },
    )
    MailMessage.objects.create(
        mailbox=mailbox,
        message_id_header=own,
        message=message,
        kind=MailMessage.Kind.ANSWER,
        sender=email.from_email,
        received_at=now,
    )

    def send() -> None:
        try:
            email.send()
        except Exception:  # the message is filed; a failed answer must not lose it
            log.exception("could not answer %s about %s", sender, message.serial)

    transaction.on_commit(send)


def _quarantine(
    raw: bytes,
    mail: EmailMessage | None,
    mailbox: str,
    reason: str,
    detail: str,
    kept_in: str,
    now: datetime,
    *,
    size: int | None = None,
) -> QuarantinedMail:
    keep_raw = len(raw) <= max_bytes()
    return QuarantinedMail.objects.create(
        mailbox=mailbox,
        reason=reason,
        detail=detail[:2000],
        message_id_header=_header(mail, "Message-ID").strip()[:998] if mail else "",
        sender=parseaddr(_header(mail, "From"))[1][:254] if mail else "",
        subject=_header(mail, "Subject")[:200] if mail else "",
        raw=raw if keep_raw else b"",
        kept_in=kept_in,
        size=len(raw) if size is None else size,
        received_at=now,
    )


# --- where mail comes from -------------------------------------------------------------------


@dataclass
class Tally:
    message: int = 0
    follow_up: int = 0
    quarantined: int = 0
    duplicate: int = 0

    def add(self, outcome: Outcome) -> None:
        setattr(self, outcome.kind, getattr(self, outcome.kind) + 1)


class EmlFolder:
    """A directory of .eml files: each is taken in, then moved to `done/` or `quarantine/`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def run(self) -> Tally:
        tally = Tally()
        done, quarantine = self.path / "done", self.path / "quarantine"
        for file in sorted(self.path.glob("*.eml")):
            raw = file.read_bytes()
            target = quarantine
            outcome = take_in(raw, mailbox=str(self.path), kept_in=str(quarantine / file.name))
            tally.add(outcome)
            if outcome.kind != "quarantined":
                target = done
            target.mkdir(exist_ok=True)
            file.replace(target / file.name)
        return tally


@dataclass
class ImapSettings:
    host: str
    port: int = 993
    user: str = ""
    password: str = ""
    folder: str = "INBOX"
    done_folder: str = "Processed"
    quarantine_folder: str = "Quarantine"
    cafile: str = ""  # a private CA or self-signed certificate to trust
    starttls: bool | None = None  # None: STARTTLS on port 143, implicit TLS elsewhere
    timeout: float = 30.0

    @classmethod
    def from_settings(cls) -> ImapSettings:
        return cls(
            host=settings.LIUYAN_MAILBOX_HOST,
            port=settings.LIUYAN_MAILBOX_PORT,
            user=settings.LIUYAN_MAILBOX_USER,
            password=settings.LIUYAN_MAILBOX_PASSWORD,
            folder=settings.LIUYAN_MAILBOX_FOLDER,
            cafile=settings.LIUYAN_MAILBOX_CAFILE,
        )


class ImapSource:
    """An IMAP mailbox over TLS (implicit TLS on 993, or STARTTLS on 143: never in clear).

    Each unseen mail of `folder` is fetched by UID, taken in, then moved to `done_folder` or
    `quarantine_folder` on the server (MOVE, or COPY and delete where the server lacks MOVE).
    A mail is only moved after its outcome committed, so a crash reads it again and the
    Message-ID check makes the second reading a no-op.
    """

    def __init__(self, config: ImapSettings) -> None:
        self.config = config

    def _connect(self):
        from imapclient import IMAPClient

        context = ssl.create_default_context(cafile=self.config.cafile or None)
        starttls = self.config.starttls
        implicit = not (starttls if starttls is not None else self.config.port == 143)
        client = IMAPClient(
            self.config.host,
            port=self.config.port,
            ssl=implicit,
            ssl_context=context,
            timeout=self.config.timeout,
        )
        if not implicit:
            client.starttls(context)
        client.login(self.config.user, self.config.password)
        for folder in (self.config.done_folder, self.config.quarantine_folder):
            if not client.folder_exists(folder):
                client.create_folder(folder)
        client.select_folder(self.config.folder)
        return client

    def _drain(self, client) -> Tally:
        tally = Tally()
        mailbox = f"{self.config.user}@{self.config.host}/{self.config.folder}"
        for uid in client.search(["UNSEEN"]):
            size = client.fetch([uid], ["RFC822.SIZE"]).get(uid, {}).get(b"RFC822.SIZE", 0)
            if size > max_bytes():  # not fetched: it stays whole in the quarantine folder
                kept = _quarantine(
                    b"",
                    None,
                    mailbox,
                    QuarantinedMail.Reason.OVERSIZED,
                    f"{size} bytes > {max_bytes()} bytes allowed",
                    f"imap:{self.config.quarantine_folder}",
                    timezone.now(),
                    size=size,
                )
                outcome = Outcome("quarantined", quarantine=kept)
            else:
                raw = client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {}).get(b"BODY[]", b"")
                outcome = take_in(
                    raw, mailbox=mailbox, kept_in=f"imap:{self.config.quarantine_folder}"
                )
            tally.add(outcome)
            target = (
                self.config.quarantine_folder
                if outcome.kind == "quarantined"
                else self.config.done_folder
            )
            self._move(client, uid, target)
        return tally

    def _move(self, client, uid: int, folder: str) -> None:
        if client.has_capability("MOVE"):
            client.move([uid], folder)
        else:
            client.copy([uid], folder)
            client.delete_messages([uid])
            client.expunge()

    def run_once(self) -> Tally:
        client = self._connect()
        try:
            return self._drain(client)
        finally:
            client.logout()

    def run_forever(self, *, idle: bool = True, interval: float = 60.0) -> Iterator[Tally]:
        """Drain, then wait for new mail with IDLE (or sleep `interval` seconds when the server
        lacks IDLE or `idle` is False), forever; yields each round's tally."""
        import time

        client = self._connect()
        try:
            use_idle = idle and client.has_capability("IDLE")
            while True:
                yield self._drain(client)
                if use_idle:
                    client.idle()
                    # RFC 2177: re-issue IDLE at least every 29 minutes.
                    client.idle_check(timeout=min(interval, 29 * 60) if interval else 29 * 60)
                    client.idle_done()
                else:
                    time.sleep(interval)
                    client.noop()
        finally:
            try:
                client.logout()
            except Exception:  # the connection may already be gone
                log.debug("logout failed", exc_info=True)
