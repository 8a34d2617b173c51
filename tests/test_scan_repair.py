"""Repairs of scanned announcement rows against the catalogue: each one general, recorded, and never made on a row
a text source gave."""

from __future__ import annotations

from pathlib import Path

import pytest

from sohoa.catalogue.limits import parse_fee, parse_time_limit
from sohoa.catalogue.records import Action, CatalogueParse, ChannelTerms, ProcedureRecord
from sohoa.catalogue.scan_repair import (
    RepairOptions,
    name_similarity,
    nearest_code,
    repair_scanned,
    retone,
    without_trailing_stop,
)
from sohoa.catalogue.tabular import Provenance

KNOWN = {
    "1.005388": "Cấp đổi giấy phép lái xe",
    "3.000182": "Thủ tục xác nhận thông tin hộ tịch",
    "1.011516": "Cấp phiếu lý lịch tư pháp số 1",
    "2.000889": "Thủ tục đăng ký thường trú",
    "2.000881": "Thủ tục đăng ký tạm trú",
    "2.000888": "Thủ tục xóa đăng ký thường trú",
    "1.004227": "Đăng ký biến động quyền sử dụng đất",
}


def _record(code: str | None, name: str, row: int, **kw: object) -> ProcedureRecord:
    return ProcedureRecord(code=code, name=name, provenance=Provenance("qd-scan.pdf", None, row), page=2, **kw)  # type: ignore[arg-type]


def _parse(*records: ProcedureRecord) -> CatalogueParse:
    return CatalogueParse(file="qd-scan.pdf", kind="announcement", records=list(records))


def test_a_name_close_to_the_catalogue_takes_its_name_and_says_so() -> None:
    parsed = _parse(
        _record("1.005388", "Cấp đối giấy phép lái xe", 4),  # a tone
        _record("3.000182", "án 'Thủ tục xác nhận thông tin hộ tịch", 5),  # a stray word from the ruling
    )
    repairs = repair_scanned(parsed, KNOWN)
    assert [r.name for r in parsed.records] == [KNOWN["1.005388"], KNOWN["3.000182"]]
    first = parsed.records[0].extra["ocr_repairs"]
    assert first == [
        {"field": "name", "before": "Cấp đối giấy phép lái xe", "after": "Cấp đổi giấy phép lái xe",
         "method": "catalogue_name", "score": 1.0}
    ]  # fmt: skip
    assert [(r.row, r.page, r.method) for r in repairs] == [(4, 2, "catalogue_name"), (5, 2, "catalogue_name")]


def test_a_name_the_province_words_otherwise_is_kept() -> None:
    # far from the catalogue's wording: not an OCR error
    parsed = _parse(_record("1.004227", "Đăng ký biến động đất đai, tài sản gắn liền với đất tại cấp xã", 3))
    assert repair_scanned(parsed, KNOWN) == []
    assert parsed.records[0].name.endswith("tại cấp xã") and "ocr_repairs" not in parsed.records[0].extra
    assert name_similarity("Cấp đối giấy phép", "CẤP ĐỔI GIẤY  PHÉP") == 1.0  # folded: no tone, no case, spaces


def test_codes_one_character_from_a_single_known_code() -> None:
    assert nearest_code("1.005386", KNOWN) == "1.005388"
    assert nearest_code("2.000880", KNOWN) is None  # 2.000881, 2.000888 and 2.000889 are all one away
    assert nearest_code("1.005388", KNOWN) is None  # known: nothing to repair
    assert nearest_code("9.999999", KNOWN) is None
    parsed = _parse(_record("1.005386", "Cấp đổi giấy phép lái xe", 2), _record("2.000880", "Thủ tục mới", 3))
    repair_scanned(parsed, KNOWN)
    assert [r.code for r in parsed.records] == ["1.005388", "2.000880"]


def test_a_replaced_code_misread_in_the_note_is_found() -> None:
    row = _record("3.000182", KNOWN["3.000182"], 6, action=Action.REPLACED, extra={"note": "Thay thế TTHC mã 1.0l1516"})
    parsed = _parse(row)
    repair_scanned(parsed, KNOWN)
    assert row.other_code == "1.011516"
    assert row.extra["ocr_repairs"][0]["field"] == "other_code"


def test_specks_at_a_cell_end_go() -> None:
    assert without_trailing_stop("200.000 đồng.") == "200.000 đồng"
    assert without_trailing_stop("Miễn phí .") == "Miễn phí"
    for kept in ("v.v.", "TP.", "100.000.", "Thủ tục"):
        assert without_trailing_stop(kept) == kept
    terms = [ChannelTerms(None, parse_time_limit("10 Ngày làm việc."), parse_fee("200.000 đồng."))]
    parsed = _parse(_record("1.005388", "Cấp đổi giấy phép lái xe", 2, terms=terms))
    repair_scanned(parsed, KNOWN)
    (t,) = parsed.records[0].terms
    assert (t.time_limit and t.time_limit.text, t.fee and t.fee.text) == ("10 Ngày làm việc", "200.000 đồng")


def test_tones_of_a_name_the_catalogue_cannot_vouch_for() -> None:
    assert retone("Thủ tục hỗ trợ chỉ phí di dời", 8.0)[0] == "Thủ tục hỗ trợ chi phí di dời"
    assert retone("Thủ tục đăng ký khai sinh có yếu tố nước ngoài", 8.0) == (
        "Thủ tục đăng ký khai sinh có yếu tố nước ngoài",
        [],
    )
    # the model alone can be wrong ("đổi ngoại tệ", to exchange currency, read as "đối ngoại", foreign affairs):
    # by default it must be very sure
    assert retone("Thủ tục thay đổi đại lý đổi ngoại tệ", RepairOptions().min_tone_margin)[1] == []
    parsed = _parse(_record(None, "Thủ tục hỗ trợ chỉ phí di dời", 2, action=Action.NEW))
    repair_scanned(parsed, {}, RepairOptions(min_tone_margin=8.0))
    assert parsed.records[0].name == "Thủ tục hỗ trợ chi phí di dời"
    assert parsed.records[0].extra["ocr_repairs"][0]["method"] == "tone_lm"


def test_a_text_decision_is_never_repaired(tmp_path: Path) -> None:
    # the store knows 2.000889 under another name; a DOCX decision's own wording stands
    from sohoa.catalogue.importer import import_catalogue
    from sohoa.samples.decision_formats import to_docx
    from sohoa.store.db import Store
    from sohoa.store.models import CatalogueEntry, Procedure
    from tests.test_catalogue_formats import _decision

    store = Store(f"sqlite:///{tmp_path / 't.db'}")
    try:
        with store.session() as session:
            session.add(Procedure(code="2.000889", name="Cấp đổi giấy chứng nhận quyền sử dụng đất đai"))
        path = tmp_path / "qd.docx"
        path.write_bytes(to_docx(_decision()))
        import_catalogue(store, path)
        with store.session() as session:
            entry = session.query(CatalogueEntry).filter_by(code="2.000889").one()
            assert entry.name == "Cấp đổi giấy chứng nhận quyền sử dụng đất"
            assert "ocr_repairs" not in (entry.extra or {})
    finally:
        store.dispose()


def test_only_ocr_like_differences_take_the_catalogue_name() -> None:
    from sohoa.catalogue.scan_repair import ocr_like_difference

    official = "Thủ tục đăng ký chấm dứt giám hộ"
    for read in (
        "UA) Thủ tục đăng ký chấm dứt giám hộ",
        "Thủ tục đăng ký chấm dứt giám 2B hộ",
        "Thủ tục đăng ký : : chấm dứt giám hộ",
        "Thủ tục đăng ky chấm dút giám hộ",
    ):
        assert ocr_like_difference(read, official), read
    # the province's own wording: a word of the catalogue left out, plain words added
    for read in (
        "Thủ tục đăng ký chấm dứt giám hộ theo quy định",
        "Đăng ký chấm dứt giám hộ",
        "Thủ tục chấm dứt giám hộ",
        "Thủ tục đăng ký chấm dứt giám hộ (cấp xã)",
    ):
        assert not ocr_like_difference(read, official), read


def test_time_limit_and_fee_units_cut_at_the_cell_edge_are_completed() -> None:
    from sohoa.catalogue.scan_repair import FEE_UNITS, TIME_UNITS, clean_term

    assert clean_term("15 ngà", TIME_UNITS) == "15 ngày"
    assert clean_term(": 30 ngày", TIME_UNITS) == "30 ngày"
    assert clean_term("Ngay trong ngà", TIME_UNITS) == "Ngay trong ngày"
    assert clean_term("200.000 đồn :", FEE_UNITS) == "200.000 đồng"
    assert clean_term("03 tháng", TIME_UNITS) == "03 tháng"
    assert clean_term("Theo quy định của HĐND", FEE_UNITS) == "Theo quy định của HĐND"


@pytest.mark.slow
def test_a_scan_imported_into_the_store_is_repaired_from_its_catalogue(tmp_path: Path) -> None:
    # the store's catalogue spells one name with another mark ("đát"): a scan's reading of it is OCR-like close,
    # so the entry takes the store's name and says so; a text decision keeps its own (test above)
    from sohoa.catalogue.importer import import_catalogue
    from sohoa.samples.decision_formats import to_pdf
    from sohoa.samples.scan import save_scan, scan_pages
    from sohoa.store.db import Store
    from sohoa.store.models import CatalogueEntry, Procedure
    from tests.test_catalogue_formats import _decision

    pages, _ = scan_pages(to_pdf(_decision()), 200, seed=7, key="qd")
    scan = tmp_path / "qd-scan.pdf"
    save_scan(pages, scan, "pdf", 200)
    store = Store(f"sqlite:///{tmp_path / 't.db'}")
    try:
        with store.session() as session:
            session.add(Procedure(code="1.001990", name="Thủ tục thẩm định nhu cầu sử dụng đát"))
        report = import_catalogue(store, scan)
        assert "OCR repairs" in str(report.warnings[0])
        with store.session() as session:
            entry = session.query(CatalogueEntry).filter_by(code="1.001990").one()
            assert entry.name == "Thủ tục thẩm định nhu cầu sử dụng đát"
            assert entry.extra["read_by"] == "ocr"
            assert {"field": "name", "method": "catalogue_name", "after": entry.name}.items() <= next(
                r for r in entry.extra["ocr_repairs"] if r["field"] == "name"
            ).items()
    finally:
        store.dispose()
