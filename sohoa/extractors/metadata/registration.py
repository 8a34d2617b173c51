"""Page 1's received stamp as archival registration data, and the number and date lines it covered.

An office that receives a document stamps its first page ("ĐẾN", "Số", "Ngày", "Giờ", the values by hand); the
incoming-document register is kept from exactly these, so they become metadata fields of their own
(``received_number``, ``received_date`` ISO, ``received_time`` hh:mm) with the stamp line's OCR confidence.
The stamp often lands on the document's own "Số: …" line: the OCR step re-reads the lines it touches with the
stamp masked (``sohoa.extractors.stamps``), and when the text alone gives no number or date, the first-pass line
is replaced by its re-reading and the metadata read again. The stamp's own "Số" never becomes the document's.

Input: the ``stamps`` of page 1 (``PageResult.stamps``, dicts of ``stamps.Stamp.to_dict()``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sohoa.extractors.codes import parse_document_number
from sohoa.extractors.metadata import handwritten
from sohoa.extractors.metadata.lexicon import Resources
from sohoa.extractors.types import DocumentMetadata, Span

Extract = Callable[[str, "list[int] | None"], DocumentMetadata]
Known = Callable[[str], int]

# The fields a re-read number or date line must bring without losing any of the others.
_CORE = ("number", "issued_date", "doc_type", "issuer")
# The header's number or date line read again alone as print (``sohoa.extractors.printreread``), "… (best)".
PRINT_REREAD = "print line read again"
# Flags the re-reading answers when it gives the field.
_SETTLED = {"number": ("no_number", "unreadable_number", "blank_number"), "issued_date": ("no_date", "unreadable_date")}


def received(stamps: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The first received stamp that carries a value."""
    for s in stamps:
        if s.get("kind") == "received" and (s.get("incoming_number") or s.get("received_date")):
            return s
    return None


def _iso(day_month_year: str, issued: str | None) -> tuple[str, bool] | None:
    """ "12/3/2026" → "2026-03-12"; a missing year is the issue year (a stamp comes after the document): guessed."""
    parts = [int(p) for p in re.findall(r"\d+", day_month_year)]
    if len(parts) < 2:
        return None
    day, month = parts[0], parts[1]
    guessed = len(parts) < 3
    if guessed:
        if issued is None:
            return None
        year = int(issued[:4])
        if (month, day) < (int(issued[5:7]), int(issued[8:10])):
            year += 1  # received in January a document of December
    else:
        year = parts[2] + (2000 if parts[2] < 100 else 0)
    try:
        return date(year, month, day).isoformat(), guessed
    except ValueError:
        return None


def _clock(hh_mm: str) -> bool:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", hh_mm)
    return m is not None and int(m.group(1)) <= 23 and int(m.group(2)) <= 59


def add_registration(md: DocumentMetadata, stamp: dict[str, Any]) -> None:
    """Fill received_number / received_date / received_time from a received stamp (confidence 0-1 from OCR)."""
    if value := stamp.get("incoming_number"):
        md.received_number = str(value[0])
        md.confidence["received_number"] = round(float(value[1]) / 100, 2)
    if value := stamp.get("received_date"):
        iso = _iso(str(value[0]), md.issued_date)
        # Received before it was issued, or years in the future: a misread (a print digit under the stamp, "2044"
        # for "2024"), not a register entry.
        late = iso is not None and int(iso[0][:4]) > date.today().year + 1
        if iso is not None and not (md.issued_date and iso[0] < md.issued_date) and not late:
            md.received_date = iso[0]
            md.confidence["received_date"] = round(float(value[1]) / 100 * (0.6 if iso[1] else 1.0), 2)
            if iso[1]:
                md.flags.append("received_year_guessed")
    if (value := stamp.get("received_time")) and _clock(str(value[0])):
        md.received_time = str(value[0])
        md.confidence["received_time"] = round(float(value[1]) / 100, 2)
    if (md.received_number or md.received_date or md.received_time) and "received_stamp_unverified" not in md.flags:
        md.flags.append("received_stamp_unverified")  # a person confirms the register fields (see corrections)


def blank_own_words(text: str, page_starts: list[int] | None, stamps: Sequence[dict[str, Any]]) -> str:
    """Page 1's text with the received stamp's own words (office, "ĐẾN", labels, values) as spaces: same length,
    so spans still point into the caller's text; its office is never read as the issuer."""
    end = page_starts[1] if page_starts and len(page_starts) > 1 else len(text)
    for s in stamps:
        for line, masked in s.get("own_words") or []:
            at = text.find(line, 0, end)
            if at >= 0 and len(masked) == len(line):
                text = text[:at] + masked + text[at + len(line) :]
    return text


def _own_number_is_the_stamps(md: DocumentMetadata, stamp: dict[str, Any] | None) -> bool:
    """The "number" read is the stamp's incoming number: digits alone, equal to it."""
    if stamp is None or md.number is None or not stamp.get("incoming_number"):
        return False
    incoming = str(stamp["incoming_number"][0])
    return "/" not in md.number and re.sub(r"\D", "", md.number) == re.sub(r"\D", "", incoming)


def _variants(stamps: Sequence[dict[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    """(first-pass line, replacement, the re-reading it came from) triples: each whole re-reading, then the two
    sides of the stamp joined."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    for s in stamps:
        by_line: dict[str, dict[str, str]] = {}
        for r in s.get("rereads") or []:
            first, text = str(r.get("first_pass") or ""), str(r.get("text") or "").strip()
            if first and text:
                by_line.setdefault(first, {})[str(r.get("how"))] = text
                out.append((first, text, r))
        for first, hows in by_line.items():
            left, right = hows.get("left of the stamp"), hows.get("right of the stamp")
            if left and right:
                out.append((first, f"{left} {right}", {"how": "sides of the stamp"}))
            # A number line whose date half a re-reading gives whole while its number half came out garbled (the
            # print layer's block reading took words of the line below): the first pass's number, the re-read date.
            head = _NUMBER_HEAD.match(first)
            for how, text in hows.items():
                if head and (date := _WHOLE_DATE.search(text)):
                    out.append((first, f"{head.group(0)} {date.group(0)}", {"how": how}))
    return out


_NUMBER_HEAD = re.compile(r"\W{0,2}S[ốoô]\s*[:.]?\s*\S+")
# With the place before it when read ("Cao Bằng, ngày …"): the date rule reads a date after a place.
_WHOLE_DATE = re.compile(r"(?:(?:[^\W\d_]+\s){0,3}[^\W\d_]+,\s*)?ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}")


def _remap(md: DocumentMetadata, at: int, old_len: int, new_len: int, page_starts: list[int] | None) -> None:
    """Spans of the metadata read from the patched text, moved back into the caller's text."""
    shift = new_len - old_len

    def back(pos: int) -> int:
        if pos <= at:
            return pos
        if pos >= at + new_len:
            return pos - shift
        return min(pos, at + old_len)  # inside the re-read line: clamp to the first-pass line

    def span(s: Span) -> Span:
        return Span(back(s.start), max(back(s.start), back(s.end)), s.page)

    md.spans = {k: span(s) for k, s in md.spans.items()}
    for c in md.cited_documents:
        c.spans = {k: span(s) for k, s in c.spans.items()}
    for p in md.pii:
        p.start, p.end = back(p.start), max(back(p.start), back(p.end))


def symbol_score(res: Resources, number: str) -> int:
    """How much of a number's symbol is known: 2 a type (when it carries a year, or a letter's) and an issuer
    ("57/KH-UBND", "58/2026/NĐ-CP"), 1 the type alone ("740/TB-VPUBND"), 0 neither ("740/TBrVPUBNĐ", print under
    a stamp read as letters). Many real symbols are not fully known: a low score is only a reason to look at a
    re-reading, never to drop a number."""
    parts = number.split("/")
    groups = tuple(g for g in parts[-1].split("-") if g)
    has_year = any(len(p) == 4 and p.isdigit() for p in parts[1:-1])
    doc_type, first_is_type = res.type_for_symbol(groups, has_year)
    if doc_type is None:
        return 0
    issuer, _ = res.issuer_for_symbol(groups, first_is_type)
    generic = any(g in res.generic_symbols for g in groups[(1 if first_is_type else 0) :][:1])
    return 2 if issuer is not None or generic else 1


def _better_number(first: str | None, other: str | None, known: Known | None) -> bool:
    """A re-read number that replaces the first pass's: the same figures and more of its symbol known ("57/KH-ĐBNĐ" ->
    "57/KH-UBND", "740/TBrVPUBNĐ" -> "740/TB-VPUBND"), or it is the first's with the end the stamp cut off
    ("2505/STP" -> "2505/STP-HCTP", "7462/UBND-KS" -> "…-KSTT") and no less known."""
    if first is None or other is None or other == first:
        return False
    if known is None:
        return other.startswith(first)
    if known(other) > known(first):
        # The same figures: only the symbol, where the stamp's strokes fall on letters, is re-read.
        return other.split("/")[0] == first.split("/")[0]
    return other.startswith(first) and known(other) >= known(first)


def _number_year(number: str | None) -> int | None:
    """The year group of a number ("148/2020/TT-BCA" -> 2020), None without one."""
    parsed = parse_document_number(number) if number else None
    return int(parsed.year) if parsed is not None and parsed.year else None


def date_fits(md: DocumentMetadata, today: date | None = None) -> bool:
    """The issued date agrees with what is printed around it: the year of the document's number (a number is
    counted within the year it is signed), the texts it cites (each issued before it: only citations whose own
    number and date agree, so a misread citation refuses nothing), and a year past next year (a clock may be
    off, a draft dated ahead). No date: nothing to refuse."""
    if md.issued_date is None:
        return True
    issued = md.issued_date
    if int(issued[:4]) > (today or date.today()).year + 1:
        return False
    year = _number_year(md.number)
    if year is not None and year != int(issued[:4]):
        return False
    for c in md.cited_documents:
        cited_year = _number_year(c.number)
        if c.issued_date is None or cited_year is None or int(c.issued_date[:4]) != cited_year:
            continue
        if (year is None or cited_year <= year) and c.issued_date > issued:
            return False
    return True


def _keep_date(candidate: DocumentMetadata, best: DocumentMetadata) -> None:
    """The candidate's issued date put back to ``best``'s (a re-read date the printed context refuses)."""
    candidate.issued_date = best.issued_date
    # Its span is put back by the caller once the candidate's spans point into the caller's text (`_remap`).
    for table in (candidate.confidence, candidate.spans):
        table.pop("issued_date", None)
    if best.issued_date is not None:
        candidate.confidence["issued_date"] = best.confidence.get("issued_date", 0.0)
    candidate.flags = [f for f in candidate.flags if f not in _SETTLED["issued_date"]]
    candidate.flags += [f for f in best.flags if f in _SETTLED["issued_date"]]


def _score(md: DocumentMetadata) -> int:
    return sum(getattr(md, f) is not None for f in _CORE)


def with_rereads(
    text: str,
    page_starts: list[int] | None,
    stamps: Sequence[dict[str, Any]],
    md: DocumentMetadata,
    extract: Extract,
    known: Known | None = None,
) -> DocumentMetadata:
    """Metadata read again with a stamp-covered line replaced by its re-reading, when that gives the number or
    the date the text alone did not, and loses no other core field; else ``md`` unchanged.

    A number the text gave is replaced too, by a re-reading's (`_better_number`), when ``known`` (`symbol_score`)
    says more of the re-reading's symbol is known (the print under a stamp read well formed but wrong:
    "57/KH-ĐBNĐ" for "57/KH-UBND"), when the re-reading is the same number with the end the stamp had cut, or when
    the text's number was only guessed from a citation (its own line lost under the stamp)."""
    stamp = received(stamps)
    if _own_number_is_the_stamps(md, stamp):
        md.spans.pop("number", None)
        md.confidence.pop("number", None)
        md.number = None
        md.flags.append("no_number")
    page1_end = page_starts[1] if page_starts and len(page_starts) > 1 else len(text)
    best, best_score = md, _score(md)
    taken: dict[str, Any] | None = None
    for first, replacement, reread in _variants(stamps):
        at = text.find(first, 0, page1_end)
        if at < 0:
            continue
        patched = text[:at] + replacement + text[at + len(first) :]
        shift = len(replacement) - len(first)
        starts = None if page_starts is None else [s if s <= at else s + shift for s in page_starts]
        candidate = extract(patched, starts)
        if _own_number_is_the_stamps(candidate, stamp):
            continue
        # A re-read date the number's year, the cited texts or today contradict is a misreading (a pen "31" read
        # "4"): the candidate keeps the date it had before; its other fields still count.
        kept_date = candidate.issued_date != best.issued_date and not date_fits(candidate)
        if kept_date:
            _keep_date(candidate, best)
        gains = [f for f in ("number", "issued_date") if getattr(candidate, f) and not getattr(best, f)]
        lost = [f for f in _CORE if getattr(best, f) and not getattr(candidate, f)]
        fixed = _better_number(best.number, candidate.number, known) or (
            # A number printed on the "Số:" line beats one guessed from a citation above the type line.
            "number_guessed" in best.flags and candidate.number is not None and "number_guessed" not in candidate.flags
        )
        # A value the first pass doubted in a pen-filled blank, read again from the blank (``penblanks``).
        doubted = handwritten.doubted_fields(reread)
        if "number" in doubted and candidate.number is not None:
            fixed = True
        if "issued_date" in doubted and candidate.issued_date and candidate.issued_date != best.issued_date:
            fixed = fixed or candidate.number == best.number
        # A number the text gave changes only for a better one, never as a side effect of a gained date (a re-read
        # line whose number came out garbled would leave a number guessed from a citation in its place).
        if best.number is not None and candidate.number != best.number and not fixed:
            continue
        if (gains or fixed) and not lost and _score(candidate) >= best_score + (0 if fixed else 1):
            _remap(candidate, at, len(first), len(replacement), page_starts)
            if kept_date and "issued_date" in best.spans:
                candidate.spans["issued_date"] = best.spans["issued_date"]
            key = "print_line_reread" if str(reread.get("how", "")).startswith(PRINT_REREAD) else "stamp_line_reread"
            candidate.repairs = {**candidate.repairs, key: 1}
            best, best_score, taken = candidate, _score(candidate), reread
    if best is not md:
        for f in ("number", "issued_date"):
            if getattr(best, f) is not None:
                best.flags = [x for x in best.flags if x not in _SETTLED[f]]
        if taken is not None:
            handwritten.mark(best, md, taken)
            # A line read again as print or a handwritten blank: what it gave holds no more than its confidence.
            printed = str(taken.get("how", "")).startswith(PRINT_REREAD)
            capped = ("number", "issued_date") if printed else tuple(handwritten.fields(taken))
            _cap_confidence(best, md, float(taken.get("conf") or 0.0) / 100, capped)
    # A date written by pen that the first pass read sure and wrong (the blank's re-reading refused above, or none):
    # when the printed context contradicts it, it is no date either, flagged for the reviewer.
    pen_date = any("issued_date" in handwritten.fields(r) for s in stamps for r in s.get("rereads") or [])
    if pen_date and not date_fits(best):
        best.issued_date = None
        best.confidence.pop("issued_date", None)
        best.flags = [f for f in best.flags if f != "date_handwritten"]
        if "invalid_date" not in best.flags:
            best.flags.append("invalid_date")
    return best


def _cap_confidence(md: DocumentMetadata, before: DocumentMetadata, conf: float, fields: Sequence[str]) -> None:
    """Each of ``fields`` that ``md`` holds otherwise than ``before`` gets no more confidence than ``conf``."""
    for f in fields:
        if getattr(md, f) is not None and getattr(md, f) != getattr(before, f):
            md.confidence[f] = round(min(md.confidence.get(f, 1.0), conf), 2)
