"""One-page documents whose Decree 30 header varies the way real ones do, with ground truth for the four fields.

Built to measure number, date, type and issuer on scanned pages (issue 16), not to look like one template: the
issuer block has one to three lines (a ministry; "BỘ CÔNG AN" over a department printed on two lines; "UBND TỈNH
..." over a provincial department; "ỦY BAN NHÂN DÂN" / "TỈNH ..."; bodies the lexicon does not list), the number
line is printed as real forms print it ("Số: 58/2026/NĐ-CP", "Số:  123 /QĐ-UBND" with the number filled into a
blank, "Số 12/2025/TT-BTC" without the colon), the date line too ("Hà Nội, ngày 15 tháng 3 năm 2025", "ngày  05
tháng 01 năm 2026" with the day and month written into blanks in another hand), in one of five font families.
Every name of a person is absent; bodies and places are real public ones, numbers are invented.

``header_document(seed)`` draws everything from the seed: split development and held-out pages by seed range.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sohoa.samples.render import FontSet
from sohoa.samples.texts import Band, GeneratedDocument, Line, Run, _line, _para
from sohoa.textnorm import normalize_text


@dataclass(frozen=True)
class _Body:
    lines: tuple[str, ...]  # issuer block as printed; the last `bold` lines are the issuer, the rest its superior
    bold: int
    issuer: str  # running-text name (ground truth)
    superior: str | None
    abbr: str  # issuer part of the symbol
    place: str
    types: tuple[str, ...]  # document types this body issues here


_CENTRAL = ("Nghị định", "Thông tư", "Quyết định", "Công văn")
_LOCAL = ("Quyết định", "Kế hoạch", "Công văn", "Thông báo", "Chỉ thị")
_BODIES: tuple[_Body, ...] = (
    _Body(("CHÍNH PHỦ",), 1, "Chính phủ", None, "CP", "Hà Nội", ("Nghị định",)),
    _Body(("BỘ TÀI CHÍNH",), 1, "Bộ Tài chính", None, "BTC", "Hà Nội", _CENTRAL[1:]),
    _Body(("BỘ CÔNG AN",), 1, "Bộ Công an", None, "BCA", "Hà Nội", _CENTRAL[1:]),
    _Body(("BỘ TƯ PHÁP",), 1, "Bộ Tư pháp", None, "BTP", "Hà Nội", _CENTRAL[1:]),
    _Body(("BỘ Y TẾ",), 1, "Bộ Y tế", None, "BYT", "Hà Nội", _CENTRAL[1:]),
    _Body(("BỘ XÂY DỰNG",), 1, "Bộ Xây dựng", None, "BXD", "Hà Nội", _CENTRAL[1:]),
    _Body(
        ("BỘ CÔNG AN", "CỤC CẢNH SÁT PHÒNG CHÁY, CHỮA CHÁY", "VÀ CỨU NẠN, CỨU HỘ"),
        2,
        "Cục Cảnh sát PCCC và CNCH",
        "Bộ Công an",
        "C07-P6",
        "Hà Nội",
        ("Công văn",),
    ),
    _Body(
        ("BỘ CÔNG AN", "CỤC QUẢN LÝ XUẤT NHẬP CẢNH"),
        1,
        "Cục Quản lý xuất nhập cảnh",
        "Bộ Công an",
        "QLXNC-P2",
        "Hà Nội",
        ("Công văn", "Thông báo"),
    ),
    _Body(("BỘ TÀI CHÍNH", "TỔNG CỤC THUẾ"), 1, "Tổng cục Thuế", "Bộ Tài chính", "TCT-CS", "Hà Nội", ("Công văn",)),
    _Body(("ỦY BAN NHÂN DÂN", "TỈNH ĐỒNG NAI"), 2, "Ủy ban nhân dân tỉnh Đồng Nai", None, "UBND", "Đồng Nai", _LOCAL),
    _Body(
        ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ CẦN THƠ"),
        2,
        "Ủy ban nhân dân thành phố Cần Thơ",
        None,
        "UBND",
        "Cần Thơ",
        _LOCAL,
    ),  # fmt: skip
    _Body(("ỦY BAN NHÂN DÂN", "TỈNH CAO BẰNG"), 2, "Ủy ban nhân dân tỉnh Cao Bằng", None, "UBND", "Cao Bằng", _LOCAL),
    _Body(
        ("UBND TỈNH LAI CHÂU", "SỞ TÀI CHÍNH"),
        1,
        "Sở Tài chính",
        "Ủy ban nhân dân tỉnh Lai Châu",
        "STC",
        "Lai Châu",
        ("Quyết định", "Kế hoạch", "Công văn"),
    ),  # fmt: skip
    _Body(
        ("ỦY BAN NHÂN DÂN TỈNH NGHỆ AN", "SỞ TƯ PHÁP"),
        1,
        "Sở Tư pháp",
        "Ủy ban nhân dân tỉnh Nghệ An",
        "STP",
        "Nghệ An",
        ("Công văn", "Kế hoạch", "Thông báo"),
    ),  # fmt: skip
    _Body(
        ("UBND THÀNH PHỐ HẢI PHÒNG", "SỞ Y TẾ"),
        1,
        "Sở Y tế",
        "Ủy ban nhân dân thành phố Hải Phòng",
        "SYT",
        "Hải Phòng",
        ("Công văn", "Quyết định"),
    ),  # fmt: skip
)
_TYPE_CODES = {"Nghị định": "NĐ", "Thông tư": "TT", "Quyết định": "QĐ", "Kế hoạch": "KH", "Thông báo": "TB",
               "Chỉ thị": "CT"}  # fmt: skip
_SUBJECTS = (
    "quy định chi tiết một số điều của Luật Phòng cháy, chữa cháy và cứu nạn, cứu hộ",
    "sửa đổi, bổ sung một số điều về cấp, thu hồi chứng nhận đăng ký xe",
    "công bố danh mục thủ tục hành chính mới ban hành trong lĩnh vực hộ tịch",
    "thực hiện công tác dân vận và dân chủ ở cơ sở năm 2026",
    "quy định mức thu, chế độ thu, nộp phí kiểm định phương tiện phòng cháy",
    "tăng cường kỷ luật, kỷ cương hành chính trong giải quyết thủ tục hành chính",
)
_LETTER_SUBJECTS = (
    "V/v đề nghị góp ý dự thảo tiêu chuẩn quốc gia",
    "V/v thu thập, tổng hợp, đánh giá tình hình thực hiện quy chuẩn",
    "V/v hướng dẫn tiếp nhận hồ sơ trên môi trường điện tử",
)
_BODY_TEXT = (
    "Căn cứ Luật Ban hành văn bản quy phạm pháp luật ngày 19 tháng 02 năm 2025;",
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
    "Thực hiện chỉ đạo của cấp trên về việc rà soát, đơn giản hóa thủ tục hành chính, cơ quan đề nghị các đơn vị "
    "khẩn trương tổng hợp kết quả và gửi báo cáo đúng thời hạn để tổng hợp chung.",
    "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, đề nghị phản ánh kịp thời về cơ quan thường trực để "
    "được hướng dẫn, giải quyết theo quy định.",
)
# The cited texts' dates, and what a document issued before them cites instead (the texts they replaced).
_CITED_SINCE = {_BODY_TEXT[0]: date(2025, 2, 19), _BODY_TEXT[1]: date(2020, 3, 5)}
_EARLIER_CITES = {
    _BODY_TEXT[0]: "Căn cứ Luật Ban hành văn bản quy phạm pháp luật ngày 22 tháng 6 năm 2015;",
    _BODY_TEXT[1]: "Căn cứ Nghị định số 110/2004/NĐ-CP ngày 08 tháng 4 năm 2004 của Chính phủ về công tác văn thư;",
}
# Five families with full Vietnamese coverage (tech-notes, "Fonts for generated pages").
_FONT_FAMILIES = (
    ("Liberation Serif", "/usr/share/fonts/truetype/liberation2", "LiberationSerif-{}.ttf",
     ("Regular", "Bold", "Italic", "BoldItalic")),
    ("Liberation Sans", "/usr/share/fonts/truetype/liberation2", "LiberationSans-{}.ttf",
     ("Regular", "Bold", "Italic", "BoldItalic")),
    ("DejaVu Serif", "/usr/share/fonts/truetype/dejavu", "DejaVuSerif{}.ttf", ("", "-Bold", "-Italic", "-BoldItalic")),
    ("DejaVu Serif Condensed", "/usr/share/fonts/truetype/dejavu", "DejaVuSerifCondensed{}.ttf",
     ("", "-Bold", "-Italic", "-BoldItalic")),
    ("DejaVu Sans", "/usr/share/fonts/truetype/dejavu", "DejaVuSans{}.ttf", ("", "-Bold", "-Oblique", "-BoldOblique")),
)  # fmt: skip


def font_for(seed: int) -> FontSet | None:
    """One of the five families by seed (None when its files are not installed: the renderer's default)."""
    name, folder, pattern, styles = _FONT_FAMILIES[seed % len(_FONT_FAMILIES)]
    files = {k: Path(folder) / pattern.format(s) for k, s in zip(("", "B", "I", "BI"), styles, strict=True)}
    return FontSet(name, files) if all(p.is_file() for p in files.values()) else None


def _number_line(rng: random.Random, n: int, year: int, symbol: str, with_year: bool) -> tuple[list[Run], str]:
    """The number line's runs and the number as printed (truth)."""
    digits = f"{n:02d}" if n < 10 and rng.random() < 0.5 else str(n)
    number = f"{digits}/{year}/{symbol}" if with_year else f"{digits}/{symbol}"
    style = rng.randrange(4)
    if style == 0:
        return [Run(f"Số: {number}")], number
    if style == 1:  # the number written into the blank of a printed form: gaps around it, another hand
        rest = number[len(digits) :]
        return [Run("Số:  "), Run(digits, bold=True, italic=True), Run(f" {rest}")], number
    if style == 2:
        return [Run(f"Số {number}")], number
    return [Run(f"Số: {number.replace('/', ' / ', 1) if rng.random() < 0.5 else number}")], number


def _date_line(rng: random.Random, place: str, d: date) -> list[Run]:
    day = f"{d.day:02d}" if rng.random() < 0.6 else str(d.day)
    month = f"{d.month:02d}" if d.month <= 2 or rng.random() < 0.3 else str(d.month)
    if rng.random() < 0.35:  # day and month written by hand into blanks: wider gaps, bold italic digits
        return [
            Run(f"{place}, ngày  "),
            Run(day, bold=True),
            Run("  tháng "),
            Run(month, bold=True),
            Run(f" năm {d.year}"),
        ]
    return [Run(f"{place}, ngày {day} tháng {month} năm {d.year}")]


# What stands above the header on real pages, naming bodies that are not the issuer: the Government portal's
# signature stamp (printed into the page when it publishes a scan) and an archive's or gazette's mark. Each is a
# column (left or right) of small lines; none is ground truth for any field.
_MARKS: tuple[tuple[tuple[str, ...], float, bool], ...] = (
    (("Người ký: CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ", "Email: thongtinchinhphu@chinhphu.vn",
      "Cơ quan: VĂN PHÒNG CHÍNH PHỦ", "Thời gian ký: 09.07.2025 08:44:47 +07:00"), 8.0, False),
    (("VĂN PHÒNG CHÍNH PHỦ", "CÔNG BÁO"), 10.0, True),
    (("BẢN SAO LƯU TRỮ", "TRUNG TÂM LƯU TRỮ QUỐC GIA III"), 9.0, True),
)  # fmt: skip


def _marks_band(seed: int) -> Band:
    """A stamp or mark above the header (its own random stream: the page below it is the same as without)."""
    rng = random.Random(f"marks-{seed}")
    lines, size, bold = rng.choice(_MARKS)
    column = tuple(_line(t, align="L", size=size, bold=bold) for t in lines)
    columns = (column, ()) if rng.random() < 0.5 else ((), column)
    return Band("header", columns)


_NBSP = "\u00a0"


def _pen_blanks(seed: int, number: str, d: date, place: str) -> tuple[list[Run], list[Run], dict[str, str]]:
    """The number line and the date line printed with blanks for the pen ("Số:          /2020/TT-BCA", "Hà Nội,
    ngày        tháng       năm 2020", sometimes "năm 20    "), and the values to write into them (drawn on the
    page image by ``penfill.fill_blanks``). Its own random stream: the rest of the page is the one without pen."""
    rng = random.Random(f"pen-{seed}")
    digits, rest = number.split("/", 1)
    label = "Số:" if rng.random() < 0.85 else "Số"
    # No-break spaces: the renderer folds runs of spaces into one, a printed blank keeps its width.
    number_runs = [Run(f"{label}{_NBSP * rng.randint(9, 14)}/{rest}")]
    day = f"{d.day:02d}" if rng.random() < 0.4 else str(d.day)
    month = f"{d.month:02d}" if rng.random() < 0.3 else str(d.month)
    year_blank = rng.random() < 0.25
    year = f"20{_NBSP * 6}" if year_blank else str(d.year)
    date_runs = [Run(f"{place}, ngày{_NBSP * rng.randint(7, 10)}tháng{_NBSP * rng.randint(6, 9)}năm {year}")]
    values = {"number": digits, "day": day, "month": month, "year": f"{d.year % 100:02d}" if year_blank else ""}
    return number_runs, date_runs, values


def header_document(seed: int, marks: bool = False, pen: bool = False) -> GeneratedDocument:
    """A one-page document with a varied Decree 30 header; ``truth`` holds number, date, type, issuer, superior.
    ``marks``: a stamp or mark above the header (``_MARKS``), as the Government portal and archives print them.
    ``pen``: the number, the day and the month (sometimes the year) left blank in print, to be written by hand
    (``details["pen"]``: the values; ``sohoa.samples.penfill`` draws them on the scanned page)."""
    rng = random.Random(seed)
    body = rng.choice(_BODIES)
    doc_type = rng.choice(body.types)
    issued = date(2019, 1, 1) + timedelta(days=rng.randrange(2600))
    letter = doc_type == "Công văn"
    with_year = doc_type in ("Nghị định", "Thông tư") or (doc_type == "Quyết định" and rng.random() < 0.5)
    if letter:
        symbol = body.abbr if "-" in body.abbr else f"{body.abbr}-{rng.choice(('VP', 'KT', 'PC', 'TH'))}"
    else:
        symbol = f"{_TYPE_CODES[doc_type]}-{body.abbr}"
    number_runs, number = _number_line(rng, rng.randrange(1, 3000), issued.year, symbol, with_year)
    head = rng.choice((12.0, 12.5, 13.0))
    sup_n = len(body.lines) - body.bold
    left = [_line(s, align="C", size=head) for s in body.lines[:sup_n]]
    left += [_line(s, align="C", size=head, bold=True) for s in body.lines[sup_n:]]
    left[-1] = Line(left[-1].runs, align="C", size=head, rule_below="short")
    right = [
        _line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", size=head, bold=True),
        _line("Độc lập - Tự do - Hạnh phúc", align="C", size=13.0, bold=True, rule_below="text"),
    ]
    bands = [_marks_band(seed)] if marks else []
    bands.append(Band("header", (tuple(left), tuple(right)), space_before_pt=10.0 if marks else 0.0))
    num_col = [Line(tuple(Run(normalize_text(r.text) if r.text.strip() else r.text, r.bold, r.italic)
                          for r in number_runs), align="C", size=13.0)]  # fmt: skip
    subject = rng.choice(_LETTER_SUBJECTS) if letter else rng.choice(_SUBJECTS)
    if letter:
        num_col.append(_line(subject, align="C", size=12.0))
    date_runs = [Run(r.text, r.bold, True) for r in _date_line(rng, body.place, issued)]
    pen_values: dict[str, str] = {}
    if pen:  # after every draw of the page's own stream: the page is otherwise the one without pen
        pen_number, pen_date, pen_values = _pen_blanks(seed, number, issued, body.place)
        num_col[0] = Line(tuple(pen_number), align="C", size=13.0)
        date_runs = [Run(r.text, r.bold, True) for r in pen_date]
    bands.append(Band("header", (tuple(num_col), (Line(tuple(date_runs), align="C", size=13.0),)), space_before_pt=8))
    if not letter:
        summary = subject[0].upper() + subject[1:]
        title = [
            _line(doc_type.upper(), align="C", size=14.0, bold=True, space_before_pt=14.0),
            _line(summary, align="C", size=14.0, bold=True, rule_below="short"),
        ]
        bands.append(Band("full", (tuple(title),), space_before_pt=4.0))
    # A document cites only texts issued before it: one issued earlier cites the texts then in force (the draw is
    # the same, so the page is otherwise unchanged).
    cites = {t: _EARLIER_CITES[t] for t, since in _CITED_SINCE.items() if issued < since}
    paras = [_para(cites.get(t, t), italic=t.startswith("Căn cứ")) for t in rng.sample(_BODY_TEXT, k=len(_BODY_TEXT))]
    bands.append(Band("full", (tuple(paras),), space_before_pt=6.0))
    truth = {
        "number": number,
        "issued_date": issued.isoformat(),
        "doc_type": doc_type,
        "issuer": body.issuer,
        "issuer_superior": body.superior,
        "place": body.place,
        "subject": subject if letter else subject[0].upper() + subject[1:],
    }
    details: dict[str, object] = {
        "number_style": "".join(r.text for r in number_runs),
        "issuer_lines": len(body.lines),
    }
    if pen:
        details["pen"] = pen_values
    return GeneratedDocument(f"header-{seed}", "cong_van" if letter else "quyet_dinh_qppl", tuple(bands), truth,
                             details)  # fmt: skip
