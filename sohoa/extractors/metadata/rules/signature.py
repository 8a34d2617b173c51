"""Signing form, signer, recipients."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from sohoa.extractors.metadata.layout import COLUMN_GAP, Hit, Layout, Line, strip_junk, upper_ratio
from sohoa.extractors.metadata.lexicon import Resources, name_key
from sohoa.extractors.metadata.orgs import is_org_head
from sohoa.extractors.metadata.pipeline import Results, Rule
from sohoa.extractors.metadata.rules.header import Header
from sohoa.extractors.metadata.rules.number_date import NumberDate
from sohoa.textnorm import normalize_text

_FORM = re.compile(r"(?<![\w/.])(?P<f>TUQ|TM|KT|TL|Q|T/M|K/T|T/L)\s*\.?\s+(?P<rest>[^\W\d_][^\n]*)")
# The same start without the lookbehind: a cheap test that most lines fail before _FORM runs on them.
_FORM_QUICK = re.compile(r"(?:TUQ|TM|KT|TL|Q|T/M|K/T|T/L)\s*\.?\s")
_RECIPIENTS = re.compile(r"^\W{0,3}n?\s?[o0]i\s*nh[a]n\s*(?::|$|[ \t]{3,})")  # the colon is sometimes left out
_SIGNED = re.compile(r"^\W*\(?\s*(?:da ky|ky,? ghi ro|ky ten|ky va ghi|chu ky|dau)")


@dataclass(frozen=True)
class Signature:
    signing_forms: tuple[Hit, ...]  # the authority lines as printed, top first ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH")
    signer_title: Hit | None
    signer: Hit | None
    recipients: tuple[Hit, ...]  # "Nơi nhận:" items without the leading "- " and the final ";"/"."


class SignatureRule(Rule):
    """Signing form, signer title and name (bottom right), recipients (bottom left, "Nơi nhận:")."""

    name = "signature"
    requires = (Layout, NumberDate, Header)
    assigns = Signature

    def __init__(self, res: Resources) -> None:
        super().__init__(res)
        self._title_rx = self.title_regex()

    def __call__(self, inputs: Results) -> Signature:
        layout, nd, header = inputs[Layout], inputs[NumberDate], inputs[Header]
        # The body starts after the last header element found; the header zone itself may run on in short texts.
        marks = [x for x in (nd.number_line, nd.date_line, header.type_line, header.subject_end_line) if x is not None]
        body_start = max(marks) + 1 if marks else layout.header_end
        forms = self._forms(layout, body_start)
        form_lines = [layout.line_at(f.start) for f in forms]
        recipients_line = self._recipients_line(layout, body_start, form_lines[0] if forms else None)
        rec_hits: list[Hit] = []
        rec_last = None
        if recipients_line is not None:
            rec_hits, rec_last = self._recipients(layout, recipients_line)
        title, two_columns = self._title(layout, form_lines, body_start, recipients_line, rec_last)
        after = layout.line_at(title.start) if title else (form_lines[-1] if forms else None)
        signer = self._signer(layout, after, 12, two_columns=two_columns) if after is not None else None
        if signer is None and after is None and rec_last is not None:
            signer = self._signer(layout, rec_last, 15, strict=True)
        if signer is None and not forms and title is None:
            signer = self._closing_name(layout, body_start)
        return Signature(tuple(forms), title, signer, tuple(rec_hits))

    def _forms(self, layout: Layout, body_start: int) -> list[Hit]:
        block: list[Hit] = []
        for ln in layout.lines[body_start:]:
            if block and ln.index - layout.line_at(block[-1].start) > 2:
                break
            if not _FORM_QUICK.search(ln.text):
                continue
            for m in _FORM.finditer(ln.text):
                rest = COLUMN_GAP.split(m.group("rest"))[0].strip()
                if upper_ratio(rest) < 0.75 or len(re.findall(r"\w", rest)) < 3:
                    continue
                form = self.res.signing_forms.get(m.group("f"), m.group("f") + ".")
                form = f"{form} {normalize_text(rest)}"  # as printed: "KT. CHỦ TỊCH"
                start = ln.start + m.start()
                block.append(Hit("signing_form", start, start + len(m.group(0).split("   ")[0].rstrip()), form, 0.9))
                break
        return block

    def _find_title(self, ln: Line, exact: bool) -> tuple[int, int, str, bool] | None:
        """(start, end, key, after a left-column heading) of a signer title on the line."""
        best: tuple[int, int, str, bool] | None = None
        for m in self._title_rx.finditer(ln.folded):
            original = ln.text[m.start() : m.end()]
            if upper_ratio(original) < 0.9:
                continue
            after = ln.text[m.end() :]
            left_heading = False
            if exact:
                # Alone in its column, or closing the line after a recipient ("- Như trên; BỘ TRƯỞNG").
                if re.match(r"[^\w]*$", after) is None and not COLUMN_GAP.match(after):
                    continue
                before = ln.text[: m.start()]
                if before.strip() and not re.search(r"([;.:]\s*|[ \t]{3,})$", before):
                    # Two signature columns joined by the text layer: "NGƯỜI NỘP HỒ SƠ NGƯỜI TIẾP NHẬN HỒ SƠ".
                    if upper_ratio(before) < 0.9 or len(before.split()) < 2 or before.lstrip().startswith("-"):
                        continue
                    left_heading = True
            if best is None or m.end() - m.start() > best[1] - best[0]:
                best = (m.start(), m.end(), m.group(1), left_heading)
        return best

    def _title(
        self, layout: Layout, form_lines: list[int], body_start: int, rec_line: int | None, rec_last: int | None
    ) -> tuple[Hit | None, bool]:
        """The signer title and whether it closes a left-column heading (two signature columns joined)."""
        if form_lines:
            last = form_lines[-1]
            for ln in layout.lines[last + 1 : last + 5]:
                found = self._find_title(ln, exact=False)
                if found:
                    s, e, key, _ = found
                    return Hit("signer_title", ln.start + s, ln.start + e, self.res.signer_titles[key], 0.9), False
            # "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH": without a title line the authority itself is the title.
            return None, False
        # Beside the recipients in a two-column layout, or right after them in reading order.
        lo = body_start if rec_line is None else max(body_start, rec_line - 6)
        hi = len(layout.lines) if rec_last is None else rec_last + 8
        fallback: tuple[Hit, bool] | None = None
        for ln in layout.lines[lo:hi]:
            found = self._find_title(ln, exact=True)
            if found:
                s, e, key, left_heading = found
                hit = Hit("signer_title", ln.start + s, ln.start + e, self.res.signer_titles[key], 0.7)
                # An authority line such as "CHỦ TỊCH" above "Căn cứ ..." has no name under it; a signature has.
                if self._signer(layout, ln.index, 6, two_columns=left_heading) is not None:
                    return hit, left_heading
                fallback = fallback or ((hit, left_heading) if rec_line is not None else None)
        return fallback if fallback is not None else (None, False)

    def _name_in(self, text: str) -> tuple[int, str, bool] | None:
        """A personal name closing ``text``: (offset, name, whether it is a known surname or follows a rank).

        Read backwards over capitalised words, so a rank ("Đại tá"), a recipient or OCR debris before it stops it.
        """
        tokens = [(m.start(), m.group()) for m in re.finditer(r"\S+", text)]
        while tokens and not re.search(r"[^\W\d_]", tokens[-1][1]):
            tokens.pop()  # trailing punctuation or stamp debris
        name: list[tuple[int, str]] = []
        for start, tok in reversed(tokens):
            tok_end_clean = tok.rstrip(".,;:)") if not name else tok
            lead = re.match(r"[^\w]*", tok_end_clean)
            skip = lead.end() if lead else 0
            clean = tok_end_clean[skip:]
            if not (clean[:1].isupper() and (len(clean) == 1 or clean[1:].islower()) and clean.isalpha()):
                break
            name.insert(0, (start + skip, clean))
            if skip:
                break  # debris glued to the first name word (">%>=Trần")
        if not 2 <= len(name) <= 5:
            return None
        before = text[: name[0][0]].split()
        after_rank = any(name_key(" ".join(before[-n:])) in self.res.rank_keys for n in (1, 2, 3) if len(before) >= n)
        known = name_key(name[0][1]) in self.res.surname_keys or after_rank
        return name[0][0], " ".join(t for _, t in name), known

    def _repair_surname(self, name: str, conf: float) -> tuple[str, float]:
        """ "Định Thanh Hải" -> "Đinh Thanh Hải": OCR moves a tone mark; a surname is spelt one way."""
        first, _, rest = name.partition(" ")
        canonical = self.res.surname_by_key.get(name_key(first))
        if canonical is None or canonical == first or not rest:
            return name, conf
        return f"{canonical} {rest}", min(conf, 0.8)

    def _closing_name(self, layout: Layout, body_start: int) -> Hit | None:
        """A name alone on one of the last lines of the text (before any annex), when OCR lost the title above it
        (a law: "... thông qua ngày ..." then the chairman's name under the seal)."""
        end = len(layout.lines)
        for ln in layout.lines[body_start:]:
            if re.match(r"^\W{0,3}phu luc", ln.folded):
                end = ln.index
                break
        seen = 0
        for ln in reversed(layout.lines[body_start:end]):
            if ln.blank:
                continue
            seen += 1
            if seen > 4:
                break
            text = ln.text.strip()
            found = self._name_in(text)
            if found is None or not found[2] or found[0] != 0 or text.startswith(("-", "+")):
                continue
            start = ln.start + len(ln.text) - len(ln.text.lstrip())
            value, conf = self._repair_surname(normalize_text(found[1]), 0.5)
            return Hit("signer", start, start + len(found[1]), value, conf)
        return None

    def _split_two_names(self, text: str) -> tuple[int, str, bool] | None:
        """The right-hand name of two joined by the text layer ("Ngô Minh Nga Dương Văn Long" -> "Dương Văn Long").

        Both names have 2-4 words; the split that starts the right one with a known surname wins, then one that
        also starts the left one with a surname, then a three-word right name (the most common length).
        """
        tokens = [(m.start(), m.group()) for m in re.finditer(r"\S+", text)]
        if not 4 <= len(tokens) <= 8 or not all(t[:1].isupper() and t.isalpha() for _, t in tokens):
            return None
        best: tuple[float, int] | None = None
        for k in range(2, len(tokens) - 1):
            left, right = tokens[:k], tokens[k:]
            if not (2 <= len(left) <= 4 and 2 <= len(right) <= 4):
                continue
            if name_key(right[0][1]) not in self.res.surname_keys:
                continue
            score = 2.0 + (name_key(left[0][1]) in self.res.surname_keys) + 0.5 * (len(right) == 3)
            if best is None or score > best[0]:
                best = (score, k)
        if best is None:
            return None
        k = best[1]
        return tokens[k][0], " ".join(t for _, t in tokens[k:]), True

    def _signer(
        self, layout: Layout, after_line: int, window: int, strict: bool = False, two_columns: bool = False
    ) -> Hit | None:
        seen = 0
        for ln in layout.lines[after_line + 1 :]:
            if ln.blank or _SIGNED.match(ln.folded):
                continue
            seen += 1  # count printed lines only: OCR puts blank lines between recipients
            if seen > window:
                break
            if re.match(r"^\W{0,3}phu luc", ln.folded):
                break
            segs = ln.segments()
            last_start, last = segs[-1]
            whole_line = len(segs) == 1 and not last.startswith(("-", "+", "•"))
            found = self._split_two_names(last) if two_columns and len(segs) == 1 else None
            found = found or self._name_in(last)
            if found is None:
                continue
            off, name, known = found
            if not known and (strict or not whole_line):
                continue
            start = last_start + off
            value, conf = self._repair_surname(normalize_text(name), 0.9 if known else 0.6)
            return Hit("signer", start, start + len(name), value, conf)
        return None

    def _recipients_line(self, layout: Layout, body_start: int, form_line: int | None) -> int | None:
        candidates = [ln.index for ln in layout.lines[body_start:] if _RECIPIENTS.match(ln.folded.lstrip())]
        if not candidates:
            return None
        if form_line is not None:
            return min(candidates, key=lambda i: abs(i - form_line))
        return candidates[0]

    def _recipients(self, layout: Layout, line_index: int) -> tuple[list[Hit], int]:
        hits: list[Hit] = []
        misses = 0
        last_line = line_index
        open_item = False  # the last item runs on: its text has no closing ";" or "." yet
        for ln in layout.lines[line_index + 1 : line_index + 45]:
            if ln.blank:
                continue
            if re.match(r"^\W{0,3}phu luc", ln.folded):
                break
            if _FORM_QUICK.search(ln.text) and _FORM.search(ln.text) and not ln.text.lstrip().startswith("-"):
                if self._items_ahead(layout, ln.index):
                    continue  # the signature column, interleaved with the list by the text layer
                break
            segs = ln.segments()
            seg_start, seg = segs[0]
            if seg_start - ln.start > 25:
                continue  # only the right column (signature) on this line
            m = re.match(r"^[-–•+*]\s*(.+)$", seg)
            if m is None and self._signature_piece(ln) and self._items_ahead(layout, ln.index):
                continue  # "PHÓ CHỦ TỊCH", "(Đã ký)" or the signer's name between two items
            if m is None:
                if open_item and seg[:1].islower():
                    item_text = re.split(r"(?<=[;.])\s", seg)[0]
                    value = normalize_text(f"{hits[-1].value} {item_text}").rstrip(";.")
                    hits[-1] = replace(hits[-1], value=value, end=seg_start + len(item_text))
                    open_item = not item_text.endswith((";", "."))
                    last_line = ln.index
                    continue
                misses += 1
                if misses >= 2 or hits:
                    break
                continue
            item_start = seg_start + m.start(1)
            raw = m.group(1)
            cut = re.search(r"[;.](?=\s|$)", raw)
            item = raw[: cut.start()] if cut else raw
            s, item = strip_junk(item, item_start)
            if not item:
                continue
            hit = Hit("recipients", s, s + len(item), normalize_text(item), 0.85)
            hits.append(hit)
            open_item = not cut
            last_line = ln.index
            misses = 0
            if re.match(r"luu\b", name_key(item)):
                break  # "Lưu: VT, ..." closes the list (Decree 30 Annex I)
        return hits, last_line

    def _items_ahead(self, layout: Layout, index: int, lines: int = 3) -> bool:
        """Whether a recipient item ("- ...") follows within the next few printed lines."""
        seen = 0
        for ln in layout.lines[index + 1 :]:
            if ln.blank:
                continue
            seen += 1
            if seen > lines:
                return False
            segs = ln.segments()
            if segs and segs[0][0] - ln.start <= 25 and re.match(r"^[-–•+*]\s*\S", segs[0][1]):
                return True
        return False

    def _signature_piece(self, ln: Line) -> bool:
        text = ln.text.strip()
        if _SIGNED.match(ln.folded):
            return True
        k = name_key(text)
        if upper_ratio(text) >= 0.75 and (self._title_rx.match(k) or _FORM.match(text) or is_org_head(self.res, k)):
            return True
        found = self._name_in(text)
        return found is not None and found[0] == 0 and found[2]
