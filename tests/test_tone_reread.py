"""The tone correction's second reading: which model reads the candidates, and what a change records. No OCR."""

from __future__ import annotations

from pathlib import Path

from sohoa.extractors import tesseract, tonefix


def test_the_second_reading_uses_best_when_it_is_installed(tmp_path: Path) -> None:
    (tmp_path / "vie.traineddata").write_bytes(b"model")
    options = tonefix.ToneOptions(best_tessdata_dir=tmp_path)
    reader = tonefix.second_reader(tesseract.OcrOptions(engine="cli"), options)
    assert (reader.model, reader.tessdata_dir, reader.engine) == ("best", tmp_path, "cli")


def test_without_best_installed_the_first_readings_model_reads_again(tmp_path: Path) -> None:
    first = tesseract.OcrOptions()
    assert tonefix.second_reader(first, tonefix.ToneOptions(best_tessdata_dir=tmp_path)) == first
    (tmp_path / "vie.traineddata").write_bytes(b"model")
    assert tonefix.second_reader(first, tonefix.ToneOptions(best_tessdata_dir=tmp_path, reread_model="same")) == first
    # vie+eng: every language must be there, or the second reading would fail and correct nothing.
    both = tesseract.OcrOptions(lang="vie+eng")
    assert tonefix.second_reader(both, tonefix.ToneOptions(best_tessdata_dir=tmp_path)) == both


def test_support_needs_the_reading_or_a_listed_letter_and_the_margin() -> None:
    options = tonefix.ToneOptions()
    assert tonefix.supported(options.min_margin_reread, True, None, options)
    assert not tonefix.supported(options.min_margin_reread - 0.1, True, None, options)
    assert tonefix.supported(options.min_margin, False, options.min_alt_conf, options)
    # A letter listed at confidence 0 is no witness, however much the syllable model wants the variant: the second
    # reading lists "ố" at 0.0 under a plainly printed "sô".
    assert not tonefix.supported(30.0, False, 0.0, options)
    assert not tonefix.supported(30.0, False, None, options)


def test_a_change_records_the_model_that_read_it_again() -> None:
    change = tonefix.Correction(3, (1, 2, 3, 4), "sô", "số", 15.2, None, "số", "best").to_dict()
    assert change["reread_model"] == "best" and change["before"] == "sô" and change["after"] == "số"


def _word_crops(words: list[str]) -> list:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", 42)
    crops = []
    for word in words:
        width = int(font.getlength(word)) + 16
        img = Image.new("L", (width, 60), 255)
        ImageDraw.Draw(img).text((8, 4), word, font=font, fill=0)
        crops.append(img)
    return crops


def test_the_sheet_cut_in_two_halves_reads_each_crop_where_it_was_placed() -> None:
    # 3 lines of crops: the halves (1 and 2 lines) read on two threads, each word found back on its own crop.
    words = "quyết định về số lượng hồ sơ thời hạn giải quyết của tổ chức và cá nhân theo quy định".split()[:20]
    crops = _word_crops(words)
    whole = tonefix.reread(crops, 300, tonefix.ToneOptions(), workers=2)  # split off: one sheet
    for split in ("grey", "otsu"):
        halves = tonefix.reread(crops, 300, tonefix.ToneOptions(split=split), workers=2)
        assert len(halves) == len(crops)
        read = [r.text if r else None for r in halves]
        assert sum(t == w for t, w in zip(read, words, strict=True)) >= len(words) - 2, read
        assert (
            sum(a is not None and b is not None and a.text == b.text for a, b in zip(whole, halves, strict=True)) >= 18
        )
