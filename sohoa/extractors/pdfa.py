"""PDF/A-2b for the searchable PDF (Circular 05/2025/TT-BNV: archival copies in PDF/A with image and text layers).

The step adds what PDF/A-2b requires on top of a PDF whose content already qualifies (an sRGB output intent,
XMP metadata with the PDF/A identification, a document ID) and checks the content rules it cannot fix without
re-rendering: every font embedded, no encryption, no LZW, no JavaScript or other active content (launch actions,
embedded files, XFA: sohoa/extractors/pdfactive.py strips them before). A file that fails a check keeps its
content and is reported as not conforming, with the reasons — never silently labelled PDF/A.
No validator (veraPDF) runs here: the checks below are the rules this pipeline can break, not the full standard.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pikepdf
from PIL import ImageCms

from sohoa import __version__


@dataclass
class PdfaResult:
    data: bytes
    conforms: bool
    problems: list[str] = field(default_factory=list)


def _srgb_icc() -> bytes:
    # lcms's built-in sRGB: no profile file needs to be shipped or found on disk.
    return bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())


def _font_problems(pdf: pikepdf.Pdf) -> list[str]:
    problems: set[str] = set()
    seen: set[tuple[int, int]] = set()

    def check_resources(res: pikepdf.Object) -> None:
        fonts = res.get("/Font") if isinstance(res, pikepdf.Dictionary) else None
        if isinstance(fonts, pikepdf.Dictionary):
            for _, font in fonts.items():
                check_font(font)
        xobjects = res.get("/XObject") if isinstance(res, pikepdf.Dictionary) else None
        if isinstance(xobjects, pikepdf.Dictionary):
            for _, xobj in xobjects.items():
                key = xobj.objgen
                if key != (0, 0) and key in seen:
                    continue
                seen.add(key)
                if xobj.get("/Subtype") == "/Form" and "/Resources" in xobj:
                    check_resources(xobj.Resources)

    def check_font(font: pikepdf.Object) -> None:
        subtype = font.get("/Subtype")
        if subtype == "/Type3":
            return  # glyphs are content streams: nothing to embed
        target = font.DescendantFonts[0] if subtype == "/Type0" else font
        desc = target.get("/FontDescriptor")
        if desc is None or not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            problems.add(f"font {font.get('/BaseFont', '?')} is not embedded")

    for page in pdf.pages:
        if "/Resources" in page.obj:
            check_resources(page.obj.Resources)
    return sorted(problems)


def _stream_problems(pdf: pikepdf.Pdf) -> list[str]:
    problems = set()
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            filters = obj.get("/Filter")
            names = list(filters) if isinstance(filters, pikepdf.Array) else [filters] if filters else []
            if pikepdf.Name("/LZWDecode") in names:
                problems.add("LZW-compressed stream (not allowed in PDF/A-2)")
        elif isinstance(obj, pikepdf.Dictionary) and obj.get("/S") == "/JavaScript":
            problems.add("JavaScript action")
    return sorted(problems)


def make_pdfa(data: bytes, *, title: str | None = None, language: str = "vi-VN") -> PdfaResult:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        problems = conform(pdf, title=title, language=language)
        return PdfaResult(save(pdf) if not problems else data, not problems, problems)


def conform(pdf: pikepdf.Pdf, *, title: str | None = None, language: str = "vi-VN") -> list[str]:
    """Add what PDF/A-2b requires to an open PDF, in place, and return []; or return the problems that prevent it
    (the PDF is then left unchanged). Lets the searchable PDF be built and made PDF/A in one save."""
    if pdf.is_encrypted:
        return ["the PDF is encrypted"]
    problems = _font_problems(pdf) + _stream_problems(pdf)
    # PDF/A-2 forbids every kind of active content (6.6, 6.8: no JavaScript, Launch, XFA, non-PDF/A attachments);
    # the pipeline strips them first (pdfactive), so what is left here is reported, never labelled PDF/A.
    from sohoa.extractors.pdfactive import active_content

    problems += [
        f"active content: {kind}"
        for kind in active_content(pdf)
        if f"{kind}" != "javascript" or not any("JavaScript" in p for p in problems)
    ]
    if problems:
        return problems
    icc = pikepdf.Stream(pdf, _srgb_icc())
    icc["/N"] = 3
    intent = pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent,
        S=pikepdf.Name.GTS_PDFA1,
        OutputConditionIdentifier="sRGB IEC61966-2.1",
        Info="sRGB IEC61966-2.1",
        DestOutputProfile=icc,
    )
    pdf.Root.OutputIntents = pikepdf.Array([intent])
    pdf.Root.Lang = language
    now = datetime.now(UTC)
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["pdfaid:part"] = "2"
        meta["pdfaid:conformance"] = "B"
        meta["xmp:CreatorTool"] = f"sohoa {__version__}"
        meta["pdf:Producer"] = f"sohoa {__version__} (pikepdf {pikepdf.__version__})"
        meta["xmp:MetadataDate"] = now.isoformat()
        if title:
            meta["dc:title"] = title
    return []


def save(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    # Object streams are fine in PDF/A-2; a fresh /ID pair is required in the trailer.
    pdf.save(out, fix_metadata_version=True, deterministic_id=False)
    return out.getvalue()
