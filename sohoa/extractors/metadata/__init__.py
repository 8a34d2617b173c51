"""Rule-based metadata extraction for Vietnamese administrative documents (Decree 30/2020/NĐ-CP layout).

``extract_metadata(text, page_starts)`` turns the text of a document (text layer or Tesseract ``vie`` OCR) into a
:class:`DocumentMetadata`. The text is read once into a :class:`Layout` (``layout.py``: lines, a same-length folded
twin without diacritics, in lower case, since OCR often drops or swaps a tone mark; the header zone of page 1). Then
the rules of ``rules/`` run in the order listed in ``rules/__init__.py``; each returns one frozen result object
with exact-offset :class:`Hit` candidates and reads only the results it declares (``pipeline.py``):

- ``codes``: TTHC procedure, dossier, e-result, result-type and agency codes (``sohoa.extractors.codes``);
- ``number_date``: the "Số:" line (number and symbol), then "<place>, ngày .. tháng .. năm ..";
- ``header``: issuing body block (left header column), type line, subject (trích yếu, or "V/v" of a letter);
- ``marks``: secrecy and urgency marks, "DỰ THẢO", the copy form SAO Y / TRÍCH SAO / SAO LỤC with the copying
  body, number and date;
- ``signature``: signing form (TM./KT./Q./TL./TUQ.), signer title and name, "Nơi nhận:" recipients (and the receipt
  officer's signature when the text layer joins the two signature columns);
- ``citations``: cited documents with their type, date and issuer;
- ``issuers`` (after ``header``): the issuing body, its superior, the bodies of a joint document.

Before the Layout is built, the repairs of ``repair/`` (rules-3) normalise the metadata input only: Cyrillic, Greek
and full-width look-alikes (``textnorm.map_confusables``), issuer and national title joined on one line, numbers and
dates split over lines, letters split by stray spaces. Each keeps the offset map, so spans still point into the
caller's text; what they changed is counted in ``DocumentMetadata.repairs``. See ``docs/text-metadata.md``.

``assemble.py`` then chooses between candidates, canonicalises values with the packaged JSON data (``lexicon.py``;
organisation names in ``orgs.py``), scores them, adds the issuer's administrative level and the personal data of
``pii.py`` (the signer, a public official, is not personal data). Conventions follow the demo generator
(``sohoa/samples/texts.py``): issuer names in running-text case ("Ủy ban nhân dân tỉnh Nghệ An"), ``signing_form`` as
the printed authority lines joined by " / " ("TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH"), recipients without the leading
"- " and the final ";"/".".

``spans`` hold offsets into the caller's text (even NFD input) and the page: one per scalar field, "recipients" for
the whole list, and "procedure_codes[i]", "dossier_codes[i]", "cited_documents[i]" per item.

Flags: ``blank_number`` ("Số: /QĐ-UBND": a draft, or a number stamped where the text layer does not see it),
``unreadable_number`` (handwritten or damaged number), ``number_guessed`` (no "Số:" line; the first number above the
type line taken), ``no_number``, ``blank_date``, ``invalid_date`` ("năm 20210", day 31/2), ``unreadable_date`` (with
``invalid_date``: letters and marks where the digits should be, as OCR reads handwriting), ``no_date``,
``number_handwritten`` / ``date_handwritten`` (the value read from a pen-written blank, ``handwritten.py``),
``invalid_cited_date``, ``doc_type_conflict`` (type line and symbol disagree), ``issuer_conflict`` (header and symbol
name different bodies), ``draft`` (marked "DỰ THẢO"). :data:`REVIEW_FLAGS` are those a person should look at.

Design and how to add a rule: ``docs/metadata.md``.
"""

from sohoa.extractors.metadata.assemble import (
    EXTRACTOR_VERSION,
    REVIEW_FLAGS,
    Assembler,
    MetadataExtractor,
    extract_metadata,
    needs_review,
)
from sohoa.extractors.metadata.layout import Hit, Layout
from sohoa.extractors.metadata.lexicon import DocType, Resources
from sohoa.extractors.metadata.orgs import canonical_org
from sohoa.extractors.metadata.pipeline import Pipeline, PipelineError, Rule
from sohoa.extractors.metadata.rules import RULES

__all__ = [
    "EXTRACTOR_VERSION",
    "REVIEW_FLAGS",
    "RULES",
    "Assembler",
    "DocType",
    "Hit",
    "Layout",
    "MetadataExtractor",
    "Pipeline",
    "PipelineError",
    "Resources",
    "Rule",
    "canonical_org",
    "extract_metadata",
    "needs_review",
]
