"""Generated dossier stacks for developing and measuring issue 19 (split, paper type, fields, linking).

Each stack is what a one-stop desk scans in one go: for each dossier an optional cover sheet (``sohoa dossier
cover``), the receipt with the one-stop system's QR code top-left (JSON, key=value or URL, as provinces differ),
the applicant's papers separated by blank sheets (forms, CCCD photocopies with the real QR payload, civil-status
extracts, residence confirmations, business certificates, criminal-record sheets), sometimes a result with its own
system QR. Two template families with their own wording, date style, layout, font and people: ``dev`` (tune on
it) and ``heldout`` (report on it). Pages are rendered with fpdf2 and scanned with sohoa.samples.scan (blur, skew,
grey, noise, specks) at 200-300 dpi into an image-only PDF. The truth lists every page's part and fields.
"""

from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

Family = Literal["dev", "heldout"]

_SURNAMES = {
    "dev": ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi"],
    "heldout": ["Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Huỳnh", "Võ", "Trịnh", "Đinh", "Lương"],
}
_MIDDLE = {
    "M": {"dev": ["Văn", "Hữu", "Đức", "Minh", "Quốc"], "heldout": ["Công", "Thành", "Gia", "Xuân", "Trọng"]},
    "F": {"dev": ["Thị", "Ngọc", "Thanh", "Thu"], "heldout": ["Thị Kim", "Hoài", "Mỹ", "Bảo", "Diệu"]},
}
_GIVEN = {
    "M": {"dev": ["An", "Bình", "Cường", "Dũng", "Hùng", "Long", "Nam", "Sơn", "Tuấn"],
          "heldout": ["Khải", "Lâm", "Nhân", "Phát", "Quang", "Thịnh", "Toàn", "Vĩnh", "Hậu"]},
    "F": {"dev": ["Hà", "Hạnh", "Hoa", "Lan", "Linh", "Mai", "Trang", "Yến"],
          "heldout": ["Ánh", "Diễm", "Hằng", "Kiều", "Nhung", "Oanh", "Thủy", "Uyên", "Xuyến"]},
}  # fmt: skip
# (CCCD province code, province, district, commune) - real units; families take different provinces.
_PLACES = {
    "dev": [
        ("035", "tỉnh Hà Nam", "huyện Bình Lục", "xã An Ninh"),
        ("036", "tỉnh Nam Định", "huyện Hải Hậu", "xã Hải Minh"),
        ("040", "tỉnh Nghệ An", "huyện Diễn Châu", "xã Diễn Hoa"),
        ("038", "tỉnh Thanh Hóa", "huyện Hoằng Hóa", "xã Hoằng Đạo"),
    ],
    "heldout": [
        ("082", "tỉnh Tiền Giang", "huyện Châu Thành", "xã Tân Hiệp"),
        ("092", "thành phố Cần Thơ", "quận Ninh Kiều", "phường An Khánh"),
        ("066", "tỉnh Đắk Lắk", "huyện Krông Năng", "xã Phú Lộc"),
        ("048", "thành phố Đà Nẵng", "quận Hải Châu", "phường Hòa Cường Bắc"),
    ],
}
_HAMLETS = {"dev": ["Thôn 3", "Xóm Đông", "Thôn Trung", "Xóm 5"], "heldout": ["Ấp Bình Phú", "Tổ 7", "Khu phố 2"]}
PROCEDURES = {
    "to_khai": ("1.001193", "Đăng ký khai sinh"),
    "gcn_ho_kinh_doanh": ("1.001612", "Đăng ký thành lập hộ kinh doanh"),
    "phieu_ly_lich_tu_phap": ("2.000488", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"),
    "xac_nhan_cu_tru": ("1.004194", "Xác nhận thông tin về cư trú"),
}
# The generated procedures' catalogue records (required papers, results with result-type codes), in the shape
# sohoa/catalogue/papers.py stores them. Codes other than KQ.G15.000031 (Giấy khai sinh) are made up.
CATALOGUE: dict[str, dict[str, list[dict[str, Any]]]] = {
    "1.001193": {
        "papers": [{"name": "Tờ khai đăng ký khai sinh theo mẫu", "originals": 1},
                   {"name": "Giấy chứng sinh", "originals": 1},
                   {"name": "Hộ chiếu hoặc Căn cước công dân", "originals": 1, "submitted": False}],
        "results": [{"name": "Giấy khai sinh (bản chính)", "result_type": "KQ.G15.000031"},
                    {"name": "Trích lục khai sinh (bản sao)", "result_type": "KQ.G15.900032"}],
    },
    "1.001612": {
        "papers": [{"name": "Giấy đề nghị đăng ký hộ kinh doanh", "originals": 1},
                   {"name": "Bản sao Căn cước công dân của chủ hộ kinh doanh", "copies": 1}],
        "results": [{"name": "Giấy chứng nhận đăng ký hộ kinh doanh", "result_type": "KQ.G09.900101"},
                    {"name": "Thông báo về việc yêu cầu sửa đổi, bổ sung hồ sơ", "result_type": "KQ.G09.900102"}],
    },
    "2.000488": {
        "papers": [{"name": "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp theo mẫu", "originals": 1},
                   {"name": "Bản chụp Căn cước công dân", "copies": 1}],
        "results": [{"name": "Phiếu lý lịch tư pháp số 1", "result_type": "KQ.G15.900011"},
                    {"name": "Phiếu lý lịch tư pháp số 2", "result_type": "KQ.G15.900012"}],
    },
    "1.004194": {
        "papers": [{"name": "Tờ khai thay đổi thông tin cư trú", "originals": 1}],
        "results": [{"name": "Giấy xác nhận thông tin về cư trú", "result_type": "KQ.G12.900201"}],
    },
}  # fmt: skip
PAPERS = ("to_khai", "cccd", "trich_luc_khai_sinh", "xac_nhan_cu_tru", "gcn_ho_kinh_doanh", "phieu_ly_lich_tu_phap")


@dataclass
class Person:
    name: str
    sex: str  # "Nam" | "Nữ"
    dob: date
    id_number: str
    old_id: str
    address: str
    commune: str
    province: str


def person(rng: random.Random, family: Family, *, born: tuple[int, int] = (1960, 2004)) -> Person:
    sex = rng.choice(["M", "F"])
    name = f"{rng.choice(_SURNAMES[family])} {rng.choice(_MIDDLE[sex][family])} {rng.choice(_GIVEN[sex][family])}"
    dob = date(rng.randint(*born), rng.randint(1, 12), rng.randint(1, 28))
    code, province, district, commune = rng.choice(_PLACES[family])
    century = (0 if dob.year < 2000 else 2) + (1 if sex == "F" else 0)
    id_number = f"{code}{century}{dob.year % 100:02d}{rng.randint(0, 999999):06d}"
    address = f"{rng.choice(_HAMLETS[family])}, {commune}, {district}, {province}"
    old_id = f"{rng.randint(100000000, 399999999)}"
    return Person(name, "Nam" if sex == "M" else "Nữ", dob, id_number, old_id, address, commune, province)


# --- page content ------------------------------------------------------------------------------------------------
Row = tuple[Any, ...]  # ("title", text) | ("line", text) | ("two", left, right) | ("qr", payload) | ("card", ...)


@dataclass
class Paper:
    kind: str  # a paper type, "cover" or "blank"
    pages: list[list[Row]]
    fields: dict[str, Any] = field(default_factory=dict)
    dossier_code: str | None = None
    role: str = "component"
    truth: dict[str, Any] = field(default_factory=dict)  # a result's result-type code and issue day


def _d(family: Family, d: date, long: bool = False) -> str:
    if family == "heldout" or long:
        return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"
    return d.strftime("%d/%m/%Y")


def _motto() -> list[Row]:
    return [("two", "", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), ("two", "", "Độc lập - Tự do - Hạnh phúc")]


def receipt(rng: random.Random, family: Family, p: Person, code: str, proc: tuple[str, str], listed: list[str],
            received: date, due: date) -> Paper:  # fmt: skip
    qr = {
        "dev": json.dumps({"MaHoSo": code, "MaTTHC": proc[0]}),
        "heldout": rng.choice([f"mahoso={code}&matthc={proc[0]}", f"https://dichvucong.gov.vn/tra-cuu?ma={code}"]),
    }[family]
    unit = p.commune.replace("xã ", "").replace("phường ", "")
    rows: list[Row] = [("qr", qr), ("two", f"UBND {p.commune.upper()}", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
                       ("two", "BỘ PHẬN MỘT CỬA", "Độc lập - Tự do - Hạnh phúc")]  # fmt: skip
    if family == "dev":
        rows += [("title", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"), ("line", f"Mã hồ sơ: {code}"),
                 ("line", f"Bộ phận tiếp nhận và trả kết quả {unit} tiếp nhận hồ sơ của:"),
                 ("line", f"Ông/bà: {p.name.upper()}"), ("line", f"Địa chỉ: {p.address}"),
                 ("line", f"Nội dung yêu cầu giải quyết: {proc[1]} (mã thủ tục {proc[0]})"),
                 ("line", "Thành phần hồ sơ gồm:")]  # fmt: skip
        rows += [("line", f"{i}. {name} - 01 bản") for i, name in enumerate(listed, 1)]
        rows += [("line", "Số lượng hồ sơ: 01 bộ"),
                 ("line", f"Thời gian nhận hồ sơ: {rng.randint(7, 10)} giờ {rng.choice(['00', '15', '30'])} phút, "
                          f"ngày {_d(family, received)}"),
                 ("line", f"Thời gian trả kết quả giải quyết hồ sơ: 14 giờ, ngày {_d(family, due)}")]  # fmt: skip
    else:
        rows += [("title", "PHIẾU TIẾP NHẬN HỒ SƠ"), ("title", "VÀ HẸN TRẢ KẾT QUẢ"),
                 ("line", f"Số hồ sơ (mã hồ sơ): {code}"), ("line", f"Tên tổ chức, cá nhân: {p.name}"),
                 ("line", f"Nơi cư trú: {p.address}"), ("line", f"Thủ tục: {proc[0]} - {proc[1]}"),
                 ("line", "Hồ sơ gồm:")]  # fmt: skip
        rows += [("line", f"- {name}, số lượng: 01") for name in listed]
        rows += [("line", f"Ngày nhận hồ sơ: {_d(family, received)}"),
                 ("line", f"Ngày hẹn trả kết quả: {_d(family, due)}"),
                 ("two", "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN")]  # fmt: skip
    fields = {"dossier_code": code, "procedure_code": proc[0], "applicant_name": p.name,
              "received_date": received.isoformat(), "appointment_date": due.isoformat()}  # fmt: skip
    return Paper("giay_tiep_nhan", [rows], fields, code)


def form(rng: random.Random, family: Family, p: Person, proc: tuple[str, str]) -> Paper:
    title = {"1.001193": "TỜ KHAI ĐĂNG KÝ KHAI SINH", "2.000488": "TỜ KHAI YÊU CẦU CẤP PHIẾU LÝ LỊCH TƯ PHÁP"}.get(
        proc[0], "ĐƠN ĐỀ NGHỊ " + proc[1].upper()
    )
    rows = _motto() + [("title", title), ("line", "Kính gửi: Ủy ban nhân dân " + p.commune)]
    if family == "dev":
        rows += [("line", f"Họ, chữ đệm, tên người yêu cầu: {p.name.upper()}"),
                 ("line", f"Ngày, tháng, năm sinh: {_d(family, p.dob)}     Giới tính: {p.sex}"),
                 ("line", f"Số định danh cá nhân: {p.id_number}"), ("line", f"Nơi cư trú: {p.address}")]  # fmt: skip
    else:
        grouped = " ".join(p.id_number[i : i + 4] for i in range(0, 12, 4))
        rows += [("line", f"Họ và tên: {p.name}"), ("line", f"Sinh ngày: {p.dob.strftime('%d-%m-%Y')}"),
                 ("line", f"Số CCCD/CMND: {grouped}"), ("line", f"Địa chỉ thường trú: {p.address}")]  # fmt: skip
    rows += [("line", "Đề nghị cơ quan có thẩm quyền giải quyết theo quy định."),
             ("line", "Tôi cam đoan những nội dung khai trên đây là đúng sự thật và chịu trách nhiệm trước pháp luật."),
             ("two", "", "NGƯỜI YÊU CẦU")]  # fmt: skip
    fields = {"applicant_name": p.name, "id_number": p.id_number, "date_of_birth": p.dob.isoformat()}
    return Paper("to_khai", [rows], fields)


def cccd(rng: random.Random, family: Family, p: Person) -> Paper:
    issued = date(2021, rng.randint(1, 12), rng.randint(1, 28))
    qr = "|".join([p.id_number, p.old_id, p.name, p.dob.strftime("%d%m%Y"), p.sex, p.address,
                   issued.strftime("%d%m%Y")])  # fmt: skip
    front = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "CĂN CƯỚC CÔNG DÂN", f"Số / No.: {p.id_number}",
             "Họ và tên / Full name:", p.name.upper(), f"Ngày sinh / Date of birth: {p.dob.strftime('%d/%m/%Y')}",
             f"Giới tính / Sex: {p.sex}    Quốc tịch: Việt Nam", f"Nơi thường trú: {p.address}"]  # fmt: skip
    back = ["Đặc điểm nhân dạng: Nốt ruồi C 1cm", f"Ngày, tháng, năm: {issued.strftime('%d/%m/%Y')}",
            "CỤC TRƯỞNG CỤC CẢNH SÁT QLHC VỀ TTXH"]  # fmt: skip
    both = family == "dev" or rng.random() < 0.5
    rows: list[Row] = [("card", front if both else None, back, qr)]
    fields = {"id_number": p.id_number, "full_name": p.name, "date_of_birth": p.dob.isoformat(), "sex": p.sex,
              "issue_date": issued.isoformat()}  # fmt: skip
    return Paper("cccd", [rows], fields)


def birth_extract(rng: random.Random, family: Family, child: Person, mother: Person, father: Person,
                  issued: date | None = None) -> Paper:  # fmt: skip
    reg = f"{rng.randint(10, 400)}/{child.dob.year}" if family == "heldout" else f"{rng.randint(10, 400)}"
    rows = [("two", "ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
            ("two", child.commune.upper(), "Độc lập - Tự do - Hạnh phúc"), ("line", f"Số: {reg}"),
            ("title", "TRÍCH LỤC KHAI SINH" if family == "dev" else "TRÍCH LỤC KHAI SINH (BẢN SAO)"),
            ("line", f"Họ, chữ đệm, tên: {child.name.upper()}"),
            ("line", f"Ngày, tháng, năm sinh: {child.dob.strftime('%d/%m/%Y')}   ghi bằng chữ: ..."),
            ("line", f"Giới tính: {child.sex}    Dân tộc: Kinh    Quốc tịch: Việt Nam"),
            ("line", f"Nơi sinh: Trạm y tế {child.commune}"),
            ("line", f"Họ, chữ đệm, tên người mẹ: {mother.name}"), ("line", f"Năm sinh: {mother.dob.year}"),
            ("line", f"Họ, chữ đệm, tên người cha: {father.name}"), ("line", f"Năm sinh: {father.dob.year}"),
            ("line", f"Nơi đăng ký khai sinh: Ủy ban nhân dân {child.commune}")]  # fmt: skip
    if issued is not None:  # a result: the place and day it was issued
        rows.append(("line", f"{child.commune.split(' ', 1)[1]}, {_d(family, issued, long=True)}"))
    fields = {"full_name": child.name, "date_of_birth": child.dob.isoformat(), "sex": child.sex,
              "father_name": father.name, "mother_name": mother.name, "registration_number": reg}  # fmt: skip
    return Paper("trich_luc_khai_sinh", [rows], fields)


def residence(rng: random.Random, family: Family, p: Person, issued: date | None = None) -> Paper:
    rows = [("two", f"CÔNG AN {p.commune.upper()}", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
            ("two", "", "Độc lập - Tự do - Hạnh phúc"),
            ("title", "XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ" if family == "dev" else "GIẤY XÁC NHẬN CƯ TRÚ"),
            ("line", f"Công an {p.commune} xác nhận:"),
            ("line", f"Họ, chữ đệm và tên: {p.name.upper() if family == 'dev' else p.name}"),
            ("line", f"Ngày, tháng, năm sinh: {p.dob.strftime('%d/%m/%Y')}     Giới tính: {p.sex}"),
            ("line", f"Số định danh cá nhân: {p.id_number}"), ("line", f"Nơi thường trú: {p.address}"),
            ("line", "Thông tin về chủ hộ: như trên")]  # fmt: skip
    if issued is not None:
        rows.append(("line", f"{p.commune.split(' ', 1)[1]}, {_d(family, issued, long=True)}"))
    return Paper("xac_nhan_cu_tru", [rows], {"full_name": p.name, "id_number": p.id_number, "address": p.address})


def household_business(rng: random.Random, family: Family, p: Person, issued: date) -> Paper:
    trade = rng.choice(["tạp hóa", "ăn uống", "sửa chữa xe máy", "may mặc", "cắt tóc"])
    business = f"Hộ kinh doanh {p.name.split()[-1]} {trade}".upper()
    number = f"{p.id_number[:3]}{rng.choice(['A', 'B', 'C'])}{rng.randint(8000000, 8999999)}"
    rows = [("two", "UBND " + p.commune.upper(), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
            ("two", "PHÒNG TÀI CHÍNH - KẾ HOẠCH", "Độc lập - Tự do - Hạnh phúc"),
            ("title", "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH"),
            ("line", f"Mã số hộ kinh doanh: {number}"),
            ("line", f"Đăng ký lần đầu: {_d(family, issued, long=True)}"),
            ("line", f"1. Tên hộ kinh doanh (ghi bằng chữ in hoa): {business}"),
            ("line", f"2. Địa điểm kinh doanh: {p.address}"),
            ("line", f"3. Ngành, nghề kinh doanh: {trade}"),
            ("line", f"4. Họ và tên đại diện hộ kinh doanh: {p.name.upper()}"),
            ("line", f"Giới tính: {p.sex}     Sinh ngày: {p.dob.strftime('%d/%m/%Y')}"),
            ("line", f"Số định danh cá nhân: {p.id_number}")]  # fmt: skip
    fields = {"business_name": business, "owner_name": p.name, "registration_number": number,
              "issue_date": issued.isoformat()}  # fmt: skip
    return Paper("gcn_ho_kinh_doanh", [rows], fields)


def criminal_record(rng: random.Random, family: Family, p: Person, issued: date) -> Paper:
    rows = [("two", "SỞ TƯ PHÁP", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
            ("two", p.province.upper(), "Độc lập - Tự do - Hạnh phúc"),
            ("line", f"Số: {rng.randint(100, 9999)}/LLTP"), ("title", "PHIẾU LÝ LỊCH TƯ PHÁP SỐ 1"),
            ("line", f"Họ và tên: {p.name.upper()}"), ("line", f"Giới tính: {p.sex}"),
            ("line", f"Ngày, tháng, năm sinh: {p.dob.strftime('%d/%m/%Y')}"),
            ("line", f"Nơi sinh: {p.province}"), ("line", "Quốc tịch: Việt Nam"), ("line", f"Nơi cư trú: {p.address}"),
            ("line", f"Số CCCD/CMND/Hộ chiếu: {p.id_number}"), ("line", "Án tích: Không có án tích"),
            ("line", f"{p.province.split(' ', 1)[1]}, {_d(family, issued, long=True)}")]  # fmt: skip
    return Paper("phieu_ly_lich_tu_phap", [rows], {"full_name": p.name, "date_of_birth": p.dob.isoformat(),
                                                    "id_number": p.id_number})  # fmt: skip


def dossier(rng: random.Random, family: Family, n: int, results: bool = False) -> list[Paper]:
    """One dossier's papers in scanning order, blank sheets between papers, maybe a cover first."""
    kind = rng.choice(list(PROCEDURES))
    proc = PROCEDURES[kind]
    applicant = person(rng, family)
    received = date(2025, rng.randint(1, 11), rng.randint(1, 25))
    due = received + timedelta(days=rng.choice([1, 3, 5, 7]))
    agency = rng.choice(["000.00.18.H35", "000.00.21.H56", "000.00.07.H40", "000.00.33.H82"])
    code = f"{agency}-{received.strftime('%y%m%d')}-{n:04d}"
    papers: list[Paper] = [form(rng, family, applicant, proc), cccd(rng, family, applicant)]
    if kind == "to_khai":  # a birth: the parents' papers
        child = person(rng, family, born=(2025, 2025))
        child.name = applicant.name.split()[0] + " " + child.name.split(" ", 1)[1]
        other = person(rng, family)
        papers.append(birth_extract(rng, family, child, applicant if applicant.sex == "Nữ" else other,
                                    applicant if applicant.sex == "Nam" else other))  # fmt: skip
    if kind in ("gcn_ho_kinh_doanh", "xac_nhan_cu_tru") or rng.random() < 0.3:
        papers.append(residence(rng, family, applicant))
    rng.shuffle(papers)
    listed = [{"to_khai": "Tờ khai", "cccd": "Bản sao Căn cước công dân", "trich_luc_khai_sinh": "Trích lục khai sinh",
               "xac_nhan_cu_tru": "Giấy xác nhận thông tin về cư trú"}[p.kind] for p in papers]  # fmt: skip
    out: list[Paper] = []
    if rng.random() < 0.5:
        out.append(Paper("cover", [[("cover", code, proc[0])]], {}, code))
    out.append(receipt(rng, family, applicant, code, proc, listed, received, due))
    for paper in papers:
        out += [Paper("blank", [[]]), paper]
    result: Paper | None = None
    if kind in ("gcn_ho_kinh_doanh", "phieu_ly_lich_tu_phap") and rng.random() < 0.6:
        result = (household_business if kind == "gcn_ho_kinh_doanh" else criminal_record)(rng, family, applicant, due)
        result.pages[0].insert(0, ("qr", json.dumps({"MaHoSo": code, "MaKetQua": f"{code}-KQ1"})))
    if results:
        result = _result(random.Random(f"{family}-{code}-kq"), family, kind, proc, code, applicant, papers, result,
                         received, due)  # fmt: skip
    if result is not None:
        result.role = "result"
        out += [Paper("blank", [[]]), result]
    for paper in out:
        paper.dossier_code = code
    return out


def _result(rng: random.Random, family: Family, kind: str, proc: tuple[str, str], code: str, applicant: Person,
            papers: list[Paper], result: Paper | None, received: date, due: date) -> Paper | None:  # fmt: skip
    """``results`` stacks: most dossiers get a result, issued on, before or after the appointment day, its QR
    saying it is a result in one of several ways or not at all (then only its title tells). A separate random
    stream, so the default stacks stay as they were."""
    if rng.random() < 0.2:
        return None  # still being handled: on-time status "pending"
    issued = due + timedelta(days=rng.choice([-2, -1, 0, 0, 1, 3]))
    if kind == "gcn_ho_kinh_doanh":
        result = household_business(rng, family, applicant, issued)
    elif kind == "phieu_ly_lich_tu_phap":
        result = criminal_record(rng, family, applicant, issued)
    elif kind == "xac_nhan_cu_tru":
        result = residence(rng, family, applicant, issued)
    else:
        other = person(rng, family)
        kid = person(rng, family, born=(2025, 2025))
        kid.name = applicant.name.split()[0] + " " + kid.name.split(" ", 1)[1]
        result = birth_extract(rng, family, kid, applicant if applicant.sex == "Nữ" else other,
                               applicant if applicant.sex == "Nam" else other, issued)  # fmt: skip
    qr = {
        "dev": [json.dumps({"MaHoSo": code, "MaKetQua": f"{code}-KQ1"}),
                json.dumps({"MaHoSo": code, "Loai": "KetQua"})],
        "heldout": [f"mahoso={code}&matthc={proc[0]}", f"https://dichvucong.gov.vn/tra-cuu-ket-qua?ma={code}",
                    f"mahoso={code}&maketqua={code}-KQ1"],
    }[family]  # fmt: skip
    result.pages[0].insert(0, ("qr", rng.choice(qr)))
    name = {"gcn_ho_kinh_doanh": "Giấy chứng nhận đăng ký hộ kinh doanh", "phieu_ly_lich_tu_phap":
            "Phiếu lý lịch tư pháp số 1", "xac_nhan_cu_tru": "Giấy xác nhận thông tin về cư trú"}.get(
        kind, "Trích lục khai sinh (bản sao)")  # fmt: skip
    wanted = next(r for r in CATALOGUE[proc[0]]["results"] if r["name"] == name)
    result.truth = {"result_type": wanted["result_type"], "issued": issued.isoformat()}
    return result


# --- rendering ---------------------------------------------------------------------------------------------------
_FONTS = {
    "dev": ("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
            "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"),
    "heldout": ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
}  # fmt: skip


def _qr_image(payload: str) -> io.BytesIO:
    from sohoa.dossier.cover import qr_png

    return io.BytesIO(qr_png(payload, scale=6))


def render(papers: list[Paper], family: Family) -> bytes:
    """All pages of a stack as one born-digital PDF (to be scanned)."""
    from fpdf import FPDF

    from sohoa.dossier.cover import cover_pdf

    pdf = FPDF(format="A4")
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=UTC))
    regular, bold = _FONTS[family]
    pdf.add_font("F", "", regular)
    pdf.add_font("F", "B", bold)
    size = 12 if family == "dev" else 11
    covers: dict[int, bytes] = {}
    for paper in papers:
        for rows in paper.pages:
            pdf.add_page()
            if rows and rows[0][0] == "cover":
                covers[pdf.page_no()] = cover_pdf(rows[0][1], rows[0][2])
                continue
            y = 20.0
            for row in rows:
                if row[0] == "qr":
                    pdf.image(_qr_image(row[1]), x=12, y=10, w=28, h=28)
                    y = 40.0
                elif row[0] == "title":
                    pdf.set_font("F", "B", size + 2)
                    pdf.set_xy(15, y + 3)
                    pdf.cell(180, 8, row[1], align="C")
                    y += 12
                elif row[0] == "two":
                    pdf.set_font("F", "B", size - 1)
                    pdf.set_xy(12, y)
                    pdf.cell(80, 6, row[1], align="C")
                    pdf.set_xy(95, y)
                    pdf.cell(105, 6, row[2], align="C")
                    y += 7
                elif row[0] == "line":
                    pdf.set_font("F", "", size)
                    pdf.set_xy(20, y)
                    pdf.multi_cell(175, 6.5, row[1])
                    y = pdf.get_y() + 1.5
                elif row[0] == "card":
                    y = _card(pdf, row, y, size)
    data = bytes(pdf.output())
    if not covers:
        return data
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as doc:
        for page_no, cover in covers.items():
            with pikepdf.open(io.BytesIO(cover)) as c:
                doc.pages.insert(page_no - 1, c.pages[0])
                del doc.pages[page_no]
        buf = io.BytesIO()
        doc.save(buf, deterministic_id=True)
    return buf.getvalue()


def _card(pdf: Any, row: Row, y: float, size: int) -> float:
    """A photocopy of a card: front box above the back box, as a desk copies both sides on one sheet."""
    _, front, back, qr = row
    y = 25.0
    for side, lines in (("front", front), ("back", back)):
        if lines is None:
            continue
        pdf.rect(35, y, 140, 88)
        if side == "back":
            pdf.image(_qr_image(qr), x=140, y=y + 4, w=30, h=30)
        pdf.set_font("F", "", size - 1)
        ty = y + 5
        for line in lines:
            pdf.set_xy(40, ty)
            pdf.cell(100 if side == "back" else 130, 6, line)
            ty += 7
        y += 100
    return y


@dataclass
class Stack:
    name: str
    pdf: bytes  # the scan
    dpi: int
    truth: dict[str, Any]


def stack(seed: int, family: Family, index: int, dossiers: int = 2, results: bool = False) -> Stack:
    """A scanned stack of a few dossiers and its truth (pages, parts, types, fields, dossier codes)."""
    from sohoa.samples.scan import save_scan, scan_pages

    rng = random.Random(f"{family}-{seed}-{index}")
    papers: list[Paper] = []
    for n in range(dossiers):
        papers += dossier(rng, family, index * 10 + n + 1, results)
    clean = render(papers, family)
    dpi = rng.choice([200, 250, 300])
    images, profiles = scan_pages(clean, dpi, seed=seed, key=f"{family}-{index}")
    boxes = value_boxes(clean, papers, [p.angle_deg for p in profiles])
    buf_path = Path(f"/tmp/sohoa-stack-{family}-{seed}-{index}-{dpi}.pdf")
    save_scan(images, buf_path, "pdf", dpi)
    scanned = buf_path.read_bytes()
    buf_path.unlink()
    parts, pages, dropped = [], 0, []
    for paper, paper_boxes in zip(papers, boxes, strict=True):
        first = pages + 1
        pages += len(paper.pages)
        if paper.kind in ("blank", "cover"):
            dropped.append(first)
            continue
        parts.append({"source_pages": [first, pages], "paper_type": paper.kind, "fields": paper.fields,
                      "dossier_code": paper.dossier_code, "role": paper.role, "boxes": paper_boxes,
                      **paper.truth})  # fmt: skip
    truth = {"family": family, "pages": pages, "parts": parts, "dropped": dropped}
    return Stack(f"{family}-{seed}-{index:02d}", scanned, dpi, truth)


# --- where each value was printed ----------------------------------------------------------------------------------
def printed_patterns(name: str, value: Any) -> list[str]:
    """Regexes for the ways the templates print a field's value (a stored ISO date is printed dd/mm/yyyy,
    dd-mm-yyyy, ddmmyyyy or "ngày dd tháng mm năm yyyy"; a name in capitals or not; an ID grouped by four)."""
    import re

    text = str(value)

    def lit(s: str) -> str:
        return r"\s+".join(re.escape(w) for w in s.split())  # a value wrapped onto the next line still matches

    if name == "sex":
        return [rf"(?<=: ){re.escape(text)}\b"]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        d = date.fromisoformat(text)
        return [lit(d.strftime("%d/%m/%Y")), lit(d.strftime("%d-%m-%Y")), lit(_d("heldout", d)), d.strftime("%d%m%Y")]
    out = [lit(text), lit(text.upper())]
    if name == "id_number" and len(text) == 12:
        out.append(lit(" ".join(text[i : i + 4] for i in range(0, 12, 4))))
    return out


def _turn(box: tuple[float, float, float, float], size: tuple[float, float], degrees: float) -> list[float]:
    """A box (fractions) after the scanner's skew: the sheet turned counter-clockwise about the page centre
    (Pillow's ``rotate(expand=False)``), the box around its turned corners."""
    import math

    w, h = size
    t = math.radians(degrees)
    cos, sin = math.cos(t), math.sin(t)
    xs, ys = [], []
    for fx, fy in ((box[0], box[1]), (box[2], box[1]), (box[0], box[3]), (box[2], box[3])):
        dx, dy = fx * w - w / 2, fy * h - h / 2
        xs.append((dx * cos + dy * sin + w / 2) / w)
        ys.append((-dx * sin + dy * cos + h / 2) / h)
    return [round(min(xs), 4), round(min(ys), 4), round(max(xs), 4), round(max(ys), 4)]


def value_boxes(clean: bytes, papers: list[Paper], skew_deg: list[float]) -> list[dict[str, Any]]:
    """For each paper, each field's printed value: ``{field: {"page": page of the paper, "box": [x0, y0, x1, y1],
    "on": "print"}}`` in fractions of the scanned page (origin top left). Found with pdfplumber in the clean render,
    then turned by the page's scan skew. A card's value it does not print (a back alone has no name) is on its QR
    code: the code image's box, ``"on": "qr"``."""
    import re

    import pdfplumber

    out: list[dict[str, Any]] = []
    with pdfplumber.open(io.BytesIO(clean)) as pdf:
        first = 0
        for paper in papers:
            found: dict[str, Any] = {}
            for name, value in paper.fields.items():
                for k in range(len(paper.pages)):
                    page = pdf.pages[first + k]
                    size = (float(page.width), float(page.height))
                    hit = next((m for pat in printed_patterns(name, value) for m in page.search(re.compile(pat))), None)
                    if hit is not None:
                        box = (hit["x0"] / size[0], hit["top"] / size[1], hit["x1"] / size[0], hit["bottom"] / size[1])
                        found[name] = {"page": k + 1, "box": _turn(box, size, skew_deg[first + k]), "on": "print"}
                        break
            if paper.kind == "cccd":  # what the print does not give comes from the card's QR code: its place
                for k in range(len(paper.pages)):
                    page = pdf.pages[first + k]
                    size = (float(page.width), float(page.height))
                    for im in page.images[:1]:
                        box = (im["x0"] / size[0], im["top"] / size[1], im["x1"] / size[0], im["bottom"] / size[1])
                        for name in paper.fields.keys() - found.keys():
                            found[name] = {"page": k + 1, "box": _turn(box, size, skew_deg[first + k]), "on": "qr"}
            out.append(found)
            first += len(paper.pages)
    return out
