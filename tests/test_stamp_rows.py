"""A received stamp's hand-written values read row by row (issue 16): the 45 x 25 mm stamp with dotted fill lines
and sheared, jittered figures, drawn on a blank header; the fill lines and the slant are taken out of each row's
band before Tesseract reads it. Generated images, real Tesseract."""

from __future__ import annotations

import pytest
from PIL import Image

from sohoa.extractors import stamps
from sohoa.samples.stampdraw import draw_received_stamp


def _stamp_page(mode: str, seed: int) -> Image.Image:
    page = Image.new("L", (2480, 3508), 255)  # A4: stamps are looked for in its top 45 %
    draw_received_stamp(
        page, 300, x_mm=60, y_mm=30, number="7586", date="20/6/2024", time="11h15", style="real", ink=60, seed=seed
    )
    return page.point(lambda v: 255 if v > 128 else 0).convert("1") if mode == "1" else page


@pytest.mark.parametrize("mode", ["L", "1"])
def test_hand_written_values_on_dotted_lines_are_read_with_their_confidence(mode: str) -> None:
    page = _stamp_page(mode, seed=9)
    found = stamps.find_stamps(page, 300)
    assert [s.kind for s in found] == ["frame"]
    stamp = stamps.read_stamp(page.convert("L"), 300, found[0])
    assert stamp.kind == "received"
    assert stamp.incoming_number is not None and stamp.incoming_number[0] == "7586"
    assert stamp.received_date is not None and stamp.received_date[0] == "20/6/2024"
    assert stamp.received_time is not None and stamp.received_time[0] == "11:15"
    assert all(0 < v[1] <= 100 for v in (stamp.incoming_number, stamp.received_date, stamp.received_time))
    # Each labelled row was read on its own band.
    assert {r["field"] for r in stamp.row_readings} >= {"number", "date", "time"}


def test_a_whitelisted_reading_never_forces_a_year_no_stamp_is_put_down_in() -> None:
    assert stamps._row_value("date", "12/3/2926") is None
    assert stamps._row_value("date", "12/3/2026") == "12/3/2026"
    assert stamps._row_value("time", "9h15") == "09:15"
    assert stamps._row_value("number", "Sô 8670") == "8670"


def test_a_bare_number_on_the_time_row_is_no_incoming_number() -> None:
    stamp = stamps.Stamp("frame", (0, 0, 500, 300))
    stamp.lines = [
        stamps.StampLine("VĂN PHÒNG BỘ", 90.0),
        stamps.StampLine("loến `...", 44.0),
        stamps.StampLine("Này 20/12/2024", 62.0),
        stamps.StampLine("Gờ ,j?h00", 25.0),
    ]
    stamps._parse(stamp)
    assert stamp.incoming_number is None and stamp.received_date == ("20/12/2024", 62.0)
