"""Pipeline and assembly."""

from __future__ import annotations

import bisect
import functools
import re
import threading
from typing import TYPE_CHECKING, Any

from sohoa.extractors.codes import (
    Aligned,
    align,
    parse_document_number,
)
from sohoa.extractors.metadata.layout import (
    TEXT_KEY,
    Hit,
    LayoutComponent,
    _DataComponent,
    _layout,
    hits_of,
)
from sohoa.extractors.metadata.lexicon import Resources, _key
from sohoa.extractors.metadata.orgs import (
    canonical_org,
)
from sohoa.extractors.metadata.rules.citations import CitationsComponent
from sohoa.extractors.metadata.rules.codes import CodesComponent
from sohoa.extractors.metadata.rules.header import HeaderComponent
from sohoa.extractors.metadata.rules.marks import MarksComponent
from sohoa.extractors.metadata.rules.number_date import NumberDateComponent
from sohoa.extractors.metadata.rules.signature import SignatureComponent
from sohoa.extractors.pii import find_pii_aligned
from sohoa.extractors.types import CitedDocument, DocumentMetadata, Span
from sohoa.textnorm import normalize_text

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


EXTRACTOR_VERSION = "rules-2"

# Defects a person should review: the value is missing or uncertain because of the document, not the layout.
REVIEW_FLAGS = frozenset(
    {
        "unreadable_number",
        "number_guessed",
        "invalid_date",
        "unreadable_date",
        "invalid_cited_date",
        "doc_type_conflict",
        "issuer_conflict",
    }
)

PIPELINE = (
    "sohoa_layout",
    "sohoa_codes",
    "sohoa_number_date",
    "sohoa_header",
    "sohoa_marks",
    "sohoa_signature",
    "sohoa_citations",
)


def _register_factories() -> None:
    """Register the components with spaCy on first use, so that importing this module does not import spaCy."""
    from spacy.language import Language

    classes: dict[str, type] = {
        "sohoa_layout": LayoutComponent,
        "sohoa_codes": CodesComponent,
        "sohoa_number_date": NumberDateComponent,
        "sohoa_header": HeaderComponent,
        "sohoa_marks": MarksComponent,
        "sohoa_signature": SignatureComponent,
        "sohoa_citations": CitationsComponent,
    }
    for name, cls in classes.items():
        if not Language.has_factory(name):
            Language.factory(name, func=lambda nlp, name, cls=cls: cls())


def _first(doc: Doc, label: str) -> Hit | None:
    found = hits_of(doc, label)
    return found[0] if found else None


class MetadataExtractor:
    """Holds the spaCy pipeline and the parsed data files (loaded once here); ``extract`` keeps no state."""

    version = EXTRACTOR_VERSION

    def __init__(self, resources: Resources | None = None, *, word_tokens: bool = False) -> None:
        import spacy

        _register_factories()
        self.resources = resources if resources is not None else Resources.load()
        # use_pyvi=False: whitespace tokens, 10x faster than pyvi; the rules read characters, not words.
        self.nlp: Language = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
        self.word_tokens = word_tokens
        self._lock = threading.Lock()
        if not word_tokens:
            # A line token is a new lexeme in nearly every document; its lexical attributes (shape, like_num, ...)
            # are computed in Python over the whole line, 3 ms of a 5-page text, and no component reads them.
            vocab: Any = self.nlp.vocab  # the attribute is missing from spaCy's type stubs
            vocab.lex_attr_getters = {}
        for name in PIPELINE:
            component = self.nlp.add_pipe(name)
            if isinstance(component, _DataComponent):
                component.bind(self.resources)

    def __call__(self, text: str, page_starts: list[int] | None = None) -> DocumentMetadata:
        return self.extract(text, page_starts)

    def make_doc(self, text: str) -> Doc:
        """The Doc the components run on: one token per line by default, whitespace tokens with ``word_tokens``.

        The components read characters (regexes over the text and its folded twin) and keep exact offsets in
        their hits, so tokens only align ``doc.spans``. Measured on 5-page texts (12k characters): whitespace
        tokenisation 3.4 ms, line tokens 0.15 ms (0.4 ms with the memory zone of ``extract``, against 0.65 ms
        without it), for a budget of 5 ms per document (200 documents/s).
        """
        if self.word_tokens:
            return self.nlp.make_doc(text)
        from spacy.tokens import Doc

        parts = [p for p in _LINE_TOKENS.split(text) if p]
        return Doc(self.nlp.vocab, words=parts, spaces=[False] * len(parts))

    def extract(self, text: str, page_starts: list[int] | None = None) -> DocumentMetadata:
        aligned = align(text)
        if page_starts is None and "\f" in text:
            page_starts = [0] + [m.end() for m in re.finditer("\f", text)]
        # Every line (or word) of every document would stay in the shared vocabulary and string store of a
        # long-running batch; a memory zone frees them when the document is done (and makes the Doc cheaper).
        # Zones are not thread-safe and the flow runs documents in threads: one extraction at a time per
        # extractor, which costs no parallelism (the work is pure Python, under the GIL anyway).
        with self._lock, self.nlp.memory_zone():
            doc = self.make_doc(aligned.text)
            doc.user_data[TEXT_KEY] = aligned.text  # doc.text is rebuilt from tokens on each access: slow
            doc = self.nlp(doc)
            return _Assembler(self.resources, doc, text, aligned, page_starts).run()


_LINE_TOKENS = re.compile(r"([\n\f])")


class _Assembler:
    """Chooses between the components' candidates and builds the DocumentMetadata."""

    def __init__(self, res: Resources, doc: Doc, text: str, aligned: Aligned, page_starts: list[int] | None) -> None:
        self.res, self.doc, self.text, self.aligned, self.page_starts = res, doc, text, aligned, page_starts
        self.md = DocumentMetadata()

    # -- helpers ------------------------------------------------------------------------------------------------------

    def span(self, start: int, end: int) -> Span:
        s, e = self.aligned.original(start, end)
        page = max(1, bisect.bisect_right(self.page_starts, s)) if self.page_starts else None
        return Span(s, e, page)

    def put(self, name: str, value: Any, hit: Hit | None, confidence: float) -> None:
        setattr(self.md, name, value)
        self.md.confidence[name] = round(confidence, 2)
        if hit is not None:
            self.md.spans[name] = self.span(hit.start, hit.end)

    def flag(self, name: str) -> None:
        if name not in self.md.flags:
            self.md.flags.append(name)

    # -- fields -------------------------------------------------------------------------------------------------------

    def run(self) -> DocumentMetadata:
        parts, has_year, own_number_hit = self.number()
        first_is_type = self.doc_type(parts, has_year)
        self.issuer(parts, first_is_type)
        self.issuer_level()
        self.place_date()
        self.text_fields()
        self.marks()
        self.lists(own_number_hit)
        self.pii()
        return self.md

    def issuer_level(self) -> None:
        """Level of the issuer from its name, else from its superior's ("Trung tâm PVHCC" under a province)."""
        md = self.md
        level, conf = self.res.level_of(md.issuer)
        name = "issuer"
        if level is None and md.issuer_superior:
            level, conf = self.res.level_of(md.issuer_superior)
            conf, name = conf * 0.9, "issuer_superior"
        if level is not None:
            md.issuer_level = level
            md.confidence["issuer_level"] = round(conf * md.confidence.get(name, 1.0), 2)
            if name in md.spans:
                md.spans["issuer_level"] = md.spans[name]

    def marks(self) -> None:
        for label in ("secrecy", "urgency", "copy_form", "copy_issuer", "copy_date", "copy_number"):
            hit = _first(self.doc, label)
            if hit is None:
                continue
            value = hit.value
            if label == "copy_issuer":
                value = canonical_org(self.res, value)[0]
            self.put(label, value, hit, hit.confidence)
        draft = _first(self.doc, "draft")
        if draft is not None:
            # Only a printed "DỰ THẢO": a blank number and date are also what the text layer shows when the
            # Government portal stamps them as form widgets (cv 286/C07-P6), so they get their own flags.
            self.flag("draft")
            self.md.spans["draft"] = self.span(draft.start, draft.end)

    def pii(self) -> None:
        layout = _layout(self.doc)
        officials = [n for n in (self.md.signer,) if n]
        labels = ("procedure_codes", "dossier_codes", "result_codes", "result_type_codes", "agency_codes")
        code_spans = [(h.start, h.end) for label in labels for h in hits_of(self.doc, label)]
        code_spans += [(h.start, h.end) for label in ("number", "cited_documents") for h in hits_of(self.doc, label)]
        self.md.pii = find_pii_aligned(
            self.aligned,
            self.text,
            self.page_starts,
            official_names=officials,
            folded=layout.folded,
            code_spans=code_spans,
        )
        if self.md.pii:
            self.md.confidence["pii"] = round(min(p.confidence for p in self.md.pii), 2)

    def number(self) -> tuple[tuple[str, ...], bool, Hit | None]:
        hit = _first(self.doc, "number")
        if hit is not None:
            status = hit.info["status"]
            symbol = hit.info["symbol"]
            if status == "ok":
                self.put("number", hit.value, hit, hit.confidence)
            else:
                self.flag("blank_number" if status == "blank" else "unreadable_number")
                self.md.spans["number"] = self.span(hit.start, hit.end)
            parsed = parse_document_number(f"/{symbol}")
            return (parsed.parts if parsed else ()), hit.info["year"] is not None, hit
        layout = _layout(self.doc)
        # Only above the type line: below it every number belongs to the subject ("sửa đổi Nghị định số 85/...").
        last_line = layout.type_line if layout.type_line is not None else layout.header_end
        limit = layout.lines[last_line - 1].end if last_line else 0
        for cand in hits_of(self.doc, "cited_documents"):
            if cand.start < limit:
                self.put("number", cand.value, cand, 0.5)
                self.flag("number_guessed")
                parsed = parse_document_number(cand.value)
                return (parsed.parts if parsed else ()), bool(parsed and parsed.year), cand
        self.flag("no_number")
        return (), False, None

    def doc_type(self, parts: tuple[str, ...], has_year: bool) -> bool:
        res = self.res
        type_hit = _first(self.doc, "doc_type")
        sym_type, first_is_type = res.type_for_symbol(parts, has_year)
        number_hit = _first(self.doc, "number")
        prefix = number_hit.info.get("prefix") if number_hit else None
        prefix_type = res.type_by_key.get(prefix) if prefix else None
        subject = _first(self.doc, "subject")
        letter_subject = bool(subject and subject.info.get("letter"))
        if sym_type is not None and sym_type.wraps:
            self.put("doc_type", sym_type.name, number_hit, 0.9)
        elif type_hit is not None:
            conf = type_hit.confidence
            if sym_type is not None and sym_type.name == type_hit.value:
                conf = 0.98
            elif sym_type is not None and not sym_type.letter and not sym_type.symbol_issuer:
                self.flag("doc_type_conflict")
                conf = min(conf, 0.6)
            self.put("doc_type", type_hit.value, type_hit, conf)
        elif prefix_type is not None:
            self.put("doc_type", prefix_type.name, number_hit, 0.9)
        elif sym_type is not None:
            if first_is_type:
                conf = 0.85
            elif sym_type.letter:
                conf = 0.85 if letter_subject else 0.65
            else:
                conf = 0.6  # QH13 alone: a law, unless the type line says Nghị quyết
            self.put("doc_type", sym_type.name, number_hit, conf)
        elif letter_subject:
            letter = next(t for t in res.doc_types if t.letter)
            self.put("doc_type", letter.name, subject, 0.7)
        return first_is_type

    def issuer(self, parts: tuple[str, ...], first_is_type: bool) -> None:
        res = self.res
        header = _first(self.doc, "issuer_header")
        superior = _first(self.doc, "issuer_superior_header")
        sym_name, specific = res.issuer_for_symbol(parts, first_is_type) if parts else (None, False)
        number_hit = _first(self.doc, "number")
        if header is not None:
            name, conf, known = canonical_org(self.res, header.value)
            # An unrecognised line above the issuer is more often a stamp than a superior body: keep known ones.
            sup = canonical_org(self.res, superior.value) if superior is not None else None
            sup_name = sup[0] if sup is not None and sup[2] else None
            if sym_name is not None and specific:
                if _key(name) == _key(sym_name):
                    conf = 0.97
                elif sup_name is not None and _key(sup_name) == _key(sym_name):
                    conf = max(conf, 0.85)
                elif known:
                    self.flag("issuer_conflict")
                    conf = min(conf, 0.7)
                else:
                    self.flag("issuer_conflict")
                    name, conf, header = sym_name, 0.75, number_hit
            elif sym_name is not None and _key(name).startswith(_key(sym_name)):
                conf = max(conf, 0.95)
            self.put("issuer", name, header, conf)
            if superior is not None and sup_name is not None and _key(sup_name) != _key(name):
                self.put("issuer_superior", sup_name, superior, 0.8)
        elif sym_name is not None:
            self.put("issuer", sym_name, number_hit, 0.75 if specific else 0.4)

    def place_date(self) -> None:
        place = _first(self.doc, "place")
        if place is not None:
            canonical = self.res.province(place.value)
            self.put("place", canonical or normalize_text(place.value), place, place.confidence)
        hit = _first(self.doc, "issued_date")
        if hit is None:
            self.flag("no_date")
            return
        status = hit.info["status"]
        if status == "ok":
            self.put("issued_date", hit.value, hit, hit.confidence)
        else:
            self.flag("blank_date" if status == "blank" else "invalid_date")
            if status == "unreadable":
                self.flag("unreadable_date")
            self.md.spans["issued_date"] = self.span(hit.start, hit.end)

    def text_fields(self) -> None:
        for label in ("subject", "signer", "signer_title"):
            hit = _first(self.doc, label)
            if hit is not None:
                self.put(label, hit.value, hit, hit.confidence)
        forms = hits_of(self.doc, "signing_form")
        if forms:
            value = " / ".join(h.value for h in forms)  # "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH"
            self.put("signing_form", value, forms[0], min(h.confidence for h in forms))
            self.md.spans["signing_form"] = self.span(forms[0].start, forms[-1].end)

    def complete_place(self, issuer: str | None) -> str | None:
        """ "Công an tỉnh" cited in a decision of "Ủy ban nhân dân tỉnh Đồng Nai" is "Công an tỉnh Đồng Nai"."""
        if issuer is None:
            return None
        m = _LEVEL_AND_PLACE.search(issuer)
        if m is None or m.group(2):
            return issuer
        for own in (self.md.issuer, self.md.issuer_superior):
            own_m = _LEVEL_AND_PLACE.search(own or "")
            if own_m and own_m.group(1) == m.group(1) and own_m.group(2):
                return f"{issuer} {own_m.group(2)}"
        return issuer

    def lists(self, own_number_hit: Hit | None) -> None:
        md = self.md
        recipients = hits_of(self.doc, "recipients")
        if recipients:
            md.recipients = [h.value for h in recipients]
            md.confidence["recipients"] = 0.85
            md.spans["recipients"] = self.span(recipients[0].start, recipients[-1].end)
        for label in ("procedure_codes", "dossier_codes", "result_codes", "result_type_codes", "agency_codes"):
            seen: dict[str, Hit] = {}
            for h in hits_of(self.doc, label):
                seen.setdefault(h.value, h)
            if seen:
                setattr(md, label, list(seen))
                md.confidence[label] = 0.9
                for i, h in enumerate(seen.values()):
                    md.spans[f"{label}[{i}]"] = self.span(h.start, h.end)
        cited: dict[str, CitedDocument] = {}
        first_hit: dict[str, Hit] = {}
        for h in hits_of(self.doc, "cited_documents"):
            if h.value == md.number or (own_number_hit is not None and h.start == own_number_hit.start):
                continue
            info = h.info
            if info.get("date_status") in ("invalid", "unreadable"):
                self.flag("invalid_cited_date")
            spans = {k: self.span(a, b) for k, (a, b) in info.get("spans", {}).items()}
            current = cited.get(h.value)
            if current is None:
                cited[h.value] = CitedDocument(
                    h.value,
                    info.get("doc_type"),
                    info.get("issued_date"),
                    info.get("issuer"),
                    confidence=h.confidence,
                    spans=spans,
                )
                first_hit[h.value] = h
                continue
            # A later mention completes the first ("Nghị định số 45/2020/NĐ-CP" then "... ngày 08/4/2020 của ...").
            for part in ("doc_type", "issued_date", "issuer"):
                if getattr(current, part) is None and info.get(part) is not None:
                    setattr(current, part, info.get(part))
                    if part in spans:
                        current.spans[part] = spans[part]
            current.confidence = max(current.confidence or 0.0, h.confidence)
        if cited:
            for c in cited.values():
                c.issuer = self.complete_place(c.issuer)
            md.cited_documents = list(cited.values())
            md.confidence["cited_documents"] = 0.8
            for i, h in enumerate(first_hit.values()):
                md.spans[f"cited_documents[{i}]"] = self.span(h.start, h.end)


_LEVEL_AND_PLACE = re.compile(r"\b(tỉnh|thành phố|huyện|quận|thị xã|thị trấn|xã|phường|đặc khu)(?: (.+))?$")


def needs_review(metadata: DocumentMetadata) -> bool:
    """Whether a flag of :data:`REVIEW_FLAGS` is set (a handwritten number or date, a conflict, a guess)."""
    return not REVIEW_FLAGS.isdisjoint(metadata.flags)


@functools.cache
def _default_extractor() -> MetadataExtractor:
    return MetadataExtractor()


def extract_metadata(text: str, page_starts: list[int] | None = None) -> DocumentMetadata:
    """Metadata of one document's text; ``page_starts`` are the offsets where pages 2, 3, ... start (page 1 at 0).

    Without ``page_starts`` pages are taken from form feeds in the text, if any; otherwise ``Span.page`` is None.
    """
    return _default_extractor().extract(text, page_starts)
