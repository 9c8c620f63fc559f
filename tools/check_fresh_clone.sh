#!/usr/bin/env bash
# Run CI the way CI runs it: `bash .ci/run` with CI=true and no stdin, in a fresh clone of the
# committed HEAD with the shared folder beside it at ../shared.
#
# Catches what a working checkout hides: files that were never committed, an install step that
# only worked because the developer's .venv or node_modules already had something.
#
#   tools/check_fresh_clone.sh          # clone, run, delete the clone
#   KEEP=1 tools/check_fresh_clone.sh   # keep the clone to look at afterwards
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${LIUYAN_SHARED:-$(cd "$repo/.." && pwd)/shared}"
work="$(mktemp -d "${TMPDIR:-/tmp}/liuyan-fresh.XXXXXX")"

# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
    if [[ "${KEEP:-}" == "1" ]]; then
        echo "check_fresh_clone: clone kept in $work/main"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

if [[ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]]; then
    echo "check_fresh_clone: note: uncommitted changes in $repo are NOT part of this check" >&2
fi

git clone --quiet "$repo" "$work/main"
if [[ -d "$shared" ]]; then
    ln -s "$shared" "$work/shared"
else
    echo "check_fresh_clone: $shared not found; tests that need ../shared will skip" >&2
fi

echo "check_fresh_clone: running .ci/run in $work/main ($(git -C "$work/main" log -1 --format='%h %s'))"
start=$SECONDS
status=0
(cd "$work/main" && CI=true bash .ci/run </dev/null) || status=$?
echo "check_fresh_clone: .ci/run exited $status after $((SECONDS - start))s"
exit "$status"
