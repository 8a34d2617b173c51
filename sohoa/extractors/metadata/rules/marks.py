"""Secrecy, urgency, draft and copy marks."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sohoa.extractors.codes import find_document_numbers, parse_document_number
from sohoa.extractors.metadata.dates import DATE_PHRASE, iso_or_none, parse_date_parts
from sohoa.extractors.metadata.layout import Hit, Layout, Line, upper_ratio, wordlike
from sohoa.extractors.metadata.lexicon import Resources, name_key
from sohoa.extractors.metadata.pipeline import Results, Rule
from sohoa.extractors.metadata.rules.header import Header
from sohoa.extractors.metadata.rules.number_date import NumberDate

_MARK_WORDS = re.compile(r"mat|khan|hoa toc|du thao")  # every mark of data/marks.json has one of these
_MARK_JUNK = " \t|[](){}*_-–—=:;.,'\"`!“”"
# The e-copy signature of Decree 30 Annex I Part II: "SAO Y; ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ;" then the time.
_COPY_STAMP = re.compile(r"^\W{0,3}(sao y(?: ban chinh)?|trich sao|sao luc)\s*[;:,.\-]\s*(?P<body>\S.*)?$")
_SIGN_TIME = re.compile(
    r"(?P<iso>(?:19|20)\d{2}-\d{2}-\d{2})T\d{2}:\d{2}|(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>(?:19|20)\d{2})\s+\d{1,2}:\d{2}"
)


@dataclass(frozen=True)
class Marks:
    """The first mark of each kind found; values are canonical ("Tối mật", "SAO Y"), ``copy_issuer`` as printed."""

    secrecy: Hit | None = None
    urgency: Hit | None = None
    draft: Hit | None = None
    copy_form: Hit | None = None
    copy_issuer: Hit | None = None
    copy_date: Hit | None = None
    copy_number: Hit | None = None


class MarksRule(Rule):
    """Secrecy and urgency marks, a draft mark and the copy form (SAO Y / TRÍCH SAO / SAO LỤC) with its block."""

    name = "marks"
    requires = (Layout, NumberDate, Header)
    assigns = Marks

    def __init__(self, res: Resources) -> None:
        super().__init__(res)
        # "DỰ THẢO", "Dự thảo lần 2", "DỰ THẢO III": the mark, an optional round, nothing else on the line.
        keys = "|".join(re.escape(d) for d in sorted(res.draft_keys, key=len, reverse=True))
        self._draft_rx = re.compile(rf"(?:{keys})(?: lan)?(?: \d{{1,2}}| [ivx]{{1,4}})?")

    def __call__(self, inputs: Results) -> Marks:
        layout, header = inputs[Layout], inputs[Header]
        hits: list[Hit] = []
        top_end = self._top_end(layout, header.subject_end_line, header.type_line, inputs[NumberDate].date_line)
        for ln in layout.lines[:top_end]:
            if _MARK_WORDS.search(ln.folded):
                hits.extend(self._marks_in(layout, ln))
        hits.extend(self._copy(layout))
        first: dict[str, Hit] = {}
        for h in hits:
            first.setdefault(h.label, h)
        return Marks(**first)

    @staticmethod
    def _top_end(layout: Layout, *lines: int | None) -> int:
        """Marks sit in the header of page 1, at most a few lines under the subject (or type or date line)."""
        marks = [x for x in lines if x is not None]
        end = max([layout.header_end, *(m + 3 for m in marks)])
        last_page1 = layout.line_at(max(0, layout.page1_end - 1)) + 1 if layout.lines else 0
        return min(end, 45, last_page1)

    def _classify(self, key: str) -> tuple[str, str] | None:
        res = self.res
        if key in res.secrecy_by_key:
            return "secrecy", res.secrecy_by_key[key]
        if key in res.urgency_by_key:
            return "urgency", res.urgency_by_key[key]
        if self._draft_rx.fullmatch(key):
            return "draft", "Dự thảo"
        return None

    def _marks_in(self, layout: Layout, ln: Line) -> list[Hit]:
        out: list[Hit] = []
        segments = ln.segments() or []
        if len(segments) > 1:
            segments = [(ln.start, ln.text), *segments]
        for seg_start, seg in segments:
            lead = len(seg) - len(seg.lstrip(_MARK_JUNK))
            core = seg.strip(_MARK_JUNK)
            if not core or len(core) > 40:
                continue
            start = seg_start + lead
            k = name_key(core)
            label = next(((lk, kind) for lk, kind in self.res.mark_label_keys.items() if k.startswith(lk + " ")), None)
            if label is not None:
                # "Độ khẩn: Hỏa tốc" (e-document form): the value after the label, any case.
                found = self._classify(k[len(label[0]) + 1 :])
                if found is not None and found[0] == label[1]:
                    out.append(Hit(label[1], start, start + len(core), found[1], 0.9))
                continue
            found = self._classify(k)
            if found is None or upper_ratio(core) < 0.75:
                continue
            kind, value = found
            out.append(Hit(kind, start, start + len(core), value, 0.9 if kind != "draft" else 0.95))
            break
        return out

    def _copy(self, layout: Layout) -> list[Hit]:
        """The copy form with the copying body, the copy's number and date, when printed."""
        res = self.res
        # (a) The e-copy signature at the top of page 1 (the copying body signs the file).
        for ln in layout.lines[:8]:
            m = _COPY_STAMP.match(ln.folded)
            if m is None or upper_ratio(ln.text[: m.end(1)]) < 0.75:
                continue
            form = res.copy_form_by_key[name_key(m.group(1))]
            form_start = ln.start + (len(ln.text) - len(ln.text.lstrip()))
            hits = [Hit("copy_form", form_start, ln.start + m.end(1), form, 0.95)]
            body_start = ln.start + m.start("body") if m.group("body") else None
            if body_start is not None:
                raw = layout.text[body_start : ln.end].strip().rstrip(";,.")
                hits.append(Hit("copy_issuer", body_start, body_start + len(raw), raw, 0.85))
            for nxt in layout.lines[ln.index : ln.index + 4]:
                t = _SIGN_TIME.search(nxt.text)
                if t is None:
                    continue
                iso = t.group("iso") or iso_or_none(t.group("d"), t.group("m"), t.group("y"))
                if iso:
                    hits.append(Hit("copy_date", nxt.start + t.start(), nxt.start + t.end(), iso, 0.9))
                break
            return hits
        # (b) A paper copy block (Annex I: the copying body, SAO Y, its number and date), usually after the original.
        for ln in layout.lines:
            if ln.blank or "sao" not in ln.folded:
                continue
            found = self._copy_form_on_line(ln)
            if found is None:
                continue
            form, f_start, f_end, body = found
            hits = [Hit("copy_form", f_start, f_end, form, 0.85)]
            if body is not None:
                hits.append(Hit("copy_issuer", body[0], body[0] + len(body[1]), body[1], 0.8))
            else:
                above = self._org_lines_above(layout, ln.index)
                if above is not None:
                    hits.append(Hit("copy_issuer", above[0], above[1], above[2], 0.75))
            block_end = min(len(layout.lines), ln.index + 9)
            block = layout.text[ln.start : layout.lines[block_end - 1].end]
            for num in find_document_numbers(block, assume_nfc=True):
                parsed = parse_document_number(num.value)
                if parsed and parsed.parts and parsed.parts[0] in res.copy_symbols:
                    hits.append(Hit("copy_number", ln.start + num.start, ln.start + num.end, num.value, 0.85))
                    break
            for d in DATE_PHRASE.finditer(layout.folded, ln.start, layout.lines[block_end - 1].end):
                iso, status = parse_date_parts(*(layout.folded[d.start(g) : d.end(g)] for g in ("d", "m", "y")))
                if status == "ok":
                    hits.append(Hit("copy_date", d.start(), d.end(), iso, 0.85))
                    break
            return hits
        return []

    def _copy_form_on_line(self, ln: Line) -> tuple[str, int, int, tuple[int, str] | None] | None:
        """A copy form alone in its column, or closing an upper-case body name ("VĂN PHÒNG UBND TỈNH X   SAO Y")."""
        for seg_start, seg in ln.segments():
            core = seg.strip(_MARK_JUNK)
            lead = len(seg) - len(seg.lstrip(_MARK_JUNK))
            k = name_key(core)
            if upper_ratio(core) < 0.9:
                continue
            if k in self.res.copy_form_by_key:
                s = seg_start + lead
                before = [(bs, bt) for bs, bt in ln.segments() if bs < seg_start and upper_ratio(bt) >= 0.75]
                body = (before[-1][0], before[-1][1].strip()) if before else None
                return self.res.copy_form_by_key[k], s, s + len(core), body
            for form_key, form in self.res.copy_form_by_key.items():
                if k.endswith(" " + form_key) and len(k) > len(form_key) + 6:
                    # Columns collapsed into one line by the text layer: the body name, then the form.
                    cut = _find_folded_suffix(core, form_key)
                    if cut is None:
                        continue
                    s = seg_start + lead
                    body_text = core[:cut].strip(_MARK_JUNK)
                    return form, s + cut, s + len(core), (s, body_text) if body_text else None
        return None

    @staticmethod
    def _org_lines_above(layout: Layout, index: int) -> tuple[int, int, str] | None:
        group: list[Line] = []
        for ln in reversed(layout.lines[max(0, index - 3) : index]):
            text = ln.text.strip()
            if not text or upper_ratio(text) < 0.75 or not wordlike(text):
                break
            group.insert(0, ln)
        if not group:
            return None
        start = group[0].start + len(group[0].text) - len(group[0].text.lstrip())
        end = group[-1].start + len(group[-1].text.rstrip())
        return start, end, " ".join(g.text.strip() for g in group)


def _find_folded_suffix(text: str, suffix_key: str) -> int | None:
    """Offset in ``text`` where the words whose key is ``suffix_key`` start (the text ends with them)."""
    words = list(re.finditer(r"\S+", text))
    n = len(suffix_key.split())
    if len(words) <= n:
        return None
    tail = words[-n:]
    if name_key(" ".join(w.group(0) for w in tail)) != suffix_key:
        return None
    return tail[0].start()
