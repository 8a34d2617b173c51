"""Split the tables a crawl of the portal flattened into one string with no cell separators.

The full procedure records (``procedures_detail.jsonl.gz``) hold the "Cách thức thực hiện" table as
``"Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến5 Ngày làm việcMiễn phíDịch vụ bưu chính5 Ngày…"`` and the
legal basis as ``"Tên văn bản pháp lýMã văn bảnThông tư …85/2019/TT-BTCNghị định …104/2022/NĐ-CP"``. The header
is known, every row starts with a channel name, and the cell after a channel is a time limit; the legal-basis
number cell is the number glued to the start of the next title (or to the end of the text).

Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sohoa.catalogue.limits import parse_fee, parse_time_limit
from sohoa.catalogue.records import ChannelTerms, LegalBasis, channel_of
from sohoa.extractors.codes import normalize_number
from sohoa.extractors.vietnamese import is_syllable_shape
from sohoa.textnorm import fold, normalize_text

_CHANNEL_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
_LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
_CHANNEL_NAMES = ("Dịch vụ bưu chính", "Trực tuyến", "Trực tiếp")
# A channel name opens a row only when a time cell follows it (a number or a "no limit / no information" phrase);
# "Nộp trực tiếp tại …" in a description is lower case and has no time after it.
_ROW_START = re.compile(
    r"(?P<channel>" + "|".join(_CHANNEL_NAMES) + r")(?=\d|Không quy định|Không có thông tin|Theo|Trong|Ngay|Chậm|"
    r"Kết thúc|Trước|Thủ tục|Phí|Lệ phí|Miễn|$)"
)
_FIRST_ROW = re.compile(r"(?P<channel>" + "|".join(_CHANNEL_NAMES) + r")")
# Time cell: a number with an optional unit, or a phrase; what follows is the fee cell.
_TIME_CELL = re.compile(
    r"^(?:Không quy định|Không có thông tin|"
    r"\d+(?:[.,]\d+)?(?:\s*-\s*\d+(?:[.,]\d+)?)?\s*(?:Ngày làm việc|Giờ làm việc|Ngày|Giờ|Phút|Tuần|Tháng|Năm)?)",
    re.IGNORECASE,
)
# Fee cell: free, no information, or one or more "Phí : amount currency" / "amount currency" items, each with an
# optional bracketed note (brackets nest in real data, so notes are matched by counting).
_FEE = (
    r"(?:Miễn phí|Không có thông tin|Không thu|(?:Lệ phí|Phí)\s*:\s*(?:[^()\n]*?(?:Đồng|USD|VNĐ)|(?=\s*\())|"
    r"[\d.,]+\s*(?:Việt Nam Đồng|VNĐ|Đồng|đồng|USD))"
)
_FEE_START = re.compile("^" + _FEE)
# Where the fee cell starts when the time cell is a phrase ("Chậm nhất là ngay trước khi tàu rời cảng").
_FEE_ANYWHERE = re.compile(_FEE)


def split_channel_table(text: str | None) -> list[ChannelTerms]:
    """Per-channel time limit and fee from a flattened "Cách thức thực hiện" table; [] when there is none."""
    if not text:
        return []
    body = normalize_text(text)
    if body.startswith(_CHANNEL_HEADER):
        body = body[len(_CHANNEL_HEADER) :]
    starts: list[re.Match[str]] = list(_ROW_START.finditer(body))
    if (first := _FIRST_ROW.match(body)) and (not starts or starts[0].start() > 0):
        starts.insert(0, first)  # right after the header a channel name opens a row, whatever follows it
    terms: list[ChannelTerms] = []
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(body)
        cell = body[m.end() : end]
        time_m = _TIME_CELL.match(cell)
        if time_m:
            time_text = time_m.group(0)
        else:
            fee_m = _FEE_ANYWHERE.search(cell)
            time_text = cell[: fee_m.start()] if fee_m else ""
        rest = cell[len(time_text) :]
        fee_text, description = _split_fee(rest)
        terms.append(
            ChannelTerms(
                channel=channel_of(m["channel"]),
                time_limit=parse_time_limit(time_text),
                fee=parse_fee(fee_text),
                description=description.strip() or None,
            )
        )
    return terms


def _split_fee(rest: str) -> tuple[str, str]:
    """(fee cell, description) from what follows the time cell."""
    pos = 0
    while m := _FEE_START.match(rest[pos:]):
        pos += m.end()
        pos = _skip_brackets(rest, pos)
        if not rest[pos:].lstrip().startswith(("Phí :", "Lệ phí :")):
            break
        pos += len(rest[pos:]) - len(rest[pos:].lstrip())
    return rest[:pos], rest[pos:]


def _skip_brackets(text: str, pos: int) -> int:
    """Past a bracketed note at ``pos`` (nested brackets counted); an unclosed one runs to the end."""
    while pos < len(text) and text[pos] == " ":
        pos += 1
    if pos >= len(text) or text[pos] != "(":
        return pos
    depth = 0
    for i in range(pos, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


# Number and symbol of a legal document. Cells are glued ("…NĐ-CPNghị định …"), so the capitals run is trimmed
# afterwards: its last capital starts the next word when a lower-case letter follows ("TTg" is the one symbol
# group with a lower-case letter). Numbers may carry a decimal part ("66.7/2025/NQ-CP"); "/" may join further
# groups ("191/2005/TTLT/BQP-BLĐTBXH-BTC"). A sentence may end right before a number ("… Trung ương.106/2021/…"),
# but "66.7/2025/NQ-CP" must not yield "7/2025/NQ-CP".
LEGAL_NUMBER = re.compile(
    r"(?<!/)(?<!\d\.)(?P<num>\d{1,6}(?:\.\d{1,3})?)/(?:(?P<year>(?:19|20)\d{2})/)?"
    r"(?P<sym>[A-ZĐ][A-ZĐ0-9&]*(?:-[A-ZĐ0-9&]+|/[A-ZĐ][A-ZĐ0-9&]*)*)"
)


def find_legal_numbers(text: str) -> list[tuple[str, int, int]]:
    """(normalised number, start, end) of each document number in the text, glued or not."""
    body = normalize_text(text)
    found = []
    pos = cut = 0
    while m := LEGAL_NUMBER.search(body, pos):
        if m.start() > 0 and body[m.start() - 1].isdigit() and m.start() != cut:
            pos = m.start() + 1  # inside a longer number: 45/2020 in 145/2020
            continue
        end = m.end()
        nxt = body[end : end + 1]
        if nxt == "g" and m.group(0).endswith("TT"):
            end += 1
        elif nxt.islower():
            # "NĐ-CPNghị định": the last capital starts the next title; "NĐ-CPsửa đổi": it does not ("Psửa" is no
            # Vietnamese syllable), the next title starts in lower case.
            # A one-letter symbol group is never what is left ("NĐ-CPhướng dẫn": the title lost its capital).
            word = re.match(r"[^\W\d_]+", body[end - 1 :])
            group = re.search(r"[A-ZĐ0-9&]+$", body[m.start() : end])
            if word and is_syllable_shape(word.group(0)) and group and len(group.group(0)) > 2:
                end -= 1
        elif nxt.isalpha() or (nxt == " " and body[end + 1 : end + 2].isupper()):
            end -= _caps_title_overlap(body, m.start(), end)
        elif nxt == "/" and (digits := re.search(r"\d+$", m.group(0))):
            # "NĐ-CP42/2020/NĐ-CP", "QH1360/2014/QH13": the digits start the next, glued number — usually the same
            # number again (a title naming it, then its number cell), which tells where to cut.
            tail = digits.group(0)
            end -= len(m["num"]) if tail.endswith(m["num"]) and len(tail) > len(m["num"]) else len(tail)
        raw = body[m.start() : end].rstrip("-/")
        pos = cut = m.start() + max(len(raw), 1)  # rescan from the cut: the glued number is found next
        sym = raw.split("/", 2 if m["year"] else 1)[-1]
        # Individual documents without a year need two symbol groups (766/QĐ-TTg); "1/KM" and the like are prose.
        if sym and (m["year"] or "-" in sym):
            found.append((normalize_number(raw), m.start(), m.start() + len(raw)))
    return found


def _caps_title_overlap(body: str, start: int, end: int) -> int:
    """How many letters at the end of a number match belong to an upper-case title glued after it: "NĐ-CPTHÔNG TƯ"
    (the regex stops at "Ô"), "TT-BTPBAN HÀNH", "TT-BTCLUẬT". The tail of the last symbol group plus the letters
    that follow form one word; the shortest tail that makes that word a Vietnamese syllable is cut off."""
    group = re.search(r"[A-ZĐ]+$", body[start:end])
    if not group:
        return 0
    tail = group.group(0)
    rest = re.match(r"[^\W\d_]*", body[end:])
    word = tail + (rest.group(0) if rest else "")
    for k in range(1, len(tail)):
        if is_syllable_shape(word[k:]) and any(c in "AEIOUYĂÂÊÔƠƯ" for c in fold(word[k:]).upper()):
            return len(tail) - k
    return 0


def split_legal_table(text: str | None) -> list[LegalBasis]:
    """Documents of a flattened "Căn cứ pháp lý" table: the number cell ends a row when the next title starts
    right after it (an upper-case letter, no space) or the text ends; inline mentions ("số 123/2015/NĐ-CP ngày")
    stay part of the title."""
    if not text:
        return []
    body = normalize_text(text)
    if body.startswith(_LEGAL_HEADER):
        body = body[len(_LEGAL_HEADER) :]
    bases: list[LegalBasis] = []
    seen: set[str] = set()
    title_start = 0
    for number, start, end in find_legal_numbers(body):
        after = body[end : end + 1]
        before = body[start - 1 : start]
        glued_left = bool(before) and not before.isspace() and before not in "(/"
        # A letter glued to the number (upper or lower case) is the next cell: prose puts a space after a number.
        if after and not (after.isalpha() or after in "([") and not glued_left:
            continue
        title = " ".join(body[title_start:start].split()).strip(" ;,.") or None
        title_start = end
        if number not in seen:
            seen.add(number)
            bases.append(LegalBasis(number=number, title=title))
    return bases


def no_information(text: str | None) -> bool:
    """Empty, or the portal's "Không có thông tin" placeholder (only short texts are folded: parts of a record run
    to tens of kilobytes)."""
    if not text or not text.strip():
        return True
    return len(text) < 40 and fold(text).strip(" .") in ("", "khong co thong tin", "khong")


def _letters(pred: Callable[[str], bool]) -> str:
    """The Latin and Vietnamese letters for which `pred` holds, escaped for a character class."""
    chars = [chr(c) for c in list(range(0x41, 0x250)) + list(range(0x1EA0, 0x1F00))]
    return "".join(re.escape(c) for c in chars if c.isalpha() and pred(c))


# A lower-case letter glued to a capital or a digit is a cell border the crawl lost ("tờ khaiSố lượng", "tuyến7").
_GLUED = re.compile(f"(?<=[{_letters(str.islower)}])(?=[{_letters(str.isupper)}0-9])")
_PORTAL_BOILERPLATE = re.compile(r"(?:Mã: KQ|Từ khóa|Chọn cơ quan thực hiện).*$", re.DOTALL)


def unglue(text: str | None) -> str | None:
    """A flattened portal text made readable and searchable: cells glued by the crawl split with a space, the
    portal's widgets after a result ("Chọn cơ quan thực hiện …") dropped. None when there is no information."""
    if no_information(text):
        return None
    assert text is not None
    body = _PORTAL_BOILERPLATE.sub("", normalize_text(text))
    body = " ".join(_GLUED.sub(" ", body).split())
    return body or None
