"""Number, date, type and issuer on generated one-page documents with varied Decree 30 headers, OCR'd as scans.

The pages come from ``sohoa.samples.header_pages`` (issuer blocks of one to three lines, number lines with gaps or
without the colon, dates written into blanks, five font families), scanned by ``sohoa.samples.scan`` and read by
the project's digitise path (``extract_text``), then the metadata extractor, as ``scripts/eval_metadata.py`` does
for real documents. Conditions: ``300`` (300 dpi grey, mild scan degradations), ``200`` (200 dpi grey, the same
degradations), ``1bit`` (the 200 dpi page thresholded to 1 bit, as office scanners store them), ``blue`` (300 dpi
colour; with ``--pen`` the pen is blue ink, on the grey conditions a grey ink).

Split by seed: development pages are seeds 0..N-1 (``--seed0 0``), held-out pages seeds 1000.. (``--seed0 1000``);
tune only on the first. OCR texts are cached under the temp directory per page, condition and the source of
``sohoa/extractors/*.py``, so a rerun after a metadata change costs no OCR.

Usage: ``PYTHONPATH=$PWD python scripts/eval_header_fields.py --seed0 1000 --pages 20 [--conditions 300,200,1bit]
[--marks] [--pen] [--effects skew,jpeg,...|real] [-v]``. ``--marks``: each page with a stamp or mark above its
header (the portal's signature stamp, a gazette's or an archive's mark), bodies that are not the issuer. ``--pen``:
the number, the day and the month (sometimes the year) printed as blanks and written by hand
(``sohoa.samples.penfill``). ``--effects``: the page is rendered clean at the condition's dpi and given the named
desk-scan degradations of ``sohoa.samples.scan_effects`` instead of the mild office scan (``real``: a random
combination drawn per page, ``scan_effects.real_scan_mix``); ``1bit`` then thresholds the degraded page.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import hashlib
import io
import json
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image

from sohoa.extractors import tesseract
from sohoa.extractors.codes import normalize_number
from sohoa.extractors.metadata import MetadataExtractor, registration
from sohoa.extractors.types import Word
from sohoa.samples import scan_effects
from sohoa.samples.header_pages import font_for, header_document
from sohoa.samples.penfill import BLUE, fill_blanks
from sohoa.samples.scan_effects import real_scan_mix
from sohoa.textnorm import fold

FIELDS = ("number", "issued_date", "doc_type", "issuer")


def _page_version() -> str:
    """The pages' source: a cached reading is reused while the generator and the scan are unchanged."""
    root = Path(__file__).resolve().parent.parent / "sohoa" / "samples"
    sources = [root / "header_pages.py", root / "texts.py", root / "render.py", root / "scan.py"]
    sources += [root / "penfill.py", root / "stampdraw.py", root / "scan_effects.py"]
    return hashlib.sha256(b"".join(p.read_bytes() for p in sources if p.exists())).hexdigest()[:12]


def page_effects(seed: int, effects: str) -> list[str]:
    """The desk-scan effects of one page: none, the named ones, or a random combination (``real``)."""
    if not effects:
        return []
    return real_scan_mix(seed) if effects == "real" else effects.split(",")


def page_image_bytes(seed: int, condition: str, marks: bool = False, pen: bool = False, effects: str = "") -> bytes:
    from sohoa.samples.render import render_pdf
    from sohoa.samples.scan import _rng, degrade, rasterise, scan_pages, scan_profile

    doc = header_document(seed, marks, pen)
    pdf = render_pdf(doc, fonts=font_for(seed)).data
    dpi: float = 200 if condition in ("200", "1bit") else 300
    if effects:
        # Pen values are on the paper: written before the desk scan's degradations.
        clean = rasterise(pdf, int(dpi))[0]
        if condition == "blue":
            clean = clean.convert("RGB")
        if pen:
            fill_blanks(clean, int(dpi), pdf, doc.details["pen"], seed, BLUE if condition == "blue" else None)
        page = scan_effects.apply(scan_effects.Page(clean, dpi), page_effects(seed, effects), seed)
        image, dpi = page.image, page.dpi
    elif pen or condition == "blue":
        # The pen's values are written on the page before the scan's degradations (they are on the paper).
        page = rasterise(pdf, int(dpi))[0]
        colour = BLUE if condition == "blue" else None
        if colour is not None:
            page = page.convert("RGB")
        if pen:
            fill_blanks(page, int(dpi), pdf, doc.details["pen"], seed, colour)
        profile = scan_profile(seed, doc.key, int(dpi))
        # A colour scan: each channel degraded alike (the same stream: one blur, tilt, noise and dust).
        channels = [degrade(ch, profile, _rng(seed, doc.key + "/pixels", int(dpi), 1)) for ch in page.split()]
        image = channels[0] if len(channels) == 1 else Image.merge("RGB", channels)
    else:
        image = scan_pages(pdf, int(dpi), seed=seed, key=doc.key)[0][0]
    if condition == "1bit":
        image = image.convert("L").point(lambda v: 255 if v > 150 else 0).convert("1")
    buf = io.BytesIO()
    if condition == "blue":
        image.save(buf, "PNG", dpi=(dpi, dpi))
    else:
        image.save(buf, "TIFF", dpi=(dpi, dpi), compression="group4" if condition == "1bit" else "tiff_lzw")
    return buf.getvalue()


def ocr(
    seed: int, condition: str, cache: Path, marks: bool = False, pen: bool = False, effects: str = ""
) -> dict[str, Any]:
    """Tesseract's words of the page (after sohoa's noise filter and tone correction), cached; the page text is
    made from them by ``tesseract.words_to_text`` of the code under test, so an old and a new line assembly (and
    metadata extractor) are compared on the same reading. The cache is not keyed by the OCR code: clear it
    (``--fresh``) after changing how pages are read."""
    tag = f"{'-marks' if marks else ''}{'-pen' if pen else ''}{'-' + effects.replace(',', '+') if effects else ''}"
    path = cache / f"{seed}-{condition}{tag}-{_page_version()}.json"
    if not path.exists():
        from sohoa.extractors.text import TextOptions, extract_text

        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        c0 = time.process_time()
        extraction = extract_text(
            page_image_bytes(seed, condition, marks, pen, effects), TextOptions(workers=1)
        ).extraction
        record = {
            "pages": [p.text for p in extraction.pages],
            "words": [[dataclasses.asdict(w) for w in p.words] for p in extraction.pages],
            "stamps": extraction.first_page_stamps,
            "cpu_seconds": time.process_time() - c0,
            "route": [p.route_reason for p in extraction.pages],
            # The pen blanks' step (penblanks) alone, when the code under test has it.
            "pen_blanks_cpu": sum(
                float(r.params.get("stage_cpu_s", {}).get("pen_blanks", 0.0)) for r in extraction.tool_runs
            ),
            # The header lines read again as print (printreread), when the code under test has it.
            "print_reread_cpu": sum(
                float(r.params.get("stage_cpu_s", {}).get("print_reread", 0.0)) for r in extraction.tool_runs
            ),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    result: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return result


def key(s: str | None) -> str:
    return " ".join(re.findall(r"[0-9a-z&]+", fold(s or "")))


def evaluate(
    seeds: list[int],
    conditions: list[str],
    cache: Path,
    verbose: bool,
    marks: bool = False,
    pen: bool = False,
    effects: str = "",
) -> dict[str, dict[str, int]]:
    extractor = MetadataExtractor()
    known = functools.partial(registration.symbol_score, extractor.resources)
    totals: dict[str, dict[str, int]] = {}
    for condition in conditions:
        tally = {f: 0 for f in FIELDS} | {"all": 0, "n": 0, "hand": 0, "hand_wrong": 0}
        pen_cpu = reread_cpu = page_cpu = 0.0
        for seed in seeds:
            doc = header_document(seed, marks, pen)
            rec = ocr(seed, condition, cache, marks, pen, effects)
            pages = [tesseract.words_to_text([Word(**w) for w in ws]) for ws in rec["words"]]
            text = "\n\f\n".join(pages)
            starts = [0]
            stamps = rec["stamps"] or []
            if stamps:
                text = registration.blank_own_words(text, starts, stamps)
            md = extractor.extract(text, starts)
            if stamps:
                md = registration.with_rereads(text, starts, stamps, md, extractor.extract, known)
            truth = doc.truth
            ok = {
                "number": md.number == normalize_number(truth["number"]),
                "issued_date": md.issued_date == truth["issued_date"],
                "doc_type": md.doc_type == truth["doc_type"],
                # Issuer and superior by their letters (OCR may damage a tone mark, a name may not be listed).
                "issuer": key(md.issuer) == key(truth["issuer"])
                and key(md.issuer_superior) in ("", key(truth["issuer_superior"])),
            }
            for f in FIELDS:
                tally[f] += ok[f]
            # Values read from handwriting (flagged for review), and those of them that are wrong.
            for f, flag in (("number", "number_handwritten"), ("issued_date", "date_handwritten")):
                if flag in md.flags:
                    tally["hand"] += 1
                    tally["hand_wrong"] += not ok[f]
            pen_cpu += float(rec.get("pen_blanks_cpu", 0.0))
            reread_cpu += float(rec.get("print_reread_cpu", 0.0))
            page_cpu += float(rec.get("cpu_seconds", 0.0))
            tally["print_reread"] = tally.get("print_reread", 0) + ("print_line_reread" in md.repairs)
            tally["all"] += all(ok.values())
            tally["n"] += 1
            if verbose and not all(ok.values()):
                head = "\n".join(pages[0].splitlines()[:12])
                print(f"--- seed {seed} {condition} {doc.details['number_style']!r} {page_effects(seed, effects)}")
                print(f"    route: {rec.get('route', ['?'])[0]}; cpu {rec['cpu_seconds']:.1f} s")
                for f in FIELDS:
                    if not ok[f]:
                        got = getattr(md, f)
                        if f == "issuer":
                            got = f"{md.issuer} / {md.issuer_superior}"
                        print(f"    {f}: expected {truth[f]!r}, got {got!r}")
                print("    " + head.replace("\n", "\n    "))
        tally["pen_blanks_ms"] = round(1000 * pen_cpu / max(1, tally["n"]))  # CPU a page
        tally["print_reread_ms"] = round(1000 * reread_cpu / max(1, tally["n"]))
        tally["cpu_ms"] = round(1000 * page_cpu / max(1, tally["n"]))  # the whole reading of a page
        totals[condition] = tally
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed0", type=int, default=0, help="first seed (0: development, 1000: held out)")
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--conditions", default="300,200,1bit")
    parser.add_argument("-v", "--verbose", action="store_true", help="show each miss with the page's first lines")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--marks", action="store_true", help="a stamp or mark above each header (header_pages._MARKS)")
    parser.add_argument("--pen", action="store_true", help="number, day and month written by hand into blanks")
    parser.add_argument("--effects", default="", help="desk-scan effects (scan_effects.EFFECTS) or 'real' (a mix)")
    parser.add_argument("--fresh", action="store_true", help="read every page again (after an OCR change)")
    args = parser.parse_args(argv)
    cache = Path(tempfile.gettempdir()) / "sohoa-eval-header-fields"
    seeds = list(range(args.seed0, args.seed0 + args.pages))
    if args.fresh:
        for seed in seeds:
            for old in cache.glob(f"{seed}-*.json"):
                old.unlink()
    conditions = [c for c in args.conditions.split(",") if c]
    t0 = time.perf_counter()
    totals = evaluate(seeds, conditions, cache, args.verbose, args.marks, args.pen, args.effects)
    print(f"seeds {seeds[0]}..{seeds[-1]} effects {args.effects or '-'} ({time.perf_counter() - t0:.0f} s incl. OCR)")
    print(f"{'condition':<10}" + "".join(f"{f:>14}" for f in (*FIELDS, "all")))
    for condition, t in totals.items():
        n = t["n"]
        print(
            f"{condition:<10}"
            + "".join(f"{t[f]:>8}/{n:<2} {100 * t[f] / n:3.0f}%"[-14:] for f in (*FIELDS, "all"))
            + f"   handwritten {t['hand']} ({t['hand_wrong']} wrong), pen blanks {t['pen_blanks_ms']} ms CPU/page"
            + f", print re-read taken {t.get('print_reread', 0)}, {t['print_reread_ms']} ms CPU/page"
            + f", page {t['cpu_ms']} ms CPU"
        )
    if args.json:
        args.json.write_text(json.dumps(totals, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
