#!/usr/bin/env bash
# Install Microsoft's SARIF multitool (validator + the official sarif-2.1.0.json schema) from
# the npm registry into tests/.tools/, where tests/test_output.py looks for it.
# Usage: tests/tools/fetch_sarif_tools.sh [--force]     (needs node + npm on PATH)
set -euo pipefail

VERSION="${SARIF_MULTITOOL_VERSION:-5.7.0}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DEST="${PATCHGATE_SARIF_TOOLS:-$(cd "$HERE/.." && pwd)/.tools}"

case "$(uname -s)" in
  Linux) PLATFORM=linux ;;
  Darwin) PLATFORM=darwin ;;
  MINGW*|MSYS*|CYGWIN*) PLATFORM=win32 ;;
  *) echo "fetch_sarif_tools: unsupported platform $(uname -s)" >&2; exit 1 ;;
esac
PART="@microsoft/sarif-multitool-$PLATFORM"
PART_DIR="$DEST/node_modules/$PART"

if [[ "${1:-}" != "--force" && -f "$PART_DIR/sarif-2.1.0.json" && -f "$PART_DIR/package.json" ]] \
   && grep -q "\"version\": \"$VERSION\"" "$PART_DIR/package.json"; then
  echo "fetch_sarif_tools: $PART@$VERSION already in $DEST"
  exit 0
fi

command -v npm >/dev/null || { echo "fetch_sarif_tools: npm is not on PATH" >&2; exit 1; }
mkdir -p "$DEST"
npm install --prefix "$DEST" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
  "@microsoft/sarif-multitool@$VERSION" "$PART@$VERSION"

# npm may refuse the package's postinstall `chmod u+x`; do it here so the binary runs.
for binary in "$PART_DIR/Sarif.Multitool" "$PART_DIR/Sarif.Multitool.exe"; do
  if [[ -f "$binary" ]]; then chmod u+x "$binary"; fi
done
test -f "$PART_DIR/sarif-2.1.0.json" || { echo "fetch_sarif_tools: schema missing in $PART_DIR" >&2; exit 1; }
echo "fetch_sarif_tools: installed $PART@$VERSION into $DEST"
