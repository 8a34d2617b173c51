"""The received stamp's values as register fields; its own "Số" is never the document's number (no OCR here)."""

from __future__ import annotations

from sohoa.extractors.metadata import extract_metadata, registration

_TEXT = """BỘ TƯ PHÁP
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 12/2026/TT-BTP
Hà Nội, ngày 20 tháng 12 năm 2026
THÔNG TƯ
Quy định về quản lý hồ sơ
"""


def _stamp(number: str = "1254", date: str = "5/1", time: str | None = "08:30") -> dict:
    return {
        "kind": "received",
        "box": (900, 400, 1500, 700),
        "incoming_number": (number, 80.0),
        "received_date": (date, 90.0),
        "received_time": None if time is None else (time, 95.0),
        "rereads": [],
    }


def test_register_fields_with_their_confidence_and_a_guessed_year_after_the_issue_date() -> None:
    md = extract_metadata(_TEXT, None, [_stamp()])
    assert md.number == "12/2026/TT-BTP"
    # Received on 5 January: the year after a document of 20 December; guessed, so flagged and less sure.
    assert (md.received_number, md.received_date, md.received_time) == ("1254", "2027-01-05", "08:30")
    assert md.confidence["received_number"] == 0.8 and md.confidence["received_date"] < 0.9
    assert "received_year_guessed" in md.flags


def test_no_stamps_no_register_fields() -> None:
    md = extract_metadata(_TEXT, None, [])
    assert md.received_number is None and md.received_date is None and md.received_time is None
    assert extract_metadata(_TEXT, None, [{"kind": "seal", "box": (0, 0, 9, 9)}]).received_number is None


def test_the_stamps_own_number_is_not_the_documents() -> None:
    # The document's number line is gone; the only "Số:" left is the stamp's.
    text = _TEXT.replace("Số: 12/2026/TT-BTP\n", "").replace("THÔNG TƯ", "ĐẾN Số: 1254\nTHÔNG TƯ")
    md = extract_metadata(text, None, [_stamp(date="21/12/2026")])
    assert md.number != "1254" and md.received_number == "1254"
    assert md.received_date == "2026-12-21" and "received_year_guessed" not in md.flags


def test_a_reread_line_gives_back_the_number_the_stamp_covered() -> None:
    text = _TEXT.replace("Số: 12/2026/TT-BTP", "Số: |__ ĐẾN")
    reread = {"first_pass": "Số: |__ ĐẾN", "text": "Số: 12/2026/TT-BTP", "how": "frame removed", "conf": 90.0}
    md = extract_metadata(text, None, [{**_stamp(), "rereads": [reread]}])
    assert md.number == "12/2026/TT-BTP" and md.doc_type == "Thông tư"
    span = md.spans["number"]
    assert text[span.start : span.end].startswith("Số") or span.start >= text.index("Số: |__")


def test_an_impossible_time_or_a_date_before_the_issue_is_not_registered() -> None:
    md = extract_metadata(_TEXT, None, [_stamp(date="12/3/2026", time="77:00")])
    assert md.received_time is None and md.received_date is None and md.received_number == "1254"


# A header whose number and date were written by pen (the first pass read neither), citing texts of 2020.
_PEN_TEXT = """BỘ CÔNG AN
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 4# /2020/TT-BCA   Hà Nội, ngày Ý† tháng 42 năm 2020
THÔNG TƯ
Quy định về trang bị phương tiện phòng cháy
Căn cứ Nghị định số 42/2020/NĐ-CP ngày 08 tháng 4 năm 2020 của Chính phủ;
Căn cứ Nghị định số 136/2020/NĐ-CP ngày 24 tháng 11 năm 2020 của Chính phủ;
"""
_PEN_LINE = "Số: 4# /2020/TT-BCA   Hà Nội, ngày Ý† tháng 42 năm 2020"


def _pen(text: str, conf: float = 66.0, doubted: tuple[str, ...] = ("day", "month")) -> dict:
    reread = {"first_pass": _PEN_LINE, "text": text, "conf": conf, "how": "handwritten blank",
              "values": {f: ["1", conf] for f in doubted}, "doubted": list(doubted)}  # fmt: skip
    return {"kind": "pen", "box": (0, 0, 9, 9), "rereads": [reread]}


def test_a_pen_date_before_a_text_the_document_cites_is_not_taken() -> None:
    # "31" read "4", "12" read "2": a date in February of a text citing a decree of 24 November.
    md = extract_metadata(_PEN_TEXT, None, [_pen("Số: 4# /2020/TT-BCA   Hà Nội, ngày 4 tháng 2 năm 2020")])
    assert md.issued_date is None
    assert "unreadable_date" in md.flags and "date_handwritten" not in md.flags
    # After the latest cited text: taken, flagged for review.
    md = extract_metadata(_PEN_TEXT, None, [_pen("Số: 4# /2020/TT-BCA   Hà Nội, ngày 31 tháng 12 năm 2020")])
    assert md.issued_date == "2020-12-31" and "date_handwritten" in md.flags


def test_a_reread_date_in_another_year_than_the_numbers_is_refused_the_number_kept() -> None:
    text = _PEN_TEXT.replace("năm 2020\nTHÔNG", "năm 20 \nTHÔNG").replace(_PEN_LINE, _PEN_LINE[:-2] + " ")
    line = _PEN_LINE[:-2] + " "
    reread = {
        "first_pass": line,
        "text": "Số: 148/2020/TT-BCA   Hà Nội, ngày 31 tháng 12 năm 2021",
        "conf": 80.0,
        "how": "handwritten blank",
        "values": {"number": ["148", 80.0], "year": ["21", 80.0]},
        "doubted": [],
    }
    md = extract_metadata(text, None, [{"kind": "pen", "box": (0, 0, 9, 9), "rereads": [reread]}])
    assert md.number == "148/2020/TT-BCA" and "number_handwritten" in md.flags
    assert md.issued_date is None


def test_a_citation_whose_own_number_and_date_disagree_refuses_nothing() -> None:
    # The citation's date misread into 2028 (its number says 2020): it says nothing about the document's date.
    text = _PEN_TEXT.replace("24 tháng 11 năm 2020", "24 tháng 11 năm 2028")
    md = extract_metadata(text, None, [_pen("Số: 4# /2020/TT-BCA   Hà Nội, ngày 4 tháng 5 năm 2020")])
    assert md.issued_date == "2020-05-04" and "date_handwritten" in md.flags
    assert registration.date_fits(md)
