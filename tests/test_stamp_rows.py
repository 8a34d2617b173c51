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


def _taken(block: str, block_conf: float, rows: list[tuple[str, float]]) -> str | None:
    stamp = stamps.Stamp("frame", (0, 0, 600, 300))
    stamp.incoming_number = (block, block_conf)
    stamps._take_rows(stamp, [stamps.RowReading("number", text, conf, (0, 0, 10, 10)) for text, conf in rows])
    return stamp.incoming_number[0] if stamp.incoming_number else None


def test_a_row_reading_must_outbid_the_block_value_another_row_confirms() -> None:
    # The "ĐẾN" row and the "Số" row read the same band: one sure and wrong reading does not outvote two.
    assert _taken("7352", 73.3, [("1352", 96.71), ("Số: 7352", 96.89)]) == "7352"
    # Unconfirmed, the surer row reading still replaces the block's.
    assert _taken("7352", 73.3, [("1352", 96.71)]) == "1352"


def test_a_row_number_with_the_block_figures_and_more_is_weighed_against_the_block_alone() -> None:
    # A row reading the block's "734" too may have lost the same faint figure; the "." off the fill line ends it.
    assert _taken("734", 44.2, [("734 xrếm", 61.86), ("Số:   7348. rrvếx", 56.04)]) == "7348"
    assert _taken("792", 60.0, [("92", 90.0)]) == "792"  # a lost figure is still no better reading
