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
