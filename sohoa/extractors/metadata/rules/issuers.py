"""Issuers as a hierarchy: the issuing body, the body above it, and the bodies of a joint document.

The header's groups of upper-case lines (``Header.issuer_groups``) are split into bodies where a known body is
followed by another body's head word ("BỘ TÀI CHÍNH TỔNG CỤC THUẾ", joined on one line by a text layer, is the
Tổng cục Thuế under the Bộ Tài chính, not one name). Two or more top-level bodies in a row (ministries, the
Government, the Supreme Court ...) cannot be parent and child: they issue the document together, as does a symbol
with several agency groups ("TTLT-BTP-BCA-BQP-BTC-TANDTC-VKSNDTC"). Otherwise the last body is the issuer and
the one before it its superior. The symbol's authority (``QĐ-TTg`` under "CHÍNH PHỦ") is settled by the assembler.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sohoa.extractors.codes import parse_document_number
from sohoa.extractors.metadata.layout import Hit, Layout
from sohoa.extractors.metadata.lexicon import name_key
from sohoa.extractors.metadata.orgs import canonical_org, is_org_head, local_body_span
from sohoa.extractors.metadata.pipeline import Results, Rule
from sohoa.extractors.metadata.rules.header import Header
from sohoa.extractors.metadata.rules.number_date import NumberDate

_SEPARATORS = " \t-–—/,;"
_LEVEL_PLACE = re.compile(r"\b(tỉnh|thành phố|huyện|quận|thị xã|thị trấn|xã|phường|đặc khu) (.+)$")
_CHILD_HEADS = ("cuc ", "tong cuc ", "chi cuc ", "vu ", "vien ", "trung tam ", "phong ", "ban ", "van phong ")


@dataclass(frozen=True)
class Issuers:
    issuer: Hit | None  # the issuing body as printed (value: the printed words)
    superior: Hit | None  # the body above it
    joint: tuple[str, ...]  # canonical names of the bodies of a joint document, in order; empty otherwise
    joint_hits: tuple[Hit, ...]  # where each body of a joint header is printed (empty for a joint symbol only)


class IssuersRule(Rule):
    name = "issuers"
    requires = (Layout, NumberDate, Header)
    assigns = Issuers

    def __call__(self, inputs: Results) -> Issuers:
        layout, nd, header = inputs[Layout], inputs[NumberDate], inputs[Header]
        bodies: list[Hit] = []
        for group in header.issuer_groups:
            bodies.extend(self._split(layout, group))
        joint_symbol = self._joint_from_symbol(nd)
        tops = [b for b in bodies if self._top_level(b.value)]
        run: list[Hit] = []
        for b in reversed(bodies):  # the run of top-level bodies that ends with the last body
            if b in tops:
                run.insert(0, b)
            else:
                break
        if len(run) >= 2:
            names = tuple(dict.fromkeys(canonical_org(self.res, b.value)[0] for b in run))
            if len(names) >= 2:
                if len(joint_symbol) > len(names):
                    names = joint_symbol
                return Issuers(run[0], None, names, tuple(run))
        if len(joint_symbol) >= 2:
            first = bodies[-1] if bodies else None
            return Issuers(first, None, joint_symbol, ())
        issuer = bodies[-1] if bodies else None
        superior = bodies[-2] if len(bodies) > 1 else None
        return Issuers(issuer, superior, (), ())

    def _top_level(self, text: str) -> bool:
        name, _, known = canonical_org(self.res, text)
        if not known:
            return False
        k = name_key(name)
        if self.res.level_by_name.get(k) == "central":
            return True  # the Supreme Court and Procuracy, the Government: never under another body
        return k.startswith("bo ") and not k.startswith(_CHILD_HEADS)

    def _joint_from_symbol(self, nd: NumberDate) -> tuple[str, ...]:
        if nd.number is None:
            return ()
        parsed = parse_document_number(f"/{nd.number.symbol}")
        if parsed is None or len(parsed.parts) < 3:
            return ()
        names = [
            self.res.issuer_symbols[p]
            for p in parsed.parts[1:]
            if p in self.res.issuer_symbols and p not in self.res.generic_symbols
        ]
        return tuple(dict.fromkeys(names)) if len(names) >= 2 else ()

    def _split(self, layout: Layout, group: Hit) -> list[Hit]:
        """One group's bodies: split after a known body followed by another body's head word."""
        if name_key(group.value) in self.res.issuer_by_key or self._known_local(group.value):
            # "THỦ TƯỚNG CHÍNH PHỦ" is one listed name, though "Thủ tướng" alone is one too; "ỦY BAN NHÂN DÂN
            # THÀNH PHỐ HẢI PHÒNG" one local body, though "PHÒNG" opens a body's name.
            return [group]
        words = [(m.start(), m.group(0)) for m in re.finditer(r"\S+", group.value)]
        out: list[Hit] = []
        first = 0
        for k in range(1, len(words)):
            left = " ".join(w for _, w in words[first:k]).strip(_SEPARATORS)
            right_key = name_key(" ".join(w for _, w in words[k:]))
            if not left or not is_org_head(self.res, right_key) or words[k][1] in "-–—/" or " " not in right_key:
                continue
            if name_key(left) not in self.res.issuer_by_key and not self._known_local(left):
                continue
            out.append(self._piece(layout, group, words, first, k))
            first = k
        if not out:
            return [group]
        out.append(self._piece(layout, group, words, first, len(words)))
        return out

    def _known_local(self, text: str) -> bool:
        """A local body and its whole place, nothing after it: "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN"."""
        found = local_body_span(self.res, text)
        if found is None or found[1] < len(text.rstrip(_SEPARATORS)):
            return False
        m = _LEVEL_PLACE.search(found[0])
        if m is None:
            return False
        if m.group(1) in ("tỉnh", "thành phố"):
            return self.res.province(m.group(2)) is not None
        return len(m.group(2).split()) <= 3  # district and commune names are not listed: a short name

    @staticmethod
    def _piece(layout: Layout, group: Hit, words: list[tuple[int, str]], i: int, j: int) -> Hit:
        value = " ".join(w for _, w in words[i:j]).strip(_SEPARATORS)
        # Offsets: the group's words are found in order in the text (the value joins lines with one space).
        pos = group.start
        starts: list[int] = []
        for _, w in words[:j]:
            found = layout.text.find(w, pos, group.end)
            found = pos if found < 0 else found
            starts.append(found)
            pos = found + len(w)
        start = starts[i]
        last = words[j - 1][1]
        end = starts[j - 1] + len(last.rstrip(_SEPARATORS))
        return Hit(group.label, start, max(end, start), value, group.confidence)
