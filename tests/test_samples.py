"""The deterministic sample generator: texts, born-digital PDFs, scans, ground truth, idempotency. No Tesseract."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image

from sohoa.extractors.types import DocumentMetadata
from sohoa.samples import render
from sohoa.samples.generate import (
    FILES_DIR,
    GROUND_TRUTH,
    MANIFEST,
    MAX_SCANNED_PAGES,
    SampleFile,
    generate_samples,
    load_samples,
)
from sohoa.samples.procedures import AGENCY_CODES, PROCEDURES
from sohoa.samples.render import FontNotFoundError, find_serif_fonts, render_pdf
from sohoa.samples.scan import scan_pages
from sohoa.samples.texts import TTHC_PHRASE, generate_documents, vn_date
from sohoa.textnorm import fold

DOSSIER_CODE = re.compile(r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.H[0-9]{2}-[0-9]{6}-[0-9]{4}$")
TRUTH_KEYS = {f.name for f in fields(DocumentMetadata)} - {"confidence", "spans", "flags"}


def _ws(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture(scope="session")
def samples_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("samples")


@pytest.fixture(scope="session")
def samples(samples_dir: Path) -> list[SampleFile]:
    return generate_samples(samples_dir)


def _born_digital(samples: list[SampleFile]) -> list[SampleFile]:
    return [s for s in samples if s.kind == "born_digital"]


def _scans(samples: list[SampleFile]) -> list[SampleFile]:
    return [s for s in samples if s.kind == "scan"]


# -- texts -------------------------------------------------------------------------------------------------------


def test_same_seed_same_documents_other_seed_other_documents() -> None:
    a, b = generate_documents(8, seed=7), generate_documents(8, seed=7)
    assert [d.text for d in a] == [d.text for d in b]
    assert [d.truth for d in a] == [d.truth for d in b]
    assert [d.text for d in generate_documents(8, seed=8)] != [d.text for d in a]


def test_date_format_follows_decree_30() -> None:
    assert vn_date(date(2024, 3, 5)) == "ngày 05 tháng 3 năm 2024"
    assert vn_date(date(2023, 2, 1)) == "ngày 01 tháng 02 năm 2023"
    assert vn_date(date(2020, 4, 8)) == "ngày 08 tháng 4 năm 2020"
    assert vn_date(date(2021, 12, 16)) == "ngày 16 tháng 12 năm 2021"


@pytest.mark.parametrize("seed", [20240305, 1, 2])
def test_truth_keys_and_consistency_with_text(seed: int) -> None:
    for doc in generate_documents(8, seed=seed):
        t = doc.truth
        # Every ground-truth key is a metadata field (the extractor may know more fields than the generator)
        assert set(t) <= TRUTH_KEYS and {"doc_type", "number", "issuer", "issued_date", "signer"} <= set(t)
        DocumentMetadata.from_dict(t)  # loads into the extractor's type
        text = doc.text
        assert unicodedata.is_normalized("NFC", text)
        header = " ".join(line.text for line in doc.bands[0].columns[0] if line.runs[0].bold)
        assert t["issuer"].upper() == header
        if t["number"]:
            assert f"Số: {t['number']}" in text
        assert f"{t['place']}, {vn_date(date.fromisoformat(t['issued_date']))}" in text
        assert "2021-01-01" <= t["issued_date"] <= "2025-12-31"
        if t["subject"]:
            assert t["subject"] in doc.lines
        assert t["signer"] in doc.lines and t["signer_title"].upper() in doc.lines
        for part in (t["signing_form"] or "").split(" / "):
            assert part in text
        for r in t["recipients"]:
            assert f"- {r}" in text
        if t["recipients"]:
            assert t["recipients"][-1].startswith("Lưu: VT")
        for c in t["cited_documents"]:
            assert f"số {c['number']}" in text and re.fullmatch(r"\d{4}-\d{2}-\d{2}", c["issued_date"])
        for code in t["procedure_codes"]:
            assert code in text and code in {p.code for p in PROCEDURES}
        assert len(t["procedure_codes"]) == len(set(re.findall(r"\b\d\.\d{6}\b", text)))


def test_real_citations_keep_their_real_dates() -> None:
    cited = {c["number"]: c for d in generate_documents(24, seed=3) for c in d.truth["cited_documents"]}
    assert cited["45/2020/NĐ-CP"]["issued_date"] == "2020-04-08"
    assert cited["45/2020/NĐ-CP"]["issuer"] == "Chính phủ"
    for number, day in (("61/2018/NĐ-CP", "2018-04-23"), ("107/2021/NĐ-CP", "2021-12-06")):
        if number in cited:
            assert cited[number]["issued_date"] == day
    for doc in generate_documents(24, seed=3):  # no document cites an act issued after it
        for c in doc.truth["cited_documents"]:
            assert c["issued_date"] <= doc.truth["issued_date"]


def test_tthc_phrase_in_most_documents_not_all() -> None:
    docs = generate_documents(8, seed=20240305)
    with_phrase = [d for d in docs if TTHC_PHRASE in d.text.lower()]
    without = [d for d in docs if "thu tuc hanh chinh" not in fold(d.text)]
    assert len(with_phrase) >= 6 and len(without) >= 1


# -- born-digital PDFs -------------------------------------------------------------------------------------------


def test_render_is_byte_deterministic() -> None:
    doc = generate_documents(3, seed=11)[2]
    assert render_pdf(doc).data == render_pdf(doc).data


def test_pdf_text_layer_equals_truth(samples: list[SampleFile]) -> None:
    docs = {d.key: d for d in generate_documents(8, seed=20240305)}
    for s in _born_digital(samples):
        rendered = render_pdf(docs[s.doc_key])
        assert rendered.text == s.text
        # The file's text without page separators and page numbers is the document's logical text.
        body = [ln for ln in s.text.split("\n") if ln != "\f" and not ln.isdigit()]
        assert body == docs[s.doc_key].lines
        with pdfplumber.open(s.path) as pdf:
            assert len(pdf.pages) == s.pages
            # Column by column (the header and signing block are two columns side by side) ...
            got = []
            for region in rendered.regions:
                x0, top, x1, bottom = region.bbox
                page = pdf.pages[region.page - 1]
                got.append(page.within_bbox((x0 - 1, top - 1, x1 + 1, bottom + 1)).extract_text())
            assert _ws(" ".join(got)) == _ws(s.text.replace("\f", " "))
            # ... and nothing outside the regions.
            whole = "".join(p.extract_text() for p in pdf.pages)
            assert sorted(_ws(whole).replace(" ", "")) == sorted(_ws(s.text).replace(" ", "").replace("\f", ""))


def test_vietnamese_diacritics_survive_in_text_layer(samples: list[SampleFile]) -> None:
    texts = []
    for s in _born_digital(samples):
        with pdfplumber.open(s.path) as pdf:
            texts.append("\n".join(p.extract_text() for p in pdf.pages))
    joined = "\n".join(texts)
    assert unicodedata.is_normalized("NFC", joined)
    for needle in ("Ủy ban", "ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"):
        assert needle in joined
    assert "Đ" in joined and "đ" in joined and "ư" in joined and "ơ" in joined


def test_pdf_layout_is_a4_with_decree_30_margins(samples: list[SampleFile]) -> None:
    s = _born_digital(samples)[0]
    with pdfplumber.open(s.path) as pdf:
        page = pdf.pages[0]
        assert (round(page.width), round(page.height)) == (595, 842)
        words = page.extract_words()
        mm = 25.4 / 72
        assert min(w["x0"] for w in words) * mm >= render.MARGIN_LEFT_MM - 0.5
        assert max(w["x1"] for w in words) * mm <= 210 - render.MARGIN_RIGHT_MM + 0.5
        assert min(w["top"] for w in words) * mm >= render.MARGIN_TOP_MM - 0.5
        sizes = {round(c["size"], 1) for c in page.chars}
        assert sizes <= {11.0, 12.0, 12.5, 13.0, 14.0} | {x / 2 for x in range(20, 26)}


def test_missing_fonts_raise_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    assert find_serif_fonts().name in {"LiberationSerif", "DejaVuSerif"}
    monkeypatch.setattr(render, "_FONT_FILES", (("/nonexistent", ("a.ttf", "b.ttf", "c.ttf", "d.ttf")),))
    with pytest.raises(FontNotFoundError, match="fonts-liberation2"):
        find_serif_fonts()


# -- the generated set -------------------------------------------------------------------------------------------


def test_set_composition(samples: list[SampleFile], samples_dir: Path) -> None:
    born = _born_digital(samples)
    assert len(born) == 8
    assert sum(1 for s in born if s.pages == 1) >= 6 and any(s.pages == 2 for s in born)
    assert {s.truth["doc_type"] for s in born} >= {
        "Quyết định",
        "Công văn",
        "Kế hoạch",
        "Thông báo",
        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    }
    assert any(s.path.name == "Quyết định " + s.truth["number"].split("/")[0] + ".pdf" for s in born[:1])
    assert all(s.path.is_file() and s.path.parent == samples_dir / FILES_DIR for s in samples)
    assert any(not s.path.name.isascii() and " " in s.path.name for s in samples)
    assert all(s.path.name.isascii() for s in samples[1:])
    assert (samples_dir / GROUND_TRUTH).is_file() and (samples_dir / MANIFEST).is_file()
    lines = (samples_dir / GROUND_TRUTH).read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(samples)


def test_scans_record_their_dpi(samples: list[SampleFile]) -> None:
    scans = _scans(samples)
    assert {s.format for s in scans} == {"png", "tiff", "pdf"}
    assert {s.dpi for s in scans} == {200, 300}
    assert 3 <= len({s.doc_key for s in scans}) <= 4
    assert sum(s.pages for s in scans) <= MAX_SCANNED_PAGES
    assert any(s.format == "tiff" and s.pages > 1 for s in scans)
    for s in scans:
        assert s.dpi is not None and s.scan is not None and len(s.scan) == s.pages
        for profile in s.scan:
            assert 0.3 <= abs(profile["angle_deg"]) <= 1.5
        if s.format == "pdf":
            pdf = pdfium.PdfDocument(s.path)
            try:
                assert len(pdf) == s.pages
                for page in pdf:
                    (img,) = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))
                    meta = img.get_metadata()
                    assert round(meta.horizontal_dpi) == s.dpi == round(meta.vertical_dpi)
            finally:
                pdf.close()
            continue
        with Image.open(s.path) as im:
            assert getattr(im, "n_frames", 1) == s.pages
            for n in range(s.pages):
                im.seek(n)
                assert im.mode == "L"
                assert tuple(round(v) for v in im.info["dpi"]) == (s.dpi, s.dpi)
                # A4 at the recorded resolution.
                assert abs(im.width - 210 / 25.4 * s.dpi) < 3 and abs(im.height - 297 / 25.4 * s.dpi) < 3


def test_scans_are_deterministic() -> None:
    doc = generate_documents(2, seed=5)[1]
    data = render_pdf(doc).data
    (a,), pa = scan_pages(data, 100, seed=5, key=doc.key)
    (b,), pb = scan_pages(data, 100, seed=5, key=doc.key)
    (c,), _ = scan_pages(data, 100, seed=6, key=doc.key)
    assert pa == pb and a.tobytes() == b.tobytes() and a.tobytes() != c.tobytes()


def test_receipts_carry_a_dossier_code(samples: list[SampleFile]) -> None:
    receipts = [s for s in _born_digital(samples) if s.doc_kind == "giay_tiep_nhan"]
    assert len(receipts) == 2
    for s in receipts:
        (code,) = s.truth["dossier_codes"]
        assert DOSSIER_CODE.match(code)
        assert f"Mã hồ sơ: {code}" in s.text
        agency, yymmdd, _seq = code.rsplit("-", 2)
        assert agency in AGENCY_CODES
        assert yymmdd == s.truth["issued_date"][2:].replace("-", "")
        assert s.truth["number"] is None and s.truth["procedure_codes"] == [s.details["procedure_code"]]
        assert s.details["due_date"] > s.truth["issued_date"]
    assert len({s.truth["dossier_codes"][0].rsplit("-", 2)[0] for s in receipts}) == 2


def test_ground_truth_file_round_trips(samples: list[SampleFile], samples_dir: Path) -> None:
    assert load_samples(samples_dir) == samples


def test_idempotent_second_call_rewrites_nothing(samples: list[SampleFile], samples_dir: Path) -> None:
    paths = sorted(samples_dir.iterdir())
    before = {p: p.stat().st_mtime_ns for p in paths}
    again = generate_samples(samples_dir)
    assert again == samples
    assert {p: p.stat().st_mtime_ns for p in sorted(samples_dir.iterdir())} == before


def test_other_parameters_regenerate_and_drop_old_files(tmp_path: Path) -> None:
    first = generate_samples(tmp_path, count=3, seed=9, scans=False)
    assert len(first) == 3 and all(s.kind == "born_digital" for s in first)
    second = generate_samples(tmp_path, count=2, seed=10, scans=False)
    assert {p.name for p in tmp_path.iterdir()} == {FILES_DIR, GROUND_TRUTH, MANIFEST}
    assert {p.name for p in (tmp_path / FILES_DIR).iterdir()} == {s.path.name for s in second}
    assert second[0].truth != first[0].truth


def test_same_seed_same_born_digital_bytes(samples: list[SampleFile], tmp_path: Path) -> None:
    again = generate_samples(tmp_path, scans=False)
    ours: dict[str, Any] = {s.path.name: (s.sha256, s.truth, s.text) for s in _born_digital(samples)}
    assert {s.path.name: (s.sha256, s.truth, s.text) for s in again} == ours
