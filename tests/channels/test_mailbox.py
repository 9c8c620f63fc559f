"""Mailbox intake against a real IMAP server (dovecot, started here over TLS) and a folder of
.eml files: new mail becomes a message answered with its serial, mail of the thread becomes a
follow-up, spam, oversized and malformed mail is quarantined and kept."""

from __future__ import annotations

import ssl
import threading
import time
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core import mail as outbox
from django.core.management import call_command
from django.utils import translation

from liuyan.board import services
from liuyan.board.models import FollowUp, Message
from liuyan.channels import mailbox
from liuyan.channels.models import MailMessage, QuarantinedMail
from tests.channels import dovecot
from tests.desk.conftest import REPLY, dispatch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """The commands' reports are read here in English (the site itself speaks Chinese)."""
    with translation.override("en"):
        yield


BOARD_ADDRESS = "mayor@liuyan.example.gov.cn"
BODY = "我家小区门口的下水道堵了一个月，污水横流，请尽快处理。联系电话13912345678，谢谢。"


@pytest.fixture(scope="module")
def imap_server():
    if not dovecot.available():
        pytest.skip("dovecot is not installed (scripts/install-system-packages.sh installs it)")
    server = dovecot.start()
    yield server
    server.stop()


@pytest.fixture
def imap(imap_server, settings):
    """A fresh connection to the server, its folders emptied, and the settings pointing at it."""
    from imapclient import IMAPClient

    settings.LIUYAN_MAILBOX_HOST = imap_server.host
    settings.LIUYAN_MAILBOX_PORT = imap_server.imaps_port
    settings.LIUYAN_MAILBOX_USER = imap_server.user
    settings.LIUYAN_MAILBOX_PASSWORD = imap_server.password
    settings.LIUYAN_MAILBOX_CAFILE = str(imap_server.cafile)
    context = ssl.create_default_context(cafile=str(imap_server.cafile))
    client = IMAPClient(imap_server.host, port=imap_server.imaps_port, ssl_context=context)
    client.login(imap_server.user, imap_server.password)
    for folder in ("INBOX", "Processed", "Quarantine"):
        if client.folder_exists(folder):
            client.select_folder(folder)
            client.delete_messages(client.search(["ALL"]))
            client.expunge()
    yield client
    client.logout()


@pytest.fixture
def board(world):
    world.board.email = BOARD_ADDRESS
    world.board.save()
    return world.board


def letter(
    subject="小区下水道堵塞一个月无人管",
    body=BODY,
    sender="zhang.san@example.com",
    to=BOARD_ADDRESS,
    **headers,
) -> bytes:
    message = EmailMessage()
    if sender:
        message["From"] = f"张三 <{sender}>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.com")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return bytes(message)


def folder_count(client, folder: str) -> int:
    client.select_folder(folder)
    return len(client.search(["ALL"]))


@pytest.fixture
def run_imap(django_capture_on_commit_callbacks):
    """`liuyan mailbox imap` once; answers are sent when the intake's transaction commits."""

    def run(*extra: str) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            call_command("mailbox", "imap", *extra)

    return run


def test_imap_mail_becomes_message_answered_with_serial_and_refusals_are_kept(
    imap, board, settings, run_imap
):
    settings.LIUYAN_MAILBOX_MAX_BYTES = 20_000
    imap.append("INBOX", letter())
    imap.append("INBOX", letter(X_Spam_Flag="YES", X_Spam_Status="Yes, score=12.3"))
    imap.append("INBOX", b"Subject: no sender\r\nMessage-ID: <x@y>\r\n\r\n" + "正文".encode())
    imap.append("INBOX", letter(body="很长的附件" * 5000))
    imap.append("INBOX", letter(to="nobody@elsewhere.example"))
    run_imap()

    message = Message.objects.get()
    assert message.channel == Message.Channel.MAILBOX and message.board == board
    assert message.title == "小区下水道堵塞一个月无人管"
    assert "13912345678" in message.body and "13912345678" not in message.public_body
    assert message.contact.email == "zhang.san@example.com"
    assert not message.is_public
    answer = outbox.outbox[-1]
    assert answer.to == ["zhang.san@example.com"] and message.serial in answer.body
    assert answer.extra_headers["In-Reply-To"] == (
        MailMessage.objects.get(kind="message").message_id_header
    )
    reasons = sorted(QuarantinedMail.objects.values_list("reason", flat=True))
    assert reasons == ["malformed", "no_board", "oversized", "spam"]
    oversized = QuarantinedMail.objects.get(reason="oversized")
    assert oversized.size > 20_000 and oversized.kept_in == "imap:Quarantine"
    assert bytes(QuarantinedMail.objects.get(reason="spam").raw).startswith(b"From:")
    # On the server: nothing left unread, every refused mail kept in the quarantine folder.
    assert folder_count(imap, "INBOX") == 0
    assert folder_count(imap, "Processed") == 1
    assert folder_count(imap, "Quarantine") == 4
    # Reading again takes nothing twice.
    run_imap()
    assert Message.objects.count() == 1


def test_reply_in_the_thread_becomes_a_follow_up_once_answered(imap, board, world, run_imap):
    imap.append("INBOX", letter())
    run_imap()
    message = Message.objects.get()
    ours = outbox.outbox[-1].extra_headers["Message-ID"]
    early = letter(
        subject=f"Re: [{message.serial}] 下水道", body="请问处理到哪一步了？", In_Reply_To=ours
    )
    imap.append("INBOX", early)
    run_imap()
    # Before the reply the lifecycle takes no follow-up: kept, and the sender is told.
    assert not FollowUp.objects.exists()
    assert QuarantinedMail.objects.get().detail.startswith("Follow-up of")
    assert message.serial in outbox.outbox[-1].body

    assignment = dispatch(world, message, world.bureau)
    services.accept_assignment(assignment_id=assignment.pk, actor=world.handler)
    reply = services.submit_reply(assignment_id=assignment.pk, actor=world.handler, body=REPLY)
    services.approve_reply(reply_id=reply.pk, actor=world.moderator)
    later = letter(
        subject=f"回复：[{message.serial}] 下水道",
        body="下水道还是堵着，没有人来修。\n\n> 经核查，路灯线路老化",
        References=ours,
    )
    imap.append("INBOX", later)
    # A stranger who copies the serial into a subject does not write into the message.
    imap.append("INBOX", letter(subject=f"[{message.serial}] 我也说两句", sender="li@example.com"))
    run_imap()
    follow_up = FollowUp.objects.get()
    assert follow_up.message == message and follow_up.author is None
    assert follow_up.body == "下水道还是堵着，没有人来修。"
    assert message.events.filter(action="follow_up").exists()
    assert Message.objects.count() == 2  # the stranger's mail is a message of its own


def test_imap_idle_takes_mail_in_as_it_arrives(imap, imap_server, board, settings):
    from imapclient import IMAPClient

    source = mailbox.ImapSource(mailbox.ImapSettings.from_settings())
    rounds = source.run_forever(idle=True, interval=20)
    assert next(rounds).message == 0  # the first drain: nothing yet; now it waits in IDLE

    def deliver():
        time.sleep(1)
        context = ssl.create_default_context(cafile=str(imap_server.cafile))
        with IMAPClient(imap_server.host, port=imap_server.imaps_port, ssl_context=context) as c:
            c.login(imap_server.user, imap_server.password)
            c.append("INBOX", letter())

    threading.Thread(target=deliver).start()
    started = time.monotonic()
    tally = next(rounds)
    rounds.close()
    assert tally.message == 1 and time.monotonic() - started < 15
    assert Message.objects.get().channel == Message.Channel.MAILBOX


def test_starttls_port(imap, imap_server, board, run_imap):
    imap.append("INBOX", letter())
    run_imap("--port", str(imap_server.imap_port), "--starttls")
    assert Message.objects.count() == 1


def test_eml_folder(board, tmp_path):
    (tmp_path / "1.eml").write_bytes(letter())
    (tmp_path / "2.eml").write_bytes(b"\x00\x01 not an e-mail at all")
    (tmp_path / "3.eml").write_bytes(letter(Auto_Submitted="auto-replied"))
    call_command("mailbox", "folder", str(tmp_path))
    assert Message.objects.get().channel == Message.Channel.MAILBOX
    assert sorted(p.name for p in (tmp_path / "done").iterdir()) == ["1.eml"]
    assert sorted(p.name for p in (tmp_path / "quarantine").iterdir()) == ["2.eml", "3.eml"]
    assert sorted(QuarantinedMail.objects.values_list("reason", flat=True)) == ["malformed", "spam"]
