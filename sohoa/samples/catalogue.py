"""Generated catalogue samples: a portal-format procedure list (xlsx) and a one-stop dossier list (CSV).

Both draw on ``sohoa.samples.procedures`` so they agree with the other samples. The catalogue deliberately leaves
out ``OMITTED_FROM_CATALOGUE`` (dossiers still cite them, so reconciliation has something to find) and no dossier
cites ``WITHOUT_DOSSIERS``. Output is byte-for-byte deterministic for a seed, and a file already holding the same
bytes is not rewritten.
"""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from datetime import date, timedelta
from pathlib import Path

from sohoa.samples.procedures import AGENCY_CODES, PROCEDURES

DEFAULT_SEED = 766
CATALOGUE_FILE = "danh-sach-tthc-mau.xlsx"
DOSSIER_FILE = "danh-sach-ho-so-mau.csv"
DOSSIER_COUNT = 40

OMITTED_FROM_CATALOGUE: tuple[str, ...] = (PROCEDURES[3].code, PROCEDURES[-1].code)
WITHOUT_DOSSIERS: tuple[str, ...] = (PROCEDURES[10].code,)

# The real export's title cell (row 1, merged A1:E1), line breaks included.
PORTAL_TITLE = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập – Tự do – Hạnh phúc\n------------------------------\n\n"
    "DANH SÁCH THỦ TỤC HÀNH CHÍNH\n\n\n"
)
PORTAL_HEADER = ("Mã số", "Tên", "Cơ quan ban hành", "Cơ quan thực hiện", "Lĩnh vực")
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


def write_sample_catalogue(out_dir: Path, seed: int = DEFAULT_SEED) -> tuple[Path, Path]:
    """Write (portal xlsx, dossier CSV) into ``out_dir`` and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    xlsx_path = out_dir / CATALOGUE_FILE
    csv_path = out_dir / DOSSIER_FILE
    _write_if_changed(xlsx_path, portal_xlsx_bytes())
    _write_if_changed(csv_path, dossier_csv_bytes(seed))
    return xlsx_path, csv_path


def _write_if_changed(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)  # atomic: a reader never sees half a file


def portal_xlsx_bytes() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Danh sách TTHC"
    ws.append([PORTAL_TITLE])
    ws.merge_cells("A1:E1")
    ws["A1"].alignment = Alignment(wrap_text=True, horizontal="center")
    ws["A1"].font = Font(bold=True)
    ws.append(list(PORTAL_HEADER))
    for p in PROCEDURES:
        if p.code not in OMITTED_FROM_CATALOGUE:
            ws.append([p.code, p.name, p.issuing_agency, p.implementing_agency, p.field])
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


def _dmy(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def dossier_rows(seed: int = DEFAULT_SEED) -> list[list[str]]:
    """The dossier list as text cells (header first): mixed channels, some late, some unfinished, some not
    digitised; every omitted procedure is cited at least once."""
    rng = random.Random(seed)
    pool = [p.code for p in PROCEDURES if p.code not in WITHOUT_DOSSIERS]
    extra = DOSSIER_COUNT - len(OMITTED_FROM_CATALOGUE)
    codes = list(OMITTED_FROM_CATALOGUE) + [rng.choice(pool) for _ in range(extra)]
    rng.shuffle(codes)
    working_days = [d for d in (date(2024, 3, 1) + timedelta(days=i) for i in range(29)) if d.weekday() < 5]
    received_days = sorted(rng.choice(working_days) for _ in codes)
    sequence: dict[tuple[str, date], int] = {}
    rows: list[list[str]] = [list(DOSSIER_HEADER)]
    for code, received in zip(codes, received_days, strict=True):
        agency = rng.choice(AGENCY_CODES)
        sequence[agency, received] = sequence.get((agency, received), 0) + 1
        dossier_code = f"{agency}-{received:%y%m%d}-{sequence[agency, received]:04d}"
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
        rows.append(
            [
                dossier_code,
                code,
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
        )
    return rows


def dossier_csv_bytes(seed: int = DEFAULT_SEED) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(dossier_rows(seed))
    # UTF-8 with BOM: what Excel writes for "CSV UTF-8", and what it needs to show Vietnamese when opening it.
    return buf.getvalue().encode("utf-8-sig")
