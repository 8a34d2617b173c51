"""Repairs of an announcement decision's rows read by OCR from a scan, each recorded so it can be audited.

Tesseract reads a scanned annex well enough to find every procedure, but its names carry OCR errors a person would
not make: a wrong tone ("chỉ phí" for "chi phí"), a speck read as a full stop ("200.000 đồng."), a stray word from
the ruling ("án 'Thủ tục …"), one digit of a code misread. The store already knows most procedures (the national
records imported before), so a scanned row is checked against it:

1. cell edges: a trailing full stop, comma or lone mark on a name, time limit or fee cell is a speck, not the
   decision's text (a cell of the annex is a phrase, not a sentence; an abbreviation "v.v." keeps its stop);
2. codes: a code the catalogue does not know, but one known code is a single character away, is that code (never
   when two are, never for a code the catalogue knows); a replaced code the parser could not read in its cell is
   looked for the same way, in the cell's text with the letters OCR confuses with digits read as digits;
3. names: when the row's code is known, the name read is close to the catalogue's name (folded-text similarity
   at least ``min_name_similarity``) and differs from it only as OCR differs from print (``ocr_like_difference``:
   no catalogue word missing, no plain words added), the catalogue's name is taken;
4. tones: a name the catalogue cannot vouch for gets the tone the syllable model prefers by a clear margin
   (``min_tone_margin``, log-odds; tonefix.py's own pass over the page needs Tesseract's alternatives as well).

Only rows read by OCR are touched (the caller passes them); text sources are exact and never repaired. Each repair
is kept in the row's ``extra["ocr_repairs"]`` (field, before, after, method, score), stored with the row's
evidence (page, row) in the catalogue entry.

Pure: records and the known names in, records changed in place and the repairs out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from difflib import SequenceMatcher
from typing import Any

from sohoa.catalogue.limits import parse_fee, parse_time_limit
from sohoa.catalogue.records import Action, CatalogueParse, ChannelTerms, ProcedureRecord
from sohoa.textnorm import fold


@dataclass(frozen=True)
class RepairOptions:
    # Folded similarity (difflib ratio on fold()ed, space-collapsed text) from which a scanned name is the
    # catalogue's. Set on the development decisions of scripts/eval_announce_formats.py (docs/catalogue-formats.md).
    min_name_similarity: float = 0.85
    # Log-odds by which the syllable model must prefer a tone variant (the page pass asks 4 plus Tesseract's
    # alternatives; alone, the model must be surer). Set on the same development decisions.
    min_tone_margin: float = 15.0


@dataclass(frozen=True)
class Repair:
    code: str | None  # the row's code after the repair
    row: int
    page: int | None
    field: str  # "code", "other_code", "name", "time_limit", "fee"
    before: str | None
    after: str | None
    method: str  # "cell_edge", "catalogue_code", "catalogue_name", "tone_lm"
    score: float | None = None  # similarity or log-odds margin

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k in ("field", "before", "after", "method", "score")}


_CODE = re.compile(r"^\d\.\d{6}$")
# Letters OCR reads for digits in a code ("1.0l1516", "1.O11516"), and the separators it reads for the dot.
_LOOSE_CODE = re.compile(r"(?<![\w.])([0-9Il|])\s?[.,·]?\s?([0-9OoQDIl|SBZ]{6})(?![\w])")
_DIGIT_FOR = str.maketrans({"O": "0", "o": "0", "Q": "0", "D": "0", "I": "1", "l": "1", "|": "1", "S": "5",
                            "B": "8", "Z": "2"})  # fmt: skip


def repair_scanned(
    parsed: CatalogueParse, known: Mapping[str, str], options: RepairOptions | None = None
) -> list[Repair]:
    """Repair the rows of ``parsed`` (all read by OCR) against the catalogue's ``known`` code → name."""
    options = options or RepairOptions()
    repairs: list[Repair] = []
    for record in parsed.records:
        done: list[Repair] = []
        _codes(record, known, done)
        _terms(record, done)
        if not _name_from_catalogue(record, known, options, done):
            _name_edges(record, done)
            _tones(record, options, done)
        if done:
            record.extra["ocr_repairs"] = [r.to_dict() for r in done]
            repairs += [Repair(record.code, record.provenance.row, record.page, *_tail(r)) for r in done]
    return repairs


def _tail(r: Repair) -> tuple[str, str | None, str | None, str, float | None]:
    return r.field, r.before, r.after, r.method, r.score


def _note(record: ProcedureRecord, done: list[Repair], field: str, before: Any, after: Any, method: str,
          score: float | None = None) -> None:  # fmt: skip
    done.append(Repair(record.code, record.provenance.row, record.page, field, before, after, method, score))


# --- 1. cell edges ----------------------------------------------------------------------------------------------


def without_trailing_stop(text: str) -> str:
    """A cell's text without the specks OCR reads after its last word: a full stop ("200.000 đồng." → "200.000
    đồng"; an abbreviation "v.v.", "TP." or a number keeps it), a comma, or a mark standing alone ("… định -")."""
    text = _LONE_MARKS.sub("", text)
    if not text.endswith("."):
        return text
    head = text[:-1].rstrip()
    last = head.rsplit(maxsplit=1)[-1] if head else ""
    if not last or not last[-1].isalpha() or "." in last or (len(last) <= 3 and last.isupper()):
        return text
    return head


# after the last word: a comma or semicolon (a cell is not a list left open), or a mark after a space
_LONE_MARKS = re.compile(r"(?<=\w)(?:\s*[,;]+|\s+[-–_|:'\"`~]+)+$")


def _name_edges(record: ProcedureRecord, done: list[Repair]) -> None:
    if record.name and (clean := without_trailing_stop(record.name)) != record.name:
        _note(record, done, "name", record.name, clean, "cell_edge")
        record.name = clean


def clean_term(text: str, units: tuple[str, ...]) -> str:
    """A time-limit or fee cell without the specks at its edges (": 30 ngày", "Không quy định -"), its unit completed
    when OCR lost its last letters at the cell's edge ("15 ngà" → "15 ngày", "200.000 đồn" → "200.000 đồng"): the
    last word after a number (or "trong") begins exactly one unit of the closed list, and is none itself."""
    text = without_trailing_stop(_LEADING_MARKS.sub("", text))
    words = text.split()
    if len(words) >= 2 and words[-1].isalpha() and (words[-2][0].isdigit() or fold(words[-2]) == "trong"):
        last = fold(words[-1])
        whole = [u for u in units if fold(u).startswith(last)]
        if len(last) >= 2 and len(whole) == 1 and last != fold(whole[0]):
            words[-1] = whole[0]
            return " ".join(words)
    return text


TIME_UNITS = ("ngày", "tháng", "giờ", "năm", "tuần", "phút")
FEE_UNITS = ("đồng",)
_LEADING_MARKS = re.compile(r"^[\s:;,.|_~=\-–'\"`]+(?=\w)")


def _terms(record: ProcedureRecord, done: list[Repair]) -> None:
    changed = False
    terms = []
    for t in record.terms:
        time_limit, fee = t.time_limit, t.fee
        if time_limit and (clean := clean_term(time_limit.text, TIME_UNITS)) != time_limit.text:
            _note(record, done, "time_limit", time_limit.text, clean, "cell_edge")
            time_limit, changed = parse_time_limit(clean), True
        if fee and (clean := clean_term(fee.text, FEE_UNITS)) != fee.text:
            _note(record, done, "fee", fee.text, clean, "cell_edge")
            fee, changed = parse_fee(clean), True
        terms.append(ChannelTerms(t.channel, time_limit, fee, t.description))
    if changed:
        record.terms = terms


# --- 2. codes -----------------------------------------------------------------------------------------------------


def nearest_code(code: str, known: Mapping[str, str]) -> str | None:
    """The one known code a single character away from ``code`` (same shape), or None (none, or several)."""
    if code in known or not _CODE.match(code):
        return None
    found = {
        c
        for i, ch in enumerate(code)
        if ch.isdigit()
        for d in "0123456789"
        if d != ch and (c := code[:i] + d + code[i + 1 :]) in known
    }
    return found.pop() if len(found) == 1 else None


def _known_or_nearest(code: str, known: Mapping[str, str]) -> str | None:
    return code if code in known else nearest_code(code, known)


def _codes(record: ProcedureRecord, known: Mapping[str, str], done: list[Repair]) -> None:
    if not known:
        return
    if record.code and (near := nearest_code(record.code, known)):
        _note(record, done, "code", record.code, near, "catalogue_code")
        record.code = near
    if record.other_code and (near := nearest_code(record.other_code, known)):
        _note(record, done, "other_code", record.other_code, near, "catalogue_code")
        record.other_code = near
    elif record.other_code is None and record.action is Action.REPLACED:
        # "replaced" was read ("Thay thế …") but its code was not: look for one loosely in the note
        text = str(record.extra.get("note") or "")
        for m in _LOOSE_CODE.finditer(text):
            candidate = f"{m[1]}.{m[2]}".translate(_DIGIT_FOR)
            if candidate != record.code and (found := _known_or_nearest(candidate, known)):
                _note(record, done, "other_code", m.group(0), found, "catalogue_code")
                record.other_code = found
                break


# --- 3. names from the catalogue ----------------------------------------------------------------------------------


def name_similarity(a: str, b: str) -> float:
    """difflib's ratio on the folded (no tones, no case, đ→d), space-collapsed texts."""
    fa, fb = (" ".join(fold(x).split()) for x in (a, b))
    return SequenceMatcher(None, fa, fb, autojunk=False).ratio()


def _name_from_catalogue(
    record: ProcedureRecord, known: Mapping[str, str], options: RepairOptions, done: list[Repair]
) -> bool:
    """True when the catalogue vouches for the name (taken from it, or already equal)."""
    official = known.get(record.code) if record.code else None
    if not official or not record.name:
        return False
    official = " ".join(official.split())
    if " ".join(record.name.split()) == official:
        return True
    score = name_similarity(record.name, official)
    if score < options.min_name_similarity or not ocr_like_difference(record.name, official):
        return False
    _note(record, done, "name", record.name, official, "catalogue_name", round(score, 3))
    record.name = official
    return True


def ocr_like_difference(read: str, official: str) -> bool:
    """Whether ``read`` differs from ``official`` only as OCR differs from print, word by word (folded): marks and
    tones, garbled words in place of words, stray specks, digits or letters from the ruling. A word of the
    catalogue missing from the reading, or plain words the reading adds ("theo quy định", "Thủ tục …"), are how a
    province words a procedure, not OCR: then the decision's own wording stands."""
    a, b = read.split(), official.split()
    ka, kb = [_key(t) for t in a], [_key(t) for t in b]
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, ka, kb, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if tag == "insert":
            return False
        if tag == "delete" and not _junk(a, i1, i2):
            return False
        if tag == "replace":
            if i2 - i1 > 3 or j2 - j1 > 2:
                return False
            garbled = SequenceMatcher(None, "".join(ka[i1:i2]), "".join(kb[j1:j2]), autojunk=False).ratio() >= 0.5
            if not (garbled or _junk(a, i1, i2)):
                return False
    return True


_STRAY = frozenset("'\"“”‘’=~|_:;`^*•<>")
_WORD_EDGES = "\"'“”‘’()[]{}<>.,;:!?…-–=~|_`^*•"


def _key(token: str) -> str:
    return fold(token.strip(_WORD_EDGES))


def _junk(tokens: list[str], i1: int, i2: int) -> bool:
    """Words only the reading has that are not a phrase: marks, digits inside letters, capitals from the ruling
    ("SE", "HỆ"), non-syllables, a lower-case word before a name's capital, or a stray mark beside them."""
    from sohoa.extractors.vietnamese import is_syllable

    run = tokens[i1:i2]
    for t in run:
        core = t.strip(_WORD_EDGES)
        if not core or not core.isalpha() or (len(core) > 1 and core.isupper()) or not is_syllable(core.lower()):
            return True
        if any(c in _STRAY for c in t):
            return True
    after = tokens[i2] if i2 < len(tokens) else ""
    before = tokens[i1 - 1] if i1 > 0 else ""
    if (after and after[0] in _STRAY) or (before and before[-1] in _STRAY):
        return True
    # a name opens with a capital: a lower-case word before it is a stray
    return i1 == 0 and run[0][:1].islower() and after[:1].isupper()


# --- 4. tones -----------------------------------------------------------------------------------------------------


def retone(text: str, min_margin: float) -> tuple[str, list[tuple[str, str, float]]]:
    """``text`` with the tone variants the syllable model prefers by ``min_margin`` (log-odds), and the changes."""
    from sohoa.extractors import tonefix  # the model table loads on first use
    from sohoa.extractors.syllable_lm import default_lm
    from sohoa.extractors.types import Word

    tokens = text.split()
    words = [Word(t, 0.0, 0, 0, 0, 0) for t in tokens]
    options = tonefix.ToneOptions(min_margin_reread=min_margin)
    changes = []
    for c in tonefix.candidates(words, default_lm(), options):
        if c.margin >= min_margin:
            before = tokens[c.index]
            tokens[c.index] = before.replace(c.core, c.variant, 1)
            changes.append((before, tokens[c.index], round(c.margin, 2)))
    return " ".join(tokens), changes


def _tones(record: ProcedureRecord, options: RepairOptions, done: list[Repair]) -> None:
    if not record.name:
        return
    fixed, changes = retone(record.name, options.min_tone_margin)
    if changes:
        _note(record, done, "name", record.name, fixed, "tone_lm", min(m for _, _, m in changes))
        record.name = fixed
