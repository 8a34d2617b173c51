"""Issuer block, type line and subject."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sohoa.extractors.metadata.dates import DATE_PHRASE
from sohoa.extractors.metadata.layout import BODY_MARKER, Hit, Layout, Line, strip_junk, upper_ratio, wordlike
from sohoa.extractors.metadata.lexicon import Resources, name_key
from sohoa.extractors.metadata.orgs import is_org_head
from sohoa.extractors.metadata.pipeline import Results, Rule
from sohoa.extractors.metadata.rules.number_date import NumberDate
from sohoa.textnorm import fold, normalize_text

# Openings of a body paragraph that may also open a subject: only a stop after the subject's first line.
_BODY_OPENING = re.compile(
    r"^\W{0,3}(?:thuc hien|de|nham|can cu)\s+(?:luat|nghi dinh|nghi quyet|quyet dinh|chi thi|ke hoach|thong tu|"
    r"cong van|van ban|chuong trinh|chi dao)\b"
)
_NON_WORD_RUN = re.compile(r"[^\w]*")
_SEPARATOR_LINE = re.compile(r"^[\s\-_=*~.—–·]{3,}$")
_STAMP = re.compile(
    r"ky boi|nguoi ky|email|e-mail|co quan\s*:|thoi gian ky|\bsao y\b|trich sao|sao luc|@|http|www\.|cong van den|"
    r"den so|chuyen\s*:|so den|luu ho so|chinhphu\.?vn|signed|\bky ngay"
)
_NATIONAL_TITLE = re.compile(
    r"c\s?o\s?n\s?g\s*h\s?o\s?a\s*x\s?a\s*h\s?o\s?i\s*c\s?h\s?u\s*n\s?g\s?h\s?[i1l]\s?a(?:\s*v\s?i\s?e\s?t\s*n\s?a\s?m)?"
)
# The motto as OCR leaves it, also when a stamp over it blurs a letter or joins the words with its strokes
# ("Đậc Tập ~Tự-do—Hạnh-phúc"): "doc lap" with o/a and l/t confused, dashes or marks between the words.
_MOTTO = re.compile(
    r"d\s?[oa]\s?c\W{0,3}[lt]\s?a\s?p\W{0,6}t\s?u\W{0,3}d\s?o\W{0,6}h\s?a\s?n\s?h\W{0,3}p\s?h\s?u\s?c|doc\s*lap\s*[-–—]"
    # Its end at a line's end, words before it hidden under a stamp ("VĂN PHÒNG Hạnh phúc—", "Độc Tự do Hạnh phúc").
    r"|(?:d\s?[oa]\s?c\W{0,3})?(?:[lt]\s?a\s?p\W{0,6})?(?:t\s?u\W{0,3}d\s?o\W{0,6})?h\s?a\s?n\s?h\W{0,3}p\s?h\s?u\s?c\W*$"
)


@dataclass(frozen=True)
class Header:
    doc_type: Hit | None  # the type line; value: a DocType name
    type_line: int | None
    issuer: Hit | None  # the issuing body's lines of the left column, as printed
    issuer_superior: Hit | None  # the body above it ("BỘ CÔNG AN" over "CỤC CẢNH SÁT ...")
    subject: Hit | None
    subject_end_line: int | None
    letter_subject: bool  # the subject is the "V/v ..." of a letter
    # Every group of upper-case lines above the number, in order (issuer and superior are the last two): the
    # issuers rule reads a joint document's bodies from them.
    issuer_groups: tuple[Hit, ...] = ()


def _clean_header_line(ln: Line) -> list[tuple[int, str]]:
    """The left-column pieces of a header line: national title, motto and separators removed."""
    removed: list[tuple[int, int]] = []
    if "c" in ln.folded or "d" in ln.folded:  # both phrases start with one of these letters
        for rx in (_NATIONAL_TITLE, _MOTTO):
            for m in rx.finditer(ln.folded):
                tail = _NON_WORD_RUN.match(ln.text, m.end())  # quotes and dashes OCR leaves around the motto
                removed.append((m.start(), tail.end() if tail else m.end()))
    pieces: list[tuple[int, str]] = []
    pos = 0
    for start, end in sorted(removed):
        if start > pos:
            pieces.append((pos, ln.text[pos:start]))
        pos = max(pos, end)
    if pos < len(ln.text):
        pieces.append((pos, ln.text[pos:]))
    out: list[tuple[int, str]] = []
    for off, piece in pieces:
        for m in re.finditer(r"\S(?:.*?\S)?(?=[ \t]{3,}|[ \t]*$)", piece):
            s, t = strip_junk(m.group(0), ln.start + off + m.start())
            if t and not _SEPARATOR_LINE.match(t):
                out.append((s, t))
    return out


class HeaderRule(Rule):
    """Issuer block (left header column), type line and subject."""

    name = "header"
    requires = (Layout, NumberDate)
    assigns = Header

    def __init__(self, res: Resources) -> None:
        super().__init__(res)
        self._title_rx = self.title_regex()

    def __call__(self, inputs: Results) -> Header:
        layout, nd = inputs[Layout], inputs[NumberDate]
        number_line, date_line = nd.number_line, nd.date_line
        type_hit = self._type_line(layout, number_line, date_line)
        type_line = layout.line_at(type_hit.start) if type_hit is not None else None
        groups = self._issuer_block(layout, number_line, date_line, type_line)
        issuer = groups[-1] if groups else None
        superior = groups[-2] if len(groups) > 1 else None
        if type_hit is None or type_line is None:
            subject = self._letter_subject(layout)
        else:
            subject = self._subject(layout, type_line) if self.res.type_by_name[type_hit.value].has_subject else None
        subject_end_line = layout.line_at(subject.end) if subject is not None else None
        letter = subject is not None and type_hit is None
        return Header(type_hit, type_line, issuer, superior, subject, subject_end_line, letter, tuple(groups))

    def _type_line(self, layout: Layout, number_line: int | None, date_line: int | None) -> Hit | None:
        anchors = [x for x in (number_line, date_line) if x is not None]
        first = max(anchors) + 1 if anchors else 0
        for ln in layout.lines[first : min(layout.header_end + 2, first + 14)]:
            for seg_start, seg in _clean_header_line(ln):
                if upper_ratio(seg) < 0.75 or seg.rstrip().endswith(":"):
                    continue
                k = name_key(seg)
                if not k or k.startswith("cong van den"):
                    continue
                t = self.res.type_by_key.get(k)
                if t is not None and not t.letter:
                    return Hit("doc_type", seg_start, seg_start + len(seg), t.name, 0.95)
                words = k.split()
                for n in range(min(len(words), 9), 0, -1):
                    head, tail = " ".join(words[:n]), " ".join(words[-n:])
                    for cand in (head, tail):
                        t = self.res.type_by_key.get(cand)
                        if t is None or t.letter or len(words) - n > 3:
                            continue
                        return Hit("doc_type", seg_start, seg_start + len(seg), t.name, 0.6)
        return None

    def _issuer_block(
        self, layout: Layout, number_line: int | None, date_line: int | None, type_line: int | None
    ) -> list[Hit]:
        """Groups of upper-case lines above the first anchor: the last is the issuer, the one before it its superior."""
        anchor = next(
            (x for x in (number_line, date_line, type_line) if x is not None),
            min(10, layout.header_end),
        )
        groups: list[list[tuple[int, str]]] = []
        for ln in layout.lines[self._block_top(layout, anchor) : anchor]:
            pieces = self._issuer_pieces(ln)
            if not pieces:
                continue
            s, t = pieces[0]
            k = name_key(t)
            prev_text = groups[-1][-1][1] if groups else ""
            joined = name_key(" ".join(t for _, t in groups[-1]) + " " + t) if groups else ""
            continuation = bool(groups) and (
                joined in self.res.issuer_by_key  # "ỦY BAN THƯỜNG VỤ" / "QUỐC HỘI"
                or not is_org_head(self.res, k)
                or any(k.startswith(a + " ") for a, _ in self.res.admin_levels)
                or prev_text.rstrip().endswith((",", " VÀ", "&"))
            )
            if continuation and k.startswith("bo ") and not prev_text.rstrip().endswith((",", "VÀ")):
                continuation = False
            if continuation:
                groups[-1].append((s, t))
            else:
                groups.append([(s, t)])
        hits: list[Hit] = []
        for i, group in enumerate(groups):
            role = "issuer" if i == len(groups) - 1 else "issuer_superior"
            start = group[0][0]
            end = group[-1][0] + len(group[-1][1])
            hits.append(Hit(f"{role}_header", start, end, " ".join(t for _, t in group), 0.9))
        return hits

    def _issuer_pieces(self, ln: Line) -> list[tuple[int, str]]:
        """The upper-case, word-like pieces of a header line that may name a body (none on a stamp's line)."""
        if _STAMP.search(ln.folded):
            return []
        return [
            (s, t)
            for s, t in _clean_header_line(ln)
            if upper_ratio(t) >= 0.75 and (wordlike(t) or name_key(t) in self.res.issuer_by_key)  # "BỘ Y TẾ"
        ]

    def _block_top(self, layout: Layout, anchor: int) -> int:
        """The first line of the issuer block. Decree 30 prints the issuer's first line level with the national
        title: on a page read by OCR or with its columns kept, the line that holds both starts the block, with the
        lines right above it (no blank line between: a superior printed a little higher). What stands further up,
        past a blank line, is a stamp or a marking put on the page ("Người ký: CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ",
        a gazette's "CHÍNH PHỦ" stamp), never the issuer. A text with the columns one after the other (no title
        line with a body beside it) is read from its first line."""
        for ln in layout.lines[:anchor]:
            title = _NATIONAL_TITLE.search(ln.folded)
            if title is None:
                continue
            if not any(s - ln.start < title.start() for s, _ in self._issuer_pieces(ln)):
                return 0
            top = ln.index
            while top > 0 and not layout.lines[top - 1].blank and self._issuer_pieces(layout.lines[top - 1]):
                top -= 1
            return top
        return 0

    def _subject(self, layout: Layout, type_line: int) -> Hit | None:
        collected: list[tuple[int, str]] = []
        upper_subject: bool | None = None
        for ln in layout.lines[type_line + 1 : type_line + 10]:
            if ln.start >= layout.page1_end and not collected:
                break
            if ln.blank:
                if collected:
                    break
                continue
            text = ln.text.strip()
            k = name_key(text)
            if BODY_MARKER.match(ln.folded.strip()) or _SEPARATOR_LINE.match(text) or _STAMP.search(ln.folded):
                break
            if collected and _BODY_OPENING.match(ln.folded.strip()):
                break  # "Thực hiện Nghị định số ...": the body of a plan, right under its subject
            upper = upper_ratio(text) >= 0.75
            if upper_subject is None:
                upper_subject = upper
            elif upper and not upper_subject:
                break  # "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH ..." after a mixed-case subject
            if upper and collected and (self._title_rx.match(k) or is_org_head(self.res, k)):
                break
            if len(collected) >= 5:
                break
            collected.append((ln.start + len(ln.text) - len(ln.text.lstrip()), text))
        if not collected:
            return None
        start = collected[0][0]
        end = collected[-1][0] + len(collected[-1][1])
        value = normalize_text(" ".join(t for _, t in collected)).strip(" _-–")
        return Hit("subject", start, end, value, 0.85 if len(collected) <= 3 else 0.7)

    def _letter_subject(self, layout: Layout) -> Hit | None:
        for ln in layout.lines[: max(layout.header_end, 1) + 1]:
            for seg_start, seg in ln.segments():
                off = seg_start - ln.start
                m = re.match(r"\W{0,3}v\s*/\s*v\b", ln.folded[off : off + len(seg)])
                if not m:
                    continue
                parts = [(seg_start + m.start(), seg[m.start() :])]
                for nxt in layout.lines[ln.index + 1 : ln.index + 4]:
                    segs = nxt.segments()
                    if nxt.blank or not segs or BODY_MARKER.match(nxt.folded.strip()):
                        break
                    s0, t0 = segs[0]
                    if s0 - nxt.start > 30 or upper_ratio(t0) >= 0.75 or DATE_PHRASE.search(fold(t0)):
                        break
                    parts.append((s0, t0))
                value = normalize_text(" ".join(t for _, t in parts))
                end = parts[-1][0] + len(parts[-1][1])
                return Hit("subject", parts[0][0], end, value, 0.85)
        return None
