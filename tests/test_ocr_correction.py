"""Tone marks restored where the syllable model and Tesseract's alternatives agree; names and codes left alone;
received stamps found and read; what a stamp says survives the noise filter. Generated images, real Tesseract."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from PIL import Image, ImageDraw, ImageFont

from sohoa.extractors import stamps, tesseract, tonefix
from sohoa.extractors.metadata import extract_metadata
from sohoa.extractors.syllable_lm import default_lm
from sohoa.extractors.text import TextOptions, extract_text
from sohoa.samples.render import render_pdf
from sohoa.samples.scan import rasterise
from sohoa.samples.stampdraw import draw_received_stamp
from sohoa.samples.texts import generate_document

_SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"


def _line_image(text: str) -> Image.Image:
    img = Image.new("L", (1900, 140), 255)
    ImageDraw.Draw(img).text((40, 40), text, font=ImageFont.truetype(_SERIF, 42), fill=0)
    return img


def _read(img: Image.Image) -> list:
    return tesseract.ocr_image(img, 300, tesseract.OcrOptions(psm=6)).words


def test_the_model_prefers_the_toned_syllable_in_legal_context() -> None:
    lm = default_lm()
    assert lm.logp_in_context("về", "số", "lượng") - lm.logp_in_context("về", "sô", "lượng") > 5
    assert "số" in tonefix.variants(lm, "sô") and "sổ" in tonefix.variants(lm, "sô")


def test_a_dropped_tone_is_restored_recorded_and_reversible() -> None:
    img = _line_image("Quy định về số lượng hồ sơ và thời hạn giải quyết.")
    words = _read(img)
    index = next(i for i, w in enumerate(words) if w.text == "số")
    words[index].text = "sô"  # the vie model's typical error, put where the image says "số"
    changes = tonefix.correct(words, img, 300)
    assert [(c.index, c.before, c.after) for c in changes] == [(index, "sô", "số")]
    assert words[index].text == "số"
    change = changes[0].to_dict()
    assert change["box"] == (words[index].left, words[index].top, words[index].width, words[index].height)
    assert float(str(change["lm_margin"])) >= tonefix.ToneOptions().min_margin_reread
    tonefix.revert(words, [change])
    assert words[index].text == "sô"


def test_names_codes_and_numbers_are_never_changed() -> None:
    # "Tô" is a surname (capitalised inside the sentence): the model would rather read "Tổ", the image says "Tô".
    img = _line_image("Giao ông Tô Lâm và bà Hồ Sô báo cáo số 45/2020/NĐ-CP, mã SÔ-01.")
    words = _read(img)
    before = [w.text for w in words]
    assert "Tô" in before
    assert tonefix.correct(words, img, 300) == []
    assert [w.text for w in words] == before


@pytest.mark.parametrize("text", ["Quy định về sô lượng hồ sơ.", "Đây là đê điều của tô chức."])
def test_no_change_without_tesseracts_agreement(text: str) -> None:
    # The model prefers "số" and "tổ", but the image says "sô" and "tô": the second reading does not support them.
    img = _line_image(text)
    words = _read(img)
    before = [w.text for w in words]
    assert tonefix.correct(words, img, 300) == []
    assert [w.text for w in words] == before


# --------------------------------------------------------------------------------------------------------------
# Received stamps


def _stamped_page(mode: str) -> tuple[bytes, str]:
    doc = generate_document("cong_van", seed=3)
    page = rasterise(render_pdf(doc).data, 300)[0]
    # Over the number line: the frame's top side runs through "Số: …/UBND-KSTT", its left side through the symbol.
    draw_received_stamp(page, 300, x_mm=80, y_mm=37.5, number="1254", date="12/3/2026", time="8h30")
    if mode == "1":
        page = page.point(lambda v: 255 if v > 128 else 0).convert("1")
    buf = io.BytesIO()
    page.save(buf, "PNG", dpi=(300, 300))
    return buf.getvalue(), doc.truth["number"]


@pytest.mark.parametrize("mode", ["L", "1"])
def test_a_stamp_over_the_number_line_is_found_read_and_the_line_read_again(mode: str) -> None:
    data, number = _stamped_page(mode)
    extraction = extract_text(data, TextOptions(workers=1)).extraction
    page = extraction.pages[0]
    received = [s for s in page.stamps if s["kind"] == "received"]
    assert len(received) == 1
    stamp = received[0]
    assert stamp["incoming_number"][0] == "1254" and stamp["received_date"][0] == "12/3/2026"
    assert stamp["received_time"][0] == "08:30"
    assert all(0 <= float(v[1]) <= 100 for v in (stamp["incoming_number"], stamp["received_date"]))
    # The first pass lost the number under the frame; a second reading gives it back.
    assert number not in page.text.replace(" ", "")
    assert any(number in str(r["text"]).replace(" ", "") for r in stamp["rereads"])
    # Metadata: the document's number from the re-read line; the stamp's own number, date and time as the
    # incoming-document register's fields, each with its confidence.
    md = extract_metadata(extraction.text, extraction.page_starts, extraction.first_page_stamps)
    assert md.number == number and md.number != "1254"
    assert (md.received_number, md.received_date, md.received_time) == ("1254", "2026-03-12", "08:30")
    assert all(0 < md.confidence[k] <= 1 for k in ("received_number", "received_date", "received_time"))
    assert "no_number" not in md.flags and md.repairs.get("stamp_line_reread") == 1
    # Without the stamps the text alone has lost the number.
    assert extract_metadata(extraction.text, extraction.page_starts).number is None


@pytest.mark.parametrize("slant", [-2.5, 1.5])
def test_an_askew_stamp_across_the_title_rulings_is_still_found(slant: float) -> None:
    # Over the number line of a decision, its frame crossing the underline of the subject: one component with
    # the ruling; put down askew, its sides step between pixel rows.
    page = rasterise(render_pdf(generate_document("quyet_dinh_qppl", seed=0)).data, 300)[0]
    drawn = draw_received_stamp(page, 300, x_mm=63, y_mm=39.5, slant_deg=slant)
    found = stamps.find_stamps(page, 300)
    assert len(found) == 1 and found[0].kind == "frame"
    assert all(abs(a - b) <= 40 for a, b in zip(found[0].box, drawn.box, strict=True))


def test_no_stamp_no_stamps() -> None:
    page = rasterise(render_pdf(generate_document("cong_van", seed=3)).data, 300)[0]
    assert stamps.find_stamps(page, 300) == []


def test_an_email_in_a_signature_stamp_survives_the_noise_filter() -> None:
    img = Image.new("L", (2480, 900), 255)
    d = ImageDraw.Draw(img)
    d.rectangle((1300, 150, 2350, 420), outline=60, width=6)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 30)
    d.text((1330, 180), "Người ký: Cổng Thông tin điện tử Chính phủ", font=font, fill=60)
    d.text((1330, 250), "Email: thongtinchinhphu@chinhphu.vn", font=font, fill=60)
    d.text((1330, 320), "Thời gian ký: 27.01.2026 09:15:22 +07:00", font=font, fill=60)
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(300, 300))
    page = extract_text(buf.getvalue(), TextOptions(workers=1)).extraction.pages[0]
    assert "thongtinchinhphu@chinhphu.vn" in page.text
    assert "09:15:22" in page.text


def test_the_page_result_records_corrections_as_json_ready_dicts() -> None:
    img = _line_image("Quy định về số lượng hồ sơ và thời hạn giải quyết.")
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(300, 300))
    page = extract_text(buf.getvalue(), TextOptions(workers=1)).extraction.pages[0]
    assert isinstance(page.corrections, list)
    off = extract_text(buf.getvalue(), replace(TextOptions(workers=1), correct_tones=False)).extraction.pages[0]
    assert off.corrections == [] and off.text
