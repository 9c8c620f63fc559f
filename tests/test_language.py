"""Simplified Chinese unless the visitor chose English, whatever the browser asks for."""

import pytest

pytestmark = pytest.mark.django_db


def test_an_english_browser_still_gets_chinese(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page["Content-Language"] == "zh-hans"
    assert "写留言" in page.content.decode() or "留言" in page.content.decode()


def test_choosing_english_in_the_footer_switches_the_interface(client):
    page = client.get("/")
    assert 'action="/i18n/setlang/"' in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/")
    assert page["Content-Language"] == "en"
    assert "Write a message" in page.content.decode()


def test_an_unknown_cookie_value_falls_back_to_chinese(client):
    client.cookies["django_language"] = "xx"
    assert client.get("/")["Content-Language"] == "zh-hans"


def test_every_string_of_the_base_layout_is_translated():
    import re
    from pathlib import Path

    from django.utils import translation

    template = Path(__file__).resolve().parents[1] / "liuyan" / "templates" / "base.html"
    msgids = re.findall(r"""{% translate ["']([^"']+)["'] %}""", template.read_text())
    assert len(msgids) >= 10
    with translation.override("zh-hans"):
        untranslated = [m for m in msgids if translation.gettext(m) == m]
    assert not untranslated
