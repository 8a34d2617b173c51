"""Cited documents."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sohoa.extractors.codes import find_document_numbers, parse_document_number
from sohoa.extractors.metadata.dates import parse_date_parts
from sohoa.extractors.metadata.layout import Hit, Layout
from sohoa.extractors.metadata.lexicon import Resources, name_key
from sohoa.extractors.metadata.orgs import canonical_org, local_body_span, strip_title
from sohoa.extractors.metadata.pipeline import Results, Rule
from sohoa.extractors.metadata.rules.number_date import NumberDate

_TYPE_WORDS = (
    "hien phap|bo luat|luat|phap lenh|nghi dinh|thong tu lien tich|thong tu|quyet dinh|nghi quyet lien tich|nghi quyet|"
    "chi thi|cong van|ke hoach|thong bao|van ban hop nhat|to trinh|bao cao|huong dan|cong dien|lenh"
)
_TYPE_MENTION = re.compile(rf"({_TYPE_WORDS})(?![a-z])")
_BETWEEN_TYPE_AND_NUMBER = re.compile(r"(?:[^;/\d]{0,90}?\bso\s*:?\s*|\s*(?:so\s*:?\s*)?)$")
_DATE_AFTER = re.compile(  # used with match(pos): no ^ anchor
    r"\s*[,.]?\s*(?:ban hanh\s+)?ngay\s*(?:"
    r"(?P<d>[^\s]{1,3}?)\s*thang\s*(?P<m>[^\s]{1,3}?)\s*nam\s*(?P<y>[^\s,.;)]{2,6})"
    r"|(?P<d2>[0-9olis|\]]{1,2})\s*[/.-]\s*(?P<m2>[0-9olis|\]]{1,2})\s*[/.-]\s*(?P<y2>[0-9olis|\]]{2,5}))"
)
_OF_ISSUER = re.compile(r"\s*,?\s*(?:cua|do)\s+")
_ISSUER_BEFORE = re.compile(r"\bcua\s+(?P<org>[^;:\n]{3,140}?)\s+tai\s*$")


@dataclass(frozen=True)
class Citation:
    """One mention of a document number other than the document's own, with what the words around it say."""

    hit: Hit  # value: the cited number
    doc_type: str | None
    issued_date: str | None  # ISO, when status is "ok"
    date_status: str | None  # of parse_date_parts; None when no date follows the number
    issuer: str | None  # canonical name
    spans: dict[str, tuple[int, int]]  # "number", "doc_type", "issued_date", "issuer" -> offsets in the layout


@dataclass(frozen=True)
class Citations:
    cited: tuple[Citation, ...]  # in text order, repeats included


class CitationsRule(Rule):
    """Cited documents: "Căn cứ Nghị định số 45/2020/NĐ-CP ngày 08 tháng 4 năm 2020 của Chính phủ"."""

    name = "citations"
    requires = (Layout, NumberDate)
    assigns = Citations

    def __init__(self, res: Resources) -> None:
        super().__init__(res)
        self._type_by_word = {t.title_keys[0]: t.name for t in res.doc_types}
        self._issuer_keys = sorted(res.issuer_by_key.items(), key=lambda kv: -len(kv[0]))
        # Indexed by first word: a citation is compared only with the bodies whose name starts like it.
        self._issuer_by_first: dict[str, list[tuple[str, str]]] = {}
        for k, canonical in self._issuer_keys:
            self._issuer_by_first.setdefault(k.split()[0] if k else "", []).append((k, canonical))
        self._issuer_max_words = max((len(k.split()) for k, _ in self._issuer_keys), default=1)

    def __call__(self, inputs: Results) -> Citations:
        layout, own = inputs[Layout], inputs[NumberDate].number
        own_span = (own.hit.start, own.hit.end) if own is not None else None
        cited: list[Citation] = []
        for m in find_document_numbers(layout.text, assume_nfc=True):
            if own_span and own_span[0] <= m.start < own_span[1]:
                continue
            cited.append(self._cite(layout, m.start, m.end, m.value))
        return Citations(tuple(cited))

    def _cite(self, layout: Layout, start: int, end: int, number: str) -> Citation:
        folded = layout.folded
        window_start = max(0, start - 140)
        window = folded[window_start:start]
        doc_type: str | None = None
        type_span: tuple[int, int] | None = None
        for tm in _TYPE_MENTION.finditer(window):
            if tm.start() and window[tm.start() - 1].isalpha():
                continue  # inside a word (the pattern leaves the lookbehind out: it is tried at every position)
            if _BETWEEN_TYPE_AND_NUMBER.match(window, tm.end()):
                doc_type = self._type_by_word.get(tm.group(1))
                type_span = (window_start + tm.start(), window_start + tm.end())
        spans: dict[str, tuple[int, int]] = {"number": (start, end)}
        if type_span is not None:
            spans["doc_type"] = type_span
        parsed = parse_document_number(number)
        if doc_type is None and parsed is not None:
            t, _ = self.res.type_for_symbol(parsed.parts, parsed.year is not None)
            doc_type = t.name if t is not None else None
            if doc_type is not None:
                spans["doc_type"] = (start, end)  # named by the symbol
        iso: str | None = None
        status: str | None = None
        pos = end
        conf = 0.9 if type_span is not None else 0.8
        dm = _DATE_AFTER.match(folded, pos, min(len(folded), pos + 60))
        if dm:
            if dm.group("d") is not None:
                parts = [layout.folded[dm.start(g) : dm.end(g)] for g in ("d", "m", "y")]
                date_start = folded.find("ngay", dm.start(), dm.end())
            else:
                parts = [layout.folded[dm.start(g) : dm.end(g)] for g in ("d2", "m2", "y2")]
                date_start = dm.start("d2")
            iso, status = parse_date_parts(*parts)
            if status == "ok":
                spans["issued_date"] = (date_start, dm.end())
            else:
                conf = 0.6
            pos = dm.end()
        issuer = self._issuer_after(layout, pos)
        if issuer is None and type_span is not None:
            issuer = self._issuer_before(layout, type_span[0])
        if issuer is None and parsed is not None:
            _, first_is_type = self.res.type_for_symbol(parsed.parts, parsed.year is not None)
            name, specific = self.res.issuer_for_symbol(parsed.parts, first_is_type)
            issuer = (name, start, end) if specific and name is not None else None
        if issuer is not None:
            spans["issuer"] = (issuer[1], issuer[2])
        hit = Hit("cited_documents", start, end, number, conf)
        return Citation(hit, doc_type, iso, status, issuer[0] if issuer is not None else None, spans)

    def _issuer_after(self, layout: Layout, pos: int) -> tuple[str, int, int] | None:
        """The body after "của"/"do": (canonical name, start, end of the words read)."""
        m = _OF_ISSUER.match(layout.folded, pos, min(len(layout.folded), pos + 20))
        if not m:
            return None
        tokens = list(_KEY_TOKEN.finditer(layout.folded, m.end(), min(len(layout.folded), m.end() + 120)))
        skipped = 0  # words of a signer's title before the body ("của Bộ trưởng Bộ Công an")
        for _ in range(2):
            if skipped >= len(tokens):
                break
            ahead = " ".join(t.group(0) for t in tokens[skipped : skipped + self._issuer_max_words + 1])
            for k, canonical in self._issuer_by_first.get(tokens[skipped].group(0), ()):
                if ahead == k or ahead.startswith(k + " "):
                    last = tokens[skipped + len(k.split()) - 1]
                    return canonical, tokens[skipped].start(), last.end()
            for t in self.res.citation_title_keys:
                if ahead.startswith(t + " "):
                    skipped += len(t.split())
                    break
            else:
                break
        line_end = layout.text.find("\n", m.end())
        raw_end = min(m.end() + 120, len(layout.text) if line_end < 0 else line_end)
        raw = layout.text[m.end() : raw_end]
        stripped = strip_title(self.res, raw)
        offset = m.end() + (len(raw) - len(stripped))
        found = local_body_span(self.res, stripped)
        if found is None:
            return None
        name, length = found
        lead = len(stripped) - len(stripped.lstrip())
        return name, offset + lead, offset + length

    def _issuer_before(self, layout: Layout, type_start: int) -> tuple[str, int, int] | None:
        """ "theo đề nghị của Giám đốc Sở Tư pháp tại Tờ trình số 318/TTr-STP": the issuer precedes the type."""
        m = _ISSUER_BEFORE.search(layout.folded, max(0, type_start - 160), type_start)
        if not m:
            return None
        org = layout.text[m.start("org") : m.end("org")]
        if name_key(org) in self.res.issuer_by_key:  # "Thủ tướng Chính phủ" is a body, not a title + body
            return self.res.issuer_by_key[name_key(org)], m.start("org"), m.end("org")
        name, _, known = canonical_org(self.res, strip_title(self.res, org))
        return (name, m.start("org"), m.end("org")) if known else None


_KEY_TOKEN = re.compile(r"[0-9a-z&]+")
