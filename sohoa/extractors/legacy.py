"""Legacy Vietnamese encodings (TCVN3/ABC, VNI, VPS): detect them in text that reached Unicode as mojibake, and
convert it back. One converter for every input path: PDF text layers, Word/OpenDocument runs, HTML, plain text.

Text typed with a `.VnTime` (TCVN3), `VNI-Times` (VNI) or VPS font was stored as 8-bit codes that Unicode readers
show as Latin-1 look-alikes ("QuyÕt ®Þnh", "Quyeát ñònh"). The tables live in `data/legacy/*.json` keyed by byte
(hex), so a byte string and its Latin-1 (or, for VPS, Windows-1252) rendering decode the same way.

Detection is by outcome, not by a list of odd characters: each encoding that has evidence in the text (codes that are
not Vietnamese letters) is applied, and the one whose converted lines have clearly the most well-formed Vietnamese
syllables (`vietnamese.is_syllable`) wins. Lines that already hold Unicode-only Vietnamese letters, or that would read
worse converted, are left alone, so a document mixing Unicode and legacy paragraphs converts only the legacy ones.

TCVN3 (ABC) has no upper-case toned vowels: "QUYẾT ĐỊNH" was typed with lower-case codes ("QUYÕT ®ÞNH") or in an
upper-case-only `.VnTimeH` font. Case is restored where the rest of a word or line is upper case; the conversion is
then marked `lossy` (case inferred, not read).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

from sohoa.extractors.vietnamese import is_syllable, syllable_stats

ENCODINGS = ("tcvn3", "vni", "vps")
UNICODE = "unicode"

# Converted text must read at least this well, beat the text as given by this much, and beat the runner-up encoding
# by this much; otherwise the detection is ambiguous and the text goes to review (or OCR) rather than the index.
MIN_VALID_SHARE = 0.75
MIN_GAIN = 0.15
MIN_MARGIN = 0.10
MIN_EVIDENCE = 3  # legacy codes needed before an encoding is tried at all
MIN_TOKENS = 5  # fewer judged syllables than this: too little text to decide

_TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")


def _vietnamese_letters() -> frozenset[str]:
    letters = {"đ", "Đ"}
    for base in "aăâeêioôơuưy":
        for tone in _TONES:
            ch = unicodedata.normalize("NFC", unicodedata.normalize("NFD", base) + tone)
            letters.update((ch, ch.upper()))
    return frozenset(letters)


VIETNAMESE_LETTERS = _vietnamese_letters()
# Letters beyond Latin-1: a legacy font can never produce them, so a line holding one is already Unicode.
_UNICODE_ONLY = frozenset(c for c in VIETNAMESE_LETTERS if ord(c) > 0xFF)
_TOKEN = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class LegacyTable:
    name: str
    label: str
    font_prefixes: tuple[str, ...]
    lossy_case: bool
    decode_map: dict[str, str]  # mojibake sequence as Unicode text shows it → Unicode letter
    encode_map: dict[str, str]  # Unicode letter → mojibake sequence (Latin-1 view, one char per byte)
    evidence: frozenset[str]  # source sequences that are not Vietnamese text themselves
    pattern: re.Pattern[str]
    source_chars: frozenset[str]
    contextual: frozenset[str] = frozenset()  # punctuation that is a letter only inside a word of the same case


# Text normalised before it reaches the converter (textnorm maps the eth Ð to Đ) turns TCVN3 é (byte 0xD0, shown as
# "Ð") into "Đ"; TCVN3 text never holds a real U+0110 (its Đ is 0xA7, "§"), so reading it back as é is safe.
_ALIASES: dict[str, dict[str, str]] = {"tcvn3": {"\u0110": "é"}}


def _views(byte: int, cp1252: bool) -> list[str]:
    """How one legacy byte shows up in Unicode text: Latin-1 always; Windows-1252 punctuation for 0x80-0x9F too when
    the encoding puts letters there (Word and PDF fonts map those bytes through Windows-1252)."""
    views = [chr(byte)]
    if cp1252 and 0x80 <= byte <= 0x9F:
        try:
            views.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            pass  # 0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined in Windows-1252
    return views


@cache
def table(name: str) -> LegacyTable:
    if name not in ENCODINGS:
        raise ValueError(f"unknown legacy encoding {name!r} (known: {', '.join(ENCODINGS)})")
    raw = json.loads(
        resources.files("sohoa.extractors").joinpath("data", "legacy", f"{name}.json").read_text(encoding="utf-8")
    )
    cp1252 = bool(raw["cp1252_view"])
    decode: dict[str, str] = {}
    encode: dict[str, str] = {}
    for section in ("bytes", "read_only_bytes"):
        for hexcode, letter in raw[section].items():
            codes = bytes.fromhex(hexcode)
            if section == "bytes":
                encode.setdefault(letter, codes.decode("latin-1"))
            keys = [""]
            for b in codes:
                keys = [k + v for k in keys for v in _views(b, cp1252)]
            for key in keys:
                if key != letter:
                    decode.setdefault(key, letter)
    for alias, letter in _ALIASES.get(name, {}).items():
        decode.setdefault(alias, letter)
    # Codes that are not Vietnamese text themselves ("µ", "eä"); a code that is a Vietnamese letter (TCVN3 "Õ" = ế,
    # VNI "oà" = ồ) proves nothing on its own.
    evidence = frozenset(k for k in decode if any(not (c in VIETNAMESE_LETTERS or c.isascii()) for c in k))
    # Windows-1252 punctuation standing for a letter (VPS “ = Ề, ” = Ể, – = Ố) is read as one only right after a
    # letter of the same case ("TH”" is THỂ): quotes and dashes next to spaces or closing a word ("Điều”") stay.
    contextual = sorted(k for k in decode if len(k) == 1 and 0x100 <= ord(k) and unicodedata.category(k)[0] in "PSZ")
    keys_by_length = sorted((k for k in decode if k not in contextual), key=len, reverse=True)
    alternatives = [re.escape(k) for k in keys_by_length]
    if contextual:
        alternatives.insert(0, "(?<=[^\\W\\d_])[" + "".join(re.escape(k) for k in contextual) + "]")
    return LegacyTable(
        name=name,
        label=raw["label"],
        font_prefixes=tuple(raw["font_prefixes"]),
        lossy_case=bool(raw["lossy_case"]),
        decode_map=decode,
        encode_map=encode,
        evidence=evidence,
        pattern=re.compile("|".join(alternatives)),
        source_chars=frozenset(c for k in decode for c in k),
        contextual=frozenset(contextual),
    )


def encoding_for_font(font: str | None) -> tuple[str | None, bool]:
    """(legacy encoding, upper-case-only font?) from a font name: ".VnTimeH" → ("tcvn3", True), "VNI-Times" → vni."""
    if not font:
        return None, False
    name = font.strip().lower().split("+")[-1]  # PDF subset fonts: "ABCDEF+.VnTime"
    for enc in ENCODINGS:
        if name.startswith(table(enc).font_prefixes):
            # TCVN3 capital fonts: .VnTimeH, .VnArialH, .VnCentury SchoolbookH (name ends in H, bold/italic aside)
            base = re.sub(r"[\s,-]*(bold|italic|oblique|regular)+$", "", name)
            return enc, enc == "tcvn3" and base.endswith("h")
    return None, False


# --- conversion -----------------------------------------------------------------------------------------------


@dataclass
class Decoded:
    text: str
    changed_lines: int = 0
    case_repairs: int = 0  # words or lines whose case was inferred (TCVN3 capitals)
    before: list[str] = field(default_factory=list)  # the lines that changed, as given
    after: list[str] = field(default_factory=list)  # and converted


_NEUTRAL = re.compile(r"[A-ZĐ]{2,6}")  # abbreviations and codes: UBND, QĐ, TTHC


def _judge(text: str, singles: bool = False) -> tuple[int, int]:
    """(words judged, well-formed Vietnamese syllables among them).

    Single letters and short capitals (QĐ, UBND) are not judged: a legacy code alone between digits ("19°45" in VPS
    reads "19ổ45") proves nothing. A word with a letter Vietnamese does not use (ñ, ä, Þ) is not Vietnamese, even
    when the syllable check would read its diacritic as a tone.
    """
    judged = valid = 0
    for token in _TOKEN.findall(text):
        if (len(token) < 2 and not singles) or _NEUTRAL.fullmatch(token):
            continue
        judged += 1
        valid += all(c.isascii() or c in VIETNAMESE_LETTERS for c in token) and is_syllable(token)
    return judged, valid


@lru_cache(maxsize=8192)  # the same original line is judged once per candidate encoding
def _line_score(text: str) -> int:
    """Well-formed syllables minus other words, single letters included (VNI "oá" is the one-letter word "ố")."""
    judged, valid = _judge(text, singles=True)
    return 2 * valid - judged


def _as_written(line: str, t: LegacyTable) -> str:
    """The line with its non-letter legacy codes as a placeholder letter: in legacy text they are letters, so
    "ñi\x8au" is one (invalid) word, not the valid fragments "ñi" and "u"."""
    return "".join("x" if c in t.source_chars and not c.isalpha() and not c.isspace() else c for c in line)


def _is_unicode_line(line: str, t: LegacyTable) -> bool:
    return any(c in _UNICODE_ONLY and c not in t.source_chars for c in line)


def _decode_line(line: str, t: LegacyTable) -> str:
    def letter(m: re.Match[str]) -> str:
        key, target = m.group(0), t.decode_map[m.group(0)]
        if key in t.contextual:
            before = line[m.start() - 1]
            if before.isupper() != target.isupper():
                return key
        return target

    return t.pattern.sub(letter, line)


# Letters a lossy-case encoding writes with its lower-case code even in capitals: any non-ASCII Vietnamese letter.
_LOWER_CODED = frozenset(c for c in VIETNAMESE_LETTERS if c.islower() and not c.isascii())


def _token_repairable(token: str) -> bool:
    """Lower-case letters all toned vowels or đ, and some capital after the first letter: "QUYếT", "ĐịNH", "PHáP"."""
    lowers = [c for c in token if c.islower()]
    return bool(lowers) and all(c in _LOWER_CODED for c in lowers) and any(c.isupper() for c in token[1:])


def _repair_line_case(line: str) -> tuple[str, int]:
    tokens = _TOKEN.findall(line)
    if not any(c.islower() and c in _LOWER_CODED for c in line):
        return line, 0
    # A line whose words are all capitals or lower-case-coded capitals, one of them visibly so ("Bộ TƯ PHáP"), is a
    # capitals line; "Số: 12/QĐ-UBND" is not (no word shows capitals written with lower-case codes).
    line_ok = any(_token_repairable(tok) for tok in tokens) and all(
        not any(c.islower() for c in tok) or all(c in _LOWER_CODED for c in tok if c.islower()) for tok in tokens
    )
    if line_ok:
        return line.upper(), 1
    repairs = 0

    def fix(m: re.Match[str]) -> str:
        nonlocal repairs
        tok = m.group(0)
        if _token_repairable(tok):
            repairs += 1
            return tok.upper()
        return tok

    return _TOKEN.sub(fix, line), repairs


def repair_case(text: str) -> tuple[str, int]:
    """Restore capitals TCVN3 wrote with lower-case codes ("QUYếT ĐịNH" → "QUYẾT ĐỊNH"); (text, repairs made)."""
    lines, total = [], 0
    for line in _split_lines(text):
        fixed, n = _repair_line_case(line)
        lines.append(fixed)
        total += n
    return "".join(lines), total


def _split_lines(text: str) -> list[str]:
    """Lines with their "\n". Not str.splitlines: it also breaks at \x1c-\x1e and \x85, which are letters in VPS
    and TCVN 5712 VN1."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def to_unicode(
    text: str, encoding: str, *, guard: bool = True, compare: bool = True, upper: bool = False, case: bool = True
) -> Decoded:
    """Convert legacy-encoded text (bytes shown as Latin-1/Windows-1252) to NFC Unicode.

    `guard`: lines that already hold Unicode-only Vietnamese letters stay as they are; `compare`: so do lines whose
    syllables read worse converted (off for fragments such as Word runs, where a font name says the encoding).
    `upper`: text drawn in an upper-case-only font (.VnTimeH) is upper-cased. `case`: restore TCVN3 capitals.
    """
    t = table(encoding)
    out: list[str] = []
    result = Decoded("")
    for line in _split_lines(text):
        if not any(c in t.source_chars for c in line) or (guard and _is_unicode_line(line, t)):
            out.append(line)
            continue
        converted = unicodedata.normalize("NFC", _decode_line(line, t))
        # Reads worse converted: this line was Unicode already.
        if compare and converted != line and _line_score(converted) < _line_score(_as_written(line, t)):
            out.append(line)
            continue
        if converted != line:
            result.changed_lines += 1
            result.before.append(line)
            result.after.append(converted)
            if upper:
                converted = converted.upper()
            elif t.lossy_case and case:
                converted, repairs = repair_case(converted)
                result.case_repairs += repairs
        out.append(converted)
    result.text = "".join(out)
    return result


def from_unicode(text: str, encoding: str) -> str:
    """The legacy encoding's codes for `text`, one character per byte (Latin-1 view): what a Unicode reader would show.

    For tests and measurements. Capitals the encoding lacks are written with the lower-case code, as typists did.
    """
    t = table(encoding)
    out = []
    for ch in unicodedata.normalize("NFC", text):
        code = t.encode_map.get(ch)
        if code is None and ch.isupper():
            code = t.encode_map.get(ch.lower())
        out.append(code if code is not None else ch)
    return "".join(out)


def encode_bytes(text: str, encoding: str) -> bytes:
    """`text` as a legacy-encoded byte string (characters outside the encoding become '?')."""
    return from_unicode(text, encoding).encode("latin-1", errors="replace")


def decode_bytes(data: bytes, encoding: str) -> Decoded:
    """A legacy-encoded byte string to Unicode."""
    return to_unicode(data.decode("latin-1"), encoding, guard=False, compare=False)


# --- detection ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    encoding: str
    evidence: int
    valid_share: float


@dataclass(frozen=True)
class Detection:
    """What the text is. `encoding` is "unicode" when no legacy encoding explains it better."""

    encoding: str
    score: float  # valid-syllable share gained by the conversion (0 for unicode)
    valid_share_before: float  # on the lines the conversion changes (the whole text for unicode)
    valid_share_after: float
    evidence: int
    ambiguous: bool
    reason: str
    candidates: tuple[Candidate, ...] = ()


@dataclass
class LegacyResult:
    """Text after detection: converted when the mapping is unambiguous, as given otherwise."""

    text: str
    detection: Detection
    converted: bool = False
    lossy: bool = False  # capitals the encoding cannot write were inferred from context
    ambiguous: bool = False  # legacy codes found but no conversion reads as Vietnamese: needs review or OCR
    flags: list[str] = field(default_factory=list)

    @property
    def encoding(self) -> str:
        return self.detection.encoding


def evidence_count(text: str, encoding: str) -> int:
    t = table(encoding)
    return sum(1 for m in t.pattern.finditer(text) if m.group(0) in t.evidence)


def _detect(text: str) -> tuple[Detection, Decoded | None]:
    """Judge each encoding on the lines it converts: the share of well-formed syllables there before and after.

    Judging on the touched lines only keeps a few legacy paragraphs in a Unicode document from being diluted, and
    separates encodings that both "improve" a line a little from the one that makes it read as Vietnamese.
    """
    whole = syllable_stats(text).valid_share or 0.0
    tried: list[tuple[Candidate, float, int, Decoded]] = []
    for enc in ENCODINGS:
        evidence = evidence_count(text, enc)
        if evidence < MIN_EVIDENCE:
            continue
        decoded = to_unicode(text, enc, case=False)  # capitals are restored for the winner only
        if not decoded.changed_lines:
            continue
        before_judged, before_valid = _judge("\n".join(decoded.before))
        judged, valid = _judge("\n".join(decoded.after))
        if judged == 0:
            continue  # codes only next to digits or alone: nothing to read
        after = valid / judged
        before = before_valid / before_judged if before_judged else 0.0
        tried.append((Candidate(enc, evidence, round(after, 4)), before, judged, decoded))
    if not tried:
        return Detection(UNICODE, 0.0, whole, whole, 0, False, "no legacy-encoding codes"), None
    tried.sort(key=lambda cd: cd[0].valid_share, reverse=True)
    best, before, judged, decoded = tried[0]
    candidates = tuple(c for c, *_ in tried)
    gain = best.valid_share - before
    runner_up = tried[1][0].valid_share if len(tried) > 1 else before
    label = table(best.encoding).label
    lines = f"{decoded.changed_lines} line{'s' if decoded.changed_lines > 1 else ''}"
    shares = f"{before:.0%} → {best.valid_share:.0%} valid syllables on {lines}"
    if gain < 0.05:
        reason = f"legacy codes ({best.evidence}) but no conversion reads better ({shares})"
        return Detection(UNICODE, 0.0, whole, whole, best.evidence, False, reason, candidates), None
    confident = (
        best.valid_share >= MIN_VALID_SHARE
        and gain >= MIN_GAIN
        and best.valid_share - runner_up >= MIN_MARGIN
        and judged >= MIN_TOKENS
    )
    if confident:
        reason = f"{label}: {shares} ({best.evidence} legacy codes)"
    else:
        reason = f"{label}? not unambiguous: {shares}, runner-up {runner_up:.0%}, {judged} words"
    return (
        Detection(best.encoding, round(gain, 4), before, best.valid_share, best.evidence, not confident, reason,
                  candidates),
        decoded,
    )  # fmt: skip


def repair(text: str) -> LegacyResult:
    """Detect a legacy encoding in `text` and convert it when the mapping is unambiguous.

    Ambiguous text is returned as given with `ambiguous` set: the caller flags it for review or OCRs the page.
    """
    detection, decoded = _detect(text)
    if detection.encoding == UNICODE or decoded is None:
        return LegacyResult(text, detection)
    if detection.ambiguous:
        return LegacyResult(text, detection, ambiguous=True, flags=[f"legacy_{detection.encoding}_ambiguous"])
    flags = [f"legacy_{detection.encoding}"]
    if table(detection.encoding).lossy_case:
        decoded = to_unicode(text, detection.encoding)
    lossy = decoded.case_repairs > 0
    if lossy:
        flags.append("legacy_case_inferred")
    return LegacyResult(decoded.text, detection, converted=True, lossy=lossy, flags=flags)
