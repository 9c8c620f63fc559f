#!/usr/bin/env bash
# Install the Debian packages liuyan needs, but only those that are missing.
#
#   scripts/install-system-packages.sh            # the default list below
#   scripts/install-system-packages.sh PKG...     # an explicit list
#
# It is run by every `make demo` / `make test`, so the common case (everything present) must be
# fast and must not touch the network: we ask dpkg first and call apt-get only for what is missing.
# Without root and without password-less sudo it prints what to install and exits 0, so a
# developer on a machine they do not administer can still use the rest of the setup.
set -euo pipefail

DEFAULT_PACKAGES=(
    # Chinese glyphs for the PDF digest (WeasyPrint) and for browser screenshots.
    fonts-noto-cjk
    # Browser for the Playwright tests; we never download Playwright's own browser build.
    chromium
    # msgfmt, used by `liuyan compilemessages`.
    gettext
    # WeasyPrint's native libraries (it loads them with cffi at run time).
    libpango-1.0-0
    libpangoft2-1.0-0
    libharfbuzz-subset0
    # IMAP server for the mailbox intake tests (tests/channels/dovecot.py runs its own instance
    # in the foreground on a test port; the system service is not needed).
    dovecot-imapd
)
# Toolchain pieces a fresh Debian 12 may lack. They are checked by command rather than by package
# name because many machines get Python or Node.js from elsewhere (pyenv, NodeSource), and we must
# not install a second copy over theirs.
python="${PYTHON:-python3.11}"
if ! command -v "$python" >/dev/null 2>&1; then
    DEFAULT_PACKAGES+=(python3.11 python3.11-venv)
elif ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    # Debian splits ensurepip out of the interpreter; without it `python3.11 -m venv` fails.
    DEFAULT_PACKAGES+=(python3.11-venv)
fi
if ! command -v npm >/dev/null 2>&1; then
    DEFAULT_PACKAGES+=(nodejs npm)
fi
# pg_dump and pg_restore for `liuyan backup` / `liuyan restore` on PostgreSQL. Checked by command:
# a machine with the server (or another client version) already has them.
if ! command -v pg_dump >/dev/null 2>&1; then
    DEFAULT_PACKAGES+=(postgresql-client)
fi

# RUM for PostgreSQL search that hands out matches newest first (docs/search.md), where this
# machine runs the PostgreSQL 15 server. Without it the search migration builds a GIN index, and
# `liuyan rebuild-search-index` switches to RUM once the package is there.
if command -v dpkg-query >/dev/null 2>&1 \
    && [[ "$(dpkg-query -W -f='${Status}' postgresql-15 2>/dev/null || true)" == "install ok installed" ]]; then
    DEFAULT_PACKAGES+=(postgresql-15-rum)
fi

if [[ $# -gt 0 ]]; then
    packages=("$@")
else
    packages=("${DEFAULT_PACKAGES[@]}")
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-system-packages: not a Debian-based system; please install the equivalents of:" \
        "${packages[*]}" >&2
    exit 0
fi

is_installed() {
    # "install ok installed" is the only status that means the files are really there
    # (a removed-but-not-purged package reports "deinstall ok config-files").
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

missing=()
for package in "${packages[@]}"; do
    is_installed "$package" || missing+=("$package")
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-system-packages: all present (${packages[*]})"
    exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    # -n: never prompt; a setup step that waits for a password would hang CI.
    as_root=(sudo -n)
else
    echo "install-system-packages: skipping, not root and no password-less sudo." >&2
    echo "  Missing Debian packages: ${missing[*]}" >&2
    echo "  Install them with: sudo apt-get install ${missing[*]}" >&2
    exit 0
fi

echo "install-system-packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# One index refresh per run, and only when something has to be installed.
"${as_root[@]}" apt-get update -qq </dev/null
# No recommends: chromium alone would otherwise pull in a desktop's worth of packages.
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null

still_missing=()
for package in "${missing[@]}"; do
    is_installed "$package" || still_missing+=("$package")
done
if [[ ${#still_missing[@]} -gt 0 ]]; then
    echo "install-system-packages: still missing after apt-get: ${still_missing[*]}" >&2
    exit 1
fi
echo "install-system-packages: done"
