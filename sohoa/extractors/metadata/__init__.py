"""Rule-based metadata extraction for Vietnamese administrative documents (Decree 30/2020/NĐ-CP layout).

``extract_metadata(text, page_starts)`` turns the text of a document (text layer or Tesseract ``vie`` OCR) into a
:class:`DocumentMetadata`. It runs a blank Vietnamese spaCy pipeline (whitespace tokenizer, no pyvi: 10x faster and
the rules work on characters anyway) with custom components. Each component runs regexes over the text and a
same-length folded twin (no diacritics, lower case: OCR often drops or swaps a tone mark), records exact-offset
:class:`Hit` objects in ``doc.user_data[HITS_KEY]`` and token-aligned copies in ``doc.spans[label]``:

- ``sohoa_layout``: lines, folded twin, the header zone of page 1;
- ``sohoa_codes``: TTHC procedure codes and dossier codes (``codes.py``);
- ``sohoa_number_date``: the "Số:" line (number and symbol), then "<place>, ngày .. tháng .. năm ..";
- ``sohoa_header``: issuing body block (left header column), type line, subject (trích yếu, or "V/v" of a letter);
- ``sohoa_signature``: signing form (TM./KT./Q./TL./TUQ.), signer title and name, "Nơi nhận:" recipients;
- ``sohoa_citations``: cited documents with their type, date and issuer.

:class:`MetadataExtractor` then chooses between candidates, canonicalises values with the packaged JSON data and
scores them. Conventions follow the demo generator (``sohoa/samples/texts.py``): issuer names in running-text case
("Ủy ban nhân dân tỉnh Nghệ An"), ``signing_form`` as the printed authority lines joined by " / " ("TM. ỦY BAN NHÂN
DÂN / KT. CHỦ TỊCH"), recipients without the leading "- " and the final ";"/".".

``spans`` hold offsets into the caller's text (even NFD input) and the page: one per scalar field, "recipients" for
the whole list, and "procedure_codes[i]", "dossier_codes[i]", "cited_documents[i]" per item.

rules-2 adds ``sohoa_marks`` (secrecy and urgency marks, "DỰ THẢO", the copy form SAO Y / TRÍCH SAO / SAO LỤC with
the copying body, number and date), e-result, result-type and agency codes, the issuer's administrative level (data:
``issuers.json`` "levels"), per-citation spans, the receipt officer's signature when the text layer joins the two
signature columns, and the personal data of ``pii.py`` (the signer, a public official, is not personal data).

The components run on a Doc with one token per line (``MetadataExtractor.make_doc``): they read characters, and
whitespace tokens would cost two thirds of the time budget (measured in ``scripts/bench_metadata.py``).

Flags: ``blank_number`` ("Số: /QĐ-UBND": a draft, or a number stamped where the text layer does not see it),
``unreadable_number`` (handwritten or damaged number), ``number_guessed`` (no "Số:" line; the first number above the
type line taken), ``no_number``, ``blank_date``, ``invalid_date`` ("năm 20210", day 31/2), ``unreadable_date`` (with
``invalid_date``: letters and marks where the digits should be, as OCR reads handwriting), ``no_date``,
``invalid_cited_date``, ``doc_type_conflict`` (type line and symbol disagree), ``issuer_conflict`` (header and symbol
name different bodies), ``draft`` (marked "DỰ THẢO"). :data:`REVIEW_FLAGS` are those a person should look at.
"""

from sohoa.extractors.metadata.assemble import (
    EXTRACTOR_VERSION,
    PIPELINE,
    REVIEW_FLAGS,
    MetadataExtractor,
    _Assembler,
    extract_metadata,
    needs_review,
)
from sohoa.extractors.metadata.layout import LAYOUT_KEY, TEXT_KEY, Hit
from sohoa.extractors.metadata.lexicon import DocType, Resources
from sohoa.extractors.metadata.orgs import canonical_org

__all__ = [
    "EXTRACTOR_VERSION",
    "LAYOUT_KEY",
    "PIPELINE",
    "REVIEW_FLAGS",
    "TEXT_KEY",
    "DocType",
    "Hit",
    "MetadataExtractor",
    "Resources",
    "_Assembler",
    "canonical_org",
    "extract_metadata",
    "needs_review",
]
