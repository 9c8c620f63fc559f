"""Commands that need no secret start without LIUYAN_SECRET_KEY; servers and the rest do not.

Each case runs `python -m liuyan` in a fresh process whose environment has no LIUYAN_ variable
at all (so DEBUG is off), as an operator's shell outside the Makefile would.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFUSAL = "LIUYAN_SECRET_KEY is not set"


def liuyan(tmp_path: Path, *args: str, **extra_env: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIUYAN_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update({"LIUYAN_VAR_DIR": str(tmp_path / "var"), **extra_env})
    return subprocess.run(
        [sys.executable, "-m", "liuyan", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_insight_batch_command_runs_without_a_secret_key(tmp_path):
    source, masked = tmp_path / "messages.csv", tmp_path / "masked.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["留言主题", "留言详情"])
        writer.writerow(["路灯不亮", "小区路灯坏了一个月，我的电话是13812345678。"])

    result = liuyan(tmp_path, "insight", "mask", "--input", str(source), "--output", str(masked))

    assert result.returncode == 0, result.stderr
    assert REFUSAL not in result.stderr
    text = masked.read_text(encoding="utf-8")
    assert "路灯不亮" in text
    assert "13812345678" not in text


def test_check_and_help_run_without_a_secret_key(tmp_path):
    check = liuyan(tmp_path, "check")
    assert check.returncode == 0, check.stderr
    assert "System check identified no issues" in check.stdout

    listing = liuyan(tmp_path, "help")
    assert listing.returncode == 0, listing.stderr
    # The project's own commands are listed, so the settings did load.
    for command in ("tick", "demo-data", "insight", "serve-prod"):
        assert command in listing.stdout


def test_check_deploy_names_the_missing_secret_key(tmp_path):
    result = liuyan(tmp_path, "check", "--deploy")
    assert result.returncode != 0
    assert "liuyan.ops.E004" in result.stderr


@pytest.mark.parametrize("command", [["runserver", "--noreload"], ["tick"], ["serve-prod"]])
def test_servers_and_other_commands_still_refuse_without_a_secret_key(tmp_path, command):
    result = liuyan(tmp_path, *command)
    assert result.returncode != 0
    assert REFUSAL in result.stderr


def test_the_exemption_cannot_be_handed_in_from_outside(tmp_path):
    result = liuyan(tmp_path, "runserver", "--noreload", LIUYAN_SECRET_KEY_NOT_NEEDED="1")
    assert result.returncode != 0
    assert REFUSAL in result.stderr


def test_a_web_process_with_the_exemption_but_no_key_does_not_start(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIUYAN_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update({"LIUYAN_VAR_DIR": str(tmp_path / "var"), "LIUYAN_SECRET_KEY_NOT_NEEDED": "1"})
    result = subprocess.run(
        [sys.executable, "-c", "import liuyan.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "liuyan.ops.E004" in result.stderr
