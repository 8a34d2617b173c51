#!/usr/bin/env bash
# Debian packages sohoa needs at run time. Installs only what is missing, so a second run costs nothing.
set -euo pipefail
PKGS=(
  tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd   # OCR engine, Vietnamese model, orientation
  libtesseract5                                       # the engine as a library: read in process (tessapi.py)
  ghostscript qpdf poppler-utils                      # PDF tools (PDF/A step, repair, pdftoppm/pdftotext)
  fonts-liberation2 fonts-dejavu-core                 # Times-metric font with all Vietnamese letters
  postgresql                                          # record store for several workers; the tests start a throwaway cluster
  antiword catdoc                                     # Word 97-2003 .doc text (catdoc when antiword refuses)
  chromium                                            # headless browser for the web app's end-to-end tests
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
