"""Vietnamese text normalisation shared by extraction, indexing and queries.

One module so that a document and a query typed by a person end up in the same form:
NFC, one tone-placement convention, the Icelandic eth fixed, whitespace tidied, and a
folded (diacritic-free, đ→d) twin for accent-insensitive search.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Tone marks in NFD; the other combining marks (circumflex, breve, horn) belong to the letter.
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Open syllables whose tone sits on the first vowel in the traditional convention (hòa, hòe, thủy),
# which Decree 30/2020 documents use ("CỘNG HÒA", "ỦY BAN"). With a final consonant both conventions agree.
_OLD_STYLE_PAIRS = {"oa", "oe", "uy"}

# Eth for Đ, and slash look-alikes that OCR puts inside document numbers ("51/⁄2025/TT-BCA").
_ETH_MAP = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111", "\u2044": "/", "\u2215": "/"})
_FOLD_MAP = str.maketrans({"đ": "d", "Đ": "D"})
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def _split_tone(ch: str) -> tuple[str, str | None]:
    decomposed = unicodedata.normalize("NFD", ch)
    tone = next((c for c in decomposed if c in _TONES), None)
    base = "".join(c for c in decomposed if c not in _TONES)
    return unicodedata.normalize("NFC", base), tone


def _with_tone(ch: str, tone: str | None) -> str:
    if tone is None:
        return ch
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", ch) + tone)


@lru_cache(maxsize=65536)  # Vietnamese has ~7k syllables: the cache makes normalising 5x faster
def _retone_word(word: str) -> str:
    """hoà→hòa, thuỷ→thủy, khoẻ→khỏe; leaves hoàng, quý, thuyết alone."""
    if len(word) < 2:
        return word
    letters = [_split_tone(c) for c in word]
    bases = "".join(b for b, _ in letters).lower()
    if bases[-2:] not in _OLD_STYLE_PAIRS:
        return word
    start = len(word) - 2
    if start > 0 and bases[start - 1] in "aăâeêioôơuưy":
        return word  # three-vowel cluster (e.g. "ngoay" is not Vietnamese): leave it
    if bases[-2:] == "uy" and start > 0 and bases[start - 1] == "q":
        return word  # "qu" is a consonant: quý keeps its tone on y
    (b1, t1), (b2, t2) = letters[start], letters[start + 1]
    if t2 is None or t1 is not None:
        return word
    return word[:start] + _with_tone(b1, t2) + b2


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def normalize_text(text: str) -> str:
    """Canonical form of Vietnamese text: NFC, Đ not Ð, traditional tone placement, tidy spaces."""
    text = nfc(text).translate(_ETH_MAP)
    text = _WORD.sub(lambda m: _retone_word(m.group(0)), text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines)


def fold(text: str) -> str:
    """Lower-case, diacritics removed and đ→d: what a person types without a Vietnamese keyboard."""
    decomposed = unicodedata.normalize("NFD", nfc(text).translate(_ETH_MAP))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.translate(_FOLD_MAP).lower()


def has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()


# --- confusables --------------------------------------------------------------------------------------------------
# Scripts whose letters look like Latin ones in print: a Cyrillic "С" typed into "TT-BTС" reads as Latin C.
_LOOKALIKE_SCRIPTS = ("CYRILLIC", "GREEK")
_TOKEN_RUN = re.compile(r"\S+")


@lru_cache(maxsize=1)
def _confusable_table() -> dict[str, str]:
    """Cyrillic and Greek letters Unicode's confusables.txt (UTS #39) maps to one Latin letter, and full-width
    ASCII; the case of the source letter is kept (confusables.txt maps Greek capital iota to a small "l")."""
    import json
    from importlib import resources

    data = json.loads(resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8"))
    table: dict[str, str] = {}
    for ch, entries in data.items():
        if len(ch) != 1 or not unicodedata.name(ch, "").startswith(_LOOKALIKE_SCRIPTS):
            continue
        for entry in entries:
            target = entry["c"]
            if len(target) == 1 and target.isascii() and target.isalpha():
                if ch.isupper() and not target.isupper():
                    target = "I" if target == "l" else target.upper()
                if ch.islower() and target.isupper():
                    continue  # a small letter that looks like a capital is not a typing slip we can undo safely
                table[ch] = target
                break
    for code in range(0xFF01, 0xFF5F):  # full-width forms of ASCII ("０６／２０２６")
        table[chr(code)] = chr(code - 0xFEE0)
    table["\u3000"] = " "
    return table


@lru_cache(maxsize=1)
def _confusable_regex() -> re.Pattern[str]:
    # One regex scan finds whether any look-alike is present (a set test per character is 5x slower on 11k chars).
    return re.compile("[" + "".join(re.escape(c) for c in sorted(_confusable_table())) + "]")


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN")


def map_confusables(text: str) -> tuple[str, int]:
    """Latin for look-alike letters inside Latin or Vietnamese words, numbers and codes; returns (text, count).

    One character for one, so offsets do not move. A word written wholly in Cyrillic or Greek stays as it is:
    only a token that also holds a Latin letter or a digit (``06/2026/TT-BTС``, ``ВỘ``) is mapped, and full-width
    ASCII everywhere.
    """
    table = _confusable_table()
    if not _confusable_regex().search(text):
        return text, 0
    count = 0
    out: list[str] = []
    pos = 0
    for m in _TOKEN_RUN.finditer(text):
        token = m.group(0)
        hits = [c for c in token if c in table]
        if not hits:
            continue
        foreign = [c for c in hits if not (0xFF01 <= ord(c) <= 0xFF5E)]
        rest = "".join(c for c in token if c not in table)
        if foreign and not any(c.isdigit() or _is_latin(c) for c in rest):
            # Whole word in Cyrillic/Greek: genuine (a name, a formula), unless every letter is also full-width.
            mapped = "".join(table[c] if 0xFF01 <= ord(c) <= 0xFF5E else c for c in token)
        else:
            mapped = "".join(table.get(c, c) for c in token)
        if mapped != token:
            count += sum(a != b for a, b in zip(token, mapped, strict=True))
            out.append(text[pos : m.start()])
            out.append(mapped)
            pos = m.end()
    out.append(text[pos:])
    return "".join(out), count
