"""Round seals on any page (issue 16): found by their ring, taken off, the signature block under them read again;
nothing real is lost. Generated pages (sohoa.samples.sealpages), real Tesseract."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from sohoa.extractors import ocrclean
from sohoa.extractors.seals import Seal, SealOptions, _drop_in_ring, find_seals
from sohoa.extractors.text import TextOptions, extract_text
from sohoa.extractors.types import Word
from sohoa.samples.render import render_pdf
from sohoa.samples.scan import rasterise
from sohoa.samples.sealpages import seal_page
from sohoa.samples.stampdraw import _SANS, _font
from sohoa.samples.texts import generate_document
from sohoa.textnorm import fold, normalize_text

EMAIL = "thongtinchinhphu@chinhphu.vn"


def _text(image: Image.Image, dpi: int, **options: object) -> tuple[str, list[dict[str, object]]]:
    buf = io.BytesIO()
    image.save(buf, "PNG", dpi=(dpi, dpi))
    page = extract_text(buf.getvalue(), TextOptions(workers=1, **options)).extraction.pages[0]  # type: ignore[arg-type]
    return " ".join(normalize_text(page.text).split()), page.stamps


@pytest.mark.slow
def test_a_seal_over_the_signers_title_leaves_the_title_and_name_read_and_an_email_in_a_stamp() -> None:
    page = seal_page("cong_van", 1, "grey", 200)
    assert page is not None
    image = page.image
    # The portal's signature stamp beside the seal, inside the signature block: a box with its e-mail address.
    x0, y0, x1, y1 = page.seal_box
    draw = ImageDraw.Draw(image)
    cy = (y0 + y1) // 2
    box = (x1 + 5, cy - 25, x1 + 420, cy + 25)
    draw.rectangle(box, outline=60, width=2)
    draw.text((box[0] + 8, box[1] + 12), f"Email: {EMAIL}", font=_font(_SANS, 19), fill=50)

    text, stamps = _text(image, 200)
    without, _ = _text(image, 200, find_seals=False)
    title, name = normalize_text(page.title), normalize_text(page.signer)
    assert title not in without and name not in without  # the page this is about: the seal spoils the block
    assert title in text and fold(name) in fold(text)  # the name, its tone marks as Tesseract reads them
    assert EMAIL in text
    seals = [s for s in stamps if s.get("radius")]
    assert len(seals) == 1 and seals[0]["ink_removed"]
    # What the seal step put in is recorded, with boxes inside the region it read again.
    region = seals[0]["region"]
    assert isinstance(region, list)
    for added in seals[0]["added"]:  # type: ignore[attr-defined]
        bx = added["box"]
        assert region[0] <= bx[0] and bx[2] <= region[2] and region[1] <= bx[1] and bx[3] <= region[3]
    # No garbage left in the block: every word read between the title and the name is a syllable or real.
    folded = fold(text)
    block = text[text.index(title) : folded.index(fold(name)) + len(name)]
    for word in block.split():
        core = word.strip(ocrclean._EDGE_PUNCT)
        assert not core or core == "Email" or not ocrclean.is_noise(Word(core, 30.0, 0, 0, 1, 1)), word


def test_a_page_of_text_has_no_seal() -> None:
    doc = generate_document("cong_van", seed=3)
    for page in rasterise(render_pdf(doc).data, 200):
        assert find_seals(page, 200) == []


def test_a_drawn_ring_is_found_where_it_is() -> None:
    page = seal_page("ke_hoach", 2, "dark", 200)
    assert page is not None
    seals = find_seals(page.image, 200)
    assert len(seals) == 1
    x0, y0, x1, y1 = page.seal_box
    cx, cy = seals[0].centre
    assert abs(cx - (x0 + x1) / 2) < 10 and abs(cy - (y0 + y1) / 2) < 10


def test_a_dark_seal_drops_only_doubtful_non_words_inside_its_ring() -> None:
    seal = Seal((0, 0, 400, 400), (200, 200), 200)
    words = [
        Word("NG)", 9.0, 150, 150, 50, 30),  # the ring's letters read as garbage: dropped
        Word("c\\", 40.0, 250, 250, 30, 30),  # dropped
        Word(EMAIL, 12.0, 120, 300, 200, 30),  # real whatever its confidence: kept
        Word("08:30", 5.0, 200, 100, 60, 30),  # a time: kept
        Word("1.", 20.0, 100, 200, 20, 30),  # a list's number under the seal: kept
        Word("TỊCH", 20.0, 180, 60, 80, 30),  # a syllable (a title under the seal): kept
        Word("Z", 10.0, 600, 600, 20, 20),  # outside the seal: not this step's
    ]
    kept = _drop_in_ring(words, seal, SealOptions())
    assert [w.text for w in kept] == [EMAIL, "08:30", "1.", "TỊCH", "Z"]
    assert [d["text"] for d in seal.dropped] == ["NG)", "c\\"]
    assert seal.dropped[0]["box"] == [150, 150, 200, 180]
