#!/usr/bin/env bash
# Regenerate requirements.lock from pyproject.toml's ranges.
#
# pyproject.toml says which versions are compatible; requirements.lock pins the exact set that
# `make demo`, `make test` and CI install, so every machine runs what CI ran. We resolve in a
# throw-away venv so packages left over in the developer's .venv never leak into the pins.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3.11}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$python" -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --no-input -e "${root}[dev]"
{
    echo "# Exact versions installed by \`make demo\`, \`make test\` and CI (Python 3.11, Linux)."
    echo "# The compatible ranges live in pyproject.toml; regenerate with \`make lock\`"
    echo "# (tools/update-lock.sh), which resolves them in a fresh venv and pip-freezes it."
    # --exclude-editable drops liuyan itself: it is installed from the checkout, not pinned.
    "$work/venv/bin/pip" freeze --exclude-editable --disable-pip-version-check
} >"$root/requirements.lock.new"
mv "$root/requirements.lock.new" "$root/requirements.lock"
echo "requirements.lock: $(grep -vc '^#' "$root/requirements.lock") pinned packages"
