"""`liuyan.core` and `liuyan.insight` are plain Python: no Django, nothing of the apps.

The import contract "pure-core" in pyproject.toml (run by `make lint`) checks the imports written
in these packages. This test checks what actually happens at run time, which also catches a
library of theirs that pulls Django in: every module found under the two packages (none is
listed by hand) is imported in a fresh interpreter, one by one.
"""

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PURE_PACKAGES = ("core", "insight")
# What a pure module may bring along of liuyan: the two pure packages and the empty top package.
ALLOWED_LIUYAN = ("liuyan", "liuyan.core", "liuyan.insight")


def pure_modules() -> list[str]:
    """Every module of the pure packages, from the files on disk (nothing imported here)."""
    names = []
    for package in PURE_PACKAGES:
        for path in sorted((REPO / "liuyan" / package).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            names.append(".".join(parts))
    return names


CHECK = """
import importlib, json, sys

def forbidden(name):
    if name == "django" or name.startswith("django."):
        return True
    if name == "liuyan" or not name.startswith("liuyan."):
        return False
    return not any(name == ok or name.startswith(ok + ".") for ok in ALLOWED)

ALLOWED = {allowed!r}
found = {{}}
for module in {modules!r}:
    before = set(sys.modules)
    importlib.import_module(module)
    leaked = sorted(name for name in set(sys.modules) - before if forbidden(name))
    if leaked:
        found[module] = leaked
print(json.dumps(found))
"""


def test_every_module_of_core_and_insight_is_found():
    modules = pure_modules()
    for expected in ("liuyan.core.clock", "liuyan.core.lifecycle", "liuyan.insight.cli"):
        assert expected in modules
    assert len(modules) >= 16


def test_core_and_insight_import_without_django_or_the_apps():
    code = CHECK.format(allowed=ALLOWED_LIUYAN[1:], modules=pure_modules())
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    # {module: [what it pulled in]}; the first module to import Django is the one named.
    assert json.loads(result.stdout) == {}
