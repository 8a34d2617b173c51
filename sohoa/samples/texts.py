"""Seeded, templated Vietnamese administrative documents in the Decree 30/2020 layout, with ground truth.

Every text here is written from templates in this module (no real document is copied). Citations of national
acts use their real numbers, dates and issuers (see /work/shared/domain.md §0); every local document number,
person and address is invented.

A document is a sequence of *bands* (full-width, or two columns side by side, as in the Decree 30 header and
signing block). Each band holds logical lines: a header line, a title, or a whole paragraph that the renderer
wraps. ``GeneratedDocument.text`` is the logical text in reading order: bands top to bottom and, inside a
two-column band, the whole left column before the right one.

Ground-truth conventions (keys are the data fields of ``sohoa.extractors.types.DocumentMetadata``):

- ``issuer`` / ``issuer_superior``: the name printed in the header, in running-text capitalisation (Decree 30
  Annex II): "ỦY BAN NHÂN DÂN / TỈNH NGHỆ AN" -> "Ủy ban nhân dân tỉnh Nghệ An", "SỞ TƯ PHÁP" -> "Sở Tư pháp".
  Header lines are joined with one space and ``issuer.upper()`` equals the printed lines joined. No abbreviation
  is expanded or added; ``issuer_superior`` is None when no superior line is printed (a provincial UBND).
- ``number``: as printed after "Số:" ("12/2024/QĐ-UBND", "6733/UBND-KSTT"); None for the dossier receipt.
- ``place`` / ``issued_date``: the place name as printed and the date as ISO YYYY-MM-DD.
- ``subject``: the printed summary (trích yếu), lines joined, unchanged: "Về việc ...", "V/v ..." or the bare
  summary under the type name; None for the receipt, which has none.
- ``signing_form``: the printed authority lines above the signer's title, upper case as printed, joined with
  " / ": "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH", "KT. GIÁM ĐỐC". None when the head signs in his own name.
- ``signer_title``: the last printed title line in running-text case ("Phó Chủ tịch"); ``signer``: the name.
  Receipts: the receiving officer, title "Người tiếp nhận hồ sơ".
- ``recipients``: the "Nơi nhận:" entries without the leading "- " and the final ";" or "." (so the last one is
  "Lưu: VT, KSTT"). The "Kính gửi:" addressees of a letter are in ``details["addressees"]``.
- ``cited_documents``: every other document cited *with a number*, in order of first mention, deduplicated by
  number (laws cited by name and date only are not listed). ``issuer`` is the body its own header would print:
  "Chính phủ", "Văn phòng Chính phủ", "Thủ tướng Chính phủ", "Bộ Tư pháp", "Sở Tư pháp", ...
- ``procedure_codes`` / ``dossier_codes``: every TTHC code (d.dddddd) / dossier code in the text, in order.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sohoa.samples.procedures import AGENCY_CODES, PROCEDURES, SampleProcedure
from sohoa.textnorm import normalize_text

Align = Literal["L", "C", "R", "J"]
BandKind = Literal["full", "header", "signature"]
Rule = Literal["short", "text"]
DocKind = Literal[
    "quyet_dinh_qppl", "quyet_dinh_cong_bo", "cong_van", "cong_van_so", "ke_hoach", "thong_bao", "giay_tiep_nhan"
]

TTHC_PHRASE = "thủ tục hành chính"

# The default demo set; longer sets cycle through it. Fixed order (rather than drawn from the seed) so that every
# seed keeps the properties the demo and the tests rely on: a receipt, a two-page plan, a text without TTHC_PHRASE.
DEFAULT_PLAN: tuple[DocKind, ...] = (
    "quyet_dinh_qppl",
    "cong_van",
    "giay_tiep_nhan",
    "ke_hoach",
    "thong_bao",
    "quyet_dinh_cong_bo",
    "giay_tiep_nhan",
    "cong_van_so",
)

DOC_TYPE_NAMES: dict[DocKind, str] = {
    "quyet_dinh_qppl": "Quyết định",
    "quyet_dinh_cong_bo": "Quyết định",
    "cong_van": "Công văn",
    "cong_van_so": "Công văn",
    "ke_hoach": "Kế hoạch",
    "thong_bao": "Thông báo",
    "giay_tiep_nhan": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
}

# Decree 30 sizes (pt): names and motto 12-13, title 14, body 13-14, recipients 11-12.
_HEAD = 12.5
_TITLE = 14.0
_BODY = 13.0
_NOI_NHAN = 11.0
_INDENT_MM = 12.7
_REFORM = date(2025, 7, 1)  # two-tier local government and Decree 118/2025 (domain.md §0)


# --------------------------------------------------------------------------------------------------------------
# Document model


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Line:
    """One logical line: a header line, a title or a whole paragraph (the renderer wraps it)."""

    runs: tuple[Run, ...]
    align: Align = "J"
    size: float = _BODY
    indent_mm: float = 0.0  # first-line indent
    left_mm: float = 0.0  # extra left offset of every wrapped line
    space_before_pt: float = 0.0
    rule_below: Rule | None = None  # Decree 30 rules under the issuer, the motto and the summary

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Band:
    """A horizontal slice of the page: one full-width column, or two side by side (header, signing block)."""

    kind: BandKind
    columns: tuple[tuple[Line, ...], ...]
    space_before_pt: float = 0.0

    @property
    def lines(self) -> list[Line]:
        return [line for col in self.columns for line in col]


@dataclass(frozen=True)
class GeneratedDocument:
    key: str  # stable id inside a generated set, e.g. "doc01-quyet-dinh"
    kind: DocKind
    bands: tuple[Band, ...]
    truth: dict[str, Any]  # DocumentMetadata data fields, see the module docstring
    details: dict[str, Any] = field(default_factory=dict)  # kind-specific facts (receipt dates, addressees, ...)

    @property
    def lines(self) -> list[str]:
        return [line.text for band in self.bands for line in band.lines]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _line(
    text: str,
    *,
    align: Align = "J",
    size: float = _BODY,
    bold: bool = False,
    italic: bool = False,
    indent_mm: float = 0.0,
    left_mm: float = 0.0,
    space_before_pt: float = 0.0,
    rule_below: Rule | None = None,
) -> Line:
    return Line(
        (Run(normalize_text(text), bold, italic),),
        align=align,
        size=size,
        indent_mm=indent_mm,
        left_mm=left_mm,
        space_before_pt=space_before_pt,
        rule_below=rule_below,
    )


def _norm_run(text: str) -> str:
    """normalize_text strips line ends; a run keeps one space at an edge so runs still join into words."""
    core = normalize_text(text)
    lead = " " if text[:1].isspace() and core else ""
    trail = " " if text[-1:].isspace() and core else ""
    return lead + core + trail


def _para(*runs: Run | str, italic: bool = False, space_before_pt: float = 6.0) -> Line:
    """A justified body paragraph with a first-line indent; plain strings become regular (or italic) runs."""
    rs = tuple(
        Run(_norm_run(r), False, italic) if isinstance(r, str) else Run(_norm_run(r.text), r.bold, r.italic)
        for r in runs
    )
    return Line(rs, align="J", size=_BODY, indent_mm=_INDENT_MM, space_before_pt=space_before_pt)


# --------------------------------------------------------------------------------------------------------------
# Formatting helpers (Decree 30 rules)


def vn_date(d: date) -> str:
    """'ngày 05 tháng 3 năm 2024': leading zero for days below 10 and for months 1 and 2."""
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def ordinal(n: int) -> str:
    """Document ordinals get a leading zero below 10 (Decree 30 Art 15)."""
    return f"{n:02d}" if n < 10 else str(n)


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:]


def _add_working_days(d: date, days: int) -> date:
    # Weekends only: public holidays vary by year and do not matter for sample data.
    while days > 0:
        d += timedelta(days=1)
        if d.weekday() < 5:
            days -= 1
    return d


def _weekday_between(rng: random.Random, start: date, end: date) -> date:
    while True:
        d = start + timedelta(days=rng.randrange((end - start).days + 1))
        if d.weekday() < 5:
            return d


# --------------------------------------------------------------------------------------------------------------
# Places, issuers, people


@dataclass(frozen=True)
class _Province:
    name: str
    level: str  # "tỉnh" | "thành phố"
    merged_on: date | None = None  # ceased to exist as a province on this date (2025 mergers)

    @property
    def ubnd(self) -> str:
        return f"Ủy ban nhân dân {self.level} {self.name}"

    @property
    def party(self) -> str:  # the provincial Party committee, as abbreviated in "Nơi nhận"
        return "Thành ủy" if self.level == "thành phố" else "Tỉnh ủy"


_PROVINCES: tuple[_Province, ...] = (
    _Province("Nghệ An", "tỉnh"),
    _Province("Thanh Hóa", "tỉnh"),
    _Province("Hà Tĩnh", "tỉnh"),
    _Province("Quảng Ninh", "tỉnh"),
    _Province("Lào Cai", "tỉnh"),
    _Province("Đắk Lắk", "tỉnh"),
    _Province("Cao Bằng", "tỉnh"),
    _Province("Đồng Nai", "tỉnh"),
    _Province("Hòa Bình", "tỉnh", merged_on=_REFORM),
    _Province("Bình Định", "tỉnh", merged_on=_REFORM),
    _Province("Hà Nội", "thành phố"),
    _Province("Hải Phòng", "thành phố"),
)


@dataclass(frozen=True)
class _Issuer:
    lines: tuple[str, ...]  # printed, upper case, bold
    name: str  # running-text form (ground truth)
    abbr: str  # issuer part of the number symbol
    place: str
    province: _Province
    superior_lines: tuple[str, ...] = ()  # printed, upper case, regular weight
    superior: str | None = None


def _ubnd_issuer(p: _Province) -> _Issuer:
    return _Issuer(
        lines=("ỦY BAN NHÂN DÂN", f"{p.level} {p.name}".upper()),
        name=p.ubnd,
        abbr="UBND",
        place=p.name,
        province=p,
    )


def _sub_issuer(p: _Province, lines: tuple[str, ...], name: str, abbr: str) -> _Issuer:
    return _Issuer(
        lines=lines,
        name=name,
        abbr=abbr,
        place=p.name,
        province=p,
        superior_lines=(p.ubnd.upper(),),
        superior=p.ubnd,
    )


def _pick_province(rng: random.Random, d: date) -> _Province:
    return rng.choice([p for p in _PROVINCES if p.merged_on is None or d < p.merged_on])


_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Đinh")
_MIDDLE_M = ("Văn", "Đức", "Minh", "Hữu", "Quang", "Thanh", "Xuân", "Đình", "Công", "Ngọc")
_MIDDLE_F = ("Thị", "Thu", "Ngọc", "Thanh", "Minh", "Hồng")
_GIVEN_M = ("Hùng", "Tuấn", "Dũng", "Hải", "Bình", "Khoa", "Long", "Trung", "Đạt", "Thắng", "Sơn", "Quân", "Hiếu")
_GIVEN_F = ("Lan", "Hương", "Thủy", "Hòa", "Phương", "Nga", "Hạnh", "Yến", "Trang", "Liên", "Ngân")
_STREETS = ("Lê Lợi", "Trần Phú", "Nguyễn Du", "Quang Trung", "Lý Thường Kiệt", "Hai Bà Trưng", "Phan Đình Phùng")


def _person(rng: random.Random) -> tuple[str, bool]:
    """An invented name and whether it is a man's (for "Ông"/"Bà")."""
    male = rng.random() < 0.6
    middle = rng.choice(_MIDDLE_M if male else _MIDDLE_F)
    given = rng.choice(_GIVEN_M if male else _GIVEN_F)
    return f"{rng.choice(_SURNAMES)} {middle} {given}", male


# --------------------------------------------------------------------------------------------------------------
# Citations


@dataclass(frozen=True)
class _Ref:
    number: str
    doc_type: str
    issued: date
    issuer: str  # as its own header prints it
    by: str  # the phrase after "của" in a citation
    title: str

    def cite(self) -> str:
        return f"{self.doc_type} số {self.number} {vn_date(self.issued)} của {self.by} {self.title}"

    def truth(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "doc_type": self.doc_type,
            "issued_date": self.issued.isoformat(),
            "issuer": self.issuer,
        }


def _nd(number: str, issued: date, title: str) -> _Ref:
    return _Ref(number, "Nghị định", issued, "Chính phủ", "Chính phủ", title)


_ND63 = _nd("63/2010/NĐ-CP", date(2010, 6, 8), "về kiểm soát thủ tục hành chính")
_ND61 = _nd(
    "61/2018/NĐ-CP",
    date(2018, 4, 23),
    "về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính",
)
_ND107 = _nd(
    "107/2021/NĐ-CP",
    date(2021, 12, 6),
    "sửa đổi, bổ sung một số điều của Nghị định số 61/2018/NĐ-CP ngày 23 tháng 4 năm 2018 của Chính phủ "
    "về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính",
)
_ND45 = _nd("45/2020/NĐ-CP", date(2020, 4, 8), "về thực hiện thủ tục hành chính trên môi trường điện tử")
_ND42 = _nd(
    "42/2022/NĐ-CP",
    date(2022, 6, 24),
    "quy định về việc cung cấp thông tin và dịch vụ công trực tuyến của cơ quan nhà nước trên môi trường mạng",
)
_ND118 = _nd(
    "118/2025/NĐ-CP",
    date(2025, 6, 9),
    "về thực hiện thủ tục hành chính theo cơ chế một cửa, một cửa liên thông tại Bộ phận Một cửa "
    "và Cổng Dịch vụ công quốc gia",
)
_ND30 = _nd("30/2020/NĐ-CP", date(2020, 3, 5), "về công tác văn thư")
_TT01_2023 = _Ref(
    "01/2023/TT-VPCP",
    "Thông tư",
    date(2023, 4, 5),
    "Văn phòng Chính phủ",
    "Văn phòng Chính phủ",
    "quy định một số nội dung và biện pháp thi hành trong số hóa hồ sơ, kết quả giải quyết thủ tục hành chính "
    "và thực hiện thủ tục hành chính trên môi trường điện tử",
)
_QD766 = _Ref(
    "766/QĐ-TTg",
    "Quyết định",
    date(2022, 6, 23),
    "Thủ tướng Chính phủ",
    "Thủ tướng Chính phủ",
    "phê duyệt Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp trong thực "
    "hiện thủ tục hành chính, dịch vụ công theo thời gian thực trên môi trường điện tử",
)


def _one_stop_refs(d: date) -> list[_Ref]:
    """The one-stop regime in force on d: Decree 61 (+107 from its signature) until 30/6/2025, then Decree 118."""
    if d >= _REFORM:
        return [_ND118]
    return [_ND61, _ND107] if d >= _ND107.issued else [_ND61]


def _digitisation_refs(d: date) -> list[_Ref]:
    refs = [_ND45]
    if d >= _TT01_2023.issued:
        refs.append(_TT01_2023)
    return refs


def _local_government_law(d: date) -> list[str]:
    # The 2019 amending law is usually cited as well; it is left out to keep decisions on one page.
    if d >= _REFORM:
        return ["Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025"]
    return ["Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015"]


def _promulgation_law(d: date) -> list[str]:
    if d >= date(2025, 4, 1):
        return ["Luật Ban hành văn bản quy phạm pháp luật ngày 19 tháng 02 năm 2025"]
    return [
        "Luật Ban hành văn bản quy phạm pháp luật ngày 22 tháng 6 năm 2015",
    ]


# --------------------------------------------------------------------------------------------------------------
# Procedures (from procedures.py) and what the templates say about them

# Invented dossier components and time limits (working days) used by the receipts.
_COMPONENTS: dict[str, tuple[tuple[str, ...], int]] = {
    "1.001193": (("Tờ khai đăng ký khai sinh (theo mẫu)", "Giấy chứng sinh (bản chính)"), 1),
    "1.000894": (("Tờ khai đăng ký kết hôn (theo mẫu)", "Giấy xác nhận tình trạng hôn nhân (bản chính)"), 3),
    "2.000908": (("Bản chính giấy tờ làm cơ sở để chứng thực bản sao", "Bản sao cần chứng thực"), 1),
    "1.004227": (("Tờ khai thay đổi thông tin cư trú", "Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp"), 7),
    "1.009972": (
        (
            "Đơn đề nghị cấp giấy phép xây dựng (theo mẫu)",
            "Bản sao giấy tờ chứng minh quyền sử dụng đất",
            "02 bộ bản vẽ thiết kế xây dựng",
        ),
        15,
    ),
    "1.010736": (("Giấy đề nghị đăng ký hộ kinh doanh", "Bản sao giấy tờ pháp lý của cá nhân"), 3),
    "1.003003": (
        (
            "Đơn đăng ký biến động đất đai, tài sản gắn liền với đất (theo mẫu)",
            "Bản gốc Giấy chứng nhận đã cấp",
            "Hợp đồng chuyển nhượng đã được công chứng",
        ),
        10,
    ),
    "2.002835": (("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (theo mẫu)", "Bản chụp giấy tờ tùy thân"), 10),
    "1.001612": (
        (
            "Văn bản đề nghị cấp giấy chứng nhận (theo mẫu)",
            "Bản sao Giấy chứng nhận đăng ký doanh nghiệp",
            "Bản khai lý lịch của người chịu trách nhiệm về an ninh, trật tự",
        ),
        5,
    ),
    "3.000182": (("Tờ khai đề nghị xác nhận thông tin hộ tịch (theo mẫu)",), 3),
    "1.005388": (("Đơn đề nghị đổi giấy phép lái xe (theo mẫu)", "Giấy khám sức khỏe của người lái xe"), 5),
    "2.001659": (("Văn bản đăng ký hoạt động tín ngưỡng (theo mẫu)", "Danh mục hoạt động tín ngưỡng hằng năm"), 15),
}


def _procs(rng: random.Random, k: int, *, where: Iterable[SampleProcedure] = PROCEDURES) -> list[SampleProcedure]:
    pool = list(where)
    return rng.sample(pool, min(k, len(pool)))


# (issuing ministry, its abbreviation, the provincial proposing body, its abbreviation, the body's head)
_MINISTRIES = (
    ("Bộ Tư pháp", "BTP", "Sở Tư pháp", "STP", "Giám đốc Sở Tư pháp"),
    ("Bộ Công an", "BCA", "Công an tỉnh", "CAT", "Giám đốc Công an tỉnh"),
)

# Receiving offices behind procedures.AGENCY_CODES (invented; H40 = Nghệ An, H26 = Hà Nội in the H01-H63 order).
# (superior lines, issuer lines, issuer name, superior name, place, province, implementing agencies served)
_RECEIVING_UNITS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str, str, str, _Province, tuple[str, ...]]] = {
    "000.00.18.H40": (
        ("ỦY BAN NHÂN DÂN TỈNH NGHỆ AN",),
        ("TRUNG TÂM PHỤC VỤ", "HÀNH CHÍNH CÔNG"),
        "Trung tâm Phục vụ hành chính công",
        "Ủy ban nhân dân tỉnh Nghệ An",
        "Nghệ An",
        _PROVINCES[0],
        ("Sở Tư pháp", "Công an cấp tỉnh", "Văn phòng đăng ký đất đai"),
    ),
    "000.20.31.H40": (
        ("ỦY BAN NHÂN DÂN XÃ NGHI PHONG",),
        ("BỘ PHẬN MỘT CỬA",),
        "Bộ phận Một cửa",
        "Ủy ban nhân dân xã Nghi Phong",
        "Nghi Phong",
        _PROVINCES[0],
        ("Ủy ban nhân dân cấp xã", "Công an cấp xã"),
    ),
    "000.00.12.H26": (
        ("ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI",),
        ("SỞ TƯ PHÁP",),
        "Sở Tư pháp",
        "Ủy ban nhân dân thành phố Hà Nội",
        "Hà Nội",
        _PROVINCES[10],
        ("Sở Tư pháp",),
    ),
}


# --------------------------------------------------------------------------------------------------------------
# Building blocks shared by the templates


class _Doc:
    """Accumulates bands and the facts the ground truth needs while a template writes the text."""

    def __init__(self, kind: DocKind, issuer: _Issuer, issued: date) -> None:
        self.kind = kind
        self.issuer = issuer
        self.issued = issued
        self.bands: list[Band] = []
        self.body: list[Line] = []
        self.cited: dict[str, dict[str, Any]] = {}
        self.procedures: list[str] = []
        self.dossier_codes: list[str] = []
        self.number: str | None = None
        self.subject: str | None = None
        self.signer = ""
        self.signer_title = ""
        self.signing_form: list[str] = []
        self.recipients: list[str] = []

    def cite(self, ref: _Ref) -> str:
        self.cited.setdefault(ref.number, ref.truth())
        if ref is _ND107:  # its title names Decree 61 by number
            self.cited.setdefault(_ND61.number, _ND61.truth())
        return ref.cite()

    def cite_many(self, refs: Sequence[_Ref]) -> str:
        return "; ".join(self.cite(r) for r in refs)

    def code(self, p: SampleProcedure) -> str:
        if p.code not in self.procedures:
            self.procedures.append(p.code)
        return p.code

    def proc(self, p: SampleProcedure) -> str:
        return f"{self.code(p)} - {p.name}"

    def header(self, number: str | None, left_extra: Sequence[Line] = ()) -> None:
        self.number = number
        iss = self.issuer
        left = [_line(s, align="C", size=_HEAD) for s in iss.superior_lines]
        left += [_line(s, align="C", size=_HEAD, bold=True) for s in iss.lines]
        left[-1] = Line(left[-1].runs, align="C", size=_HEAD, rule_below="short")
        right = [
            _line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", size=12.0, bold=True),
            _line("Độc lập - Tự do - Hạnh phúc", align="C", size=13.0, bold=True, rule_below="text"),
        ]
        self.bands.append(Band("header", (tuple(left), tuple(right))))
        num_col: list[Line] = [] if number is None else [_line(f"Số: {number}", align="C", size=13.0)]
        num_col += left_extra
        date_line = _line(f"{iss.place}, {vn_date(self.issued)}", align="C", size=13.0, italic=True)
        self.bands.append(Band("header", (tuple(num_col), (date_line,)), space_before_pt=8.0))

    def title(self, type_name: str | None, summary: str | None, authority: str | None = None) -> None:
        self.subject = summary
        lines: list[Line] = []
        if type_name:
            lines.append(_line(type_name, align="C", size=_TITLE, bold=True, space_before_pt=14.0))
        if summary:
            lines.append(_line(summary, align="C", size=_TITLE, bold=True, rule_below="short"))
        if authority:
            lines.append(_line(authority, align="C", size=_TITLE, bold=True, space_before_pt=10.0))
        if lines:
            self.bands.append(Band("full", tuple([tuple(lines)]), space_before_pt=4.0))

    def flush_body(self) -> None:
        if self.body:
            self.bands.append(Band("full", (tuple(self.body),), space_before_pt=6.0))
            self.body = []

    def signature(
        self,
        recipients: Sequence[str],
        authority: Sequence[str],
        title: str,
        name: str,
        *,
        recipients_heading: str = "Nơi nhận:",
        left_override: Sequence[Line] | None = None,
    ) -> None:
        self.flush_body()
        self.recipients = list(recipients)
        self.signing_form = list(authority)
        self.signer_title = title
        self.signer = name
        if left_override is not None:
            left = list(left_override)
        else:
            left = [_line(recipients_heading, align="L", size=12.0, bold=True, italic=True)]
            last = len(recipients) - 1
            left += [
                _line(f"- {r}{'.' if i == last else ';'}", align="L", size=_NOI_NHAN) for i, r in enumerate(recipients)
            ]
        right = [_line(a, align="C", size=13.0, bold=True) for a in authority]
        right.append(_line(title.upper(), align="C", size=13.0, bold=True))
        right.append(_line(name, align="C", size=13.0, bold=True, space_before_pt=50.0))
        self.bands.append(Band("signature", (tuple(left), tuple(right)), space_before_pt=8.0))

    def truth(self) -> dict[str, Any]:
        n = normalize_text
        return {
            "doc_type": DOC_TYPE_NAMES[self.kind],
            "number": None if self.number is None else n(self.number),
            "issuer": n(self.issuer.name),
            "issuer_superior": None if self.issuer.superior is None else n(self.issuer.superior),
            "place": n(self.issuer.place),
            "issued_date": self.issued.isoformat(),
            "subject": None if self.subject is None else n(self.subject),
            "signer": n(self.signer),
            "signer_title": n(self.signer_title),
            "signing_form": n(" / ".join(self.signing_form)) if self.signing_form else None,
            "recipients": [n(r) for r in self.recipients],
            "cited_documents": [
                {k: (n(v) if isinstance(v, str) else v) for k, v in c.items()} for c in self.cited.values()
            ],
            "procedure_codes": list(self.procedures),
            "dossier_codes": list(self.dossier_codes),
        }


def _ubnd_signing(rng: random.Random, *, collective: bool = True) -> tuple[list[str], str]:
    """Signing authority lines and the signer's title for a People's Committee (TM. = on behalf of the body)."""
    head = ["TM. ỦY BAN NHÂN DÂN"] if collective else []
    if rng.random() < 0.3:
        return head, "Chủ tịch"
    return [*head, "KT. CHỦ TỊCH"], "Phó Chủ tịch"


def _districts(d: date, p: _Province) -> str:
    # District level was abolished on 1/7/2025: later documents address communes and wards.
    if d >= _REFORM:
        return "các xã, phường"
    return "các quận, huyện, thị xã" if p.level == "thành phố" else "các huyện, thành phố, thị xã"


def _heading(text: str) -> Line:
    return _para(Run(text, bold=True))


def _number(rng: random.Random, symbol: str, *, low: int = 1, high: int = 4000, year: int | None = None) -> str:
    n = ordinal(rng.randint(low, high))
    return f"{n}/{year}/{symbol}" if year is not None else f"{n}/{symbol}"


# --------------------------------------------------------------------------------------------------------------
# Templates


def _quyet_dinh_qppl(rng: random.Random, d: date) -> tuple[_Doc, dict[str, Any]]:
    """A normative decision of a provincial UBND (number carries the year: 12/2024/QĐ-UBND)."""
    p = _pick_province(rng, d)
    doc = _Doc("quyet_dinh_qppl", _ubnd_issuer(p), d)
    number = _number(rng, "QĐ-UBND", low=1, high=60, year=d.year)
    topic = rng.choice(
        (
            f"Quy chế phối hợp trong giải quyết {TTHC_PHRASE} theo cơ chế một cửa, một cửa liên thông "
            f"trên địa bàn {p.level} {p.name}",
            f"Quy định về số hóa hồ sơ, kết quả giải quyết {TTHC_PHRASE} trên địa bàn {p.level} {p.name}",
        )
    )
    summary = f"Ban hành {topic}"
    doc.header(number)
    doc.title("QUYẾT ĐỊNH", summary, f"ỦY BAN NHÂN DÂN {p.level.upper()} {p.name.upper()}")
    for law in _local_government_law(d) + _promulgation_law(d):
        doc.body.append(_para(f"Căn cứ {law};", italic=True, space_before_pt=2.0))
    for ref in _one_stop_refs(d) + _digitisation_refs(d):
        doc.body.append(_para(f"Căn cứ {doc.cite(ref)};", italic=True, space_before_pt=2.0))
    tt_date = d - timedelta(days=rng.randint(5, 20))
    tt = _Ref(
        _number(rng, "TTr-VPUBND", low=10, high=300),
        "Tờ trình",
        tt_date,
        f"Văn phòng {p.ubnd}",
        f"Văn phòng {p.ubnd}",
        "",
    )
    doc.cite(tt)
    doc.body.append(
        _para(
            f"Theo đề nghị của Chánh Văn phòng {p.ubnd} tại Tờ trình số {tt.number} {vn_date(tt_date)}.",
            italic=True,
            space_before_pt=2.0,
        )
    )
    doc.body.append(_line("QUYẾT ĐỊNH:", align="C", size=_TITLE, bold=True, space_before_pt=6.0))
    procs = _procs(rng, 2)
    effective = d + timedelta(days=rng.randint(10, 20))
    doc.body += [
        _para(Run("Điều 1.", bold=True), f" Ban hành kèm theo Quyết định này {topic}."),
        _para(
            Run("Điều 2.", bold=True),
            f" Áp dụng thí điểm Quy định tại Điều 1 đối với các {TTHC_PHRASE}: "
            + "; ".join(doc.proc(x) for x in procs)
            + ".",
        ),
        _para(
            Run("Điều 3.", bold=True),
            f" Quyết định này có hiệu lực thi hành kể từ {vn_date(effective)}. Chánh Văn phòng {p.ubnd}; "
            f"Giám đốc các sở, thủ trưởng các ban, ngành cấp {p.level}; Chủ tịch Ủy ban nhân dân {_districts(d, p)} "
            "và các tổ chức, cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này./.",
        ),
    ]
    authority, title = _ubnd_signing(rng)
    signer, _ = _person(rng)
    recipients = [
        "Như Điều 3",
        "Văn phòng Chính phủ (Cục KSTTHC)",
        "Bộ Tư pháp (Cục Kiểm tra VBQPPL)",
        f"TT {p.party}, TT HĐND {p.level}",
        f"Chủ tịch, các PCT UBND {p.level}",
        "Lưu: VT, KSTT",
    ]
    doc.signature(recipients, authority, title, signer)
    return doc, {"effective_date": effective.isoformat()}


def _quyet_dinh_cong_bo(rng: random.Random, d: date) -> tuple[_Doc, dict[str, Any]]:
    """An individual decision of the provincial Chairman announcing amended procedures (1096/QĐ-UBND)."""
    p = _pick_province(rng, d)
    doc = _Doc("quyet_dinh_cong_bo", _ubnd_issuer(p), d)
    number = _number(rng, "QĐ-UBND", low=100, high=3500)
    ministry, m_abbr, body_name, body_abbr, body_head = rng.choice(_MINISTRIES)
    body_name, body_head = body_name.replace("tỉnh", p.level), body_head.replace("tỉnh", p.level)
    pool = [
        x for x in PROCEDURES if x.issuing_agency == ministry and not (x.code == "1.005388" and d < date(2025, 3, 1))
    ]
    procs = _procs(rng, 2, where=pool)  # two keep the decision on one page
    fields = ", ".join(dict.fromkeys(_lower_first(x.field) for x in procs))
    summary = (
        f"Về việc công bố Danh mục {TTHC_PHRASE} được sửa đổi, bổ sung trong lĩnh vực {fields} "
        f"thuộc thẩm quyền giải quyết trên địa bàn {p.level} {p.name}"
    )
    doc.header(number)
    doc.title("QUYẾT ĐỊNH", summary, f"CHỦ TỊCH ỦY BAN NHÂN DÂN {p.level.upper()} {p.name.upper()}")
    for law in _local_government_law(d):
        doc.body.append(_para(f"Căn cứ {law};", italic=True, space_before_pt=2.0))
    for ref in [_ND63, _ND45]:
        doc.body.append(_para(f"Căn cứ {doc.cite(ref)};", italic=True, space_before_pt=2.0))
    m_date = d - timedelta(days=rng.randint(20, 60))
    m_ref = _Ref(
        _number(rng, f"QĐ-{m_abbr}", low=100, high=3000),
        "Quyết định",
        m_date,
        ministry,
        f"Bộ trưởng {ministry}",
        f"về việc công bố {TTHC_PHRASE} được sửa đổi, bổ sung trong lĩnh vực {fields} "
        f"thuộc phạm vi chức năng quản lý của {ministry}",
    )
    doc.body.append(_para(f"Căn cứ {doc.cite(m_ref)};", italic=True, space_before_pt=2.0))
    tt_date = d - timedelta(days=rng.randint(3, 15))
    province_body = f"{body_name} {p.name}" if body_abbr == "CAT" else body_name
    tt = _Ref(_number(rng, f"TTr-{body_abbr}", low=10, high=400), "Tờ trình", tt_date, province_body, "", "")
    doc.cite(tt)
    doc.body.append(
        _para(
            f"Theo đề nghị của {body_head} tại Tờ trình số {tt.number} {vn_date(tt_date)}.",
            italic=True,
            space_before_pt=2.0,
        )
    )
    doc.body.append(_line("QUYẾT ĐỊNH:", align="C", size=_TITLE, bold=True, space_before_pt=6.0))
    doc.body.append(
        _para(
            Run("Điều 1.", bold=True),
            f" Công bố kèm theo Quyết định này Danh mục {TTHC_PHRASE} được sửa đổi, bổ sung trong lĩnh vực "
            f"{fields} thuộc thẩm quyền giải quyết trên địa bàn {p.level} {p.name}, gồm:",
        )
    )
    for i, x in enumerate(procs, 1):
        doc.body.append(
            _para(f"{i}. Mã số {doc.proc(x)}; cơ quan thực hiện: {x.implementing_agency}.", space_before_pt=2.0)
        )
    doc.body += [
        _para(
            Run("Điều 2.", bold=True),
            f" Giao {body_name} cập nhật, công khai các {TTHC_PHRASE} tại Điều 1 trên Cơ sở dữ liệu quốc gia "
            "về thủ tục hành chính theo quy định.",
        ),
        _para(
            Run("Điều 3.", bold=True),
            f" Quyết định này có hiệu lực thi hành kể từ ngày ký. Chánh Văn phòng {p.ubnd}, {body_head} "
            "và các tổ chức, cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này./.",
        ),
    ]
    authority = ["KT. CHỦ TỊCH"] if rng.random() < 0.7 else []
    title = "Phó Chủ tịch" if authority else "Chủ tịch"
    signer, _ = _person(rng)
    recipients = [
        "Như Điều 3",
        "Văn phòng Chính phủ (Cục KSTTHC)",
        ministry,
        f"Chủ tịch, các PCT UBND {p.level}",
        f"Trung tâm Phục vụ hành chính công {p.level}",
        "Lưu: VT, KSTT",
    ]
    doc.signature(recipients, authority, title, signer)
    return doc, {}


def _cong_van(rng: random.Random, d: date) -> tuple[_Doc, dict[str, Any]]:
    """A letter of the provincial UBND on TTHC work (6733/UBND-KSTT, with a 'V/v' summary)."""
    p = _pick_province(rng, d)
    doc = _Doc("cong_van", _ubnd_issuer(p), d)
    number = _number(rng, "UBND-KSTT", low=100, high=9000)
    summary = rng.choice(
        (
            f"V/v đẩy mạnh số hóa hồ sơ, kết quả giải quyết {TTHC_PHRASE}",
            f"V/v chấn chỉnh tình trạng giải quyết {TTHC_PHRASE} quá hạn",
            f"V/v triển khai cấp mã hồ sơ {TTHC_PHRASE} trên Hệ thống thông tin",
        )
    )
    doc.subject = summary
    doc.header(number, left_extra=[_line(summary, align="C", size=12.0)])
    addressees = [f"Các sở, ban, ngành cấp {p.level}", f"Ủy ban nhân dân {_districts(d, p)}"]
    doc.body.append(_line("Kính gửi:", align="L", size=_BODY, left_mm=22.0, space_before_pt=14.0))
    doc.body += [
        _line(f"- {a}{';' if i == 0 else '.'}", align="L", size=_BODY, left_mm=45.0) for i, a in enumerate(addressees)
    ]
    refs = _digitisation_refs(d) + _one_stop_refs(d)[-1:]
    doc.body.append(
        _para(
            f"Thực hiện {doc.cite_many(refs)}, Ủy ban nhân dân {p.level} yêu cầu các cơ quan, đơn vị "
            "thực hiện một số nội dung sau:",
            space_before_pt=12.0,
        )
    )
    procs = _procs(rng, 2)
    deadline = _add_working_days(d, rng.randint(10, 25))
    doc.body += [
        _para(
            f"1. Rà soát toàn bộ hồ sơ {TTHC_PHRASE} tiếp nhận tại Bộ phận Một cửa các cấp; bảo đảm 100% hồ sơ "
            "được cấp mã, cập nhật trạng thái xử lý và số hóa thành phần hồ sơ ngay khi tiếp nhận."
        ),
        _para(
            "2. Tập trung số hóa kết quả giải quyết còn hiệu lực đối với các thủ tục: "
            + "; ".join(doc.proc(x) for x in procs)
            + "; không yêu cầu người dân nộp lại giấy tờ đã được số hóa."
        ),
        _para(
            f"3. Giao Văn phòng {p.ubnd} theo dõi, tổng hợp kết quả thực hiện, báo cáo Ủy ban nhân dân {p.level} "
            f"trước {vn_date(deadline)}."
        ),
        _para(f"Ủy ban nhân dân {p.level} yêu cầu các cơ quan, đơn vị nghiêm túc triển khai thực hiện./."),
    ]
    authority, title = _ubnd_signing(rng, collective=rng.random() < 0.5)
    if title == "Chủ tịch" and not authority:
        authority = ["TM. ỦY BAN NHÂN DÂN"]
    signer, _ = _person(rng)
    recipients = ["Như trên", f"Chủ tịch, các PCT UBND {p.level}", f"Cổng thông tin điện tử {p.level}", "Lưu: VT, KSTT"]
    doc.signature(recipients, authority, title, signer)
    return doc, {"addressees": addressees, "deadline": deadline.isoformat()}


def _cong_van_so(rng: random.Random, d: date) -> tuple[_Doc, dict[str, Any]]:
    """A letter of a provincial department (Sở Tư pháp) to the lower levels (512/STP-HCTP)."""
    p = _pick_province(rng, d)
    issuer = _sub_issuer(p, ("SỞ TƯ PHÁP",), "Sở Tư pháp", "STP")
    doc = _Doc("cong_van_so", issuer, d)
    number = _number(rng, "STP-HCTP", low=50, high=3000)
    summary = f"V/v hướng dẫn tiếp nhận, giải quyết {TTHC_PHRASE} lĩnh vực hộ tịch trên môi trường điện tử"
    doc.subject = summary
    doc.header(number, left_extra=[_line(summary, align="C", size=12.0)])
    addressee = f"Ủy ban nhân dân {_districts(d, p)}"
    doc.body.append(_line(f"Kính gửi: {addressee}.", align="C", size=_BODY, space_before_pt=14.0))
    procs = [x for x in PROCEDURES if x.field == "Hộ tịch"]
    rng.shuffle(procs)
    refs = _one_stop_refs(d) + _digitisation_refs(d)
    doc.body += [
        _para(f"Căn cứ {doc.cite_many(refs)};", space_before_pt=12.0),
        _para(
            f"Để thống nhất thực hiện, Sở Tư pháp hướng dẫn việc tiếp nhận, giải quyết các {TTHC_PHRASE} "
            "lĩnh vực hộ tịch trên môi trường điện tử như sau:"
        ),
        _para(
            "1. Công chức tư pháp - hộ tịch tiếp nhận hồ sơ trực tuyến đối với các thủ tục "
            + "; ".join(doc.proc(x) for x in procs[:2])
            + "; kiểm tra tính đầy đủ của thành phần hồ sơ và phản hồi trong thời hạn 08 giờ làm việc."
        ),
        _para(
            "2. Kết quả giải quyết được ký số, cập nhật vào Kho quản lý dữ liệu điện tử của tổ chức, cá nhân "
            "và gắn mã kết quả theo mã hồ sơ; trường hợp người dân có yêu cầu thì trả bản giấy."
        ),
        _para(
            "Trong quá trình thực hiện, nếu có vướng mắc, đề nghị phản ánh về Sở Tư pháp (Phòng Hành chính "
            "tư pháp) để được hướng dẫn./."
        ),
    ]
    if rng.random() < 0.7:
        authority, title = ["KT. GIÁM ĐỐC"], "Phó Giám đốc"
    else:
        authority, title = [], "Giám đốc"
    signer, _ = _person(rng)
    recipients = ["Như trên", f"UBND {p.level} (để b/c)", "Giám đốc, các PGĐ Sở", "Lưu: VT, HCTP"]
    doc.signature(recipients, authority, title, signer)
    return doc, {"addressees": [addressee]}


def _ke_hoach(rng: random.Random, d: date) -> tuple[_Doc, dict[str, Any]]:
    """A two-page provincial plan (125/KH-UBND) on digitising TTHC dossiers."""
    p = _pick_province(rng, d)
    doc = _Doc("ke_hoach", _ubnd_issuer(p), d)
    number = _number(rng, "KH-UBND", low=10, high=600)
    summary = rng.choice(
        (
            f"Số hóa hồ sơ, kết quả giải quyết {TTHC_PHRASE} trên địa bàn {p.level} năm {d.year}",
            f"Nâng cao chất lượng phục vụ người dân, doanh nghiệp trong thực hiện {TTHC_PHRASE} năm {d.year}",
        )
    )
    doc.header(number)
    doc.title("KẾ HOẠCH", summary)
    refs = _digitisation_refs(d) + _one_stop_refs(d)[-1:]
    if d >= _QD766.issued:
        refs.append(_QD766)
    doc.body.append(
        _para(f"Thực hiện {doc.cite_many(refs)}; Ủy ban nhân dân {p.level} ban hành Kế hoạch thực hiện như sau:")
    )
    procs = _procs(rng, 4)
    ratio = rng.choice((80, 85, 90))
    it_dept = "Sở Khoa học và Công nghệ" if d >= date(2025, 3, 1) else "Sở Thông tin và Truyền thông"
    doc.body += [
        _heading("I. MỤC ĐÍCH, YÊU CẦU"),
        _heading("1. Mục đích"),
        _para(
            f"- Nâng cao tỷ lệ hồ sơ {TTHC_PHRASE} được số hóa thành phần hồ sơ và kết quả giải quyết; "
            "tái sử dụng dữ liệu đã số hóa, không yêu cầu tổ chức, cá nhân cung cấp lại thông tin, giấy tờ "
            "mà cơ quan nhà nước đang quản lý."
        ),
        _para(
            "- Hình thành Kho quản lý dữ liệu điện tử của tổ chức, cá nhân trên Hệ thống thông tin giải quyết "
            f"thủ tục hành chính của {p.level}, kết nối, chia sẻ với Cổng Dịch vụ công quốc gia."
        ),
        _heading("2. Yêu cầu"),
        _para(
            "- Việc số hóa bảo đảm đầy đủ nội dung, chính xác, được ký số bởi người thực hiện số hóa và có "
            "dấu hiệu nhận biết văn bản được chuyển đổi từ văn bản giấy."
        ),
        _para(
            f"- Phấn đấu tỷ lệ số hóa hồ sơ, kết quả giải quyết đạt từ {ratio}% trở lên; tỷ lệ khai thác, "
            "sử dụng lại dữ liệu số hóa đạt từ 50% trở lên."
        ),
        _heading("II. NỘI DUNG, NHIỆM VỤ"),
        _heading("1. Rà soát, chuẩn hóa dữ liệu"),
        _para(
            "- Các sở, ban, ngành rà soát danh mục thủ tục thuộc phạm vi quản lý, đối chiếu mã số thủ tục "
            "trên Cơ sở dữ liệu quốc gia về thủ tục hành chính; hoàn thành trước ngày 30 tháng 6 năm "
            f"{d.year}."
        ),
        _heading("2. Số hóa theo thứ tự ưu tiên"),
        _para(f"Ưu tiên số hóa kết quả giải quyết còn hiệu lực của các {TTHC_PHRASE} sau:"),
    ]
    doc.body += [_para(f"- {doc.proc(x)} (lĩnh vực {_lower_first(x.field)});") for x in procs]
    doc.body += [
        _heading("3. Bảo đảm hạ tầng và nhân lực"),
        _para(
            "- Trang bị máy quét tài liệu có độ phân giải tối thiểu 200 dpi tại Bộ phận Một cửa các cấp; "
            "bố trí công chức được tập huấn về quy trình số hóa và chữ ký số."
        ),
        _para(
            "- Bảo đảm an toàn, an ninh thông tin, sao lưu dữ liệu định kỳ; thực hiện lưu trữ hồ sơ điện tử "
            "theo quy định của pháp luật về lưu trữ."
        ),
        _heading("III. TỔ CHỨC THỰC HIỆN"),
        _para(
            f"1. Văn phòng {p.ubnd} chủ trì theo dõi, đôn đốc, kiểm tra việc thực hiện Kế hoạch; "
            f"tổng hợp kết quả hằng quý, báo cáo Ủy ban nhân dân {p.level}."
        ),
        _para(
            f"2. {it_dept} bảo đảm hạ tầng kỹ thuật, kết nối Hệ thống thông tin giải quyết thủ tục hành chính "
            f"của {p.level} với các cơ sở dữ liệu quốc gia, chuyên ngành."
        ),
        _para(
            f"3. Các sở, ban, ngành; Ủy ban nhân dân {_districts(d, p)} xây dựng kế hoạch chi tiết, bố trí "
            "kinh phí từ nguồn chi thường xuyên được giao để triển khai thực hiện."
        ),
        _para(
            "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị phản ánh về Văn phòng "
            f"Ủy ban nhân dân {p.level} để tổng hợp, báo cáo Ủy ban nhân dân {p.level} xem xét, chỉ đạo./."
        ),
    ]
    authority, title = _ubnd_signing(rng)
    signer, _ = _person(rng)
    recipients = [
        "Văn phòng Chính phủ (Cục KSTTHC)",
        f"TT {p.party}, TT HĐND {p.level}",
        f"Chủ tịch, các PCT UBND {p.level}",
        f"Các sở, ban, ngành cấp {p.level}",
        f"UBND {_districts(d, p)}",
        "Lưu: VT, KSTT",
    ]
    doc.signature(recipients, authority, title, signer)
    return doc, {"target_ratio": ratio}


def _thong_bao(rng: random.Random, d: date) -> tuple[_Doc, dict[str, Any]]:
    """A notice of the UBND office on citizen reception: deliberately free of TTHC_PHRASE (search negative)."""
    p = _pick_province(rng, d)
    issuer = _sub_issuer(p, ("VĂN PHÒNG",), "Văn phòng", "VPUBND")
    doc = _Doc("thong_bao", issuer, d)
    number = _number(rng, "TB-VPUBND", low=10, high=900)
    meet = _add_working_days(d, rng.randint(5, 12))
    summary = f"Lịch tiếp công dân định kỳ của Chủ tịch Ủy ban nhân dân {p.level} tháng {meet.month} năm {meet.year}"
    doc.header(number)
    doc.title("THÔNG BÁO", summary)
    chair, male = _person(rng)
    street = rng.choice(_STREETS)
    doc.body += [
        _para("Căn cứ Luật Tiếp công dân ngày 25 tháng 11 năm 2013;", italic=True),
        _para(
            f"Thực hiện chỉ đạo của Chủ tịch {p.ubnd}, Văn phòng {p.ubnd} thông báo lịch tiếp công dân "
            f"định kỳ tháng {meet.month} năm {meet.year} như sau:"
        ),
        _para(f"1. Thời gian: từ 08 giờ 00 phút, {vn_date(meet)}."),
        _para(f"2. Địa điểm: Trụ sở Tiếp công dân {p.level}, số {rng.randint(2, 120)} đường {street}."),
        _para(f"3. Chủ trì: {'Ông' if male else 'Bà'} {chair}, Chủ tịch {p.ubnd}."),
        _para(
            f"4. Thành phần: lãnh đạo Thanh tra {p.level}, Ban Tiếp công dân {p.level} và các cơ quan có liên quan đến "
            "nội dung khiếu nại, tố cáo, kiến nghị, phản ánh của công dân."
        ),
        _para(
            f"Công dân có nhu cầu được tiếp đăng ký trước tại Ban Tiếp công dân {p.level}, mang theo giấy tờ tùy thân "
            f"và tài liệu liên quan. Văn phòng Ủy ban nhân dân {p.level} thông báo để các cơ quan, đơn vị và công dân "
            "biết, thực hiện./."
        ),
    ]
    if rng.random() < 0.6:
        authority, title = ["KT. CHÁNH VĂN PHÒNG"], "Phó Chánh Văn phòng"
    else:
        authority, title = [], "Chánh Văn phòng"
    signer, _ = _person(rng)
    recipients = [
        f"Chủ tịch UBND {p.level} (để b/c)",
        f"Thanh tra {p.level}",
        f"Ban Tiếp công dân {p.level}",
        f"Cổng thông tin điện tử {p.level}",
        "Lưu: VT, TCD",
    ]
    doc.signature(recipients, authority, title, signer)
    return doc, {"meeting_date": meet.isoformat(), "chair": chair}


def _clock_date(t: datetime) -> str:
    return f"{t:%H} giờ {t:%M} phút, {vn_date(t.date())}"


def _giay_tiep_nhan(rng: random.Random, d: date, agency_code: str) -> tuple[_Doc, dict[str, Any]]:
    """The one-stop receipt with its dossier code (TT01/2018 Art 19: agency code-YYMMDD-sequence)."""
    unit = _RECEIVING_UNITS.get(agency_code)
    if unit is None:  # a code added to procedures.py later: a generic office of some province
        p = _pick_province(rng, d)
        unit = ((p.ubnd.upper(),), ("BỘ PHẬN MỘT CỬA",), "Bộ phận Một cửa", p.ubnd, p.name, p, ())
    sup_lines, lines, name, sup_name, place, province, serves = unit
    issuer = _Issuer(lines, name, "", place, province, sup_lines, sup_name)
    doc = _Doc("giay_tiep_nhan", issuer, d)
    proc = rng.choice([x for x in PROCEDURES if x.implementing_agency in serves] or list(PROCEDURES))
    components, limit = _COMPONENTS.get(proc.code, (("Đơn đề nghị (theo mẫu)",), 5))
    seq = rng.randint(1, 60)
    dossier_code = f"{agency_code}-{d:%y%m%d}-{seq:04d}"
    received = datetime.combine(d, datetime.min.time()).replace(
        hour=rng.choice((7, 8, 9, 10, 14, 15)), minute=rng.choice((0, 5, 15, 20, 30, 40, 45, 50))
    )
    due = datetime.combine(_add_working_days(d, limit), received.time())
    applicant, male = _person(rng)
    officer, _ = _person(rng)
    phone = f"09{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
    address = (
        f"Số {rng.randint(1, 200)}, đường {rng.choice(_STREETS)}, tổ dân phố {rng.randint(1, 15)}, "
        f"{province.level} {province.name}"
    )
    channel = rng.choice(("Bộ phận Một cửa nơi nộp hồ sơ", "Dịch vụ bưu chính công ích (tại địa chỉ trên)"))
    doc.header(None)
    doc.title("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", None)
    doc.bands[-1] = Band(
        "full",
        (
            (
                *doc.bands[-1].lines,
                _line(f"Mã hồ sơ: {dossier_code}", align="C", size=13.0, bold=True, space_before_pt=4.0),
            ),
        ),
        space_before_pt=4.0,
    )
    left = 0.0
    doc.body += [
        _line(
            f"{name} tiếp nhận hồ sơ của: {'Ông' if male else 'Bà'} {applicant}",
            align="L",
            left_mm=left,
            space_before_pt=10.0,
        ),
        _line(f"Địa chỉ: {address}", align="L", left_mm=left, space_before_pt=3.0),
        _line(f"Số điện thoại: {phone}", align="L", left_mm=left, space_before_pt=3.0),
        _line(
            f"Nội dung yêu cầu giải quyết: {proc.name} (mã {TTHC_PHRASE}: {doc.code(proc)})",
            align="L",
            left_mm=left,
            space_before_pt=3.0,
        ),
        _line("1. Thành phần hồ sơ nộp gồm:", align="L", left_mm=left, space_before_pt=3.0),
    ]
    doc.body += [
        _line(f"{chr(ord('a') + i)}) {c};", align="L", left_mm=left + 8.0, space_before_pt=2.0)
        for i, c in enumerate(components)
    ]
    doc.body += [
        _line("2. Số lượng hồ sơ: 01 (bộ).", align="L", left_mm=left, space_before_pt=3.0),
        _line(
            f"3. Thời gian giải quyết hồ sơ theo quy định: {ordinal(limit)} ngày làm việc.",
            align="L",
            left_mm=left,
            space_before_pt=3.0,
        ),
        _line(f"4. Thời gian nhận hồ sơ: {_clock_date(received)}.", align="L", left_mm=left, space_before_pt=3.0),
        _line(
            f"5. Thời gian trả kết quả giải quyết hồ sơ: {_clock_date(due)}.",
            align="L",
            left_mm=left,
            space_before_pt=3.0,
        ),
        _line(f"6. Đăng ký nhận kết quả tại: {channel}.", align="L", left_mm=left, space_before_pt=3.0),
        _line(
            f"Vào Sổ theo dõi hồ sơ, Quyển số: 01, Số thứ tự: {seq:04d}.",
            align="L",
            left_mm=left,
            italic=True,
            space_before_pt=6.0,
        ),
    ]
    sign_hint = "(Ký và ghi rõ họ tên)"
    left_col = [
        _line("NGƯỜI NỘP HỒ SƠ", align="C", size=13.0, bold=True),
        _line(sign_hint, align="C", size=12.0, italic=True),
        _line(applicant, align="C", size=13.0, bold=True, space_before_pt=50.0),
    ]
    doc.signature([], [], "Người tiếp nhận hồ sơ", officer, left_override=left_col)
    # The right column's title line says "NGƯỜI TIẾP NHẬN HỒ SƠ"; add the hint below it like the left one.
    sig = doc.bands[-1]
    right = list(sig.columns[1])
    right.insert(1, _line(sign_hint, align="C", size=12.0, italic=True))
    doc.bands[-1] = Band("signature", (sig.columns[0], tuple(right)), space_before_pt=sig.space_before_pt)
    details = {
        "dossier_code": dossier_code,
        "agency_code": agency_code,
        "procedure_code": proc.code,
        "procedure_name": proc.name,
        "applicant": applicant,
        "received_at": received.isoformat(timespec="minutes"),
        "due_at": due.isoformat(timespec="minutes"),
        "due_date": due.date().isoformat(),
        "time_limit_working_days": limit,
    }
    doc.dossier_codes = [dossier_code]
    return doc, details


# --------------------------------------------------------------------------------------------------------------
# Public API

_SLUGS: dict[DocKind, str] = {
    "quyet_dinh_qppl": "quyet-dinh",
    "quyet_dinh_cong_bo": "quyet-dinh",
    "cong_van": "cong-van",
    "cong_van_so": "cong-van",
    "ke_hoach": "ke-hoach",
    "thong_bao": "thong-bao",
    "giay_tiep_nhan": "giay-tiep-nhan",
}


def generate_document(kind: DocKind, *, seed: int, index: int = 0, agency_code: str | None = None) -> GeneratedDocument:
    """One document of the given kind; the same (kind, seed, index, agency_code) always gives the same result."""
    # A string seed goes through SHA-512 in random.seed, so it is stable across processes (unlike hash()).
    rng = random.Random(f"sohoa-samples:{seed}:{index}:{kind}")
    issued = _weekday_between(rng, date(2021, 1, 4), date(2025, 12, 31))
    if kind == "giay_tiep_nhan":
        doc, details = _giay_tiep_nhan(rng, issued, agency_code or AGENCY_CODES[0])
    else:
        doc, details = _TEMPLATES[kind](rng, issued)
    doc.flush_body()
    return GeneratedDocument(
        key=f"doc{index + 1:02d}-{_SLUGS[kind]}",
        kind=kind,
        bands=tuple(doc.bands),
        truth=doc.truth(),
        details=details,
    )


def generate_documents(count: int = len(DEFAULT_PLAN), *, seed: int = 20240305) -> list[GeneratedDocument]:
    """``count`` documents following DEFAULT_PLAN (cycled); receipts rotate over procedures.AGENCY_CODES."""
    docs: list[GeneratedDocument] = []
    receipts = 0
    for i in range(count):
        kind = DEFAULT_PLAN[i % len(DEFAULT_PLAN)]
        code = None
        if kind == "giay_tiep_nhan":
            code = AGENCY_CODES[receipts % len(AGENCY_CODES)]
            receipts += 1
        docs.append(generate_document(kind, seed=seed, index=i, agency_code=code))
    return docs


_TEMPLATES = {
    "quyet_dinh_qppl": _quyet_dinh_qppl,
    "quyet_dinh_cong_bo": _quyet_dinh_cong_bo,
    "cong_van": _cong_van,
    "cong_van_so": _cong_van_so,
    "ke_hoach": _ke_hoach,
    "thong_bao": _thong_bao,
}
