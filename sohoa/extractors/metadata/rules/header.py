"""Issuer block, type line and subject."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sohoa.extractors.metadata.dates import _DATE
from sohoa.extractors.metadata.layout import (
    _BODY_MARKER,
    _BODY_OPENING,
    _MOTTO,
    _NATIONAL_TITLE,
    _NON_WORD_RUN,
    _SEPARATOR_LINE,
    _STAMP,
    Hit,
    Layout,
    Line,
    _add_hits,
    _DataComponent,
    _layout,
    _strip_junk,
    _upper_ratio,
    _wordlike,
)
from sohoa.extractors.metadata.lexicon import Resources, _key
from sohoa.extractors.metadata.orgs import (
    is_org_head,
)
from sohoa.textnorm import fold, normalize_text

if TYPE_CHECKING:
    from spacy.tokens import Doc


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
            s, t = _strip_junk(m.group(0), ln.start + off + m.start())
            if t and not _SEPARATOR_LINE.match(t):
                out.append((s, t))
    return out


class HeaderComponent(_DataComponent):
    """Issuer block (left header column), type line and subject."""

    def bind(self, res: Resources) -> None:
        super().bind(res)
        self._title_rx = self.title_regex()

    def __call__(self, doc: Doc) -> Doc:
        layout = _layout(doc)
        hits: list[Hit] = []
        type_hit = self._type_line(layout)
        if type_hit is not None:
            hits.append(type_hit)
            layout.type_line = layout.line_at(type_hit.start)
        hits.extend(self._issuer_block(layout))
        if type_hit is None:
            subject = self._letter_subject(layout)
        else:
            subject = self._subject(layout) if self.res.type_by_name[type_hit.value].has_subject else None
        if subject is not None:
            hits.append(subject)
        _add_hits(doc, hits)
        return doc

    def _type_line(self, layout: Layout) -> Hit | None:
        anchors = [x for x in (layout.number_line, layout.date_line) if x is not None]
        first = max(anchors) + 1 if anchors else 0
        for ln in layout.lines[first : min(layout.header_end + 2, first + 14)]:
            for seg_start, seg in _clean_header_line(ln):
                if _upper_ratio(seg) < 0.75 or seg.rstrip().endswith(":"):
                    continue
                k = _key(seg)
                if not k or k.startswith("cong van den"):
                    continue
                t = self.res.type_by_key.get(k)
                if t is not None and not t.letter:
                    return Hit("doc_type", seg_start, seg_start + len(seg), t.name, 0.95, {"line": ln.index})
                words = k.split()
                for n in range(min(len(words), 9), 0, -1):
                    head, tail = " ".join(words[:n]), " ".join(words[-n:])
                    for cand, exact_pos in ((head, "start"), (tail, "end")):
                        t = self.res.type_by_key.get(cand)
                        if t is None or t.letter or len(words) - n > 3:
                            continue
                        return Hit(
                            "doc_type",
                            seg_start,
                            seg_start + len(seg),
                            t.name,
                            0.6,
                            {"line": ln.index, "at": exact_pos},
                        )
        return None

    def _issuer_block(self, layout: Layout) -> list[Hit]:
        anchor = next(
            (x for x in (layout.number_line, layout.date_line, layout.type_line) if x is not None),
            min(10, layout.header_end),
        )
        groups: list[list[tuple[int, str]]] = []
        for ln in layout.lines[:anchor]:
            if _STAMP.search(ln.folded):
                continue
            pieces = [(s, t) for s, t in _clean_header_line(ln) if _upper_ratio(t) >= 0.75 and _wordlike(t)]
            if not pieces:
                continue
            s, t = pieces[0]
            k = _key(t)
            prev_text = groups[-1][-1][1] if groups else ""
            joined = _key(" ".join(t for _, t in groups[-1]) + " " + t) if groups else ""
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
        for role, group in zip(("issuer", "issuer_superior"), reversed(groups[-2:]), strict=False):
            start = group[0][0]
            end = group[-1][0] + len(group[-1][1])
            text = " ".join(t for _, t in group)
            hits.append(Hit(f"{role}_header", start, end, text, 0.9))
        return hits

    def _subject(self, layout: Layout) -> Hit | None:
        assert layout.type_line is not None
        collected: list[tuple[int, str]] = []
        upper_subject: bool | None = None
        for ln in layout.lines[layout.type_line + 1 : layout.type_line + 10]:
            if ln.start >= layout.page1_end and not collected:
                break
            if ln.blank:
                if collected:
                    break
                continue
            text = ln.text.strip()
            k = _key(text)
            if _BODY_MARKER.match(ln.folded.strip()) or _SEPARATOR_LINE.match(text) or _STAMP.search(ln.folded):
                break
            if collected and _BODY_OPENING.match(ln.folded.strip()):
                break  # "Thực hiện Nghị định số ...": the body of a plan, right under its subject
            upper = _upper_ratio(text) >= 0.75
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
        layout.subject_end_line = layout.line_at(end)
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
                    if nxt.blank or not segs or _BODY_MARKER.match(nxt.folded.strip()):
                        break
                    s0, t0 = segs[0]
                    if s0 - nxt.start > 30 or _upper_ratio(t0) >= 0.75 or _DATE.search(fold(t0)):
                        break
                    parts.append((s0, t0))
                value = normalize_text(" ".join(t for _, t in parts))
                end = parts[-1][0] + len(parts[-1][1])
                layout.subject_end_line = layout.line_at(end)
                return Hit("subject", parts[0][0], end, value, 0.85, {"letter": True})
        return None
