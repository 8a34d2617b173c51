"""Words Tesseract reads out of stamps, signatures, arrows and scanner noise, and digit look-alikes inside numbers.

Tesseract turns every dark blob into a "word": a signature becomes "//9ẠN lờ P.1", a flowchart arrow "——ZZ", a
stamp "NGHEEEGIE". They cost the reader, the index and the error rate (insertions) and carry nothing, so a word
that Tesseract itself doubts (confidence below `min_conf`) is dropped when it is not shaped like something a
document says: a Vietnamese syllable, an abbreviation (UBND), a number or a code (2362/QĐ-UBND, 23/4/2018).
Words Tesseract is sure of are never dropped, and nothing real is noise whatever its confidence: e-mail addresses
(the portal's signature stamp says "thongtinchinhphu@chinhphu.vn" on every page), web addresses, clock times and
well-formed codes are kept however Tesseract doubts them. Measured on the born-digital pages rendered and degraded
(scripts/eval_ocr.py): numbers in the README.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

from sohoa.extractors.types import Word
from sohoa.extractors.vietnamese import is_syllable, is_syllable_shape
from sohoa.textnorm import fold

_EDGE_PUNCT = "\"'“”‘’()[]{}<>.,;:!?…«»"
# Numbers, dates and document codes: digits and capitals joined by / . - (the symbol part may be mixed case: "Hcc6").
_CODE = re.compile(r"[\dA-ZĐ]+(?:[/.\-][\dA-ZĐa-zđ]*)*|[/.\-]?\d+(?:[/.\-]\d*)*|\d{1,2}h\d{0,2}")  # …, 07h30
# A symbol without digits: capitals joined by - or / ("QĐ-UBND", "TT-BTC"), checked for stray marks like codes.
_SYMBOL = re.compile(r"[A-ZĐ]+(?:[/\-][A-ZĐ]+)+")
_LIST_MARKS = frozenset("-+•*–")
# Things a document says that are no syllable: kept whatever Tesseract's confidence (a stamp's e-mail read at 20).
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", re.ASCII)
_URL = re.compile(
    r"(?:https?://|www\.)[\w\-.~/?#=&%:+]+|[\w\-]+(?:\.[\w\-]+)*\.(?:vn|gov|com|org|net|edu|int)(?:\.vn)?(?:/[\w\-.~/?#=&%]*)?",
    re.ASCII,
)
# Clock times: 07h30, 7h, 14:30, 09:15:22, 8g15, and a signature's UTC offset +07:00.
_TIME = re.compile(r"\+?(?:[01]?\d|2[0-4])(?:[h:g](?:[0-5]\d)?|h(?:[0-5]\d)?(?:ph|p)?)(?::[0-5]\d)?")
# Table rulings and box borders read as characters: Vietnamese administrative text has no use for them, so a token
# made only of these is noise however sure Tesseract is (22 confident "|" on the eval pages, none in the texts).
_RULE_MARKS = frozenset("|¦_`¬[]")
_ROMAN = frozenset("IVX")
# Ơ never stands next to a digit in Vietnamese: it is a zero ("CƠ7" for the police unit C07).
_O_BY_DIGIT = re.compile(r"(?<=\d)[ƠỜ]|[ƠỜ](?=\d)")
# A number read with l or I for 1 and O for 0 ("ngày 3l tháng I2").
_DIGITS_LOOKALIKE = re.compile(r"(?=[\dlIO]*\d)[\dlIO]{2,}")
_DOUBLED = re.compile(r"(.)\1+")
# A short label glued to a code by its colon: "Số:", "Sô;", "Số." (the code part is judged as a code).
_LABELLED = re.compile(r"[^\W\d_]{1,5}[:;.](\S*\d\S*/\S+)")
# The rule printed under the issuer or over a blank touches a word's edge: "AN_", "_TỈNH".
_RULE_EDGE = re.compile(r"^_+(?=[^\W\d_]+_*$)|(?<=[^\W\d_])_+$")
_TO_DIGIT = str.maketrans({"l": "1", "I": "1", "O": "0"})


@dataclass(frozen=True)
class NoiseOptions:
    min_conf: float = 40.0  # Tesseract's word confidence (0-100) under which a word's shape is checked
    min_conf_syllable: float = 10.0  # a well-formed syllable is kept down to this: "lờ" at 0 was a signature
    # ... or at any confidence on a line Tesseract reads well (median confidence): "năm" at 0 beside a handwritten
    # date, in "Hà Nội, ngày … tháng … năm 2020", carried the date's structure.
    sure_line_conf: float = 60.0


def fix_digits(text: str) -> str:
    """Digit look-alikes inside numbers and codes."""
    text = _O_BY_DIGIT.sub("0", text)
    core = text.strip(_EDGE_PUNCT)
    if core and _DIGITS_LOOKALIKE.fullmatch(core):
        text = text.replace(core, core.translate(_TO_DIGIT))
    return text


def is_noise(word: Word, options: NoiseOptions | None = None, line_conf: float = 0.0) -> bool:
    """`line_conf`: the median confidence of the word's line."""
    options = options or NoiseOptions()
    if set(word.text) <= _RULE_MARKS:
        return True
    if word.conf >= options.min_conf or word.conf < 0:
        return False
    core = word.text.strip(_EDGE_PUNCT)
    if not core:
        return True  # only brackets and stops
    if is_real(core):
        return False
    if not any(ch.isalnum() for ch in core):
        return core not in _LIST_MARKS  # rules and arrows ("——", "_"), but keep the "- " and "+ " of lists
    if len(core) == 1:
        return not (core.isdigit() or core in _ROMAN)
    strays = [ch for ch in core if not (ch.isalnum() or ch in "/.-")]
    if any(ch.isdigit() for ch in core) or _SYMBOL.fullmatch(_after_slash(_without(core, strays))):
        # A code with one stray mark ("01/2015%/TT-VPCP", "@QĐ-UBND") is still the code: dropping it loses 15
        # characters for 1.
        return len(strays) > 1 or _CODE.fullmatch(_after_slash(_without(core, strays))) is None
    if not core.isalpha():
        return True  # letters glued to symbols: "Xzn+huVP", "SW/2\\25%"
    if is_syllable(core) or is_syllable_shape(_DOUBLED.sub(r"\1", fold(core))):  # or with stray marks: "CHÂẦU", "THUỌC"
        return word.conf < options.min_conf_syllable and line_conf < options.sure_line_conf
    # Abbreviations are short ASCII capitals (UBND, TTHC); anything else that is no syllable is a misread blob.
    return not (core.isupper() and core.isascii() and len(core) <= 6)


def is_real(core: str) -> bool:
    """An e-mail or web address, a clock time, or a well-formed code ("2362/QĐ-UBND", "23/4/2018"): never noise."""
    # An address glued to its label ("Email:thongtin@…") is still the address.
    if _EMAIL.search(core) or _URL.fullmatch(core) or _TIME.fullmatch(core):
        return True
    # A code glued to its label ("Số:568/TB-QLXNC-P2", "Sốõ:58/2026/NĐ-CP" on a 1-bit scan) is still the code.
    if (labelled := _LABELLED.fullmatch(core)) is not None:
        core = labelled.group(1)
    # A code proper: a digit, and a code's shape with no stray mark (one stray mark is judged by is_noise).
    return any(ch.isdigit() for ch in core) and len(core) >= 2 and _CODE.fullmatch(_after_slash(core)) is not None


def _after_slash(core: str) -> str:
    """A code's part after a number printed with a space before its slash ("818 /2024/QĐ-UBND", "123 /QĐ-UBND" of a
    number written into a form's blank): Tesseract reads "/2024/QĐ-UBND" as one word, which is the code's rest."""
    return core[1:] if core.startswith("/") and len(core) > 2 else core


def _without(core: str, strays: list[str]) -> str:
    return core.replace(strays[0], "") if len(strays) == 1 else core


def clean_words(words: list[Word], options: NoiseOptions | None = None) -> tuple[list[Word], int]:
    """The words worth keeping (digit look-alikes fixed) and how many were dropped as noise."""
    lines: dict[tuple[int, int], list[float]] = {}
    for word in words:
        lines.setdefault((word.block, word.line), []).append(word.conf)
    line_conf = {key: float(median(confs)) for key, confs in lines.items()}
    kept = []
    for word in words:
        # First: "CƠ7" is a code once it reads "C07"; a border glued to a word ("|Tiếp") is not part of it.
        word.text = fix_digits(_RULE_EDGE.sub("", word.text.strip("|¦")) or word.text)
        if not is_noise(word, options, line_conf[(word.block, word.line)]):
            kept.append(word)
    return kept, len(words) - len(kept)
