"""OCR error rates on real born-digital pages rendered to images: sohoa's OCR path against bare Tesseract.

The born-digital PDFs of ../shared/data/born_digital carry a real text layer; `pdftotext -layout` of it (the .txt
beside each PDF, pages split by form feeds) is the ground truth. Each page is rendered clean at 300 dpi and
degraded at 200 dpi (blur, noise, 1-2 degrees of skew, JPEG), OCR'd by sohoa and by `tesseract -l vie`, and scored:

- CER / WER: Levenshtein distance over characters / words after whitespace is collapsed, reading order included;
- FCER: flexible CER, reading order ignored between text segments (lines and table cells), kept within them
  (see `flexible_char_errors`);
- BoC / BoW: bag-of-characters / bag-of-words error (characters or words missing or extra, order ignored), which
  does not punish a correct reading of the two-column header or of a table cell by cell in another order than
  pdftotext's line-by-line layout; BoC counts every wrong diacritic and every stray mark.

With `--small-skew`, the degraded pages are also made with 0.4-0.8 degrees of skew at 200 and 300 dpi: the range
where sohoa leaves the skew to Tesseract instead of rotating the page (preprocess.PreprocessOptions.min_skew_deg).

With `--model best`, both sohoa and bare Tesseract read with the tessdata_best model `make install` put in the
virtual environment (SOHOA_OCR_MODEL=best) instead of the system's fast one.

With `--vbpl dev|test`, the pages are instead rendered from legal texts of ../shared/data/legal_texts that the
syllable model (scripts/build_syllable_lm.py) held out: the first three pages of each, laid out by the project's
sample renderer (sohoa/samples/render.py) in Liberation Serif and DejaVu Serif in turn, the rendered text being the
reference. `dev` (held-out index % 10 == 0) tunes the tone correction, `test` (the others) reports it.

sohoa is scored twice: as it reads ("sohoa") and with its tone corrections undone from the recorded changes
("sohoa-raw"), which is also a check that each correction can be reversed. `--tone-sweep` (with --vbpl dev)
reads with permissive tone thresholds and scores a grid of thresholds by undoing the changes outside each.

Usage: python scripts/eval_ocr.py [--json FILE] [--small-skew] [--model fast|best] [--vbpl dev|test]
       [--tone-sweep] [--max-docs N]
(SOHOA_SAMPLES: the data dir, default ../shared/data)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from PIL import Image
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from sohoa.extractors import tonefix
from sohoa.extractors.tesseract import OcrOptions, language_pack, words_to_text
from sohoa.extractors.text import TextOptions, extract_text
from sohoa.extractors.types import PageResult
from sohoa.samples.render import FontSet, render_pdf
from sohoa.samples.scan import ScanProfile, _rng, degrade, rasterise
from sohoa.samples.texts import Band, GeneratedDocument, Line, Run
from sohoa.settings import Settings
from sohoa.textnorm import normalize_text


def norm(text: str) -> str:
    return " ".join(normalize_text(text).split())


_HOLE = "\x01"  # marks hypothesis characters already matched to a reference segment


def flexible_char_errors(ref: str, hyp: str) -> int:
    """Character errors with reading order ignored between text segments, kept within them (after Clausner et
    al., "Flexible character accuracy", 2020, simplified). The reference's lines, cut at column gaps of 3+ spaces
    in pdftotext's layout, are taken in reference order; each is matched to its best-aligned substring of the
    hypothesis just after the previous match (where it is when both read in the same order — this keeps the
    phrases legal text repeats apart), or anywhere when it is not there. A segment costs its edit distance to that
    substring (its length when nothing matches), and hypothesis characters left unmatched count as insertions.
    A table read cell by cell, or a two-column header read column by column, costs nothing extra; every misread,
    missing or extra character still does."""
    avail = list(norm(hyp))
    errors, cursor = 0, 0

    def best_window(seg: str, lo: int, hi: int) -> tuple[int, int, int]:
        text = "".join(avail[lo:hi])
        if len(seg) > len(text.replace(_HOLE, "")):
            return len(seg), 0, 0
        al = fuzz.partial_ratio_alignment(seg, text)
        return Levenshtein.distance(seg, text[al.dest_start : al.dest_end]), lo + al.dest_start, lo + al.dest_end

    for line in ref.splitlines():
        for part in re.split(r"\s{3,}", line):
            seg = norm(part)
            if not seg:
                continue
            found = best_window(seg, max(cursor - 5, 0), cursor + len(seg) + 20)
            if found[0] > len(seg) / 4:
                found = min(found, best_window(seg, 0, len(avail)))
            distance, start, stop = found
            if distance >= len(seg) / 2 or start == stop:  # no real match: the segment is missing
                errors += len(seg)
                continue
            errors += distance
            avail[start:stop] = _HOLE * (stop - start)
            cursor = stop
    return errors + sum(1 for c in avail if c not in (" ", _HOLE))


def scores(ref: str, hyp: str) -> dict[str, float]:
    r, h = norm(ref), norm(hyp)
    rw, hw = r.split(), h.split()
    bag_r, bag_h = Counter(rw), Counter(hw)
    missing = sum((bag_r - bag_h).values())
    extra = sum((bag_h - bag_r).values())
    chars_r, chars_h = Counter(r.replace(" ", "")), Counter(h.replace(" ", ""))
    return {
        "chars": len(r),
        "nonspace": len(r.replace(" ", "")),
        "words": len(rw),
        "char_edits": Levenshtein.distance(r, h),
        "flex_char_errors": flexible_char_errors(ref, hyp),
        "word_edits": Levenshtein.distance(rw, hw),
        "bow_errors": max(missing, extra),
        "boc_errors": max(sum((chars_r - chars_h).values()), sum((chars_h - chars_r).values())),
    }


def degraded_profile(page: int) -> ScanProfile:
    # Fixed, harsher than the demo scans: the conditions the issue names (noise, blur, 1-2 degree skew).
    return ScanProfile(
        dpi=200,
        angle_deg=(1.0 + 0.5 * (page % 3)) * (-1) ** page,
        blur_radius_px=0.6,
        black_level=40,
        white_level=230,
        shading=0.05,
        noise_sigma=6.0,
        speckle_density=1e-5,
        jpeg_quality=70,
    )


def small_skew_profile(page: int, dpi: int) -> ScanProfile:
    return replace(degraded_profile(page), dpi=dpi, angle_deg=(0.4 + 0.2 * (page % 3)) * (-1) ** page)


def bare_tesseract(img: Image.Image, dpi: int, ocr: OcrOptions) -> tuple[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.png"
        img.save(path, dpi=(dpi, dpi))
        t = time.monotonic()
        model = ["--tessdata-dir", str(ocr.tessdata_dir)] if ocr.tessdata_dir else []
        proc = subprocess.run(
            ["tesseract", str(path), "-", "-l", "vie", *model],
            capture_output=True,
            text=True,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            check=True,
        )
        return proc.stdout, time.monotonic() - t


def sohoa_page(img: Image.Image, dpi: int, options: TextOptions) -> tuple[PageResult, float]:
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(dpi, dpi))
    t = time.monotonic()
    out = extract_text(buf.getvalue(), options)
    return out.extraction.pages[0], time.monotonic() - t


def raw_text(page: PageResult, keep: list[dict[str, object]] | None = None) -> str:
    """The page's text with its tone corrections undone (all, or all but `keep`)."""
    words = [replace(w) for w in page.words]
    keep_ids = {id(c) for c in keep or []}
    tonefix.revert(words, [c for c in page.corrections if id(c) not in keep_ids])
    return words_to_text(words)


# --------------------------------------------------------------------------------------------------------------
# Held-out legal texts, rendered


def _fonts(n: int) -> FontSet | None:
    if n % 2 == 0:
        return None  # the renderer's default: Liberation Serif 2
    d = Path("/usr/share/fonts/truetype/dejavu")
    names = ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSerif-BoldItalic.ttf")
    return FontSet("DejaVuSerif", dict(zip(("", "B", "I", "BI"), (d / x for x in names), strict=True)))


def vbpl_pages(
    split: str, max_docs: int, root: Path
) -> list[tuple[str, list[str], list[Image.Image], list[Image.Image]]]:
    """(name, reference texts, clean 300 dpi pages, degraded 200 dpi pages) of the first 3 pages of held-out texts."""
    sys.path.insert(0, str(Path(__file__).parent))
    from build_syllable_lm import documents, held_out

    docs = held_out(documents(root / "legal_texts" / "vbpl_docs.jsonl.gz"))
    docs = [d for i, d in enumerate(docs) if (i % 2 == 0) == (split == "dev")][:max_docs]
    out = []
    for n, doc in enumerate(docs):
        paras = [p.strip() for p in doc["body_text"].splitlines() if p.strip()][:60]
        lines = tuple(Line((Run(normalize_text(p)),), align="J", indent_mm=10.0, space_before_pt=3.0) for p in paras)
        truth = {"issued_date": "2025-01-01", "issuer": "", "doc_type": "", "number": ""}
        gen = GeneratedDocument(doc["file"], "cong_van", (Band("full", (lines,)),), truth)
        rendered = render_pdf(gen, fonts=_fonts(n))
        refs = rendered.page_texts()[:3]
        clean = rasterise(rendered.data, 300)[:3]
        degraded = [
            degrade(p, degraded_profile(k), _rng(7, doc["file"], 200, k))
            for k, p in enumerate(rasterise(rendered.data, 200)[:3], 1)
        ]
        out.append((f"{doc['file']} ({rendered.font})", refs, clean, degraded))
    return out


def dump_page(folder: Path, key: str, ref: str, page: PageResult, hyps: dict[str, str]) -> None:
    """One JSON a page: the texts and sohoa's words with boxes and the stamps it found (to attribute errors)."""
    folder.mkdir(parents=True, exist_ok=True)
    words = [[w.text, w.conf, w.left, w.top, w.width, w.height, w.block, w.line] for w in page.words]
    record = {"key": key, "reference": ref, "texts": hyps, "words": words, "stamps": page.stamps}
    record["size"] = [page.ocr_width_px, page.ocr_height_px]
    name = re.sub(r"[^\w.-]+", "_", key)
    (folder / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False, indent=0), encoding="utf-8")


_SWEEP_MARGINS = (2.0, 3.0, 4.0, 5.0, 6.0, 8.0)
_SWEEP_ALTS = (0.0, 1.0, 5.0, 10.0, 20.0)
_SWEEP_REREAD = (2.0, 3.0, 4.0, 6.0, 99.0)


def sweep(pages: list[tuple[str, PageResult]], refs: dict[str, str]) -> None:
    """CER over the pages for each threshold triple, from one permissive reading."""
    results = []
    for m in _SWEEP_MARGINS:
        for a in _SWEEP_ALTS:
            for r in _SWEEP_REREAD:
                edits = chars = changed = 0
                for key, page in pages:
                    keep = [
                        c
                        for c in page.corrections
                        if (c["alt_conf"] is None and c["lm_margin"] >= r)
                        or (c["alt_conf"] is not None and c["alt_conf"] >= a and c["lm_margin"] >= m)
                    ]
                    text = raw_text(page, keep)
                    edits += Levenshtein.distance(norm(refs[key]), norm(text))
                    chars += len(norm(refs[key]))
                    changed += len(keep)
                results.append((edits / chars, m, a, r, changed))
    base = sum(Levenshtein.distance(norm(refs[k]), norm(raw_text(p))) for k, p in pages)
    print(f"no correction: CER {base / sum(len(norm(refs[k])) for k, _ in pages):.3%}")
    for cer, m, a, r, changed in sorted(results)[:15]:
        print(f"margin {m:4} alt {a:4} reread-margin {r:4}: CER {cer:.3%} ({changed} changes)")


def born_digital(root: Path, small_skew: bool) -> list[tuple[str, list[str], dict[str, list[Image.Image]]]]:
    out = []
    for pdf in sorted((root / "born_digital").glob("*.pdf")):
        refs = pdf.with_suffix(".txt").read_text(encoding="utf-8").split("\f")
        conditions = {"300dpi-clean": rasterise(pdf, 300)}
        rng_key = pdf.stem
        conditions["200dpi-degraded"] = [
            degrade(p, degraded_profile(n), _rng(7, rng_key, 200, n)) for n, p in enumerate(rasterise(pdf, 200), 1)
        ]
        if small_skew:
            for dpi in (200, 300):
                conditions[f"{dpi}dpi-small-skew"] = [
                    degrade(p, small_skew_profile(n, dpi), _rng(7, rng_key, dpi, n))
                    for n, p in enumerate(rasterise(pdf, dpi), 1)
                ]
        out.append((pdf.name, refs, conditions))
    return out


_CONDITIONS = ("300dpi-clean", "200dpi-degraded", "200dpi-small-skew", "300dpi-small-skew")
_SYSTEMS = ("sohoa", "sohoa-raw", "tesseract")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", type=Path, help="also write the per-page results here")
    ap.add_argument("--small-skew", action="store_true", help="also score pages skewed 0.4-0.8 degrees")
    ap.add_argument("--model", choices=["fast", "best"], default="fast", help="Tesseract model (SOHOA_OCR_MODEL)")
    ap.add_argument("--vbpl", choices=["dev", "test"], help="rendered held-out legal texts instead of born_digital")
    ap.add_argument("--max-docs", type=int, default=6, help="with --vbpl: how many texts (3 pages each)")
    ap.add_argument("--tone-sweep", action="store_true", help="tune the tone thresholds (use with --vbpl dev)")
    ap.add_argument(
        "--engine",
        choices=["library", "cli"],
        default="library",
        help="sohoa's Tesseract: libtesseract in process (default) or the program (SOHOA_OCR_ENGINE)",
    )
    ap.add_argument("--no-bare", action="store_true", help="skip bare Tesseract")
    ap.add_argument("--dump", type=Path, help="write each page's texts (reference, sohoa, bare) and sohoa's words here")
    ap.add_argument(
        "--tone-reread",
        choices=["best", "same"],
        default="best",
        help="the tone correction's second reading: tessdata_best when installed (default), or the first's model",
    )
    ap.add_argument(
        "--tone-split",
        choices=["off", "grey", "otsu"],
        default="off",
        help="the second reading's sheet cut in two halves read on two threads (ToneOptions.split; 2 workers)",
    )
    ap.add_argument("--tone-thresholding", type=int, choices=[0, 1, 2], default=0, help="ToneOptions.thresholding")
    args = ap.parse_args()
    ocr = OcrOptions(model=args.model, tessdata_dir=Settings(ocr_model=args.model).ocr_tessdata_dir, engine=args.engine)
    if ocr.tessdata_dir and not (ocr.tessdata_dir / "vie.traineddata").is_file():
        print(f"no vie.traineddata in {ocr.tessdata_dir}: run `make install`", file=sys.stderr)
        return 2
    root = Path(os.environ.get("SOHOA_SAMPLES", "../shared/data"))
    if args.vbpl:
        sources = [
            (name, refs, {"300dpi-clean": clean, "200dpi-degraded": degraded})
            for name, refs, clean, degraded in vbpl_pages(args.vbpl, args.max_docs, root)
        ]
    else:
        sources = born_digital(root, args.small_skew)
    if not sources:
        print(f"no pages under {root}; set SOHOA_SAMPLES", file=sys.stderr)
        return 2
    tones = tonefix.ToneOptions(
        reread_model=args.tone_reread, split=args.tone_split, thresholding=args.tone_thresholding
    )
    if args.tone_sweep:
        tones = replace(tones, min_margin=2.0, min_alt_conf=0.0, min_margin_reread=2.0)
    # One page a document here: 2 workers only change the second reading, and only with --tone-split.
    options = TextOptions(ocr=ocr, workers=1 if args.tone_split == "off" else 2, tones=tones)
    rows, corrections = [], []
    swept: dict[str, list[tuple[str, PageResult]]] = {}
    refs_by_key: dict[str, str] = {}
    for name, refs, conditions in sources:
        for cond, pages in conditions.items():
            dpi = 300 if cond.startswith("300") else 200
            for n, img in enumerate(pages, 1):
                ref = refs[n - 1] if n - 1 < len(refs) else ""
                if not norm(ref):
                    continue
                page, seconds = sohoa_page(img, dpi, options)
                hyps = {"sohoa": (page.text, seconds), "sohoa-raw": (raw_text(page), seconds)}
                key = f"{name} p{n} {cond}"
                swept.setdefault(cond, []).append((key, page))
                refs_by_key[key] = ref
                corrections += [{"file": name, "condition": cond, **c} for c in page.corrections]
                if not args.no_bare and not args.tone_sweep:
                    hyps["tesseract"] = bare_tesseract(img, dpi, ocr)
                if args.dump:
                    dump_page(args.dump, key, ref, page, {s: h for s, (h, _) in hyps.items()})
                for system, (hyp, secs) in hyps.items():
                    rows.append(
                        {
                            "file": name,
                            "page": n,
                            "condition": cond,
                            "system": system,
                            "seconds": round(secs, 2),
                            **scores(ref, hyp),
                        }
                    )
                    print(
                        f"{name} p{n} {cond:16} {system:9} CER {rows[-1]['char_edits'] / rows[-1]['chars']:.2%}"
                        f" FCER {rows[-1]['flex_char_errors'] / rows[-1]['chars']:.2%}  {secs:.1f}s",
                        file=sys.stderr,
                    )
                for c in page.corrections:
                    print(
                        f"    {c['before']} -> {c['after']} margin {c['lm_margin']} alt {c['alt_conf']} "
                        f"reread {c['reread']!r}",
                        file=sys.stderr,
                    )
    if args.tone_sweep:
        for cond, pages_ in swept.items():
            print(f"\n{cond}:")
            sweep(pages_, refs_by_key)
        return 0
    source = f"vbpl {args.vbpl} ({len(sources)} texts)" if args.vbpl else "born_digital"
    print(
        f"\n{source}, model {args.model}: {language_pack('vie', ocr.tessdata_dir)}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'condition':16} {'system':10} {'pages':>5} {'CER':>7} {'FCER':>7} {'BoC':>7} {'WER':>7} {'BoW':>7}"
        f" {'s/page':>7}"
    )
    summary = {}
    for cond in _CONDITIONS:
        for system in _SYSTEMS:
            sel = [r for r in rows if r["condition"] == cond and r["system"] == system]
            if not sel:
                continue
            chars, words = sum(r["chars"] for r in sel), sum(r["words"] for r in sel)
            cer = sum(r["char_edits"] for r in sel) / chars
            fcer = sum(r["flex_char_errors"] for r in sel) / chars
            wer = sum(r["word_edits"] for r in sel) / words
            bow = sum(r["bow_errors"] for r in sel) / words
            boc = sum(r["boc_errors"] for r in sel) / sum(r["nonspace"] for r in sel)
            spp = sum(r["seconds"] for r in sel) / len(sel)
            summary[f"{cond}/{system}"] = {
                "cer": cer,
                "fcer": fcer,
                "boc": boc,
                "wer": wer,
                "bow": bow,
                "pages": len(sel),
                "s_per_page": spp,
            }
            print(
                f"{cond:16} {system:10} {len(sel):5} {cer:7.2%} {fcer:7.2%} {boc:7.2%} {wer:7.2%} {bow:7.2%} {spp:7.2f}"
            )
    print(f"tone corrections: {len(corrections)}")
    if args.json:
        report = {"model": args.model, "language_pack": language_pack("vie", ocr.tessdata_dir), "source": source}
        args.json.write_text(
            json.dumps(
                {**report, "summary": summary, "pages": rows, "corrections": corrections}, indent=1, ensure_ascii=False
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
