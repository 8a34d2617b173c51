"""Generated catalogue samples (no real personal data): a portal-format procedure list (xlsx), a local list (CSV),
a one-stop dossier list (CSV), a dossier statistics report (xlsx) and an announcement decision (PDF with ruled
tables); plus synthetic generators at scale for the benchmarks (full procedure records, dossier exports).

Everything draws on ``sohoa.samples.procedures`` so the samples agree with each other and with the generated
documents. What reconciliation should find is planted on purpose and named below (``PLANTED``). Output is
byte-for-byte deterministic for a seed, and a file already holding the same bytes is not rewritten.
"""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sohoa.samples.procedures import AGENCY_CODES, PROCEDURES

DEFAULT_SEED = 766
CATALOGUE_FILE = "danh-sach-tthc-mau.xlsx"
LOCAL_FILE = "danh-muc-tthc-dia-phuong-mau.csv"
DOSSIER_FILE = "danh-sach-ho-so-mau.csv"
REPORT_FILE = "bao-cao-thong-ke-mau.xlsx"
DECISION_FILE = "quyet-dinh-cong-bo-mau.pdf"
DOSSIER_COUNT = 40

OMITTED_FROM_CATALOGUE: tuple[str, ...] = (PROCEDURES[3].code, PROCEDURES[-1].code)
WITHOUT_DOSSIERS: tuple[str, ...] = (PROCEDURES[10].code,)
# Levels the sample national catalogue gives (the real export has no level column; the sample adds one so the
# demo can show "missing" findings).
LEVELS = {
    "1.001193": "Cấp xã",
    "1.000894": "Cấp xã",
    "2.000908": "Cấp xã",
    "1.004227": "Cấp xã",
    "1.009972": "Cấp xã",
    "1.010736": "Cấp xã",
    "1.003003": "Cấp tỉnh",
    "2.002835": "Cấp tỉnh",
    "1.001612": "Cấp tỉnh",
    "3.000182": "Cấp xã",
    "1.005388": "Cấp tỉnh",
    "2.001659": "Cấp xã",
}
OLD_CODE, NEW_CODE = "1.011516", "2.002835"  # a real replacement pair (domain.md §2.4)
ABOLISHED_CODE, ABOLISHED_ON = "1.005388", date(2025, 7, 15)
FUTURE_ABOLISHED_CODE, FUTURE_ABOLISHED_ON = "3.000182", date(2027, 1, 1)
# What the samples plant for reconciliation to find.
PLANTED = {
    "missing": "1.009972",  # a commune-level national procedure the local list leaves out
    "duplicate": "1.001193",  # listed twice locally
    "unknown": "1.099999",  # a local code the national catalogue lacks
    "name_drift": "2.000908",  # "bản gốc" for "bản chính"
    "field_mismatch": "2.002835",  # listed at commune level, national says province
    "repealed_basis": "61/2018/NĐ-CP",  # cited by a local row; replaced by Decree 118/2025 from 2025-07-01
    "replaced_in_use": OLD_CODE,  # still received after the decision replaced it
    "abolished_in_use": ABOLISHED_CODE,  # still received after its abolition
}

# The real export's title cell (row 1, merged over the header's width), line breaks included.
PORTAL_TITLE = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập – Tự do – Hạnh phúc\n------------------------------\n\n"
    "DANH SÁCH THỦ TỤC HÀNH CHÍNH\n\n\n"
)
PORTAL_HEADER = ("Mã số", "Tên", "Cơ quan ban hành", "Cơ quan thực hiện", "Lĩnh vực", "Cấp thực hiện")
DOSSIER_HEADER = (
    "Mã hồ sơ",
    "Mã TTHC",
    "Kênh",
    "Ngày tiếp nhận",
    "Ngày hẹn trả",
    "Ngày kết thúc xử lý",
    "Ngày trả kết quả",
    "Trạng thái",
    "Số hóa thành phần",
    "Số hóa kết quả",
    "Tái sử dụng dữ liệu",
)

_FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)
_FIXED_W3CDTF = "2024-01-01T00:00:00Z"
_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def write_sample_catalogue(out_dir: Path, seed: int = DEFAULT_SEED) -> tuple[Path, ...]:
    """Write the samples into ``out_dir``; return their paths (portal xlsx, local list, dossiers, report, decision)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        CATALOGUE_FILE: portal_xlsx_bytes(),
        LOCAL_FILE: local_list_csv_bytes(),
        DOSSIER_FILE: dossier_csv_bytes(seed),
        REPORT_FILE: report_xlsx_bytes(),
        DECISION_FILE: announcement_pdf_bytes(),
    }
    for name, data in files.items():
        _write_if_changed(out_dir / name, data)
    return tuple(out_dir / name for name in files)


def _write_if_changed(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)  # atomic: a reader never sees half a file


# --- national export --------------------------------------------------------------------------------------------


def portal_xlsx_bytes() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Danh sách TTHC"
    ws.append([PORTAL_TITLE])
    ws.merge_cells("A1:F1")
    ws["A1"].alignment = Alignment(wrap_text=True, horizontal="center")
    ws["A1"].font = Font(bold=True)
    ws.append(list(PORTAL_HEADER))
    for p in PROCEDURES:
        if p.code not in OMITTED_FROM_CATALOGUE:
            ws.append([p.code, p.name, p.issuing_agency, p.implementing_agency, p.field, LEVELS[p.code]])
    return _xlsx(wb)


def _xlsx(wb: Any) -> bytes:
    from sohoa.xlsxsafe import text_cells

    text_cells(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return _deterministic_zip(buf.getvalue())


def _deterministic_zip(data: bytes) -> bytes:
    """openpyxl stamps the save time into docProps/core.xml and every zip entry; pin both."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_DATES.sub(rb"\g<1>" + _FIXED_W3CDTF.encode() + rb"\g<3>", content)
            dst.writestr(zipfile.ZipInfo(info.filename, _FIXED_ZIP_TIME), content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


# --- local list ---------------------------------------------------------------------------------------------------

LOCAL_HEADER = (
    "STT",
    "Mã TTHC",
    "Tên thủ tục hành chính",
    "Lĩnh vực",
    "Cấp thực hiện",
    "Cơ quan thực hiện",
    "Thời hạn giải quyết",
    "Phí, lệ phí",
    "Căn cứ pháp lý",
    "Mức độ DVC",
)


def local_list_rows() -> list[list[str]]:
    """A province's list (title rows above the header, a section row, a blank row) with the planted problems."""
    by_code = {p.code: p for p in PROCEDURES}
    rows: list[list[str]] = [
        ["ỦY BAN NHÂN DÂN TỈNH MẪU"],
        ["DANH MỤC THỦ TỤC HÀNH CHÍNH THỰC HIỆN TẠI ĐỊA PHƯƠNG"],
        [],
        list(LOCAL_HEADER),
        ["I", "Lĩnh vực hộ tịch, chứng thực"],
    ]
    n = 0

    def add(code: str, name: str, level: str, time_limit: str, fee: str, basis: str, online: str = "Một phần") -> None:
        nonlocal n
        n += 1
        p = by_code.get(code)
        field = p.field if p else "Tư pháp"
        agency = p.implementing_agency + " tỉnh Mẫu" if p else "Sở Tư pháp tỉnh Mẫu"
        rows.append([str(n), code, name, field, level, agency, time_limit, fee, basis, online])

    add("1.001193", by_code["1.001193"].name, "Cấp xã", "Ngay trong ngày", "Miễn phí", "123/2015/NĐ-CP", "Toàn trình")
    add("1.000894", by_code["1.000894"].name, "Cấp xã", "03 Ngày làm việc", "Miễn phí", "123/2015/NĐ-CP")
    add(
        "2.000908", "Thủ tục chứng thực bản sao từ bản gốc", "Cấp xã", "Trong ngày", "2.000 đồng/trang", "23/2015/NĐ-CP"
    )
    add("1.001193", "Đăng ký khai sinh", "Cấp xã", "Ngay trong ngày", "Miễn phí", "123/2015/NĐ-CP")  # repeated
    rows.append([])
    rows.append(["II", "Các lĩnh vực khác"])
    add("2.002835", by_code["2.002835"].name, "Cấp xã", "10 Ngày làm việc", "200.000 đồng", "28/2009/QH12")
    add("1.010736", by_code["1.010736"].name, "Cấp xã", "03 Ngày làm việc", "Theo quy định", "61/2018/NĐ-CP")
    add("1.003003", by_code["1.003003"].name, "Cấp tỉnh", "10 Ngày làm việc", "Theo quy định", "101/2024/NĐ-CP")
    add("1.001612", by_code["1.001612"].name, "Cấp tỉnh", "05 Ngày làm việc", "300.000 đồng", "96/2016/NĐ-CP")
    add("3.000182", by_code["3.000182"].name, "Cấp xã", "Ngay trong ngày", "Miễn phí", "123/2015/NĐ-CP")
    add(ABOLISHED_CODE, by_code[ABOLISHED_CODE].name, "Cấp tỉnh", "05 Ngày làm việc", "135.000 đồng", "35/2024/TT-BCA")
    add("1.099999", "Thủ tục hỗ trợ chi phí chuyển đổi số cho hộ kinh doanh", "Cấp tỉnh", "15 Ngày", "Không", "")
    add("", "Thủ tục xác nhận hộ nghèo trên địa bàn", "Cấp xã", "07 Ngày làm việc", "Không", "")
    return rows


def local_list_csv_bytes() -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(local_list_rows())
    return buf.getvalue().encode("utf-8-sig")


# --- dossiers -----------------------------------------------------------------------------------------------------


def _dmy(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _working_days(start: date, end: date) -> list[date]:
    return [d for d in (start + timedelta(days=i) for i in range((end - start).days + 1)) if d.weekday() < 5]


def dossier_rows(seed: int = DEFAULT_SEED) -> list[list[str]]:
    """The dossier list as text cells (header first), received June–July 2025 so both legal regimes appear: mixed
    channels, some late, some unfinished, some not digitised; every omitted procedure is cited at least once, and
    the replaced and the abolished codes are still received after their end."""
    rng = random.Random(seed)
    pool = [p.code for p in PROCEDURES if p.code not in WITHOUT_DOSSIERS and p.code != ABOLISHED_CODE]
    fixed = [*OMITTED_FROM_CATALOGUE, OLD_CODE, OLD_CODE, ABOLISHED_CODE]
    codes = fixed + [rng.choice(pool) for _ in range(DOSSIER_COUNT - len(fixed))]
    rng.shuffle(codes)
    days = _working_days(date(2025, 6, 2), date(2025, 7, 31))
    received_days = sorted(rng.choice(days) for _ in codes)
    # the codes that ended are received late in July, after their end
    late_days = [d for d in days if d > ABOLISHED_ON]
    rows: list[list[str]] = [list(DOSSIER_HEADER)]
    sequence: dict[tuple[str, date], int] = {}
    for code, received in zip(codes, received_days, strict=True):
        if code in (OLD_CODE, ABOLISHED_CODE):
            received = rng.choice(late_days)
        agency = rng.choice(AGENCY_CODES)
        sequence[agency, received] = sequence.get((agency, received), 0) + 1
        rows.append(_dossier_cells(rng, f"{agency}-{received:%y%m%d}-{sequence[agency, received]:04d}", code, received))
    return rows


def _dossier_cells(rng: random.Random, dossier_code: str, procedure_code: str, received: date) -> list[str]:
    channel = rng.choices(("Trực tiếp", "Trực tuyến", "Bưu chính"), weights=(5, 4, 1))[0]
    due = received + timedelta(days=rng.choice((3, 5, 7, 10, 15)))
    finished: date | None = None
    returned: date | None = None
    draw = rng.random()
    if draw < 0.15:
        status = "Đang xử lý"
    else:
        late = draw > 0.85
        finished = (
            due + timedelta(days=rng.randint(1, 5))
            if late
            else received + timedelta(days=rng.randint(0, (due - received).days))
        )
        if rng.random() < 0.8:
            status, returned = "Đã trả kết quả", finished + timedelta(days=rng.randint(0, 2))
        else:
            status = "Đã xử lý xong"
    components = rng.random() < 0.8
    result = finished is not None and rng.random() < 0.75
    reused = rng.random() < 0.5
    return [
        dossier_code,
        procedure_code,
        channel,
        _dmy(received),
        _dmy(due),
        _dmy(finished),
        _dmy(returned),
        status,
        "Có" if components else "Không",
        "Có" if result else "Không",
        "Có" if reused else "Không",
    ]


def dossier_csv_bytes(seed: int = DEFAULT_SEED) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(dossier_rows(seed))
    # UTF-8 with BOM: what Excel writes for "CSV UTF-8", and what it needs to show Vietnamese when opening it.
    return buf.getvalue().encode("utf-8-sig")


def write_synthetic_dossiers(
    path: Path,
    count: int,
    *,
    procedure_codes: Sequence[str],
    units: Sequence[str] = AGENCY_CODES,
    start: date = date(2025, 1, 2),
    end: date = date(2025, 12, 31),
    seed: int = DEFAULT_SEED,
) -> Path:
    """A one-stop export of ``count`` invented dossiers (no personal data), streamed to a CSV file."""
    rng = random.Random(seed)
    days = _working_days(start, end)
    sequence: dict[tuple[str, date], int] = {}
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(DOSSIER_HEADER)
        for _ in range(count):
            received = rng.choice(days)
            unit = rng.choice(units)
            sequence[unit, received] = n = sequence.get((unit, received), 0) + 1
            code = f"{unit}-{received:%y%m%d}-{n:04d}" if n < 10000 else f"{unit}-{received:%Y%m%d}-{n:07d}"
            writer.writerow(_dossier_cells(rng, code, rng.choice(procedure_codes), received))
    return path


# --- statistics report --------------------------------------------------------------------------------------------

REPORT_ROWS: tuple[tuple[str, str, int, int, int, int, int, int, int, int, int, str], ...] = (
    # unit, period, carried over, received, to handle, early, on time, late, in progress not due, late, withdrawn,
    # on-time rate as printed
    ("Sở Tư pháp", "Tháng 6/2025", 120, 4131, 4251, 3900, 250, 12, 80, 9, 0, "99,51%"),
    ("Sở Tư pháp", "Tháng 7/2025", 89, 3950, 4039, 3700, 240, 20, 70, 9, 0, "99,28%"),
    # the parts of "đã xử lý" do not add up to its total, and June's in-progress (79) is not July's carried over
    ("UBND xã Mẫu", "Tháng 6/2025", 40, 660, 700, 500, 120, 10, 65, 5, 0, "97,86%"),
    ("UBND xã Mẫu", "Tháng 7/2025", 75, 640, 715, 520, 110, 15, 60, 10, 0, "96,50%"),
)


def report_xlsx_bytes() -> bytes:
    """A monthly one-stop statistics report with a two-row merged header, as provinces publish it."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Báo cáo"
    ws.append(["BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH"])
    ws.append([])
    ws.append(
        ["Đơn vị", "Kỳ báo cáo", "Tồn kỳ trước", "Tiếp nhận trong kỳ", "Cần xử lý", "Đã xử lý", None, None, None]
        + ["Đang xử lý", None, None, "Rút hồ sơ", "Tỉ lệ đúng hạn"]
    )
    ws.append([None] * 5 + ["Tổng số", "Trước hạn", "Đúng hạn", "Trễ hạn", "Tổng số", "Trong hạn", "Quá hạn"])
    for r in ("A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:E4", "F3:I3", "J3:L3", "M3:M4", "N3:N4"):
        ws.merge_cells(r)
    for unit, period, carried, received, to_handle, early, on_time, late, not_due, late_open, gone, rate in REPORT_ROWS:
        finished = early + on_time + late + (5 if unit == "UBND xã Mẫu" and period.endswith("6/2025") else 0)
        ws.append(
            [unit, period, carried, received, to_handle, finished, early, on_time, late]
            + [not_due + late_open, not_due, late_open, gone, rate]
        )
    return _xlsx(wb)


# --- announcement decision ----------------------------------------------------------------------------------------

DECISION_NUMBER = "1234/QĐ-UBND"
DECISION_DATE = date(2025, 6, 20)


@dataclass(frozen=True)
class AnnouncedRows:
    """The five procedures of a generated decision: two new ones (code, name, fee; one time limit for both), one
    replacing another (code, name, time limit, fee, legal basis, the code it replaces) and two abolished (code,
    name, abolishing act, field, effective date)."""

    new: tuple[tuple[str, str, str], tuple[str, str, str]]
    shared_time_limit: str
    new_basis: str
    replacing: tuple[str, str, str, str, str, str]
    abolished: tuple[tuple[str, str, str, str, date], tuple[str, str, str, str, date]]


SAMPLE_ANNOUNCED = AnnouncedRows(
    new=(("1.001193", "Thủ tục đăng ký khai sinh", "Miễn phí"), ("1.000894", "Thủ tục đăng ký kết hôn", "Miễn phí")),
    shared_time_limit="Ngay trong ngày",
    new_basis="123/2015/NĐ-CP",
    replacing=(
        NEW_CODE,
        "Cấp phiếu lý lịch tư pháp cho công dân Việt Nam",
        "10 Ngày làm việc",
        "200.000 đồng",
        "28/2009/QH12",
        OLD_CODE,
    ),
    abolished=(
        (ABOLISHED_CODE, "Cấp đổi giấy phép lái xe", "35/2024/TT-BCA", "Đường bộ", ABOLISHED_ON),
        (
            FUTURE_ABOLISHED_CODE,
            "Thủ tục xác nhận thông tin hộ tịch",
            "123/2015/NĐ-CP",
            "Hộ tịch",
            FUTURE_ABOLISHED_ON,
        ),
    ),
)


def announcement_pdf_bytes(*, rows: AnnouncedRows = SAMPLE_ANNOUNCED) -> bytes:
    """A provincial decision announcing new, replaced and abolished procedures: its annex tables have merged
    cells (part rows across the table, a time limit shared by two rows), a header repeated on a second page only
    for the first table, row-level effective dates, and a future abolition. ``rows`` picks the procedures (the
    OCR evaluation draws them from a catalogue)."""
    from fpdf import FPDF

    from sohoa.samples.render import find_serif_fonts

    fonts = find_serif_fonts()
    pdf = FPDF(format="A4", orientation="L")
    pdf.set_auto_page_break(True, margin=15)
    for style, path in fonts.files.items():
        pdf.add_font("Serif", style, str(path))
    pdf.set_font("Serif", size=11)
    pdf.add_page()
    for line in (
        "ỦY BAN NHÂN DÂN                                  CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "TỈNH MẪU                                               Độc lập - Tự do - Hạnh phúc",
        f"Số: {DECISION_NUMBER}                              Mẫu, ngày {DECISION_DATE:%d} tháng "
        f"{DECISION_DATE.month:02d} năm {DECISION_DATE.year}",
        "QUYẾT ĐỊNH",
        "Về việc công bố danh mục thủ tục hành chính mới ban hành, được thay thế và bị bãi bỏ",
        "Căn cứ Nghị định số 63/2010/NĐ-CP ngày 08/6/2010 của Chính phủ về kiểm soát thủ tục hành chính;",
        "Điều 1. Công bố kèm theo Quyết định này danh mục thủ tục hành chính (Phụ lục kèm theo).",
        "Điều 2. Quyết định này có hiệu lực thi hành kể từ ngày 01/7/2025.",
    ):
        pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    pdf.cell(0, 7, "Phụ lục", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, "DANH MỤC THỦ TỤC HÀNH CHÍNH MỚI BAN HÀNH VÀ ĐƯỢC THAY THẾ", new_x="LMARGIN", new_y="NEXT")
    header = ("STT", "Mã số TTHC", "Tên TTHC", "Thời hạn giải quyết", "Phí, lệ phí", "Căn cứ pháp lý", "Ghi chú")
    widths = (12, 28, 80, 35, 30, 45, 40)
    new_rows = [
        (str(i), code, name, rows.shared_time_limit, fee, rows.new_basis, "")
        for i, (code, name, fee) in enumerate(rows.new, start=1)
    ]
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=6) as table:
        row = table.row()
        for h in header:
            row.cell(h)
        row = table.row()
        row.cell("A. THỦ TỤC HÀNH CHÍNH MỚI BAN HÀNH", colspan=len(header))
        row = table.row()
        row.cell("THỦ TỤC HÀNH CHÍNH CẤP XÃ", colspan=len(header))
        for i, r in enumerate(new_rows):
            row = table.row()
            for j, value in enumerate(r):
                if j == 3 and i == 0:
                    row.cell(value, rowspan=2)  # one time limit for both rows (a merged cell)
                elif j == 3:
                    continue
                else:
                    row.cell(value)
    # The replaced part continues on a new page without repeating the header.
    pdf.add_page()
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=6, first_row_as_headings=False) as table:
        row = table.row()
        row.cell("B. THỦ TỤC HÀNH CHÍNH ĐƯỢC THAY THẾ", colspan=len(header))
        row = table.row()
        code, name, time_limit, fee, basis, replaced = rows.replacing
        for value in ("1", code, name, time_limit, fee, basis, f"Thay thế TTHC mã {replaced}"):
            row.cell(value)
    pdf.cell(0, 8, "", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, "DANH MỤC THỦ TỤC HÀNH CHÍNH BỊ BÃI BỎ", new_x="LMARGIN", new_y="NEXT")
    with pdf.table(col_widths=(12, 28, 80, 60, 40, 40), text_align="LEFT", line_height=6) as table:
        row = table.row()
        for h in ("STT", "Mã số TTHC", "Tên TTHC", "Tên VBQPPL quy định việc bãi bỏ", "Lĩnh vực", "Ghi chú"):
            row.cell(h)
        for value_row in (
            (str(i), code, name, basis, field, f"Có hiệu lực từ {on:%d/%m/%Y}")
            for i, (code, name, basis, field, on) in enumerate(rows.abolished, start=1)
        ):
            row = table.row()
            for value in value_row:
                row.cell(value)
    # fpdf2 stamps the creation date; pin it so the bytes are deterministic.
    pdf.set_creation_date(datetime(2025, 6, 20, tzinfo=UTC))
    return bytes(pdf.output())


# --- synthetic national catalogue (benchmarks) -------------------------------------------------------------------

_FIELDS = (
    "Hộ tịch",
    "Chứng thực",
    "Đất đai",
    "Hoạt động xây dựng",
    "Lý lịch tư pháp",
    "Thương mại",
    "Y tế",
    "Giáo dục",
)
_VERBS = ("Cấp", "Cấp lại", "Cấp đổi", "Điều chỉnh", "Gia hạn", "Đăng ký", "Xác nhận", "Thu hồi")
_OBJECTS = (
    "giấy phép hoạt động",
    "giấy chứng nhận đủ điều kiện",
    "chứng chỉ hành nghề",
    "giấy phép kinh doanh",
    "thông tin hộ tịch",
    "quyền sử dụng đất",
    "giấy phép xây dựng",
    "giấy đăng ký",
)
_LEVEL_SETS = ("Cấp bộ", "Cấp tỉnh", "Cấp xã", "Cấp tỉnh, Cấp xã", "Cấp bộ, Cấp tỉnh")


def synthetic_records(count: int, seed: int = DEFAULT_SEED) -> Iterator[dict[str, Any]]:
    """Full procedure records in the portal crawl's shape (flattened tables included), invented."""
    rng = random.Random(seed)
    for i in range(count):
        code = f"{rng.choice('1123')}.{100000 + i:06d}"
        field = rng.choice(_FIELDS)
        days = rng.choice((3, 5, 7, 10, 15, 20, 30))
        unit = rng.choice(("Ngày làm việc", "Ngày"))
        fee = rng.choice(("Miễn phí", "50,000 VNĐ(50.000 đồng/hồ sơ)", "200,000 VNĐ", "Không có thông tin"))
        channels = "".join(f"{c}{days} {unit}{fee}" for c in ("Trực tiếp", "Trực tuyến", "Dịch vụ bưu chính"))
        n = rng.randint(1, 200)
        yield {
            "ma_thu_tuc": code,
            "ten_thu_tuc": f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)} lĩnh vực {field.lower()} số {i}",
            "so_quyet_dinh": f"{rng.randint(100, 3000)}/QĐ-BTP",
            "cap_thuc_hien": rng.choice(_LEVEL_SETS),
            "loai_thu_tuc": "TTHC được luật giao quy định chi tiết",
            "linh_vuc": field,
            "co_quan_thuc_hien": rng.choice(("Sở Tư pháp", "Ủy ban nhân dân cấp xã", "Sở Xây dựng", "Bộ Tư pháp")),
            "doi_tuong_thuc_hien": "Công dân Việt Nam",
            "trinh_tu_thuc_hien": "Bước 1: nộp hồ sơ. Bước 2: nhận kết quả.",
            "thanh_phan_ho_so": "Tờ khai theo mẫu 1 bản chính",
            "cach_thuc_thuc_hien": "Hình thức nộpThời gianPhí, lệ phíMô tả" + channels,
            "can_cu_phap_ly": "Tên văn bản pháp lýMã văn bản"
            + f"Nghị định quy định chi tiết{n}/2020/NĐ-CP"
            + ("Nghị định về cơ chế một cửa61/2018/NĐ-CP" if rng.random() < 0.05 else ""),
        }
