import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

INSIGHT_MODULES = [
    "liuyan.insight.text",
    "liuyan.insight.masking",
    "liuyan.insight.classify",
    "liuyan.insight.train",
    "liuyan.insight.similar",
    "liuyan.insight.hot",
    "liuyan.insight.quality",
    "liuyan.insight.cli",
]


def test_insight_modules_import_without_django():
    code = (
        "import importlib, sys\n"
        f"for name in {INSIGHT_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(','.join(leaked))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
