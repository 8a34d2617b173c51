"""Dossier stacks (issue 19): split F1, paper-type accuracy, field accuracy per type, linking accuracy, speed.

Generates scanned stacks (sohoa/samples/dossier_papers.py) of one template family, splits each with
sohoa.dossier.split (render at 150 dpi, zxing-cpp, blank test), OCRs every part with the project's text extraction
(Tesseract ``vie``) and extracts metadata; compares with the generator's truth. Tune on ``--family dev``, report on
``--family heldout`` (other wording, layout, font, provinces and people).

    PYTHONPATH=$PWD nice -n 10 python scripts/eval_dossier.py --family heldout --stacks 2 --seed 7

``--results`` generates stacks where most dossiers end with a result (issued before, on or after the appointment
day; its QR says it is a result in one of several ways, or not at all) and also measures: receipt-vs-result
accuracy (sohoa.dossier.results.decide_role against the old rule, a ``-KQ`` code in the QR payload), result-type
code accuracy on the result papers (match_result against the generated catalogue, CATALOGUE) and each dossier's
on-time status from its receipt and result (sohoa.dossier.completeness.on_time).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from sohoa.dossier.cards import apply_card_codes
from sohoa.dossier.completeness import on_time
from sohoa.dossier.results import decide_role, match_result, title_text
from sohoa.dossier.split import analyse, page_images, plan, split_stack
from sohoa.extractors.fieldboxes import attach_boxes
from sohoa.extractors.metadata import extract_metadata
from sohoa.extractors.text import TextOptions, extract_text
from sohoa.samples.dossier_papers import CATALOGUE, stack
from sohoa.textnorm import fold


def same(field: str, got: Any, want: Any) -> bool:
    if got is None:
        return False
    if field in ("full_name", "applicant_name", "owner_name", "father_name", "mother_name", "business_name"):
        return (
            " ".join(fold(str(got)).split()) == " ".join(fold(str(want)).split())
            and str(got).casefold() == str(want).casefold()
        )
    if field == "address":
        return " ".join(str(got).casefold().split()) == " ".join(str(want).casefold().split())
    return str(got) == str(want)


def iou(a: list[float], b: list[float]) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def contains(outer: list[float], inner: list[float], slack: float = 0.003) -> bool:
    """``inner`` inside ``outer`` give or take ``slack`` (a fraction of the page: ~0.6 mm on A4)."""
    return (
        outer[0] - slack <= inner[0]
        and outer[1] - slack <= inner[1]
        and inner[2] <= outer[2] + slack
        and inner[3] <= outer[3] + slack
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--family", choices=["dev", "heldout"], default="dev")
    ap.add_argument("--stacks", type=int, default=2)
    ap.add_argument("--dossiers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", action="store_true", help="print every wrong field")
    ap.add_argument("--results", action="store_true", help="stacks with results; measure roles, codes, on time")
    args = ap.parse_args()
    tp = fp = fn = 0
    types = [0, 0]
    links = [0, 0]
    fields: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    # Boxes: extracted fields (with a value) whose value is printed on the paper; of those, how many got a box, and
    # how many boxes overlap the printed value's true box (IoU >= 0.5, or one box inside the other).
    boxes = {"printed": 0, "boxed": 0, "iou_0_5": 0, "contains": 0, "good": 0}
    qr_boxes = {"from_qr_only": 0, "boxed": 0, "good": 0}  # card fields the print does not give: the code's place
    ious: list[float] = []
    box_misses: list[str] = []
    analysis_s = ocr_s = meta_s = 0.0
    ocr_pages = 0
    options = TextOptions(workers=1)
    roles = {"decided": [0, 0], "kq_rule": [0, 0], "desk_decided": [0, 0], "desk_kq_rule": [0, 0]}
    codes: dict[str, int] = defaultdict(int)
    timely: dict[str, int] = defaultdict(int)
    with tempfile.TemporaryDirectory(prefix="sohoa-eval-dossier-") as tmp:
        for i in range(args.stacks):
            st = stack(args.seed, args.family, i, args.dossiers, args.results)
            seen: list[tuple[dict[str, Any], dict[str, Any], Any, str]] = []  # (truth, part, metadata, text)
            src = Path(tmp) / f"{st.name}.pdf"
            src.write_bytes(st.pdf)
            t0 = time.perf_counter()
            images = page_images(src) or []
            plan([analyse(im, n) for n, im in enumerate(images, 1)])
            analysis_s += time.perf_counter() - t0
            parts = split_stack(src, Path(tmp) / "parts") or [src]
            record = json.loads(next((Path(tmp) / "parts").glob(f"{st.name}-*/stack.json")).read_text())
            truth = {tuple(p["source_pages"]): p for p in st.truth["parts"]}
            got = {tuple(p["source_pages"]): (p, path) for p, path in zip(record["parts"], parts, strict=True)}
            tp += len(truth.keys() & got.keys())
            fp += len(got.keys() - truth.keys())
            fn += len(truth.keys() - got.keys())
            for pages, (part, path) in got.items():
                want = truth.get(pages)
                if want is None:
                    continue
                t1 = time.perf_counter()
                out = extract_text(path.read_bytes(), options)
                ocr_s += time.perf_counter() - t1
                ocr_pages += len(out.extraction.pages)
                t2 = time.perf_counter()
                md = extract_metadata(out.extraction.text, out.extraction.page_starts)
                # as sohoa digitise does for stack parts
                apply_card_codes(md, part.get("card_codes") or [], part.get("card_code_boxes"))
                attach_boxes(md, out.extraction, path.read_bytes())  # as sohoa digitise does
                meta_s += time.perf_counter() - t2
                for name, true in (want.get("boxes") or {}).items():
                    entry = md.fields.get(name) if md.paper_type == want["paper_type"] else None
                    if not entry or entry.get("value") in (None, ""):
                        continue
                    if true.get("on") == "qr":
                        qr_boxes["from_qr_only"] += 1
                        got_box = entry.get("box")
                        if got_box and got_box["page"] == true["page"]:
                            qr_boxes["boxed"] += 1
                            b = [got_box["x0"], got_box["y0"], got_box["x1"], got_box["y1"]]
                            qr_boxes["good"] += iou(b, true["box"]) >= 0.5 or contains(true["box"], b)
                        continue
                    boxes["printed"] += 1
                    got_box = entry.get("box")
                    if not got_box or got_box["page"] != true["page"]:
                        box_misses.append(f"{st.name} p{pages} {name}: no box ({entry.get('source', 'text')})")
                        continue
                    boxes["boxed"] += 1
                    b = [got_box["x0"], got_box["y0"], got_box["x1"], got_box["y1"]]
                    score = iou(b, true["box"])
                    ious.append(score)
                    inside = contains(b, true["box"]) or contains(true["box"], b)
                    boxes["iou_0_5"] += score >= 0.5
                    boxes["contains"] += inside
                    boxes["good"] += score >= 0.5 or inside
                    if not (score >= 0.5 or inside):
                        box_misses.append(f"{st.name} p{pages} {name}: IoU {score:.2f} {b} vs {true['box']}")
                seen.append((want, part, md, out.extraction.text))
                types[0] += md.paper_type == want["paper_type"]
                types[1] += 1
                links[0] += part["dossier_code"] == want["dossier_code"]
                links[1] += 1
                for name, value in want["fields"].items():
                    entry = md.fields.get(name) if md.paper_type == want["paper_type"] else None
                    ok = same(name, entry["value"] if entry else None, value)
                    fields[f"{want['paper_type']}.{name}"][0] += ok
                    fields[f"{want['paper_type']}.{name}"][1] += 1
                    if args.show and not ok:
                        print(f"  {st.name} p{pages}: {name}: {entry and entry['value']!r} != {value!r}")
                if args.show and md.paper_type != want["paper_type"]:
                    print(f"  {st.name} p{pages}: type {md.paper_type} != {want['paper_type']}")
            if args.results:
                _roles_codes_timeliness(st.truth, seen, roles, codes, timely, args.show)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    per_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, (ok, n) in fields.items():
        per_type[key.split(".")[0]][0] += ok
        per_type[key.split(".")[0]][1] += n
    all_ok = sum(ok for ok, _ in fields.values())
    all_n = sum(n for _, n in fields.values())
    report = {
        "family": args.family,
        "seed": args.seed,
        "stacks": args.stacks,
        "split": {"tp": tp, "fp": fp, "fn": fn, "f1": round(f1, 3)},
        "paper_type_accuracy": round(types[0] / types[1], 3) if types[1] else None,
        "linking_accuracy": round(links[0] / links[1], 3) if links[1] else None,
        "field_accuracy": round(all_ok / all_n, 3) if all_n else None,
        "field_accuracy_per_type": {k: f"{ok}/{n}" for k, (ok, n) in sorted(per_type.items())},
        "field_accuracy_per_field": {k: f"{ok}/{n}" for k, (ok, n) in sorted(fields.items()) if ok < n},
        "boxes": {
            **boxes,
            "share_good": round(boxes["good"] / boxes["printed"], 3) if boxes["printed"] else None,
            "mean_iou": round(sum(ious) / len(ious), 3) if ious else None,
            "misses": box_misses,
            "card_fields_from_the_qr_only": qr_boxes,
        },
        "seconds": {
            "split_analysis": round(analysis_s, 2),
            "ocr": round(ocr_s, 2),
            "metadata": round(meta_s, 2),
            "ocr_pages": ocr_pages,
            "split_overhead_vs_ocr": round(analysis_s / ocr_s, 3) if ocr_s else None,
        },
    }
    if args.results:
        report["receipt_vs_result"] = {k: f"{ok}/{n}" for k, (ok, n) in roles.items()}
        report["result_type"] = dict(codes)
        report["on_time"] = dict(timely)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


def _day(entry: Any) -> date | None:
    value = entry.get("value") if isinstance(entry, dict) else entry
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _roles_codes_timeliness(
    truth: dict[str, Any],
    seen: list[tuple[dict[str, Any], dict[str, Any], Any, str]],
    roles: dict[str, list[int]],
    codes: dict[str, int],
    timely: dict[str, int],
    show: bool,
) -> None:
    """Receipt or result per part, the result-type code of each result, each dossier's on-time status."""
    printed: dict[str, str] = {}  # dossier -> the procedure code its receipt prints
    for _, part, md, _ in seen:
        entry = md.fields.get("procedure_code") if md.paper_type == "giay_tiep_nhan" else None
        if part["dossier_code"] and entry:
            printed[part["dossier_code"]] = entry["value"]
    predicted: dict[str, dict[str, Any]] = defaultdict(dict)
    for want, part, md, text in seen:
        proc = part.get("procedure_code") or printed.get(part["dossier_code"] or "")
        record = CATALOGUE.get(proc or "", {"papers": [], "results": []})
        meta = md.to_dict()
        query = title_text(text, meta)
        decision = decide_role(
            qr_role=part.get("qr_role"),
            starts_at_system_qr=part.get("starts_at") == "system_qr",
            paper_type=md.paper_type,
            query=query,
            results=record["results"],
            papers=record["papers"],
            system_qr_in_stack=bool(part.get("stack_system_qr")),
        )
        old = "result" if "-KQ" in (part.get("qr") or "").upper() else "component"
        desk = want["paper_type"] == "giay_tiep_nhan" or want["role"] == "result"  # what carries a system QR
        for key, got in (("decided", decision.role), ("kq_rule", old)):
            roles[key][0] += got == want["role"]
            roles[key][1] += 1
            if desk:
                roles[f"desk_{key}"][0] += got == want["role"]
                roles[f"desk_{key}"][1] += 1
        if show and decision.role != want["role"]:
            print(
                f"  role p{want['source_pages']}: {decision} != {want['role']} ({md.paper_type}, qr {part.get('qr')})"
            )
        dossier = predicted[part["dossier_code"] or "?"]
        if md.paper_type == "giay_tiep_nhan":
            dossier["received"] = _day(md.fields.get("received_date"))
            dossier["due"] = _day(md.fields.get("appointment_date"))
        if decision.role == "result":
            dossier["finished"] = _day(md.fields.get("issue_date")) or _day(md.issued_date)
        if want["role"] == "result":
            m = match_result(record["results"], query)
            codes["results"] += 1
            codes["right"] += m.result_type == want["result_type"]
            codes["wrong"] += m.result_type is not None and m.result_type != want["result_type"]
            codes[f"how_{m.how}"] += 1
            if show and m.result_type != want["result_type"]:
                print(f"  code p{want['source_pages']}: {m} != {want['result_type']}")
    wanted: dict[str, dict[str, Any]] = defaultdict(dict)
    for part in truth["parts"]:
        d = wanted[part["dossier_code"]]
        if part["paper_type"] == "giay_tiep_nhan":
            d["received"] = date.fromisoformat(part["fields"]["received_date"])
            d["due"] = date.fromisoformat(part["fields"]["appointment_date"])
        if part["role"] == "result":
            d["finished"] = date.fromisoformat(part["issued"]) if part.get("issued") else d["due"]
    for code, d in wanted.items():
        want_status = on_time(d.get("received"), d.get("due"), d.get("finished"))
        p = predicted.get(code, {})
        got = on_time(p.get("received"), p.get("due"), p.get("finished"))
        timely["dossiers"] += 1
        timely["right"] += got == want_status
        timely[f"truth_{want_status}"] += 1
        if show and got != want_status:
            print(f"  on time {code}: {got} != {want_status} ({p} / {d})")


if __name__ == "__main__":
    raise SystemExit(main())
