"""Every translation catalogue under liuyan/ is complete, well formed and keeps its placeholders.

The catalogues are found by globbing, so an app that adds one is checked without touching this
file. They are read with the small parser below (polib is not a dependency); when GNU gettext's
msgfmt is installed it checks them too, and compiles them for the test that looks the lifecycle
labels up in Chinese.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "liuyan"
MSGFMT = shutil.which("msgfmt")
NO_MSGFMT = "GNU gettext's msgfmt is not installed (Debian: apt-get install gettext)"


def find_catalogues() -> list[Path]:
    skip = {"node_modules", "static", "__pycache__"}
    return sorted(
        path
        for path in PACKAGE.rglob("LC_MESSAGES/*.po")
        if not skip.intersection(path.relative_to(PACKAGE).parts)
    )


CATALOGUES = find_catalogues()


def catalogue_id(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


# --- a small reader for .po files ----------------------------------------------------------


class PoSyntaxError(Exception):
    pass


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)

    def where(self, path: Path) -> str:
        return f"{catalogue_id(path)}:{self.line} {self.msgid!r}"


KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"\s*$')
CONTINUATION = re.compile(r'^"(.*)"\s*$')
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}


def unescape(text: str, where: str) -> str:
    def replace(match: re.Match) -> str:
        char = match.group(1)
        if char not in ESCAPES:
            raise PoSyntaxError(f"{where}: unknown escape \\{char}")
        return ESCAPES[char]

    if re.search(r'(?<!\\)(?:\\\\)*"', text):
        raise PoSyntaxError(f"{where}: unescaped double quote")
    return re.sub(r"\\(.)", replace, text)


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file, header included; obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    entry: Entry | None = None
    current: str | None = None  # the field continuation lines add to

    def finish() -> None:
        nonlocal entry, current
        if entry is not None:
            if entry.msgid is None:
                raise PoSyntaxError(f"{catalogue_id(path)}:{entry.line}: entry without msgid")
            if not entry.msgstr:
                raise PoSyntaxError(f"{catalogue_id(path)}:{entry.line}: entry without msgstr")
            if entry.msgid_plural is None and set(entry.msgstr) != {-1}:
                raise PoSyntaxError(f"{catalogue_id(path)}:{entry.line}: msgstr[n] needs a plural")
            if entry.msgid_plural is not None and -1 in entry.msgstr:
                raise PoSyntaxError(f"{catalogue_id(path)}:{entry.line}: plural needs msgstr[n]")
            entries.append(entry)
        entry, current = None, None

    text = path.read_text(encoding="utf-8")  # a catalogue that is not UTF-8 fails here
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        where = f"{catalogue_id(path)}:{number}"
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry is not None and entry.msgstr:
                finish()  # a comment starts the next entry even without a blank line
            if entry is None:
                entry = Entry(line=number)
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        keyword = KEYWORD.match(line)
        if keyword:
            name, index, value = keyword.groups()
            value = unescape(value, where)
            if name in {"msgctxt", "msgid"} and entry is not None and entry.msgstr:
                finish()
            if entry is None:
                entry = Entry(line=number)
            if name.startswith("msgstr"):
                key = int(index) if index is not None else -1
                if key in entry.msgstr:
                    raise PoSyntaxError(f"{where}: {name} given twice")
                entry.msgstr[key] = value
                current = f"msgstr:{key}"
            else:
                if getattr(entry, name) is not None:
                    raise PoSyntaxError(f"{where}: {name} given twice")
                setattr(entry, name, value)
                current = name
            continue
        continuation = CONTINUATION.match(line)
        if continuation and entry is not None and current is not None:
            value = unescape(continuation.group(1), where)
            if current.startswith("msgstr:"):
                key = int(current.split(":")[1])
                entry.msgstr[key] += value
            else:
                setattr(entry, current, getattr(entry, current) + value)
            continue
        raise PoSyntaxError(f"{where}: cannot read {raw!r}")
    finish()

    seen: set[tuple[str | None, str]] = set()
    for item in entries:
        key = (item.msgctxt, item.msgid)
        if key in seen:
            raise PoSyntaxError(f"{item.where(path)}: duplicate entry")
        seen.add(key)
    return entries


@functools.cache
def read_catalogue(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """(header fields, message entries) of a catalogue."""
    entries = parse_po(path)
    headers = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    if not headers:
        raise PoSyntaxError(f'{catalogue_id(path)}: no header entry (msgid "")')
    header: dict[str, str] = {}
    for line in headers[0].msgstr.get(-1, "").splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            header[key.strip()] = value.strip()
    return header, [e for e in entries if e is not headers[0]]


def nplurals(header: dict[str, str]) -> int | None:
    match = re.search(r"nplurals\s*=\s*(\d+)", header.get("Plural-Forms", ""))
    return int(match.group(1)) if match else None


# --- placeholders ----------------------------------------------------------------------------

PERCENT = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<conv>.)")
BRACE = re.compile(r"(?<!\{)\{(?P<field>[A-Za-z_]\w*|\d*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")


def percent_placeholders(text: str) -> tuple[Counter, list[str]]:
    """(named placeholders with their conversion, positional conversions in order)."""
    named: Counter = Counter()
    positional: list[str] = []
    for match in PERCENT.finditer(text):
        conversion = match.group("conv")
        if conversion == "%":
            continue
        if match.group("name") is not None:
            named[f"%({match.group('name')}){conversion}"] += 1
        else:
            positional.append(f"%{conversion}")
    return named, positional


def placeholder_problems(source: str, translation: str, flags: set[str]) -> list[str]:
    problems = []
    python_format = "python-format" in flags
    if "no-python-format" not in flags:
        src_named, src_positional = percent_placeholders(source)
        tr_named, tr_positional = percent_placeholders(translation)
        if src_named != tr_named:
            problems.append(
                f"named: {sorted(src_named.elements())} ≠ {sorted(tr_named.elements())}"
            )
        # Outside a python-format string a bare % is text ("50% done"), not a placeholder.
        if python_format and src_positional != tr_positional:
            problems.append(f"positional: {src_positional} ≠ {tr_positional}")
    if "no-python-brace-format" not in flags:
        src_braces = Counter(m.group("field") for m in BRACE.finditer(source))
        tr_braces = Counter(m.group("field") for m in BRACE.finditer(translation))
        if src_braces != tr_braces:
            problems.append(f"braces: {sorted(src_braces)} ≠ {sorted(tr_braces)}")
    return problems


# --- the tests -------------------------------------------------------------------------------


def test_the_catalogues_this_project_ships_are_found():
    found = {catalogue_id(path) for path in CATALOGUES}
    for expected in (
        "liuyan/board/locale/zh_Hans/LC_MESSAGES/django.po",
        "liuyan/directory/locale/zh_Hans/LC_MESSAGES/django.po",
        "liuyan/locale/zh_Hans/LC_MESSAGES/django.po",
    ):
        assert expected in found


def test_the_reader_understands_po_syntax(tmp_path):
    po = tmp_path / "LC_MESSAGES" / "django.po"
    po.parent.mkdir()
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid ""\n"%(n)d \\"quoted\\" "\n"words"\n'
        'msgstr "%(n)d 个"\n#: b.py:2\nmsgctxt "person"\nmsgid "name"\nmsgid_plural "names"\n'
        'msgstr[0] "姓名"\n\n#~ msgid "old"\n#~ msgstr "旧"\n',
        encoding="utf-8",
    )
    header, entries = read_catalogue(po)
    assert header["Language"] == "zh_Hans"
    assert nplurals(header) == 1
    first, second = entries
    assert first.msgid == '%(n)d "quoted" words'
    assert first.flags == {"fuzzy", "python-format"}
    assert second.msgctxt == "person"
    assert second.msgstr == {0: "姓名"}
    assert placeholder_problems(first.msgid, first.msgstr[-1], first.flags) == []
    assert placeholder_problems("%(n)d of %(m)d", "%(n)s / %(m)d", {"python-format"})
    assert placeholder_problems("%s and %d", "%d 和 %s", {"python-format"})
    assert placeholder_problems("Hello {name}", "你好 {nom}", set())
    assert placeholder_problems("50% done", "完成一半", set()) == []


@pytest.mark.parametrize("path", CATALOGUES, ids=catalogue_id)
def test_catalogue_parses_and_has_a_proper_header(path):
    header, entries = read_catalogue(path)
    assert entries, f"{catalogue_id(path)} has no messages"
    language = path.parent.parent.name
    assert header.get("Language") == language, f"Language header should be {language}"
    assert "charset=UTF-8" in header.get("Content-Type", ""), "Content-Type must say charset=UTF-8"
    assert nplurals(header) is not None, "Plural-Forms header is missing"
    if language.startswith("zh"):
        assert nplurals(header) == 1, "Chinese has one plural form: nplurals=1; plural=0;"


@pytest.mark.parametrize("path", CATALOGUES, ids=catalogue_id)
def test_catalogue_has_no_untranslated_or_fuzzy_entries(path):
    header, entries = read_catalogue(path)
    forms = nplurals(header) or 1
    problems = []
    for entry in entries:
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.where(path)}")
        if entry.msgid_plural is not None and sorted(entry.msgstr) != list(range(forms)):
            problems.append(f"needs msgstr[0..{forms - 1}]: {entry.where(path)}")
        if any(not text for text in entry.msgstr.values()):
            problems.append(f"untranslated: {entry.where(path)}")
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


@pytest.mark.parametrize("path", CATALOGUES, ids=catalogue_id)
def test_catalogue_keeps_the_placeholders(path):
    _, entries = read_catalogue(path)
    problems = []
    for entry in entries:
        source = entry.msgid if entry.msgid_plural is None else entry.msgid_plural
        for text in entry.msgstr.values():
            if text:  # empty ones are reported as untranslated
                for problem in placeholder_problems(source, text, entry.flags):
                    problems.append(f"{entry.where(path)} → {text!r}: {problem}")
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


@pytest.mark.skipif(MSGFMT is None, reason=NO_MSGFMT)
@pytest.mark.parametrize("path", CATALOGUES, ids=catalogue_id)
def test_msgfmt_accepts_the_catalogue(path):
    result = subprocess.run(
        [MSGFMT, "--check-format", "--check-header", "-o", os.devnull, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


# --- the labels in Chinese, from compiled catalogues ------------------------------------------


def locale_roots() -> list[Path]:
    """Folders to run compilemessages in: each app with a locale/ folder, and the project one."""
    roots = {path.parent.parent.parent.parent for path in CATALOGUES}
    return sorted(roots)


@pytest.fixture(scope="session")
def compiled_catalogues():
    """Compile every catalogue to .mo (gitignored build output) and make Django reload them."""
    if MSGFMT is None:
        pytest.skip(NO_MSGFMT)
    from django.conf import settings
    from django.test.signals import setting_changed

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "liuyan.settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    env.setdefault("LIUYAN_DEBUG", "1")
    failures = {}
    for root in locale_roots():
        # The project catalogue lives in liuyan/locale (LOCALE_PATHS): run it from inside that
        # folder so compilemessages does not walk into every app below liuyan/. -P keeps the
        # working folder off sys.path: an app's selectors.py would shadow the standard library's.
        cwd = root / "locale" if root == PACKAGE else root
        result = subprocess.run(
            [sys.executable, "-P", "-m", "django", "compilemessages"],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            failures[str(root.relative_to(ROOT))] = result.stderr
    # Translations already loaded in this process were read before the .mo files changed.
    setting_changed.send(
        sender=type(settings), setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=False
    )
    return failures


LABEL_TABLES = (
    "STATE_LABELS",
    "ASSIGNMENT_STATE_LABELS",
    "REPLY_STATE_LABELS",
    "ACTION_LABELS",
    "ROLE_LABELS",
    "REJECT_REASON_LABELS",
    "SUPERVISION_LABELS",
)


@pytest.mark.parametrize("table", LABEL_TABLES)
def test_lifecycle_labels_are_translated_into_chinese(compiled_catalogues, table):
    from django.utils import translation

    from liuyan.board import models

    assert "liuyan/board" not in compiled_catalogues, compiled_catalogues.get("liuyan/board")
    labels = getattr(models, table)
    assert labels
    with translation.override(None):  # no catalogue at all: the English msgids
        english = {key: str(label) for key, label in labels.items()}
    with translation.override("zh-hans"):
        chinese = {key: str(label) for key, label in labels.items()}
    untranslated = {key: text for key, text in english.items() if chinese[key] == text}
    assert not untranslated, f"{table} left in English: {untranslated}"
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in chinese.values()), chinese


def test_a_refusal_reads_in_chinese(compiled_catalogues):
    from django.utils import translation

    from liuyan.board.models import Message
    from liuyan.board.refusals import describe_refusal
    from liuyan.core.lifecycle import Action, PermissionRefused, Role, State, TransitionRefused

    with translation.override("zh-hans"):
        assert str(Message._meta.verbose_name) == "留言"
        refused = PermissionRefused(
            "only moderators may screen",
            action=Action.SCREEN,
            state=State.SUBMITTED,
            allowed_roles=frozenset({Role.MODERATOR}),
        )
        wrong_state = TransitionRefused(
            "cannot screen a closed message", action=Action.SCREEN, state=State.CLOSED
        )
        assert describe_refusal(wrong_state) == (
            "当前无法进行此项操作（审核通过）：该留言的状态为“已办结”。未作任何改动。"
        )
        text = describe_refusal(refused)
    assert text == "只有平台工作人员可以进行此项操作（审核通过）。"
