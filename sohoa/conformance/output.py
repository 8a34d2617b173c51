"""Mark and sign one searchable PDF for the pipeline: the single call sohoa/pipelines/ingest.py makes.

``finish_pdf`` takes the PDF bytes, page 1's OCR word boxes and a ``ConformanceOptions`` built from Settings, and
returns the marked (and, when enabled, signed) bytes with what was done. It never raises for a bad key or a PDF it
cannot mark: the result carries a ``problems`` list, which the pipeline turns into a `needs_review` status with
the reason, so one bad item never stops a batch. A PDF/A-2b input is labelled again after marking (the mark's font
is embedded, so the project's PDF/A checks still pass) and the signature is an incremental update after that.
"""

from __future__ import annotations

import io
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import pikepdf

from sohoa import __version__
from sohoa.conformance.dossier import Membership, membership
from sohoa.conformance.identifiers import digitisation_code
from sohoa.conformance.mark import MarkError, MarkOptions, MarkResult, WordBox, mark_open_pdf
from sohoa.conformance.signing import Pkcs12Key, SigningError, SignOptions, SignResult, sign_pdf
from sohoa.extractors import pdfa, pdfout
from sohoa.extractors.types import TextExtraction, TextSource
from sohoa.settings import Settings


@dataclass(frozen=True)
class ConformanceOptions:
    digitisation_code: str
    mark: bool = True
    mark_kind: Literal["converter", "certified_copy"] = "converter"
    copy_form: str = "SAO Y"
    operator: str | None = None
    organisation: str | None = None
    result_code: str | None = None
    sign: bool = False
    pkcs12_file: Path | None = None
    pkcs12_password: str | None = None
    tsa_url: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings, code: str, result_code: str | None = None) -> ConformanceOptions:
        password = settings.signing_pkcs12_password
        return cls(
            digitisation_code=code,
            mark=settings.mark_enabled,
            mark_kind=settings.mark_kind,
            copy_form=settings.mark_copy_form,
            operator=settings.signing_name,
            organisation=settings.signing_organisation,
            result_code=result_code,
            sign=settings.signing_enabled,
            pkcs12_file=settings.signing_pkcs12_file,
            pkcs12_password=password.get_secret_value() if password else None,
            tsa_url=settings.signing_tsa_url,
        )


@dataclass
class Conformance:
    """What the conformance step decided and did for one item; recorded by sohoa/conformance/record.py."""

    digitisation_code: str
    member: Membership | None = None
    mark: dict[str, Any] | None = None
    signature: SignResult | None = None
    problems: list[str] = field(default_factory=list)

    def sidecar(self) -> dict[str, Any]:
        out: dict[str, Any] = {"digitisation_code": self.digitisation_code, "mark": self.mark}
        if self.member:
            e = self.member.entry
            out["dossier"] = {
                "code": self.member.dossier.code,
                "procedure_code": self.member.dossier.procedure_code,
                "role": e.role,
                "position": e.position,
                "result_code": e.result_code,
                "result_type": e.result_type,
            }
        if self.signature:
            s = self.signature
            out["signature"] = {"signer": s.signer, "signed_at": s.signed_at.isoformat(), "level": s.level}
        if self.problems:
            out["problems"] = self.problems
        return out


def prepare(settings: Settings, path: Path, sha256: str, existing_code: str | None = None) -> Conformance:
    """The item's dossier membership and digitisation-result code (kept from an earlier version if it has one)."""
    member = membership(path)
    code = existing_code or digitisation_code(
        sha256,
        agency_code=settings.signing_organisation_code,
        result_type=member.entry.result_type if member else None,
    )
    return Conformance(code, member)


def _is_pdfa(pdf: pikepdf.Pdf) -> bool:
    with pdf.open_metadata() as meta:
        return meta.get("pdfaid:part") is not None


def _marked(data: bytes, words: list[WordBox], image_size: tuple[int, int] | None, options: MarkOptions,
            conformance: Conformance) -> tuple[bytes, MarkResult]:  # fmt: skip
    """Mark page 1 and label the PDF/A again, on one open PDF with one save (a dossier's PDF can be large)."""
    with ExitStack() as stack:
        pdf = stack.enter_context(pikepdf.open(io.BytesIO(data)))
        was_pdfa = _is_pdfa(pdf)
        result = mark_open_pdf(pdf, data, options, stack, words=words, image_size=image_size)
        problems = pdfa.conform(pdf) if was_pdfa else []
        if problems:
            conformance.problems.append(f"PDF/A lost after marking: {'; '.join(problems)}")
        return (pdfa.save(pdf) if was_pdfa and not problems else pdfout.save(pdf)), result


def finish_pdf(
    data: bytes,
    words: list[WordBox],
    image_size: tuple[int, int] | None,
    options: ConformanceOptions,
    conformance: Conformance,
) -> bytes:
    """The searchable PDF marked and signed as ``options`` say; ``conformance`` records what happened."""
    if options.mark:
        try:
            data, result = _marked(
                data,
                words,
                image_size,
                MarkOptions(
                    digitisation_code=options.digitisation_code,
                    when=datetime.now().astimezone(),
                    system=f"sohoa {__version__}",
                    operator=options.operator,
                    organisation=options.organisation,
                    result_code=options.result_code,
                    kind=options.mark_kind,
                    copy_form=options.copy_form,
                ),
                conformance,
            )
            conformance.mark = {
                "box": [round(v, 1) for v in (result.box.x0, result.box.y0, result.box.x1, result.box.y1)],
                "scale": result.scale,
                "free": result.free,
                "moved_down_pt": result.moved_down_pt,
                "kind": options.mark_kind,
                "lines": result.lines,
            }
            if not result.free:
                conformance.problems.append("the conversion mark found no blank place on page 1 and may cover content")
        except (MarkError, pikepdf.PdfError) as exc:
            conformance.problems.append(f"conversion mark failed: {exc}")
    if options.sign:
        if options.pkcs12_file is None:
            conformance.problems.append("signing failed: SOHOA_SIGNING_PKCS12_FILE is not set")
            return data
        try:
            conformance.signature = sign_pdf(
                data, Pkcs12Key(options.pkcs12_file, options.pkcs12_password), SignOptions(tsa_url=options.tsa_url)
            )
            data = conformance.signature.data
        except SigningError as exc:
            conformance.problems.append(f"signing failed: {exc}")
    return data


def converted_from_paper(extraction: TextExtraction) -> bool:
    """A document some page of which had to be read by OCR is a scan of paper; a text layer or a native format is
    the document's own electronic text, which Decree 45/2020 Art 25's conversion mark does not apply to."""
    return any(p.source == TextSource.OCR for p in extraction.pages)


def finish_searchable_pdf(
    data: bytes, extraction: TextExtraction, settings: Settings, conformance: Conformance
) -> bytes:
    """``finish_pdf`` with the options from Settings and page 1's OCR words."""
    member = conformance.member
    first_page = extraction.pages[0] if extraction.pages else None
    words = [WordBox(w.left, w.top, w.width, w.height) for w in getattr(first_page, "words", [])]
    size = (
        (first_page.width_px, first_page.height_px)
        if first_page and first_page.width_px and first_page.height_px
        else None
    )
    options = ConformanceOptions.from_settings(
        settings, conformance.digitisation_code, member.entry.result_code if member else None
    )
    if settings.mark_scope == "paper" and not converted_from_paper(extraction):
        options = replace(options, mark=False)
    return finish_pdf(data, words, size, options, conformance)
