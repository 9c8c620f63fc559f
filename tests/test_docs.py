"""The documentation stays true to the tree: its links lead somewhere, and nothing the code
reads from the environment or offers as a command goes undocumented.

The README is kept short and the detail lives under docs/ and in bench/README.md, so a moved
section or a renamed heading must not leave a dead link behind, and a new variable or command
must be written down somewhere a newcomer can find it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted([ROOT / "README.md", ROOT / "bench" / "README.md", *(ROOT / "docs").glob("*.md")])

FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
# [text](target) and ![alt](target); the target ends at whitespace or the closing parenthesis.
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
# What the code reads from the environment: os.environ.get("X"), os.environ["X"], getenv("X"),
# the settings' and gunicorn config's env_bool/env_list/env_int("X"), dj_database_url's env="X".
ENV_READ = re.compile(
    r"""(?:environ\.get\(|environ\[|getenv\(|\benv_\w+\(|\benv=)\s*["']([A-Z][A-Z0-9_]+)["']"""
)
NOT_OURS = {"DJANGO_SETTINGS_MODULE"}


def prose(text: str) -> str:
    """The text without fenced blocks and code spans, where brackets are code, not links."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps only its text
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(FENCE.sub("", path.read_text())):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def relative_links(path: Path) -> list[str]:
    return [
        target
        for target in LINK.findall(prose(path.read_text()))
        if not re.match(r"^[a-z][a-z0-9+.-]*:", target)  # http:, https:, mailto: …
    ]


def test_the_documentation_files_exist():
    names = {path.relative_to(ROOT).as_posix() for path in DOCS}
    assert {"README.md", "bench/README.md", "docs/production.md"} <= names


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_relative_link_leads_to_an_existing_file_and_heading(doc: Path):
    broken = []
    for target in relative_links(doc):
        file_part, _, anchor = target.partition("#")
        destination = (doc.parent / file_part).resolve() if file_part else doc
        if not destination.exists():
            broken.append(f"{target}: no such file")
        elif anchor and (destination.suffix != ".md" or anchor not in anchors(destination)):
            broken.append(f"{target}: no heading #{anchor} in {destination.name}")
    assert broken == []


def test_the_link_checker_sees_links_and_headings():
    """Guard the guard: a checker whose patterns match nothing would pass every document."""
    readme = ROOT / "README.md"
    assert "docs/production.md" in relative_links(readme)
    assert {"quick-start", "how-a-message-flows", "project-layout"} <= anchors(readme)
    assert slug("Background work: the worker and `liuyan tick`") == (
        "background-work-the-worker-and-liuyan-tick"
    )
    assert slug("systemd and nginx (`deploy/`)") == "systemd-and-nginx-deploy"


def documented_text() -> str:
    return "\n".join(path.read_text() for path in DOCS)


def test_every_environment_variable_the_code_reads_is_documented():
    read = set()
    for path in (ROOT / "liuyan").rglob("*.py"):
        read |= set(ENV_READ.findall(path.read_text()))
    read -= NOT_OURS
    assert {"DATABASE_URL", "LIUYAN_SECRET_KEY", "WEB_CONCURRENCY", "LIUYAN_DB_POOL"} <= read
    text = documented_text()
    assert sorted(name for name in read if f"`{name}`" not in text) == []


def test_every_liuyan_command_is_documented():
    commands = {
        path.stem
        for path in (ROOT / "liuyan").glob("*/management/commands/*.py")
        if not path.stem.startswith("_")
    }
    assert {"tick", "demo-data", "serve-prod"} <= commands
    text = documented_text()
    assert sorted(name for name in commands if f"liuyan {name}" not in text) == []
