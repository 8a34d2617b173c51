"""Canonical names of organisations: listed bodies, local bodies with their place, running-text case."""

from __future__ import annotations

import re

from sohoa.extractors.metadata.lexicon import Resources, closest, name_key
from sohoa.extractors.vietnamese import is_syllable
from sohoa.textnorm import normalize_text


def is_org_head(res: Resources, key: str) -> bool:
    """Whether a key starts with the head word group of an organisation ("uy ban nhan dan ...", "bo ...")."""
    return any(key == h or key.startswith(h + " ") for h in res.org_heads)


def canonical_org(res: Resources, text: str) -> tuple[str, float, bool]:
    """Canonical name of an organisation as printed, a confidence, and whether it was recognised.

    "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN" -> "Ủy ban nhân dân tỉnh Nghệ An"; "CỤC CẢÁNH SÁT PCCC VÀ CNCH" (OCR) -> the
    listed "Cục Cảnh sát PCCC và CNCH"; an unknown body is put in running-text case.
    """
    found: tuple[str, float, bool] | None = res.memo.get(("org", text))
    if found is None:
        found = _canonical_org(res, text)
        res.remember(("org", text), found)
    return found


def _canonical_org(res: Resources, text: str) -> tuple[str, float, bool]:
    k = name_key(text)
    if k in res.issuer_by_key:
        return res.issuer_by_key[k], 0.95, True
    local = _local_body(res, text)
    if local is not None and " " in local.replace("Ủy ban nhân dân", "").strip():
        return local, 0.9, True
    words = text.split()
    for listed_key, canonical in res.issuer_keys_longest:
        n = len(listed_key.split())
        if n < len(words) and name_key(" ".join(words[:n])) == listed_key:
            # A listed body followed by its place: "SỞ TƯ PHÁP TỈNH NGHỆ AN".
            with_place = _local_body(res, f"Ủy ban nhân dân {' '.join(words[n:])}")
            if with_place is not None and with_place != "Ủy ban nhân dân":
                return canonical + with_place[len("Ủy ban nhân dân") :], 0.85, True
    best = closest(k, res.issuer_by_key.items(), 0.85)
    if best is not None:
        return best, 0.8, True
    return _sentence_case(res, _unglued(text)), 0.6, False


def strip_title(res: Resources, text: str) -> str:
    """ "Bộ trưởng Bộ Công an" -> "Bộ Công an", "Chánh Văn phòng UBND tỉnh X" -> "Văn phòng UBND tỉnh X"."""
    words = text.split()
    for title in res.citation_title_keys:
        n = len(title.split())
        if len(words) > n and name_key(" ".join(words[:n])) == title:
            return " ".join(words[n:])
    return text


def _local_body(res: Resources, text: str) -> str | None:
    """ "Ủy ban nhân dân tỉnh Lai Châu" from "UBND TỈNH LAI CHÂU ..." or "Ủy ban nhân dân thành phố Cần Thơ về ..."."""
    found = local_body_span(res, text)
    return found[0] if found is not None else None


def local_body_span(res: Resources, text: str) -> tuple[str, int] | None:
    """:func:`_local_body` and the length of ``text`` it read (to the end of the last word used)."""
    matches = list(re.finditer(r"\S+", text))
    words = [m.group(0) for m in matches]
    keys = [name_key(w) for w in words]
    for prefix_key, body in res.local_bodies:
        n = len(prefix_key.split())
        if " ".join(k for k in keys[:n] if k) != prefix_key:
            continue
        rest_words, rest_keys = words[n:], keys[n:]
        used = n
        level = None
        for lk, canonical_level in res.admin_levels:
            n_level = len(lk.split())
            if " ".join(rest_keys[:n_level]) == lk:
                level, rest_words, rest_keys = canonical_level, rest_words[n_level:], rest_keys[n_level:]
                used += n_level
                break
        if level is None:
            return (body, matches[n - 1].end()) if not rest_words and n else None
        place_words: list[str] = []
        for w in rest_words:
            clean = w.strip(",.;:()")
            if not clean or not clean[0].isupper() or len(place_words) >= 5:
                break
            place_words.append(clean)
            if clean != w:
                break
        if not place_words:
            return f"{body} {level}", matches[used - 1].end()
        last = matches[used + len(place_words) - 1]
        end = last.start() + last.group(0).find(place_words[-1]) + len(place_words[-1])
        place = res.province(" ".join(place_words)) or " ".join(p.capitalize() for p in place_words)
        return f"{body} {level} {place}", end
    return None


def _unglued(text: str) -> str:
    """Words OCR glued together ("XUẤT NHẬPCẢNH": a space lost on a scan) split where the word is no Vietnamese
    syllable and one cut alone gives two syllables of two letters or more; abbreviations (no mark: "PCCC") and
    syllables are left alone, and so is one word with a letter too many ("QUÁẢN": a vowel read twice, not
    "QUÁ ẢN")."""
    out = []
    for w in text.split():
        if len(w) >= 4 and not w.isascii() and w.isalpha() and not is_syllable(w):
            if any(is_syllable(w[:i] + w[i + 1 :]) for i in range(len(w))):
                out.append(w)
                continue
            cuts = [i for i in range(2, len(w) - 1) if is_syllable(w[:i]) and is_syllable(w[i:])]
            if len(cuts) == 1:
                w = f"{w[: cuts[0]]} {w[cuts[0] :]}"
        out.append(w)
    return " ".join(out)


def _sentence_case(res: Resources, text: str) -> str:
    """ "CỤC QUẢN LÝ XUẤT NHẬP CẢNH" -> "Cục quản lý xuất nhập cảnh"; acronyms and place names keep capitals."""
    out: list[str] = []
    after_level = False
    for i, w in enumerate(text.split()):
        k = name_key(w)
        if w in res.acronyms or (w.isupper() and not re.search(r"[aeiouy]", k)) or any(c.isdigit() for c in w):
            out.append(w)
        elif i == 0 or after_level:
            out.append(w.capitalize())
        else:
            out.append(w.lower())
        # A level word as printed ("QUẬN"), or without any mark (a text that lost them all); "QUẢN" (of "quản lý")
        # folds like "quận" but is not a level, and what follows it is no place name.
        if any(k == lk and (w.lower() == level or w.lower() == k) for lk, level in res.admin_levels):
            after_level = True
    return normalize_text(" ".join(out))
