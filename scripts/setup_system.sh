#!/usr/bin/env bash
# Install the Debian packages listed in requirements/debian-packages.txt that are missing.
# Headless Chromium drives the browser tests and prints the PDF; poppler-utils inspects the PDF.
# Only the Makefile's test, pdf, offline and bench targets run this (make setup-system): serving,
# building and checking the site need the Python environment alone, and no root.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
list="$here/requirements/debian-packages.txt"
missing=()
while IFS= read -r line; do
  line=${line%%#*}; line=${line// /}
  [ -n "$line" ] || continue
  name=${line%%=*}
  dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "install ok installed" || missing+=("$line")
done < "$list"
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  sudo=sudo
  command -v sudo >/dev/null || { echo "setup_system: need root to install: ${missing[*]}" >&2; exit 1; }
else
  sudo=
fi
echo "setup_system: installing ${missing[*]}"
$sudo apt-get update -qq
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
  echo "setup_system: pinned versions unavailable; installing the archive's current versions" >&2
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]%%=*}"
fi
