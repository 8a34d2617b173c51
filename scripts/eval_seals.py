"""Seals over signature blocks, generated: sohoa with and without the seal step against bare Tesseract.

Pages: the signature page of generated documents (sohoa.samples.sealpages) with a round seal pressed over the
signature block, in four styles: a colour scan (red pad, 300 dpi), the same scanned in grey and degraded
(200 dpi, as scripts/eval_ocr.py degrades), a dark photocopy (the seal ink 50, 300 dpi) and a 1-bit scan
(seal and print the same black, 300 dpi).
Scored: CER against the rendered text (the seal's own words are not in it), and whether the signer's title and
name are read (every word of each, in order, in the page's text).

Usage: python scripts/eval_seals.py [--seeds 1,2] [--styles colour,grey,dark,bilevel] [--json FILE]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).parent))
from eval_ocr import bare_tesseract, flexible_char_errors, norm  # noqa: E402

from sohoa.extractors.tesseract import OcrOptions  # noqa: E402
from sohoa.extractors.text import TextOptions, extract_text  # noqa: E402
from sohoa.samples.sealpages import seal_page  # noqa: E402

KINDS = ("quyet_dinh_qppl", "cong_van", "ke_hoach", "thong_bao", "quyet_dinh_cong_bo", "cong_van_so")


def read(page_image, dpi: int, options: TextOptions) -> tuple[str, list[dict[str, object]], float]:
    buf = io.BytesIO()
    page_image.save(buf, "PNG", dpi=(dpi, dpi))
    cpu = time.process_time()
    out = extract_text(buf.getvalue(), options)
    page = out.extraction.pages[0]
    return page.text, page.stamps, time.process_time() - cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default="1,2")
    ap.add_argument("--styles", default="colour,grey,dark,bilevel")
    ap.add_argument("--no-bare", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    on = TextOptions(workers=1)
    off = replace(on, find_seals=False)
    totals: dict[str, dict[str, float]] = {}
    rows = []
    for style in args.styles.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            for kind in KINDS:
                sp = seal_page(kind, seed, style, 200 if style == "grey" else 300)  # type: ignore[arg-type]
                if sp is None:
                    continue
                ref = norm(sp.reference)
                hyps = {}
                for name, opts in (("sohoa", on), ("sohoa-noseal", off)):
                    text, stamps, cpu = read(sp.image, sp.dpi, opts)
                    hyps[name] = (text, cpu, [s for s in stamps if s.get("kind") == "seal" and "radius" in s])
                if not args.no_bare:
                    text, secs = bare_tesseract(sp.image, sp.dpi, OcrOptions())
                    hyps["tesseract"] = (text, secs, [])
                for name, (text, cpu, seals) in hyps.items():
                    h = norm(text)
                    edits = Levenshtein.distance(ref, h)
                    flex = flexible_char_errors(sp.reference, text)
                    title_ok = norm(sp.title) in h
                    name_ok = norm(sp.signer) in h
                    zero = dict.fromkeys(("edits", "flex", "chars", "title", "name", "pages", "cpu", "seals"), 0.0)
                    t = totals.setdefault(f"{style}/{name}", zero)
                    t["edits"] += edits
                    t["flex"] += flex
                    t["chars"] += len(ref)
                    t["title"] += title_ok
                    t["name"] += name_ok
                    t["pages"] += 1
                    t["cpu"] += cpu
                    t["seals"] += len(seals)
                    rows.append({"style": style, "seed": seed, "kind": kind, "system": name, "edits": edits,
                                 "flex": flex, "chars": len(ref), "title": title_ok, "name": name_ok,
                                 "seals": seals})  # fmt: skip
                    print(f"{style:6} {seed} {kind:18} {name:12} edits {edits:4} flex {flex:4} title {title_ok:d}"
                          f" name {name_ok:d} seals {len(seals)}", file=sys.stderr)  # fmt: skip
    print(
        f"{'style/system':22} {'pages':>5} {'CER':>7} {'FCER':>7} {'title':>6} {'name':>6} {'seals':>6} {'s/page':>7}"
    )
    for key, t in totals.items():
        print(f"{key:22} {t['pages']:5.0f} {t['edits'] / t['chars']:7.2%} {t['flex'] / t['chars']:7.2%}"
              f" {t['title']:6.0f} {t['name']:6.0f} {t['seals']:6.0f} {t['cpu'] / t['pages']:7.2f}")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps({"totals": totals, "rows": rows}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
