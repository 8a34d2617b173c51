"""An edit of the metadata input, and applying edits with the offsets kept (each new character maps back)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sohoa.extractors.codes import Aligned


@dataclass(frozen=True)
class Edit:
    start: int  # offsets into the text the repair read
    end: int
    replacement: str


@dataclass
class Edits:
    """The replacements one repair wants, and how many things it repaired (for the record)."""

    edits: list[Edit] = field(default_factory=list)
    count: int = 0


def apply(aligned: Aligned, edits: list[Edit]) -> Aligned:
    """The aligned text with the edits made; each new character maps back to what it replaced."""
    if not edits:
        return aligned
    text = aligned.text
    n = len(text)
    starts = aligned.starts if aligned.starts is not None else list(range(n))
    ends = aligned.ends if aligned.ends is not None else list(range(1, n + 1))
    new_text: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    pos = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        if e.start < pos:
            continue  # overlapping edits: the first wins
        new_text.append(text[pos : e.start])
        new_starts.extend(starts[pos : e.start])
        new_ends.extend(ends[pos : e.start])
        if e.end > e.start:
            s, t = starts[e.start], ends[e.end - 1]
        else:  # an insertion sits where the next character starts
            s = t = starts[e.start] if e.start < n else (ends[-1] if n else 0)
        new_text.append(e.replacement)
        new_starts.extend([s] * len(e.replacement))
        new_ends.extend([t] * len(e.replacement))
        pos = e.end
    new_text.append(text[pos:])
    new_starts.extend(starts[pos:])
    new_ends.extend(ends[pos:])
    return Aligned("".join(new_text), new_starts, new_ends)


@dataclass(frozen=True)
class RawLine:
    start: int
    end: int
    text: str
    folded: str  # same length: no diacritics, đ -> d, lower case


def header_lines(text: str, max_lines: int = 40) -> list[RawLine]:
    """Lines of the header zone of page 1 (before the first body opening such as "Căn cứ" or "Điều 1")."""
    from sohoa.extractors.codes import fold_same_length
    from sohoa.extractors.metadata.layout import BODY_MARKER

    page1 = text.find("\f")
    head = text[: page1 if page1 >= 0 else len(text)]
    out: list[RawLine] = []
    pos = 0
    for i, raw in enumerate(head.split("\n", max_lines)):
        if i >= max_lines:
            break
        folded = fold_same_length(raw)
        if i > 0 and BODY_MARKER.match(folded.strip()):
            break
        out.append(RawLine(pos, pos + len(raw), raw, folded))
        pos += len(raw) + 1
    return out
