"""The conversion mark and the PAdES signature on a PDF/A-2b: placement leaves the text readable (checked by OCR
with Tesseract), the signature validates against the demo CA and fails after a changed byte, and the file stays
PDF/A-2b (structure, XMP identification, output intent, embedded fonts; qpdf --check; the project's own checks)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections import Counter
from datetime import datetime
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytesseract
import pytest
from conftest import text_pdf

from sohoa.conformance.mark import MarkOptions, apply_mark
from sohoa.conformance.output import Conformance, ConformanceOptions, finish_pdf, finish_searchable_pdf
from sohoa.conformance.signing import NOT_FOR_PRODUCTION, Pkcs12Key, init_demo, sign_pdf
from sohoa.conformance.verify import check_pdf, load_roots
from sohoa.extractors.pdfa import _font_problems, _stream_problems, make_pdfa
from sohoa.extractors.types import PageResult, TextExtraction, TextSource
from sohoa.settings import Settings

OPTIONS = MarkOptions(
    digitisation_code="SH-000.00.18.G12-3F2A9C1E0B7D4455",
    when=datetime(2026, 11, 22, 9, 30).astimezone(),
    system="sohoa test",
    operator="Nguyễn Thị Hằng",
    organisation="UBND xã Tân Phú",
    result_code="000.00.18.G12-250704-0012-KQ1",
)


def _pdfa() -> bytes:
    result = make_pdfa(text_pdf())
    assert result.conforms
    return result.data


def _ocr_words(pdf: bytes) -> Counter[str]:
    doc = pdfium.PdfDocument(pdf)
    image = doc[0].render(scale=300 / 72).to_pil()
    text = pytesseract.image_to_string(image, lang="vie", config="--psm 4")
    return Counter(re.findall(r"\w+", text.lower()))


def test_mark_does_not_cover_text_read_by_ocr() -> None:
    plain = _pdfa()
    result = apply_mark(plain, OPTIONS)
    assert result.free
    before, after = _ocr_words(plain), _ocr_words(result.data)
    lost = before - after
    assert sum(before.values()) > 40
    assert sum(lost.values()) <= 1, lost  # the page's own words are all still read
    assert after["tân"] >= before["tân"] + 1  # and the mark itself is readable
    x0, y1 = result.box.x0, result.box.y1
    assert x0 < 100 and y1 > 500  # top-left quarter of an A4 page (595 x 842 pt)


def test_certified_copy_goes_top_right_and_a_full_page_is_flagged() -> None:
    copy = apply_mark(_pdfa(), MarkOptions(**{**OPTIONS.__dict__, "kind": "certified_copy"}))
    assert copy.box.x1 > 500 and copy.free
    crowded = make_pdfa(text_pdf(["Dòng chữ kín trang " * 8] * 30)).data
    result = apply_mark(crowded, OPTIONS)
    assert not result.free  # no blank place: reported, the pipeline sends the item to review


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("keys")


def test_init_demo_is_idempotent_and_labelled(demo: Path) -> None:
    first = init_demo(demo)
    second = init_demo(demo)
    assert first == second
    from cryptography import x509

    ca = x509.load_pem_x509_certificate(first.ca_file.read_bytes())
    assert NOT_FOR_PRODUCTION in ca.subject.rfc4514_string()
    signed = sign_pdf(_pdfa(), Pkcs12Key(first.pkcs12_file, first.password))
    assert NOT_FOR_PRODUCTION in signed.signer


def test_signature_validates_and_any_changed_byte_is_reported(demo: Path) -> None:
    files = init_demo(demo)
    unsigned = apply_mark(_pdfa(), OPTIONS).data
    signed = sign_pdf(unsigned, Pkcs12Key(files.pkcs12_file, files.password))
    assert signed.data.startswith(unsigned)  # incremental update: the PDF/A bytes are kept as they are
    roots = load_roots(files.ca_file)
    check = check_pdf(signed.data, roots)
    assert check.ok and check.signatures[0].whole_file and check.signatures[0].trusted
    assert "Nguyễn Văn Demo" in (check.signatures[0].signer or "")
    assert check.signatures[0].signed_at is not None
    import hashlib

    sha = hashlib.sha256(signed.data).hexdigest()
    step = max(1, len(signed.data) // 150)
    covered = len(unsigned) - 100  # well inside the signed byte range
    for pos in range(0, len(signed.data), step):
        changed = bytearray(signed.data)
        changed[pos] ^= 0x01
        assert not check_pdf(bytes(changed), roots, expected_sha256=sha).ok, pos
        if pos < covered:  # pyHanko alone sees every change in the signed bytes
            assert not check_pdf(bytes(changed), roots).ok, pos
    appended = check_pdf(signed.data + b"\n% appended\n", roots)
    assert not appended.ok and not appended.signatures[0].whole_file
    other_root = load_roots(init_demo(demo / "other").ca_file)
    assert not check_pdf(signed.data, other_root).ok  # a CA we do not trust


def test_pdfa_stays_pdfa_after_marking_and_signing(demo: Path, tmp_path: Path) -> None:
    files = init_demo(demo)
    conformance = Conformance("SH-TEST")
    options = ConformanceOptions(
        digitisation_code="SH-TEST", operator="Nguyễn Văn Demo", sign=True,
        pkcs12_file=files.pkcs12_file, pkcs12_password=files.password,
    )  # fmt: skip
    data = finish_pdf(_pdfa(), [], None, options, conformance)
    assert not conformance.problems and conformance.signature is not None
    with pikepdf.open(io.BytesIO(data)) as pdf:
        with pdf.open_metadata() as meta:
            assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        intents = pdf.Root.OutputIntents
        assert intents[0].S == "/GTS_PDFA1" and "/DestOutputProfile" in intents[0]
        assert _font_problems(pdf) == [] and _stream_problems(pdf) == []  # the mark's font is embedded
        widget = pdf.Root.AcroForm.Fields[0]
        assert int(widget.get("/F", widget.Kids[0].get("/F") if "/Kids" in widget else 0)) & 4  # print flag
        assert "/Encrypt" not in pdf.trailer
    if shutil.which("qpdf"):
        (tmp_path / "signed.pdf").write_bytes(data)
        proc = subprocess.run(["qpdf", "--check", str(tmp_path / "signed.pdf")], capture_output=True)
        assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()


def _extraction(source: TextSource) -> TextExtraction:
    return TextExtraction("application/pdf", [PageResult(1, "Quyết định", source, "test")])


@pytest.mark.parametrize(("source", "marked"), [(TextSource.OCR, True), (TextSource.TEXT_LAYER, False)])
def test_only_documents_converted_from_paper_get_the_mark_by_default(
    source: TextSource, marked: bool, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path)  # mark_scope="paper"
    conformance = Conformance("SH-TEST")
    finish_searchable_pdf(_pdfa(), _extraction(source), settings, conformance)
    assert (conformance.mark is not None) is marked
    everything = Conformance("SH-TEST")
    finish_searchable_pdf(
        _pdfa(), _extraction(TextSource.TEXT_LAYER), Settings(data_dir=tmp_path, mark_scope="all"), everything
    )
    assert everything.mark is not None
