"""Every portal string has a Simplified Chinese translation, and pages are served in it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

import liuyan.portal

CATALOGUE = Path(liuyan.portal.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_catalogue_has_no_untranslated_entry():
    text = (CATALOGUE / "django.po").read_text(encoding="utf-8")
    entries = re.findall(r'\nmsgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', text)
    untranslated = [msgid for msgid, msgstr in entries if msgid != '""\n' and msgstr == '""\n']
    assert entries and not untranslated
    assert "#, fuzzy" not in text


def test_pages_are_in_simplified_chinese(client, db):
    if not (CATALOGUE / "django.mo").exists():
        pytest.skip("translations not compiled: run `make messages` (liuyan compilemessages)")
    response = client.get(reverse("portal:home"))
    assert response["Content-Language"] == "zh-hans"
    assert "给领导留言" in response.text and "Write to your leaders" not in response.text
