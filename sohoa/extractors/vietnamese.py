"""Is a token a well-formed Vietnamese syllable? A language-aware signal for OCR quality and mojibake detection.

A syllable is (initial)(rhyme) with one tone; checked on the tone-less base. Stop finals (c, ch, p, t) admit only
the sắc and nặng tones, which catches a class of OCR errors ("hàt"). Loan words and abbreviations fail the
check, so callers treat short upper-case tokens without diacritics as neutral (UBND, TTHC, KSTT).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from sohoa.textnorm import fold

_TONE_MARKS = {"\u0300": "huyen", "\u0301": "sac", "\u0303": "nga", "\u0309": "hoi", "\u0323": "nang"}
_INITIALS = (
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)  # fmt: skip
_RHYMES = frozenset(
    """
    a ai ao au ay ac ach am an ang anh ap at
    ăc ăm ăn ăng ăp ăt
    âc âm ân âng âp ât âu ây
    e eo ec em en eng ep et
    ê êch êm ên ênh êp êt êu
    i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
    o oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăt oc oe oen oeo oet oi om on ong
    op ot ooc oong
    ô ôc ôi ôm ôn ông ôp ôt
    ơ ơi ơm ơn ơp ơt
    u ua uân uâng uât uây uc uê uêch uênh ui um un ung up ut uy uya uych uyên uyêt uynh uyt uyu uôc uôi uôm
    uôn uông uôt uơ
    ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu
    y yêm yên yêng yêt yêu
    """.split()
)
# After "qu" the medial u is spelt by the initial: quân = qu + ân, quyết = qu + yêt.
_QU_RHYMES = frozenset({"a", "ai", "an", "ang", "anh", "ao", "ap", "at", "ay", "ăc", "ăm", "ăn", "ăng", "ăt", "ân",
                        "âng", "ât", "ây", "e", "en", "eo", "et", "ê", "ênh", "êt", "y", "ych", "ynh", "yt", "yêt",
                        "yên", "yêu", "i", "ơ", "ôc", "ơn"})  # fmt: skip
_STOP_FINALS = ("c", "ch", "p", "t")
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)


def _split(token: str) -> tuple[str, str | None]:
    decomposed = unicodedata.normalize("NFD", token.lower())
    tones = [_TONE_MARKS[c] for c in decomposed if c in _TONE_MARKS]
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    if len(tones) > 1:
        return base, "many"
    return base, tones[0] if tones else None


@lru_cache(maxsize=65536)
def is_syllable(token: str) -> bool:
    base, tone = _split(token)
    if tone == "many" or not base:
        return False
    return _well_formed(base, tone)


def is_syllable_shape(token: str) -> bool:
    """Initial and rhyme well formed, whatever the marks: for OCR output whose tone or vowel marks may be wrong."""
    base = fold(token)
    return bool(base) and _well_formed(base, "any", _RHYMES_BARE, _QU_RHYMES_BARE)


_RHYMES_BARE, _QU_RHYMES_BARE = frozenset(map(fold, _RHYMES)), frozenset(map(fold, _QU_RHYMES))


def _well_formed(
    base: str, tone: str | None, rhymes: frozenset[str] = _RHYMES, qu_rhymes: frozenset[str] = _QU_RHYMES
) -> bool:
    for initial in _INITIALS:
        if not base.startswith(initial):
            continue
        rhyme = base[len(initial) :]
        if initial == "qu":
            ok = rhyme in qu_rhymes
        elif initial == "gi":
            ok = rhyme == "" or rhyme in rhymes or ("i" + rhyme) in rhymes
        else:
            ok = rhyme in rhymes
        if ok and (not rhyme.endswith(_STOP_FINALS) or tone in ("sac", "nang", "any")):
            return True
    return False


def _neutral(token: str) -> bool:
    """Abbreviations and codes: short, upper case, no Vietnamese letter beyond ASCII (UBND, TTHC, VPCP)."""
    return token.isupper() and len(token) <= 6 and token.isascii()


@dataclass(frozen=True)
class SyllableStats:
    tokens: int  # tokens judged (neutral ones excluded)
    valid: int

    @property
    def valid_share(self) -> float | None:
        return self.valid / self.tokens if self.tokens else None


def syllable_stats(text: str) -> SyllableStats:
    judged = valid = 0
    for m in _TOKEN.finditer(text):
        token = m.group(0)
        if _neutral(token):
            continue
        judged += 1
        valid += is_syllable(token)
    return SyllableStats(judged, valid)
