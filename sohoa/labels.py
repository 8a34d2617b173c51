"""Vietnamese words for the English keys sohoa stores: one table, used by the pages, the reports and downloads.

The record store and the JSON API keep their stable English keys (``done``, ``ocr``, ``invalid_date``…); whatever a
person reads goes through ``label()`` (the Jinja filter ``vi``), and free-text reasons through ``explain()``, which
gives a plain Vietnamese sentence and keeps the technical text for a disclosure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

# Groups keep two meanings of one key apart (a batch "finished" and a procedure "abolished" do not collide, but
# "duplicate" is both a batch item status and a catalogue finding): label(value, group) looks in the group first.
LABELS: dict[str, dict[str, str]] = {
    "status": {
        "done": "Hoàn thành",
        "needs_review": "Cần xem lại",
        "duplicate": "Trùng lặp",
        "unreadable": "Không đọc được",
        "encrypted": "Có mật khẩu",
        "unsupported": "Định dạng không hỗ trợ",
        "too_large": "Tệp quá lớn",
        "timeout": "Quá thời gian",
        "failed": "Lỗi",
        "pending": "Đang chờ",
        "processing": "Đang xử lý",
        "dropped": "Đã bỏ",
        "deferred": "Chờ lượt sau",
        "lost": "Chuyển cho máy khác",
    },
    "batch": {"running": "Đang chạy", "finished": "Đã xong"},
    "outcome": {"ok": "Thành công", "error": "Lỗi", "skipped": "Bỏ qua"},
    "text_source": {
        "text_layer": "Lớp chữ có sẵn",
        "ocr": "Nhận dạng chữ (OCR)",
        "mixed": "Lớp chữ và OCR",
        "docx": "Văn bản Word (DOCX)",
        "odt": "Văn bản ODT",
        "doc": "Văn bản Word cũ (DOC)",
        "html": "Trang HTML",
        "text": "Tệp văn bản thuần",
        "markdown": "Tệp Markdown",
    },
    "issuer_level": {
        "central": "Trung ương",
        "ministry": "Bộ, ngành",
        "province": "Cấp tỉnh",
        "district": "Cấp huyện",
        "commune": "Cấp xã",
    },
    "procedure_status": {
        "published": "Đang công khai",
        "amended": "Đang công khai (sửa đổi, bổ sung)",
        "abolished": "Bãi bỏ",
        "replaced": "Bị thay thế",
        "listed": "Có trong danh sách",
        "new": "Ban hành mới",
    },
    "channel": {"direct": "Trực tiếp", "online": "Trực tuyến", "postal": "Bưu chính"},
    "online_level": {"full": "Toàn trình", "partial": "Một phần"},
    "legal_status": {
        "in_force": "Còn hiệu lực",
        "not_yet": "Chưa có hiệu lực",
        "partly_repealed": "Hết hiệu lực một phần",
        "repealed": "Hết hiệu lực",
        "unknown": "Không rõ",
    },
    "flag": {
        "invalid_date": "ngày ban hành không hợp lệ",
        "unreadable_date": "ngày ban hành không đọc được",
        "blank_date": "ngày ban hành để trống",
        "no_date": "không thấy ngày ban hành",
        "unreadable_number": "số văn bản không đọc được",
        "blank_number": "số văn bản để trống",
        "no_number": "không thấy số văn bản",
        "number_guessed": "số văn bản đoán từ ngữ cảnh",
        "number_handwritten": "số văn bản đọc từ chữ viết tay: cần người kiểm tra",
        "date_handwritten": "ngày ban hành đọc từ chữ viết tay: cần người kiểm tra",
        "received_year_guessed": "năm của ngày đến (dấu đến) là năm ban hành, đoán",
        "received_stamp_unverified": "số đến, ngày đến đọc từ dấu đến: cần người kiểm tra",
        "draft": "bản dự thảo",
        "doc_type_conflict": "loại văn bản không thống nhất",
        "issuer_conflict": "cơ quan ban hành không thống nhất",
        "invalid_cited_date": "ngày của văn bản được dẫn chiếu không hợp lệ",
        "charset_uncertain": "bảng mã chữ không chắc chắn",
        "low_confidence": "độ tin cậy OCR thấp",
        "low_syllable_share": "ít âm tiết tiếng Việt",
        "no_words": "OCR không thấy chữ",
        "low_dpi": "độ phân giải thấp",
        "rotated": "trang đã được xoay",
        "skewed": "trang bị nghiêng",
        "uncertain_field": "trường thông tin giấy tờ chưa chắc chắn",
    },
    # Dossier papers (issue 19): metadata.paper_type and the fields read from each paper.
    "paper_type": {
        "giay_tiep_nhan": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        "to_khai": "Tờ khai, đơn đề nghị",
        "cccd": "Căn cước công dân",
        "trich_luc_khai_sinh": "Trích lục khai sinh",
        "xac_nhan_cu_tru": "Xác nhận thông tin về cư trú",
        "gcn_ho_kinh_doanh": "Giấy chứng nhận đăng ký hộ kinh doanh",
        "phieu_ly_lich_tu_phap": "Phiếu lý lịch tư pháp",
        "van_ban": "Văn bản hành chính",
        "khac": "Giấy tờ khác",
    },
    "paper_field": {
        "dossier_code": "Mã hồ sơ",
        "procedure_code": "Mã thủ tục",
        "applicant_name": "Người nộp hồ sơ",
        "received_date": "Ngày tiếp nhận",
        "appointment_date": "Ngày hẹn trả kết quả",
        "papers": "Giấy tờ kèm theo",
        "id_number": "Số định danh cá nhân",
        "full_name": "Họ và tên",
        "date_of_birth": "Ngày sinh",
        "sex": "Giới tính",
        "issue_date": "Ngày cấp",
        "address": "Nơi thường trú",
        "father_name": "Họ tên cha",
        "mother_name": "Họ tên mẹ",
        "registration_number": "Số đăng ký",
        "business_name": "Tên hộ kinh doanh",
        "owner_name": "Chủ hộ kinh doanh",
    },
    "step": {
        "enqueue": "Đưa vào hàng đợi",
        "digitise": "Số hóa",
        "extract": "Trích xuất",
        "text": "Đọc văn bản",
        "text_layer": "Đọc lớp chữ",
        "ocr": "Nhận dạng chữ (OCR)",
        "pdfa": "Tạo PDF/A",
        "metadata": "Trích siêu dữ liệu",
        "store": "Lưu vào kho",
        "supersede": "Thay phiên bản",
        "correction": "Sửa siêu dữ liệu",
        "review": "Chấp nhận sau xem lại",
        "revert": "Khôi phục phiên bản",
        "mark": "Đóng dấu số hóa",
        "sign": "Ký số",
        "replace": "Thay tệp",
        "decrypt": "Mở khóa PDF",
        "drop": "Bỏ tệp",
        "upload": "Tải lên",
        "watch": "Thư mục theo dõi",
        # The four steps of Circular 01/2023's digitisation process (sohoa/conformance/record.py).
        "tt01.scan": "Bước 1 TT01: quét, tiếp nhận",
        "tt01.extract_fields": "Bước 2 TT01: trích thông tin",
        "tt01.assign_code": "Bước 3 TT01: cấp mã kết quả số hóa",
        "tt01.store": "Bước 4 TT01: lưu trữ",
        "tt05.json": "Xuất gói TT05 (JSON)",
        "tt05.xml": "Xuất gói TT05 (XML)",
    },
    # Reconciliation findings (sohoa/catalogue/reconcile.py KINDS): the audit's section titles.
    "finding": {
        "missing": "Thiếu trong danh mục địa phương",
        "unknown": "Mã không có trong danh mục",
        "abolished_in_use": "Đã bãi bỏ vẫn sử dụng",
        "replaced_in_use": "Đã thay thế vẫn sử dụng",
        "name_drift": "Tên thủ tục khác",
        "field_mismatch": "Nội dung khác danh mục",
        "duplicate": "Trùng lặp",
        "repealed_basis": "Căn cứ pháp lý hết hiệu lực",
        "dossier_incomplete": "Hồ sơ thiếu, thừa giấy tờ",
        "no_papers": "Danh mục thiếu thành phần hồ sơ",
        "no_results": "Danh mục thiếu kết quả giải quyết",
        "result_without_code": "Kết quả chưa có mã kết quả",
    },
    # Where a dossier's dates come from (Dossier.extra["dates_from"], issue 19).
    "dates_from": {
        "digitised_papers": "tính từ hồ sơ giấy đã số hóa",
        "export": "từ dữ liệu xuất của hệ thống một cửa",
    },
    # How a dossier result's result-type code was found (sohoa/dossier/results.py).
    "result_match": {
        "manifest": "theo tệp kê khai hồ sơ",
        "only_result": "thủ tục chỉ có một kết quả",
        "name": "khớp tên kết quả trong danh mục",
        "ambiguous": "nhiều kết quả trong danh mục khớp gần như nhau",
        "no_match": "không khớp kết quả nào trong danh mục",
    },
    "role": {"staff": "Cán bộ", "auditor": "Kiểm tra viên", "archivist": "Lưu trữ viên", "admin": "Quản trị"},
    "kind": {"document": "Tài liệu", "dossier": "Hồ sơ", "procedure": "Thủ tục"},
    "severity": {"high": "Cao", "medium": "Trung bình", "low": "Thấp"},
    "pii": {
        "cccd": "Số CCCD",
        "cmnd": "Số CMND",
        "phone": "Số điện thoại",
        "email": "Thư điện tử",
        "person_name": "Họ tên",
        "address": "Địa chỉ",
        "birth_date": "Ngày sinh",
        "tax_code": "Mã số thuế",
        "passport": "Số hộ chiếu",
        "bank_account": "Số tài khoản",
        "issue_date": "Ngày cấp giấy tờ",
        "registration_number": "Số đăng ký hộ tịch",
        "business_name": "Tên hộ kinh doanh",
    },
    "extractor": {"correction": "Sửa tay", "revert": "Khôi phục"},
}
_ANY: dict[str, str] = {}
for _group in LABELS.values():
    for _key, _text in _group.items():
        _ANY.setdefault(_key, _text)


def label(value: object, group: str | None = None) -> str:
    """The Vietnamese word for a stored key; anything unknown is shown as it is (a name, a number)."""
    if value is None or value == "":
        return "—"
    key = str(value)
    if group is not None and key in LABELS.get(group, {}):
        return LABELS[group][key]
    return _ANY.get(key, key)


# ----------------------------------------------------------------------------------------------------- dates
_DMY = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*$")


def parse_date(text: str) -> date:
    """A date as a person types it: dd/mm/yyyy (also dd-mm-yyyy, dd.mm.yyyy); ISO yyyy-mm-dd is accepted too."""
    m = _DMY.match(text)
    if m:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    return date.fromisoformat(text.strip())


def format_date(value: object) -> str:
    """dd/mm/yyyy for a date, dd/mm/yyyy hh:mm for a moment (ISO strings from the API views too)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        text = value
        try:
            value = datetime.fromisoformat(text) if "T" in text or " " in text.strip() else date.fromisoformat(text)
        except ValueError:
            return text
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone()  # the server's local time: what the archivist's clock says
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


# --------------------------------------------------------------------------------------------------- reasons
@dataclass(frozen=True)
class Explained:
    plain: str  # one or more plain Vietnamese sentences
    detail: str  # the stored text, for the technical disclosure ("" when the plain text says it all)


def _flags(text: str) -> str:
    return ", ".join(_flag(f.strip()) for f in text.split(",") if f.strip())


def _flag(flag: str) -> str:
    """A flag's words; "uncertain_field:date_of_birth" names the paper's field (issue 19)."""
    name, _, field = flag.partition(":")
    if field:
        return f"{label(name, 'flag')} ({label(field, 'paper_field')})"
    return label(flag, "flag")


# (pattern, plain text) pairs for the parts of a reason the pipeline writes; "{n}" is the page number.
_PARTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(bỏ bởi .*)$"), "{0}"),  # written in Vietnamese by item_actions.drop_item
    # How a page was read (pages.route_reason: the routing verdict, then the preprocessing steps).
    (re.compile(r"^text layer with (\d+) characters"), "lớp chữ có sẵn ({0} ký tự)"),
    (re.compile(r"^image page, text layer has (\d+)"), "trang ảnh, lớp chữ chỉ {0} ký tự: nhận dạng chữ"),
    (re.compile(r"^text layer has only (\d+)"), "lớp chữ chỉ có {0} ký tự: nhận dạng chữ"),
    (re.compile(r"^text layer in a legacy encoding"), "lớp chữ bảng mã cũ, không chuyển chắc chắn được: nhận dạng chữ"),
    (re.compile(r"^transcoded from"), "đã chuyển từ bảng mã cũ sang Unicode"),
    (re.compile(r"^text layer looks garbled"), "lớp chữ bị lỗi mã: nhận dạng chữ"),
    (re.compile(r"^page-sized image with a small text layer"), "ảnh cả trang, ít chữ (có thể là dấu): nhận dạng chữ"),
    (re.compile(r"^rescaled"), "đổi độ phân giải"),
    (re.compile(r"^small print"), "chữ nhỏ: phóng to"),
    (re.compile(r"^deskewed"), "chỉnh nghiêng"),
    (re.compile(r"^skew .* left to Tesseract"), "độ nghiêng nhỏ, để Tesseract tự xử lý"),
    (re.compile(r"^removed table rulings"), "xóa đường kẻ bảng"),
    (re.compile(r"^dropped (\d+) noise word"), "bỏ {0} chữ nhiễu"),
    (re.compile(r"^read (\d+) seal region"), "đọc lại {0} vùng chữ bị con dấu đè"),
    (re.compile(r"^removed (\d+) specks"), "xóa {0} đốm bẩn"),
    (re.compile(r"^flattened the paper background"), "làm phẳng nền giấy"),
    (re.compile(r"^declared \d+ dpi implausible"), "độ phân giải khai báo không hợp lý: tính lại"),
    (re.compile(r"^\S+/\S+ page$"), "trang ảnh: nhận dạng chữ"),
    (re.compile(r"^page (\d+): OCR confidence"), "trang {0}: chữ quét khó đọc (độ tin cậy OCR thấp)"),
    (re.compile(r"^page (\d+): OCR found no words"), "trang {0}: không nhận ra chữ nào"),
    (re.compile(r"^page (\d+): only .* Vietnamese syllables"), "trang {0}: ít chữ tiếng Việt đọc được"),
    (re.compile(r"^page (\d+): text encoding not certain"), "trang {0}: không chắc bảng mã chữ"),
    (re.compile(r"^page (\d+):"), "trang {0}: cần kiểm tra lại"),
    (re.compile(r"^\d+ bytes is over the .* limit"), "tệp lớn hơn giới hạn cho phép"),
    (re.compile(r"^the file disappeared"), "tệp đã bị xóa hoặc di chuyển trước khi đọc"),
    (re.compile(r"^a folder, not a file"), "đây là thư mục, không phải tệp"),
    (re.compile(r"^cannot read the file"), "không có quyền đọc tệp"),
    (re.compile(r"^same content as"), "nội dung trùng với một tệp đã số hóa"),
    (re.compile(r"^waits for the same content"), "chờ một tệp cùng nội dung đang được xử lý"),
    (re.compile(r"^processing by "), "đang được xử lý"),
    (re.compile(r"(?i)password|encrypted"), "tệp PDF có mật khẩu: cần nhập mật khẩu để xử lý"),
    (re.compile(r"(?i)unsupported|not a supported|unknown format"), "định dạng tệp không được hỗ trợ"),
    (re.compile(r"(?i)timed? ?out|timeout"), "xử lý quá thời gian cho phép"),
    (re.compile(r"(?i)signing failed"), "ký số không thành công"),
    (re.compile(r"(?i)conversion mark"), "dấu số hóa có thể che nội dung trang đầu"),
    (re.compile(r"(?i)PDF/A"), "bản PDF/A không đạt chuẩn sau khi đóng dấu"),
    (re.compile(r"(?i)damaged|corrupt|cannot open|could not open|not a pdf|truncated|no /root|broken"),
     "tệp bị hỏng, không mở được"),
    (re.compile(r"^error after retries|^unexpected error"), "lỗi không lường trước khi xử lý"),
]  # fmt: skip


def _explain_part(part: str) -> str:
    if part.startswith("metadata:"):
        return "siêu dữ liệu: " + _flags(part.split(":", 1)[1])
    for pattern, text in _PARTS:
        m = pattern.search(part)
        if m:
            return text.format(*m.groups())
    return ""


def explain(reason: str | None, status: str | None = None) -> Explained:
    """A stored reason in plain Vietnamese: recognised parts translated; the stored text kept as the detail."""
    if not reason:
        return Explained(label(status, "status") if status else "", "")
    parts = [p.strip() for p in reason.split("; ") if p.strip()]
    plain = [t for t in (_explain_part(p) for p in parts) if t]
    if not plain:
        plain = [label(status, "status") if status else "Xem chi tiết kỹ thuật"]
    sentence = "; ".join(dict.fromkeys(plain))
    return Explained(sentence[:1].upper() + sentence[1:], reason)
