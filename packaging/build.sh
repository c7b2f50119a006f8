#!/usr/bin/env bash
# Build the standalone program with PyInstaller and smoke-test it.
#   packaging/build.sh [DIST_DIR]      (default: dist/)
# The result is DIST_DIR/star-lab/star-lab (star-lab.exe on Windows); ship the whole folder.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dist="${1:-$here/dist}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
py="${PYTHON:-$here/.venv/bin/python}"
"$py" -m PyInstaller --noconfirm --log-level WARN --distpath "$dist" --workpath "$work" "$here/packaging/star-lab.spec"
exe="$dist/star-lab/star-lab"
[ -x "$exe" ] || exe="$dist/star-lab"
"$exe" --version
QT_QPA_PLATFORM=offscreen "$exe" --selftest
echo "built: $exe ($(du -sh "$dist/star-lab" | cut -f1))"
