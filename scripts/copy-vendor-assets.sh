#!/usr/bin/env bash
# Copy the browser libraries installed by `npm ci` into liuyan/static/vendor/.
#
# We serve these files ourselves (whitenoise / runserver) rather than from a CDN: government
# intranets often block public CDNs, and a pinned local copy cannot change under us. The vendor
# folder is generated, not committed; package-lock.json is what pins the versions.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
modules="$root/node_modules"
vendor="$root/liuyan/static/vendor"

# source file under node_modules -> name under static/vendor (the name templates use)
files=(
    "htmx.org/dist/htmx.min.js:htmx.min.js"
    "htmx.org/LICENSE:htmx.LICENSE.txt"
    "echarts/dist/echarts.min.js:echarts.min.js"
    "echarts/LICENSE:echarts.LICENSE.txt"
    "echarts/NOTICE:echarts.NOTICE.txt"
)

if [[ ! -d "$modules" ]]; then
    echo "copy-vendor-assets: $modules is missing; run 'npm ci' first" >&2
    exit 1
fi

mkdir -p "$vendor"
for entry in "${files[@]}"; do
    source="$modules/${entry%%:*}"
    target="$vendor/${entry##*:}"
    if [[ ! -f "$source" ]]; then
        echo "copy-vendor-assets: $source not found (did a package change its layout?)" >&2
        exit 1
    fi
    cp "$source" "$target"
done

# Record what was copied, so a page's source can be traced back to a release.
node -e '
for (const name of ["htmx.org", "echarts"]) {
  const pkg = require(process.argv[1] + "/" + name + "/package.json");
  console.log(name + " " + pkg.version);
}' "$modules" >"$vendor/VERSIONS.txt"
echo "copy-vendor-assets: $(tr '\n' ' ' <"$vendor/VERSIONS.txt")-> liuyan/static/vendor/"
