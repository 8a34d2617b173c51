"""Throughput of the metadata extractor on 5-page texts (goal: 200 documents/s on one core).

Texts are built from the deterministic sample generator: page 1 is a whole generated document (header, body,
signature), pages 2-5 are body paragraphs of other generated documents, about 2,400 characters each (the page
length of the real scans in ../shared/data). ``--real DIR`` adds the texts of a directory of .txt files (pages
split by form feeds), e.g. the OCR cache of ``scripts/eval_metadata.py``.

Usage: ``.venv/bin/python scripts/bench_metadata.py [--docs 400] [--pages 5] [--rules] [--profile]``
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time
from pathlib import Path

from sohoa.extractors.metadata import EXTRACTOR_VERSION, Assembler, Layout, MetadataExtractor
from sohoa.extractors.pii import find_pii
from sohoa.samples.texts import generate_documents

PAGE_CHARS = 2400


def build_texts(count: int, pages: int, seed: int = 7) -> list[str]:
    docs = generate_documents(max(8, count), seed=seed)
    bodies = [d.text.split("\n", 10)[-1] for d in docs]  # drop the header lines
    filler = "\n".join(bodies)
    texts = []
    for i in range(count):
        page1 = docs[i % len(docs)].text
        rest = []
        for p in range(pages - 1):
            start = ((i * 7919 + p * 104729) % max(1, len(filler) - PAGE_CHARS)) if len(filler) > PAGE_CHARS else 0
            start = filler.find("\n", start) + 1
            rest.append(filler[start : start + PAGE_CHARS])
        texts.append("\f".join([page1, *rest]))
    return texts


def real_texts(directory: Path) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.txt"))]


def page_starts(text: str) -> list[int]:
    starts = [0]
    pos = text.find("\f")
    while pos >= 0:
        starts.append(pos + 1)
        pos = text.find("\f", pos + 1)
    return starts


def run(extractor: MetadataExtractor, texts: list[str]) -> tuple[list[float], float]:
    """Wall time per text, and the process CPU time of the whole run (the fair number on a shared machine)."""
    times = []
    cpu0 = time.process_time()
    for t in texts:
        t0 = time.perf_counter()
        extractor.extract(t, page_starts(t))
        times.append(time.perf_counter() - t0)
    return times, time.process_time() - cpu0


def report(name: str, texts: list[str], timing: tuple[list[float], float]) -> None:
    times, cpu = timing
    total = sum(times)
    chars = sum(map(len, texts)) / len(texts)
    ms = sorted(1000 * x for x in times)
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    print(
        f"{name}: {len(texts)} texts, {chars:,.0f} chars avg -> {len(texts) / total:,.0f} docs/s wall, "
        f"{len(texts) / cpu:,.0f} docs/s per CPU second (median {statistics.median(ms):.2f} ms, p95 {p95:.2f} ms)"
    )


def rules(extractor: MetadataExtractor, texts: list[str]) -> None:
    """CPU time per rule, and of the PII pass on its own (it finds the codes itself then)."""
    from sohoa.extractors.codes import align

    spent: dict[str, float] = {}
    clock = time.process_time
    for t in texts:
        t0 = clock()
        aligned = align(t)
        layout = Layout.build(aligned.text)
        spent["align + layout"] = spent.get("align + layout", 0.0) + clock() - t0
        results = extractor.pipeline.run(layout, cpu=spent)
        t0 = clock()
        Assembler(extractor.resources, results, t, aligned, page_starts(t)).run()
        spent["assemble"] = spent.get("assemble", 0.0) + clock() - t0
        t0 = clock()
        find_pii(t, page_starts(t))
        spent["pii (alone)"] = spent.get("pii (alone)", 0.0) + clock() - t0
    for name, s in spent.items():
        print(f"  {name:<22} {1000 * s / len(texts):6.2f} ms/doc CPU")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=400)
    parser.add_argument("--pages", type=int, default=5)
    parser.add_argument("--real", type=Path, help="also time the .txt files of this directory")
    parser.add_argument("--rules", action="store_true", help="time each rule")
    parser.add_argument("--profile", action="store_true", help="cProfile one pass, top 25 by cumulative time")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    extractor = MetadataExtractor()
    print(f"extractor {EXTRACTOR_VERSION} (init {time.perf_counter() - t0:.2f}s)")
    texts = build_texts(args.docs, args.pages)
    run(extractor, texts[:20])  # warm caches (regex compilation, syllable and key caches)
    report(f"generated {args.pages}-page", texts, run(extractor, texts))
    if args.real:
        real = real_texts(args.real)
        if real:
            run(extractor, real)
            real = real * max(1, 200 // len(real))
            report(f"real ({args.real})", real, run(extractor, real))
    if args.rules:
        rules(extractor, texts)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        run(extractor, texts)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
