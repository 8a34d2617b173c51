"""Personal data in dossier papers, with spans, so that search and the web can mask it by kind.

``find_pii(text, page_starts)`` returns :class:`~sohoa.extractors.types.PiiSpan` items of these kinds:

- ``cccd``: a 12-digit citizen ID. Checked, so that other 12-digit numbers are not taken: the first three digits
  are a province code 001-096, the fourth the century and sex (0/1: born 1900-1999, 2/3: born 2000-2099) and,
  for 2/3, the next two a birth year up to 2040. With an ID label before it ("Số CCCD:") the confidence is higher.
- ``cmnd``: a 9-digit identity card number, only after an ID label (nine digits alone are too common).
- ``phone``: Vietnamese mobiles (0[35789]x xxx xxxx, +84 ...) and landlines (02x.. 11 digits), separators allowed.
- ``email``.
- ``address``: the value after "Địa chỉ:", "Nơi thường trú:", "Quê quán:" ..., up to the end of the line or the
  next label ("Điện thoại:"), with a continuation line that starts in lower case.
- ``person_name``: an applicant's name after "Họ và tên:", "Người nộp:", "Ông/Bà", "hồ sơ của: Bà ...", then every
  other occurrence of the same name (the applicant's signature block). A name followed by an official title
  (", Chủ tịch UBND ...") and the names in ``official_names`` (the signer of an official document: public
  officials act in their function) are not personal data.

Document numbers, dates, dossier, result, procedure and agency codes and money amounts are never taken for IDs or
phone numbers. Pure: no I/O beyond the packaged ``data/pii.json`` and ``data/people.json``, read once.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sohoa.extractors.codes import (
    Aligned,
    CodeMatch,
    align,
    find_agency_codes,
    find_document_numbers,
    find_dossier_codes,
    find_procedure_codes,
    find_result_codes,
    find_result_type_codes,
    fold_same_length,
)
from sohoa.extractors.types import DocumentMetadata, PiiSpan
from sohoa.extractors.vietnamese import is_syllable, is_syllable_shape
from sohoa.textnorm import fold, normalize_text

__all__ = ["PII_KINDS", "applicant_signatures", "applicant_signer", "find_pii", "find_pii_aligned", "plain_case_names"]

PII_KINDS = ("cccd", "cmnd", "phone", "email", "address", "person_name")

_MAX_BIRTH_YY_2000S = 40  # century digit 2/3 = born 20YY: later than 2040 is not a living person's ID yet
# "Ông"/"Bà" are matched on the text itself, with their diacritics: folded, "ba" is also the number three.
_HONORIFIC_KEYS = frozenset({"ong", "ba", "ong/ba", "ba/ong", "ong (ba)", "ba (ong)"})
_HONORIFIC_LABEL = re.compile(
    r"(?:Ông|ông|Bà|bà|ÔNG|BÀ)(?:[ \t]*[/(][ \t]*(?:Ông|ông|Bà|bà|ÔNG|BÀ)\)?)?(?![^\W\d_])(?:[ \t]*:)?[ \t]*"
)


def _trie_pattern(keys: Iterable[str]) -> str:
    """An alternation of literals as a character trie ("ho (?:so cua|ten|va ten)|..."): the regex engine then
    tests one character class per position instead of every alternative (2-3x faster on a whole text). Greedy
    optional tails keep the longest label first, as a longest-first alternation would."""
    trie: dict[str, Any] = {}
    for key in keys:
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


def _label_regex(labels: Iterable[str], tail: str, *, scan: bool = False) -> re.Pattern[str]:
    """Labels (folded) as whole words: "ba" (Bà) must not match inside "ban".

    ``scan``: for finditer over a whole text, without the leading lookbehind (tried at every position, it makes
    the scan several times slower); the caller checks the word start with :func:`_word_start`.
    """
    body = "(?:" + _trie_pattern({fold(x) for x in labels}) + r")(?![a-z0-9])" + tail
    return re.compile(body if scan else r"(?<![a-z0-9])" + body)


def _word_start(folded: str, pos: int) -> bool:
    return pos == 0 or not folded[pos - 1].isalnum()


@dataclass(frozen=True)
class _Data:
    province_codes: frozenset[str]
    id_label: re.Pattern[str]  # an ID label ending the text before a number
    not_id_label: re.Pattern[str]
    phone_label: re.Pattern[str]
    address_label: re.Pattern[str]  # a label followed by its value
    address_stop: re.Pattern[str]
    name_label: re.Pattern[str]
    official_after: re.Pattern[str]
    surnames: frozenset[str]

    @classmethod
    def load(cls) -> _Data:
        root = resources.files("sohoa.extractors").joinpath("data")
        pii: dict[str, Any] = json.loads(root.joinpath("pii.json").read_text(encoding="utf-8"))
        people: dict[str, Any] = json.loads(root.joinpath("people.json").read_text(encoding="utf-8"))
        before_value = r"(?:\s*(?:so|số|:|\.|-|/|\(|\))\s*){0,3}$"
        return cls(
            province_codes=frozenset(pii["cccd_province_codes"]),
            id_label=_label_regex(pii["id_labels"], before_value),
            not_id_label=_label_regex(pii["not_id_labels"], r"[^\n]{0,25}$"),
            phone_label=_label_regex(pii["phone_labels"], r"(?:\s*(?:so|:|\.|-|/|\(|\)|\+)\s*){0,3}$"),
            address_label=_label_regex(pii["address_labels"], r"\s*:\s*", scan=True),
            address_stop=_label_regex(pii["address_stop_labels"], r"\s*[:.]"),
            name_label=_label_regex(
                [x for x in pii["name_labels"] if fold(x) not in _HONORIFIC_KEYS], r"(?:\s*:)?[ \t]*", scan=True
            ),
            official_after=_label_regex(pii["official_after_name"], r""),
            surnames=frozenset(fold(s) for s in people["surnames"]),
        )


@functools.cache
def _data() -> _Data:
    return _Data.load()


# Patterns start with a character class and check the character before it with a lookbehind placed after it:
# a lookbehind in front is tried at every position of the text and makes the scan 3-5x slower.
# Twelve or nine digits, or 3-3-6 / 4-4-4 / 3-3-3 groups (printed forms space them out; only after a label).
_ID_NUMBER = re.compile(
    r"\d(?<![\w.,/\-]\d)(?:\d{11}|\d{8}|\d{2}[ .]\d{3}[ .]\d{6}|\d{3} \d{4} \d{4}|\d{2}[ .]\d{3}[ .]\d{3})"
    r"(?![\w]|[.,/\-]\d)"
)
# A phone: +84 / 0084 / (+84) / 0, then digit groups with single separators; "(024) 3825 1234" for landlines.
_PHONE = re.compile(
    r"(?P<prefix>[(+0](?<![\w+.,/\-][(+0])(?:\+84\)|84|0\d{2,3}\)|084|))[ .\-]?"
    r"(?P<rest>\d{1,4}(?:[ .\-]?\d{2,4}){1,4})(?![\w]|[.,/\-]\d)"
)
_EMAIL = re.compile(r"[A-Za-z0-9](?<![\w.+\-][A-Za-z0-9])[\w.+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_DATE_LIKE = re.compile(r"\d(?<!\d\d)\d{0,3}[/.\-]\d{1,2}[/.\-]\d{1,4}(?:[T ]\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)?(?!\d)")
_MONEY = re.compile(r"\d[\d.,]*(?:[ ]\d{3})*\s*(?:đồng|đ\b|vnđ|vnd)", re.IGNORECASE)
_NAME_TOKEN = re.compile(r"\S+")
_NAME_SEP = re.compile(r"\s*[,\-–(]\s*")
_HONORIFIC = re.compile(r"(?:Ông|ông|Bà|bà|ÔNG|BÀ)(?:\s*(?:/|\()\s*(?:Ông|ông|Bà|bà)\)?)?\s+")


def _blocked_spans(norm: str, folded: str) -> list[tuple[int, int]]:
    """Spans that hold codes and document numbers: never an ID or a phone number."""
    found: list[CodeMatch] = []
    found += find_document_numbers(norm, assume_nfc=True)
    found += find_dossier_codes(norm, assume_nfc=True)
    found += find_result_codes(norm, assume_nfc=True)
    found += find_result_type_codes(norm, assume_nfc=True)
    found += find_agency_codes(norm, assume_nfc=True, folded=folded)
    found += find_procedure_codes(norm, assume_nfc=True, folded=folded)
    return [(m.start, m.end) for m in found]


class _Blocked:
    """Codes, document numbers, dates and money: never an ID or a phone number.

    Codes are found once for the text (or given by the caller); dates and money are looked for only around a
    candidate, which is rare: a scan of the whole text for them would cost more than the rest of the PII pass.
    """

    def __init__(self, norm: str, folded: str, codes: list[tuple[int, int]] | None) -> None:
        self.norm, self.folded, self.codes = norm, folded, codes
        self._spans: list[tuple[int, int]] | None = None

    def spans(self) -> list[tuple[int, int]]:
        if self._spans is None:
            codes = self.codes if self.codes is not None else _blocked_spans(self.norm, self.folded)
            self._spans = sorted(codes)
        return self._spans

    def overlaps(self, start: int, end: int) -> bool:
        if _overlaps(self.spans(), start, end):
            return True
        lo, hi = max(0, start - 16), min(len(self.norm), end + 16)
        for rx in (_DATE_LIKE, _MONEY):
            for m in rx.finditer(self.norm, lo, hi):
                full = rx.match(self.norm, m.start())  # again without the window's end, which may cut it
                if full is not None and full.start() < end and start < full.end():
                    return True
        return False


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    i = bisect.bisect_left(spans, (end, -1))
    # Spans are sorted by start: look back over those that start before ``end`` (codes are short, a few suffice).
    return any(s < end and start < e for s, e in spans[max(0, i - 6) : i])


def _line_before(folded: str, pos: int, width: int = 45) -> str:
    line_start = folded.rfind("\n", 0, pos) + 1
    return folded[max(line_start, pos - width) : pos]


def _valid_cccd(digits: str, data: _Data) -> tuple[bool, bool]:
    """(valid, known province code) for a 12-digit citizen ID."""
    province, century, yy = digits[:3], digits[3], int(digits[4:6])
    if not 1 <= int(province) <= 96:
        return False, False
    if century in "01":
        ok = True
    elif century in "23":
        ok = yy <= _MAX_BIRTH_YY_2000S
    else:
        ok = False  # 4-9: born 2100 or later, or before 1900
    return ok, province in data.province_codes


def _ids(norm: str, folded: str, blocked: _Blocked, data: _Data) -> list[tuple[str, int, int, float]]:
    out: list[tuple[str, int, int, float]] = []
    for m in _ID_NUMBER.finditer(norm):
        raw = m.group(0)
        digits = re.sub(r"\D", "", raw)
        before = _line_before(folded, m.start())
        labelled = data.id_label.search(before) is not None
        if (not raw.isdigit() and not labelled) or data.not_id_label.search(before):
            continue  # spaced groups only after a label; a bank account or tax code is not an ID
        if blocked.overlaps(m.start(), m.end()):
            continue
        if len(digits) == 12:
            valid, known = _valid_cccd(digits, data)
            if valid:
                conf = 0.95 if labelled and known else 0.85 if labelled or known else 0.6
                out.append(("cccd", m.start(), m.end(), conf))
        elif labelled:
            out.append(("cmnd", m.start(), m.end(), 0.9))  # nine digits alone are too common to be sure
    return out


def _phones(norm: str, folded: str, blocked: _Blocked, data: _Data) -> list[tuple[str, int, int, float]]:
    out: list[tuple[str, int, int, float]] = []
    for m in _PHONE.finditer(norm):
        prefix, rest = m.group("prefix"), m.group("rest")
        groups = re.split(r"[ .\-]", rest)
        # Printed phone numbers group 3-4 digits; "09 10 11 12" is a list of numbers, not a phone.
        if len(groups) > 1 and sum(len(g) <= 2 for g in groups) > 1:
            continue
        digits = re.sub(r"\D", "", rest)
        if prefix.startswith("(0"):
            digits = prefix[2:-1] + digits
        elif prefix in ("+84", "(+84)", "0084"):
            digits = digits[1:] if digits.startswith("0") else digits  # "+84 (0) 942..." written as +84 0942
        elif prefix != "0":
            continue
        mobile = len(digits) == 9 and digits[0] in "35789"
        landline = len(digits) == 10 and digits[0] == "2"
        if not (mobile or landline) or blocked.overlaps(m.start(), m.end()):
            continue
        labelled = data.phone_label.search(_line_before(folded, m.start(), 30)) is not None
        out.append(("phone", m.start(), m.end(), 0.95 if labelled else 0.85))
    return out


def _addresses(norm: str, folded: str, data: _Data) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    for m in data.address_label.finditer(folded):
        if not _word_start(folded, m.start()):
            continue
        start = m.end()
        line_end = norm.find("\n", start)
        line_end = len(norm) if line_end < 0 else line_end
        end = line_end
        stop = data.address_stop.search(folded, start, line_end)
        if stop is not None:
            end = stop.start()
        elif line_end < len(norm):
            # The address runs on to the next line when that line starts in lower case ("xã Hưng Lộc, ...").
            nxt_end = norm.find("\n", line_end + 1)
            nxt_end = len(norm) if nxt_end < 0 else nxt_end
            nxt = norm[line_end + 1 : nxt_end]
            if nxt[:1].islower() and not data.address_label.match(folded, line_end + 1):
                end = nxt_end
        value = norm[start:end]
        stripped = value.rstrip(" \t,;.-–(")
        end = start + len(stripped)
        if len(re.findall(r"[^\W_]", stripped)) < 4 or not re.search(r"[^\W\d_]{2}", stripped):
            continue  # a blank form ("Địa chỉ: ....................") has no address
        if re.match(r"(?:https?://|www\.|\S+@\S+$)", stripped, re.IGNORECASE):
            continue  # "địa chỉ truy cập: http://...": a web address
        label = norm[m.start() : m.end()].rstrip(" :\t")
        out.append((start, end, label))
    return out


def _name_after(norm: str, pos: int, data: _Data) -> tuple[int, int, bool] | None:
    """A personal name starting at ``pos``: (start, end, starts with a known surname)."""
    honorific = _HONORIFIC.match(norm, pos)
    if honorific is not None:
        pos = honorific.end()  # "hồ sơ của: Bà Ngô Minh Nga": the name starts after the title
    line_end = norm.find("\n", pos)
    line = norm[pos : len(norm) if line_end < 0 else line_end]
    words: list[tuple[int, int]] = []
    upper: bool | None = None  # "NGUYỄN VĂN AN" or "Nguyễn Văn An": one case for the whole name
    for t in _NAME_TOKEN.finditer(line):
        tok = t.group(0)
        core = tok.rstrip(",.;:)")
        if words and (t.start() - (words[-1][1] - pos) >= 2 or "\t" in line[words[-1][1] - pos : t.start()]):
            break  # a column gap: the next word belongs to another field ("Sinh ngày")
        if not core or not core[0].isupper() or not core.isalpha() or not is_syllable(core):
            break
        is_upper = core.isupper() and len(core) > 1
        if not (core[1:].islower() or is_upper or len(core) == 1):
            break
        if upper is not None and len(core) > 1 and is_upper != upper:
            break
        upper = is_upper if len(core) > 1 else upper
        words.append((pos + t.start(), pos + t.start() + len(core)))
        if core != tok or len(words) == 5:
            break
    if not 2 <= len(words) <= 5:
        return None
    first = fold(norm[words[0][0] : words[0][1]])
    return words[0][0], words[-1][1], first in data.surnames


_NOT_NAMES = frozenset({"kinh doanh", "ca the", "gia dinh", "ky ghi ro ho ten", "ghi ro ho ten"})


def _names(
    norm: str, folded: str, data: _Data, official_keys: frozenset[str]
) -> list[tuple[int, int, float, str | None]]:
    found: list[tuple[int, int, float, str | None]] = []
    labels = [(m.start(), m.end(), False) for m in data.name_label.finditer(folded)]
    labels += [(m.start(), m.end(), True) for m in _HONORIFIC_LABEL.finditer(norm)]
    for label_start, label_end, short in sorted(labels):
        if not _word_start(folded, label_start):
            continue
        label_text = norm[label_start:label_end].strip(" :\t")
        got = _name_after(norm, label_end, data)
        if got is None:
            continue
        start, end, known = got
        if short and not known:
            continue
        if fold(norm[start:end]) in _NOT_NAMES:
            continue  # "CHỦ HỘ KINH DOANH": the label goes on, no name follows
        after = folded[end : end + 40]
        sep = _NAME_SEP.match(after)
        if sep is not None and data.official_after.match(after, sep.end()):
            continue  # "Ông Nguyễn Văn A, Chủ tịch UBND tỉnh": an official in his function
        if fold(norm[start:end]) in official_keys:
            continue
        found.append((start, end, 0.9 if known else 0.7, label_text))
    # Every other occurrence of an applicant's name (the signature block of a receipt, a second mention).
    seen = {norm[s:e] for s, e, _, _ in found}
    covered = {(s, e) for s, e, _, _ in found}
    for name in seen:
        pos = norm.find(name)
        while pos >= 0:
            occ_start, occ_end = pos, pos + len(name)
            pos = norm.find(name, occ_end)
            if (occ_start and norm[occ_start - 1].isalnum()) or (occ_end < len(norm) and norm[occ_end].isalnum()):
                continue  # part of a longer word or name
            if (occ_start, occ_end) not in covered:
                covered.add((occ_start, occ_end))
                found.append((occ_start, occ_end, 0.8, None))
    return found


def find_pii_aligned(
    aligned: Aligned,
    original: str,
    page_starts: list[int] | None = None,
    *,
    official_names: Iterable[str] = (),
    folded: str | None = None,
    code_spans: Iterable[tuple[int, int]] | None = None,
) -> list[PiiSpan]:
    """:func:`find_pii` on text already passed through :func:`~sohoa.extractors.codes.align` (no second pass).

    ``folded``: :func:`~sohoa.extractors.codes.fold_same_length` of ``aligned.text``; ``code_spans``: offsets in
    ``aligned.text`` of the document numbers and codes, when the caller already found them.
    """
    data = _data()
    norm = aligned.text
    folded = folded if folded is not None and len(folded) == len(norm) else fold_same_length(norm)
    blocked = _Blocked(norm, folded, None if code_spans is None else list(code_spans))
    raw: list[tuple[str, int, int, float, str | None]] = []
    if "@" in norm:
        raw += [("email", m.start(), m.end(), 0.95, None) for m in _EMAIL.finditer(norm)]
    raw += [(k, s, e, c, None) for k, s, e, c in _ids(norm, folded, blocked, data)]
    raw += [(k, s, e, c, None) for k, s, e, c in _phones(norm, folded, blocked, data)]
    raw += [("address", s, e, 0.8, label) for s, e, label in _addresses(norm, folded, data)]
    official_keys = frozenset(fold(n) for n in official_names if n)
    signed = applicant_signatures(norm, folded)
    official_keys = official_keys - {fold(norm[s:e]) for s, e, _ in signed}  # never an official's name
    raw += [("person_name", s, e, c, label) for s, e, c, label in _names(norm, folded, data, official_keys)]
    raw += _extra_spans(norm, folded, blocked, data, official_keys, signed)
    if page_starts is None and "\f" in original:
        page_starts = [0] + [m.end() for m in re.finditer("\f", original)]
    out: list[PiiSpan] = []
    seen: set[tuple[str, int, int]] = set()
    for kind, s, e, conf, label in sorted(raw, key=lambda r: (r[1], r[2])):
        start, end = aligned.original(s, e)
        if (kind, start, end) in seen or end <= start:
            continue
        seen.add((kind, start, end))
        if kind in ("cccd", "cmnd", "phone"):
            label = _phone_or_id_label(norm, folded, s, data, kind)
        page = max(1, bisect.bisect_right(page_starts, start)) if page_starts else None
        out.append(PiiSpan(kind, original[start:end], start, end, page, round(conf, 2), label))
    return out


def _phone_or_id_label(norm: str, folded: str, pos: int, data: _Data, kind: str) -> str | None:
    before = _line_before(folded, pos)
    rx = data.phone_label if kind == "phone" else data.id_label
    m = rx.search(before)
    if m is None:
        return None
    offset = pos - len(before)
    return norm[offset + m.start() : offset + m.end()].strip(" :.-/()\t") or None


def find_pii(text: str, page_starts: list[int] | None = None, *, official_names: Iterable[str] = ()) -> list[PiiSpan]:
    """Personal data in ``text``, sorted by offset; offsets into ``text`` (even NFD), pages from ``page_starts``
    (or form feeds). ``official_names``: names of public officials (signers) that are not personal data here.
    """
    return find_pii_aligned(align(text), text, page_starts, official_names=official_names)


# --- shapes without labels, OCR damage, short forms, applicants -------------------------------------------------------
# (issue 17) These run inside find_pii_aligned; each adds spans of the kinds above.

# 12 or 9 digits in groups of 3-4 digits with one kind of separator: "001.203.004.567", "001 203 004 567",
# "001-203-004-567", "0012 0300 4567".
_GROUPED_ID = re.compile(r"\d(?<![\w.,/\-]\d)\d{2,3}(?P<sep>[ .\-])\d{3,4}(?:(?P=sep)\d{3,4}){1,3}(?![\w]|[.,/\-]\d)")
# Letters OCR reads for digits inside digit runs.
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1", "S": "5", "B": "8"})
# A look-alike letter touching a digit run (the class first: a leading lookbehind would be tried everywhere).
_LOOKALIKE = re.compile(r"[OoDlI|SB](?:(?=\d)|(?<=\d[OoDlI|SB])|(?<=\d[ .\-][OoDlI|SB]))")
# An e-mail whose "@" or dots OCR damaged: "nguyenvana(@gmail.com", "an @ gmail .com", "an@gmail,com".
_EMAIL_DAMAGED = re.compile(
    r"[A-Za-z0-9](?<![\w.+\-][A-Za-z0-9])[\w.+\-]*[ \t]?[(\[{<]?[ \t]?[@©®][)\]}>]?[ \t]?[A-Za-z0-9\-]+"
    r"(?:[ \t]?[.,][ \t]?[A-Za-z0-9\-]+)*[ \t]?[.,][ \t]?(?:com|vn|net|org|edu|gov|info|biz|io)(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# Short forms: a kinship or courtesy word, lower case as written mid-sentence, then a given name ("chị Hồng Nhung",
# "anh Tuấn", "ông Quang", "bà Lan"). Capitalised "Anh"/"Chị" may start a sentence: not taken.
_SHORT_FORM = re.compile(r"(?:anh|chị|em|cô|chú|bác|cháu|ông|bà|cụ|dì|cậu|thím|mợ)[ \t]+(?=[^\W\d_])")
# Words after an honorific that are titles or bodies, not names ("ông Chủ tịch", "bà Trưởng phòng").
_NOT_GIVEN = frozenset(
    w.casefold()  # with tones: folded, "Thu" (a given name) would be "thủ" (a title word)
    for w in (
        "chủ",
        "phó",
        "giám",
        "trưởng",
        "bộ",
        "thứ",
        "cục",
        "vụ",
        "bí",
        "chánh",
        "thủ",
        "cán",
        "chuyên",
        "công",
        "đại",
        "thanh",
        "ủy",
        "ban",
        "sở",
        "phòng",
        "uỷ",
        "tổng",
        "viện",
        "hội",
        "đồng",
        "nhà",
        "trung",
        "ubnd",
        "hđnd",
        "tôi",
        "này",
        "ấy",
        "đó",
        "và",
        "có",
        "là",
        "được",
        "đã",
        "sẽ",
        "không",
        "cũng",
    )
)
# Headings of the blocks where people who apply sign (folded): the name under them is theirs, not an official's.
APPLICANT_HEADINGS = (
    "nguoi de nghi",
    "nguoi lam don",
    "nguoi viet don",
    "nguoi khai",
    "nguoi to khai",
    "nguoi lam to khai",
    "nguoi nop",
    "nguoi nop ho so",
    "nguoi yeu cau",
    "nguoi dang ky",
    "nguoi cam ket",
    "nguoi cam doan",
    "nguoi uy quyen",
    "nguoi duoc uy quyen",
    "nguoi dai dien",
    "nguoi nhan",
    "nguoi bao lanh",
    "nguoi thua ke",
    "chu ho",
    "chu ho kinh doanh",
    "dai dien ho kinh doanh",
    "nguoi khieu nai",
    "nguoi to cao",
    "nguoi kien nghi",
    "nguoi phan anh",
    "nguoi xin",
)
_HEADING_RX = re.compile(
    r"^[^a-z0-9]*(?:" + "|".join(re.escape(h) for h in sorted(APPLICANT_HEADINGS, key=len, reverse=True)) + r")"
    r"(?![a-z0-9])[^a-z0-9]*$"
)
_HEADING_ANY = re.compile(_trie_pattern(APPLICANT_HEADINGS))
_SIGN_HINT = re.compile(r"^\W*(?:\(?\s*(?:ky|da ky|ky ten|ky,|ky va|ghi ro|ho va ten|ho ten)[^\n]*\)?|\(?\s*\)?)\W*$")
# Owners of household businesses: "Hộ kinh doanh Nguyễn Thị Mai", "HKD Trần Văn Lộc", "chủ hộ kinh doanh: ...".
_HOUSEHOLD = re.compile(r"(?<![a-z0-9])(?:ho kinh doanh|hkd|ho kd|ho ca the|ho gia dinh)(?:[ \t]*:)?[ \t]+")


def _given_names(norm: str, pos: int, *, max_words: int = 5, upper_ok: bool = True) -> tuple[int, int] | None:
    """Capitalised name words from ``pos`` (tones or not, one case): (start, end), or None."""
    words: list[tuple[int, int]] = []
    upper: bool | None = None
    for m in _NAME_TOKEN.finditer(norm, pos):
        gap = norm[(words[-1][1] if words else pos) : m.start()]
        if "\n" in gap or (words and (len(gap) > 1 or "\t" in gap)):
            break
        tok = m.group(0)
        core = tok.rstrip(",.;:)")
        if not core or not core.isalpha() or not core[0].isupper():
            break
        if not (is_syllable(core) or is_syllable_shape(core)):
            break
        is_upper = core.isupper() and len(core) > 1
        if is_upper and not upper_ok:
            break
        if not (core[1:].islower() or is_upper or len(core) == 1):
            break
        if upper is not None and len(core) > 1 and is_upper != upper:
            break
        upper = is_upper if len(core) > 1 else upper
        words.append((m.start(), m.start() + len(core)))
        if core != tok or len(words) == max_words:
            break
    if not words:
        return None
    return words[0][0], words[-1][1]


def _grouped_ids(norm: str, folded: str, blocked: _Blocked, data: _Data) -> list[tuple[str, int, int, float]]:
    out: list[tuple[str, int, int, float]] = []
    for m in _GROUPED_ID.finditer(norm):
        digits = re.sub(r"\D", "", m.group(0))
        if len(digits) not in (9, 12) or blocked.overlaps(m.start(), m.end()):
            continue
        before = _line_before(folded, m.start())
        if data.not_id_label.search(before):
            continue
        labelled = data.id_label.search(before) is not None
        if len(digits) == 12:
            valid, known = _valid_cccd(digits, data)
            if valid and (labelled or known):
                out.append(("cccd", m.start(), m.end(), 0.9 if labelled else 0.6))
        elif labelled:
            out.append(("cmnd", m.start(), m.end(), 0.85))
    return out


def _damaged_numbers(norm: str, folded: str, blocked: _Blocked, data: _Data) -> list[tuple[str, int, int, float]]:
    """Phones and IDs where OCR read a letter for a digit ("O912 345 678", "09l2.345.678"): the letters are mapped
    back to digits inside digit runs (same length, same offsets) and the usual checks run on that copy."""
    if not _LOOKALIKE.search(norm):
        return []
    chars = list(norm)
    changed = False
    for m in _LOOKALIKE.finditer(norm):
        i = m.start()
        prev_digit = i > 0 and (norm[i - 1].isdigit() or (i > 1 and norm[i - 1] in " .-" and norm[i - 2].isdigit()))
        next_digit = i + 1 < len(norm) and norm[i + 1].isdigit()
        if (prev_digit and (next_digit or i + 1 == len(norm) or not norm[i + 1].isalpha())) or (
            next_digit and (i == 0 or not norm[i - 1].isalpha())
        ):
            chars[i] = norm[i].translate(_DIGIT_LOOKALIKES)
            changed = True
    if not changed:
        return []
    fixed = "".join(chars)
    out = _phones(fixed, folded, blocked, data) + _ids(fixed, folded, blocked, data)
    out += _grouped_ids(fixed, folded, blocked, data)
    # Only the numbers that needed the repair: the others were found on the text as it is.
    return [(k, s, e, round(c * 0.9, 2)) for k, s, e, c in out if fixed[s:e] != norm[s:e]]


def _damaged_emails(norm: str) -> list[tuple[int, int]]:
    if "@" not in norm and "©" not in norm and "®" not in norm:
        return []
    return [(m.start(), m.end()) for m in _EMAIL_DAMAGED.finditer(norm) if not _EMAIL.fullmatch(m.group(0))]


_ADMIN_WORDS = ("phuong", "xa", "thi tran", "quan", "huyen", "thi xa", "thanh pho", "tp", "tinh")
_ADMIN_ANY = re.compile(r"(?:" + "|".join(_ADMIN_WORDS) + r")(?![a-z0-9])")
_ADMIN_RX = re.compile(r"^(?:" + "|".join(_ADMIN_WORDS) + r")(?![a-z0-9])\.?[ \t]*")
# House-level parts of an address (folded): a house number, a lane or street, a hamlet or residential group.
_HOUSE_RX = re.compile(
    r"(?<![a-z0-9/])(?:(?:so[ \t]+(?:nha[ \t]+)?)?\d{1,4}[a-z]?(?:[ \t]*/[ \t]*\d{1,4}[a-z]?)*[ \t]*,?[ \t]+"
    r"(?:(?:duong|pho|ngo|ngach|hem|kiet)[ \t]+)?(?=\S)"
    r"|(?:duong|pho|ngo|ngach|hem|kiet|thon|xom|khom|khu pho|to dan pho|to|khoi|ap|ban)[ \t]+(?=\S))"
)
_SEGMENT_SPLIT = re.compile(r"[ \t]*[,;][ \t]*|[ \t]+[-–][ \t]+")


def _capitalised_after(norm: str, pos: int) -> bool:
    return pos < len(norm) and (norm[pos].isupper() or norm[pos].isdigit())


def _shaped_addresses(norm: str, folded: str) -> list[tuple[int, int]]:
    """Addresses without a label, by their shape: a house-level part (house number, street or lane, hamlet)
    followed on the same line by at least two administrative units (ward/commune, district, province) or one
    unit and a place name ("45 Hàng Bông, phường Hàng Gai, quận Hoàn Kiếm, Hà Nội")."""
    out: list[tuple[int, int]] = []
    done = -1
    # Only lines that hold an administrative unit word are split into segments (most lines hold none).
    for m in _ADMIN_ANY.finditer(folded):
        if m.start() <= done or (m.start() and folded[m.start() - 1].isalnum()):
            continue
        if not _capitalised_after(norm, m.end() + 1 if norm[m.end() : m.end() + 1] in (" ", ".") else m.end()):
            continue  # "xã hội", "tính toán": not a unit followed by its name
        line_start = folded.rfind("\n", 0, m.start()) + 1
        line_end = norm.find("\n", m.start())
        line_end = len(norm) if line_end < 0 else line_end
        done = line_end
        if line_end - line_start >= 12 and _HOUSE_RX.search(folded, line_start, line_end):
            out += _address_in_line(norm, folded, line_start, line_end)
    return out


def _address_in_line(norm: str, folded: str, lo: int, hi: int) -> list[tuple[int, int]]:
    segs: list[tuple[int, int]] = []
    pos = lo
    for m in _SEGMENT_SPLIT.finditer(norm, lo, hi):
        segs.append((pos, m.start()))
        pos = m.end()
    segs.append((pos, hi))
    kinds: list[tuple[str, int]] = []  # (kind, where the address part starts in the segment)
    for s, e in segs:
        seg_f = folded[s:e]
        admin = _ADMIN_RX.match(seg_f)
        if admin is not None and _capitalised_after(norm, s + admin.end()):
            kinds.append(("admin", s))
            continue
        house = None
        for h in _HOUSE_RX.finditer(folded, s, e):
            if _capitalised_after(norm, h.end()):
                house = h
                break
        if house is not None:
            kinds.append(("house", house.start()))
            continue
        words = norm[s:e].split()
        if 1 <= len(words) <= 4 and all(w[:1].isupper() and w.isalpha() for w in words):
            kinds.append(("place", s))
            continue
        kinds.append(("other", s))
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(segs):
        if kinds[i][0] != "house":
            i += 1
            continue
        j = i + 1
        while j < len(segs) and kinds[j][0] in ("admin", "house", "place"):
            j += 1
        run = [k for k, _ in kinds[i + 1 : j]]
        admins = run.count("admin")
        if admins >= 2 or (admins >= 1 and "place" in run):
            end = segs[j - 1][1]
            stripped = norm[kinds[i][1] : end].rstrip(" \t.,;")
            out.append((kinds[i][1], kinds[i][1] + len(stripped)))
        i = j
    return out


def _short_forms(norm: str, folded: str, data: _Data) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for m in _SHORT_FORM.finditer(norm):
        if m.start() and norm[m.start() - 1].isalpha():
            continue  # inside a word ("thanh" is not "anh")
        got = _given_names(norm, m.end(), max_words=4, upper_ok=False)
        if got is None:
            continue
        start, end = got
        if norm[start:end].split()[0].casefold() in _NOT_GIVEN:
            continue
        after = folded[end : end + 40]
        sep = _NAME_SEP.match(after)
        if sep is not None and data.official_after.match(after, sep.end()):
            continue  # "ông Hùng, Chủ tịch UBND xã": an official in his function
        out.append((start, end))
    return out


def _full_name(name: str) -> bool:
    """2-5 words starting with a known surname: a form's placeholder ("TÊN TỔ CHỨC") is not a name."""
    words = name.split()
    return 2 <= len(words) <= 5 and fold(words[0]) in _data().surnames


def _household_owners(norm: str, folded: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for m in _HOUSEHOLD.finditer(folded):
        got = _given_names(norm, m.end())
        if got is not None and _full_name(norm[got[0] : got[1]]):
            out.append(got)
    return out


def applicant_signatures(norm: str, folded: str) -> list[tuple[int, int, str]]:
    """Names signed under an applicant heading ("NGƯỜI ĐỀ NGHỊ" / "(Ký, ghi rõ họ tên)" / "Nguyễn Thị Hoa"), in
    any case, with or without tones: (start, end, heading). Where the heading shares its line with another
    column ("XÁC NHẬN CỦA UBND XÃ      NGƯỜI ĐỀ NGHỊ"), the name is read in the heading's column."""
    out: list[tuple[int, int, str]] = []
    if _HEADING_ANY.search(folded) is None:
        return out  # most texts: no applicant heading anywhere
    lines: list[tuple[int, int]] = []
    pos = 0
    while pos <= len(norm):
        end = norm.find("\n", pos)
        end = len(norm) if end < 0 else end
        lines.append((pos, end))
        pos = end + 1
    for li, (s, e) in enumerate(lines):
        if _HEADING_ANY.search(folded, s, e) is None:
            continue
        for col_start, col_end in _columns(norm, s, e):
            heading = folded[col_start:col_end].strip()
            if not _HEADING_RX.match(heading):
                continue
            column = col_start - s
            seen = 0
            for ns, ne in lines[li + 1 : li + 8]:
                cols = _columns(norm, ns, ne)
                if not cols:
                    continue
                # The column under the heading: the one whose start is nearest the heading's.
                cs, ce = min(cols, key=lambda c: abs((c[0] - ns) - column)) if len(cols) > 1 else cols[0]
                text_f = folded[cs:ce].strip()
                if _SIGN_HINT.match(text_f):
                    continue
                seen += 1
                if seen > 2:
                    break
                got = _given_names(norm, cs + (len(norm[cs:ce]) - len(norm[cs:ce].lstrip())))
                if got is not None and _full_name(norm[got[0] : got[1]]):
                    out.append((got[0], got[1], norm[col_start:col_end].strip()))
                    break
    return out


def _columns(norm: str, s: int, e: int) -> list[tuple[int, int]]:
    """Text runs of a line separated by a tab or three spaces or more (the columns of a signature row)."""
    out: list[tuple[int, int]] = []
    for m in re.finditer(r"\S(?:.*?\S)?(?=\t| {3,}|$)", norm[s:e]):
        out.append((s + m.start(), s + m.end()))
    return out


def _extra_spans(
    norm: str,
    folded: str,
    blocked: _Blocked,
    data: _Data,
    official_keys: frozenset[str],
    signed: list[tuple[int, int, str]],
) -> list[tuple[str, int, int, float, str | None]]:
    raw: list[tuple[str, int, int, float, str | None]] = []
    raw += [(k, s, e, c, None) for k, s, e, c in _grouped_ids(norm, folded, blocked, data)]
    raw += [(k, s, e, c, None) for k, s, e, c in _damaged_numbers(norm, folded, blocked, data)]
    raw += [("email", s, e, 0.8, None) for s, e in _damaged_emails(norm)]
    raw += [("address", s, e, 0.7, None) for s, e in _shaped_addresses(norm, folded)]
    names: list[tuple[int, int, float, str | None]] = []
    names += [(s, e, 0.7, None) for s, e in _short_forms(norm, folded, data)]
    names += [(s, e, 0.8, None) for s, e in _household_owners(norm, folded)]
    # An applicant's signature is personal data even when the caller took the name for an official (signer).
    names += [(s, e, 0.85, heading) for s, e, heading in signed]
    applicants = {fold(norm[s:e]) for s, e, _, h in names if h}
    for s, e, conf, label in names:
        key = fold(norm[s:e])
        if key in official_keys and key not in applicants:
            continue
        raw.append(("person_name", s, e, conf, label))
    # Every other occurrence of these names, in any case and with or without tones.
    seen = {fold(norm[s:e]) for s, e, _, _ in names if len(norm[s:e].split()) >= 2}
    for key in seen:
        for m in re.finditer(r"(?<![a-z0-9])" + r"\s+".join(map(re.escape, key.split())) + r"(?![a-z0-9])", folded):
            raw.append(("person_name", m.start(), m.end(), 0.75, None))
    return raw


# Substrings (case-folded, with and without tones) without which no applicant label or heading can be in a text.
_APPLICANT_CUES = (
    "người đề nghị",
    "nguoi de nghi",
    "người làm đơn",
    "nguoi lam don",
    "người viết đơn",
    "người khai",
    "nguoi khai",
    "người nộp",
    "nguoi nop",
    "người yêu cầu",
    "nguoi yeu cau",
    "người đăng ký",
    "nguoi dang ky",
    "người cam",
    "nguoi cam",
    "người ủy quyền",
    "người uỷ quyền",
    "người được ủy quyền",
    "người được uỷ quyền",
    "nguoi uy quyen",
    "nguoi duoc uy quyen",
    "người đại diện",
    "nguoi dai dien",
    "người nhận",
    "nguoi nhan",
    "người bảo lãnh",
    "người thừa kế",
    "chủ hộ",
    "chu ho",
    "hộ kinh doanh",
    "người khiếu nại",
    "người tố cáo",
    "người kiến nghị",
    "người phản ánh",
    "người xin",
    "nguoi xin",
    "họ và tên",
    "ho va ten",
    "họ tên",
    "ho ten",
    "họ, tên",
    "tên người",
    "tôi tên",
    "tôi là",
    "hồ sơ của",
)


def _signs_as_applicant(signer: str, text: str) -> bool:
    """Whether ``signer`` is written right after an applicant label ("Họ và tên người đề nghị: …") or signed under
    an applicant heading: the cheap test before :func:`find_pii` runs again."""
    low = text.casefold()
    if not any(cue in low for cue in _APPLICANT_CUES):
        return False  # most official documents: no applicant label or heading at all (no second alignment)
    norm = unicodedata.normalize("NFC", text)  # no offsets nor tone placement needed: folded below
    folded = fold_same_length(norm)
    key = fold(signer)
    if any(fold(norm[s:e]) == key for s, e, _ in applicant_signatures(norm, folded)):
        return True
    data = _data()
    words = key.split()
    if not words:
        return False
    for m in re.finditer(r"(?<![a-z0-9])" + r"\s+".join(map(re.escape, words)) + r"(?![a-z0-9])", folded):
        before = _line_before(folded, m.start(), 60)
        if re.search(r"(?:người|nguoi|hồ sơ của|ho so cua|tên|ten|tôi|toi|chủ hộ|chu ho)", before) is None:
            continue
        label = data.name_label.search(before)
        while label is not None and label.end() < len(before):
            label = data.name_label.search(before, label.start() + 1)
        if label is not None:
            return True
    return False


def applicant_signer(md: DocumentMetadata, text: str, page_starts: list[int] | None = None) -> DocumentMetadata:
    """Post-processing for the metadata assembly (one call after the signer and the pii are read): when the
    ``signer`` is a person who applies (a name read after an applicant label such as "Họ và tên người đề nghị:",
    or signed under an applicant heading such as "NGƯỜI ĐỀ NGHỊ"), it is personal data, not an official acting
    for a state body: it leaves ``signer`` (with its title, span and confidence) and ``pii`` is read again with
    nobody exempt. Officials signing for a body keep their place. Returns ``md``, changed in place."""
    if not md.signer:
        return md
    if not _signs_as_applicant(md.signer, text):
        return md  # the common case (an official): no second pass
    spans = find_pii(text, page_starts)
    md.signer = None
    md.signer_title = None
    for name in ("signer", "signer_title"):
        md.spans.pop(name, None)
        md.confidence.pop(name, None)
    md.pii = spans
    if spans:
        md.confidence["pii"] = round(min(p.confidence for p in spans), 2)
    if "applicant_signer" not in md.flags:
        md.flags.append("applicant_signer")
    return md


# --- names in file and batch names ---------------------------------------------------------------------------------

# Middle names that, right after a known surname, make a run of lower-case words a person's name ("bùi đức thắng",
# "tran thi mai"). A surname alone is not enough in lower case: "hồ sơ", "lê hội", "tô màu", "văn bản" are ordinary
# words. Written with tones, words are compared with their tones ("định" is not "Đinh", "vụ" is not "Vũ").
_PLAIN_MIDDLE_NAMES = frozenset(
    normalize_text(w)
    for w in "thị văn đức hữu quốc minh ngọc thanh kim xuân công đình thế trọng bá quang hoàng gia mạnh duy hồng "
    "thu bích phương tiến đăng hải tuấn việt nhật khánh bảo thúy diệu cẩm tân trung".split()
)
_PLAIN_MIDDLE_FOLDED = frozenset(fold(w) for w in _PLAIN_MIDDLE_NAMES)
# Surname + middle name pairs that are ordinary words ("quan trọng", "nghiêm minh"), and words no given name is
# (function words: "quản lý thu và …", "… thu theo …").
_PLAIN_NOT_PAIRS = frozenset("quan trong|nghiem trong|nghiem minh|ton trong|ly thu|vi bao|tu thu|ha thanh".split("|"))
_PLAIN_NOT_GIVEN = frozenset(
    "va cua theo doi voi den toi trong ngoai ma da thuoc thuc ve la co cac nhung cho tu tai nam nay do khi neu "
    "duoc bi se dang phai".split()
)
# A middle name and the next word that make an ordinary word of an office's file names ("to-trinh-van-ban",
# "ho-so-thi-tran"): such a run is not read as a name.
_PLAIN_NOT_NAMES = frozenset(
    "van ban|van thu|van phong|van hoa|van kien|van hoc|van de|thi tran|thi xa|thi truong|thi hanh|thi diem|"
    "quoc gia|quoc te|quoc phong|quoc hoi|cong van|cong an|cong tac|cong nghe|cong chuc|cong dan|cong trinh|"
    "cong khai|cong ty|cong bo|cong nhan|thanh tra|thanh pho|thanh toan|thanh ly|thanh lap|thanh nien|dang ky|"
    "dang vien|hai quan|trung uong|trung tam|trung hoc|gia dinh|gia han|the chap|the thao|bao cao|bao hiem|"
    "bao ve|bao tri|tien do|tien luong|minh bach|ngoc trai|dinh ky|dinh kem|dinh muc|quang cao|hong bang|"
    "tuan tra|viet nam|nhat ky|khanh thanh|thu tuc|thu tien|thu hoi|tan so|phuong tien|phuong an|phuong thuc|"
    "phuong phap|duy tri|trung thu|thanh vien|cong viec|cong suat|bao dam|bao ton|hoang hon".split("|")
)
# Without tones a run is ambiguous ("quy dinh phuong tien" holds "dinh phuong tien"), so it is a name only where
# people write one in a file or batch name: after a word that introduces a person, or at the end of the value.
_PLAIN_CUES = frozenset("cua ong ba anh chi em co chu bac ten nguoi ho ten don cho gui".split())
_PLAIN_WORD = re.compile(r"[^\W\d_]+")


@functools.cache
def _toned_surnames() -> frozenset[str]:
    people = json.loads(resources.files("sohoa.extractors").joinpath("data", "people.json").read_text("utf-8"))
    return frozenset(normalize_text(s).lower() for s in people["surnames"])


def plain_case_names(text: str) -> list[tuple[int, int]]:
    """(start, end) of person names written all in lower case, or upper case without tones, as people type them in
    file and batch names ("hồ sơ của bùi đức thắng", "nop-ho-so-cua-tran-thi-mai", "DON TRAN THI MAI"): a known
    surname, a middle name, then one or two given names, each a Vietnamese syllable. Title-case text is left to
    :func:`find_pii`, which reads it with its context (a street named after a person is not personal data)."""
    words = [(m.start(), m.end(), m.group(0)) for m in _PLAIN_WORD.finditer(text)]
    surnames = _data().surnames
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        run = 1
        # the words of one name are separated by single spaces only (file names were read with spaces for - _ .)
        while i + run < len(words) and run < 4 and text[words[i + run - 1][1] : words[i + run][0]] == " ":
            run += 1
        if run < 3:
            i += 1
            continue
        chunk = [w for _, _, w in words[i : i + run]]
        ascii_run = all(w.isascii() for w in chunk)
        plain = all(w.islower() for w in chunk) or (ascii_run and all(w.isupper() for w in chunk))
        folded = [fold(w).lower() for w in chunk]
        lower = [normalize_text(w).lower() for w in chunk]
        if ascii_run:
            before = fold(words[i - 1][2]).lower() if i else ""
            at_end = not re.search(r"[^\W\d_]", text[words[i + run - 1][1] :].rsplit(".", 1)[0])
            known = folded[0] in surnames and folded[1] in _PLAIN_MIDDLE_FOLDED
            known = known and (before in _PLAIN_CUES or at_end)
        else:
            known = lower[0] in _toned_surnames() and lower[1] in _PLAIN_MIDDLE_NAMES
        if (
            plain
            and known
            and f"{folded[1]} {folded[2]}" not in _PLAIN_NOT_NAMES
            and f"{folded[0]} {folded[1]}" not in _PLAIN_NOT_PAIRS
            and not any(w in _PLAIN_NOT_GIVEN for w in folded[2:])
            and all(is_syllable(w) or is_syllable_shape(w) for w in lower)
        ):
            found.append((words[i][0], words[i + run - 1][1]))
            i += run
        else:
            i += 1
    return found
