#!/usr/bin/env bash
# Copies the wire contract (schemas/*.avsc, schemas/error-codes.json) into the Python package,
# so the runner ships the same bytes the TypeScript side reads. schemas/ is the one source of
# truth; the copy in python-runner/mlbridge_runner/schemas/ is gitignored and never edited.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/schemas"
DEST="$ROOT/python-runner/mlbridge_runner/schemas"

# The package folder may not exist yet on a fresh checkout or while it is being written.
mkdir -p "$DEST"

shopt -s nullglob
sources=("$SRC"/*.avsc "$SRC/error-codes.json")
[[ -f "$SRC/error-codes.json" ]] || { echo "sync-schemas: $SRC/error-codes.json missing" >&2; exit 1; }
((${#sources[@]} > 1)) || { echo "sync-schemas: no $SRC/*.avsc found" >&2; exit 1; }

# A schema deleted from schemas/ must not linger in the Python package.
for f in "$DEST"/*.avsc; do
  [[ -f "$SRC/$(basename "$f")" ]] || rm -f "$f"
done

changed=0
for f in "${sources[@]}"; do
  # Copy only what differs: unchanged mtimes keep editable installs and caches quiet.
  if ! cmp -s "$f" "$DEST/$(basename "$f")"; then
    cp "$f" "$DEST/"
    changed=$((changed + 1))
  fi
done
# The envelope versions (schemas/versions/: index.json and one .avsc per version), mirrored alike.
mkdir -p "$DEST/versions"
for f in "$DEST"/versions/*; do
  [[ -f "$SRC/versions/$(basename "$f")" ]] || rm -f "$f"
done
for f in "$SRC"/versions/*.avsc "$SRC"/versions/index.json; do
  if ! cmp -s "$f" "$DEST/versions/$(basename "$f")"; then
    cp "$f" "$DEST/versions/"
    changed=$((changed + 1))
  fi
done
# Silent when nothing changed: the build runs this, and so does every `npm run demo` (twice).
((changed == 0)) || echo "sync-schemas: $changed files updated in python-runner/mlbridge_runner/schemas"
