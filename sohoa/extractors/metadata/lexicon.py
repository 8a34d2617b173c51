"""The packaged JSON data (document types, issuers, places, people, marks), parsed once per extractor."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from importlib import resources
from typing import Any

from sohoa.textnorm import fold


def _unambiguous(by_key: dict[str, str], values: list[str]) -> dict[str, str]:
    """Keep the keys that only one value folds to ("ha" is Hà, but would not be if Hạ were listed too)."""
    counts: dict[str, int] = {}
    for v in values:
        counts[name_key(v)] = counts.get(name_key(v), 0) + 1
    return {k: v for k, v in by_key.items() if counts[k] == 1}


@functools.lru_cache(maxsize=65536)  # header lines, titles and names repeat across documents
def name_key(s: str) -> str:
    """Comparison key: folded (no diacritics, đ→d, lower case), punctuation dropped, single spaces."""
    return " ".join(re.findall(r"[0-9a-z&]+", fold(s)))


@dataclass(frozen=True)
class DocType:
    name: str
    abbrs: tuple[str, ...]
    former_abbrs: tuple[str, ...]
    title_keys: tuple[str, ...]
    normative: bool = False
    letter: bool = False
    wraps: bool = False  # a copy or consolidation of another document: its symbol wins over the type line
    has_subject: bool = True  # forms such as the dossier receipt print no summary under the type line
    symbol_issuer: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class Resources:
    """The JSON files under ``sohoa/extractors/data``, parsed once per extractor."""

    doc_types: tuple[DocType, ...]
    type_by_abbr: dict[str, DocType]
    type_by_key: dict[str, DocType]
    type_by_name: dict[str, DocType]
    issuer_symbols: dict[str, str]
    generic_symbols: frozenset[str]
    symbol_patterns: tuple[tuple[re.Pattern[str], str | None], ...]
    issuer_by_key: dict[str, str]
    local_bodies: tuple[tuple[str, str], ...]  # (key of a prefix, canonical body name), longest first
    admin_levels: tuple[tuple[str, str], ...]  # (key, canonical lower-case level), longest first
    org_heads: tuple[str, ...]
    acronyms: frozenset[str]
    citation_title_keys: tuple[str, ...]
    province_by_key: dict[str, str]
    signing_forms: dict[str, str]
    signer_titles: dict[str, str]  # key -> written form ("pho thu tuong" -> "Phó Thủ tướng")
    rank_keys: frozenset[str]
    surname_keys: frozenset[str]
    # rules-2: marks, copies and administrative levels
    secrecy_by_key: dict[str, str] = field(default_factory=dict)  # "toi mat" -> "Tối mật"
    urgency_by_key: dict[str, str] = field(default_factory=dict)
    mark_label_keys: dict[str, str] = field(default_factory=dict)  # "do mat" -> "secrecy"
    copy_form_by_key: dict[str, str] = field(default_factory=dict)  # "sao y ban chinh" -> "SAO Y"
    copy_symbols: dict[str, str] = field(default_factory=dict)  # "SY" -> "SAO Y"
    draft_keys: tuple[str, ...] = ()
    level_by_name: dict[str, str] = field(default_factory=dict)  # key of a listed body -> level
    level_by_admin: tuple[tuple[str, str], ...] = ()  # (key of an admin word, level), longest first
    level_by_head: tuple[tuple[str, str | None], ...] = ()  # (key of a first word group, level), longest first
    central_city_keys: frozenset[str] = frozenset()
    issuer_keys_longest: tuple[tuple[str, str], ...] = ()  # issuer_by_key items, longest key first
    surname_by_key: dict[str, str] = field(default_factory=dict)  # "dinh" -> "Đinh", for keys of one surname only
    # Answers of the fuzzy lookups (SequenceMatcher over every listed name), which repeat across documents.
    memo: dict[tuple[str, str], Any] = field(default_factory=dict, compare=False, repr=False)

    @functools.cached_property
    def symbol_groups(self) -> frozenset[str]:
        """Every known group of a number's symbol: type abbreviations and issuer symbols ("QĐ", "NĐ", "UBND")."""
        return frozenset(self.type_by_abbr) | frozenset(self.issuer_symbols) | self.generic_symbols

    def remember(self, key: tuple[str, str], value: Any) -> None:
        if len(self.memo) > 50_000:
            self.memo.clear()
        self.memo[key] = value

    @classmethod
    def load(cls, package: str = "sohoa.extractors", directory: str = "data") -> Resources:
        root = resources.files(package).joinpath(directory)

        def read(name: str) -> dict[str, Any]:
            data: dict[str, Any] = json.loads(root.joinpath(name).read_text(encoding="utf-8"))
            return data

        types_raw, issuers, places, people, marks = (
            read("doc_types.json"),
            read("issuers.json"),
            read("places.json"),
            read("people.json"),
            read("marks.json"),
        )
        doc_types = tuple(
            DocType(
                name=t["name"],
                abbrs=tuple(t.get("abbr", [])),
                former_abbrs=tuple(t.get("former_abbr", [])),
                title_keys=tuple(dict.fromkeys([name_key(t["name"]), *(name_key(x) for x in t.get("titles", []))])),
                normative=bool(t.get("normative", False)),
                letter=bool(t.get("letter", False)),
                wraps=bool(t.get("wraps", False)),
                has_subject=bool(t.get("subject", True)),
                symbol_issuer=tuple(re.compile(p) for p in t.get("symbol_issuer", [])),
            )
            for t in types_raw["types"]
        )
        type_by_abbr: dict[str, DocType] = {}
        for t in doc_types:
            for a in (*t.abbrs, *t.former_abbrs):
                type_by_abbr.setdefault(a, t)
        type_by_key = {k: t for t in doc_types for k in t.title_keys}
        issuer_by_key: dict[str, str] = {}
        for canonical, variants in issuers["names"].items():
            for v in (canonical, *variants):
                issuer_by_key[name_key(v)] = canonical
        local_bodies = tuple(
            sorted(
                ((name_key(v), body) for body, variants in issuers["local_bodies"].items() for v in variants),
                key=lambda kv: -len(kv[0]),
            )
        )
        admin_levels = tuple(
            sorted(
                ((name_key(a), a.lower() if a != "TP." else "thành phố") for a in issuers["admin_levels"]),
                key=lambda kv: -len(kv[0]),
            )
        )
        return cls(
            doc_types=doc_types,
            type_by_abbr=type_by_abbr,
            type_by_key=type_by_key,
            type_by_name={t.name: t for t in doc_types},
            issuer_symbols=dict(issuers["symbols"]),
            generic_symbols=frozenset(issuers["generic_symbols"]),
            symbol_patterns=tuple((re.compile(p["pattern"]), p["issuer"]) for p in issuers["symbol_patterns"]),
            issuer_by_key=issuer_by_key,
            local_bodies=local_bodies,
            admin_levels=admin_levels,
            org_heads=tuple(sorted((name_key(h) for h in issuers["org_heads"]), key=len, reverse=True)),
            acronyms=frozenset(issuers["acronyms"]),
            citation_title_keys=tuple(name_key(t) for t in issuers["citation_title_prefixes"]),
            province_by_key={name_key(p): p for p in places["provinces"]},
            signing_forms=dict(people["signing_forms"]),
            signer_titles={name_key(t): t for t in people["signer_titles"]},
            rank_keys=frozenset(name_key(r) for r in people["ranks"]),
            surname_keys=frozenset(name_key(s) for s in people["surnames"]),
            secrecy_by_key={name_key(m): m for m in marks["secrecy"]},
            urgency_by_key={name_key(m): m for m in marks["urgency"]},
            mark_label_keys={name_key(lb): kind for kind, labels in marks["labels"].items() for lb in labels},
            copy_form_by_key={name_key(k): v for k, v in marks["copy_forms"].items()},
            copy_symbols=dict(marks["copy_symbols"]),
            draft_keys=tuple(name_key(d) for d in marks["draft"]),
            level_by_name={name_key(n): level for level, names in issuers["levels"].items() for n in names},
            level_by_admin=tuple(
                sorted(((name_key(k), v) for k, v in issuers["level_by_admin"].items()), key=lambda kv: -len(kv[0]))
            ),
            level_by_head=tuple(
                sorted(((name_key(k), v) for k, v in issuers["level_by_head"].items()), key=lambda kv: -len(kv[0]))
            ),
            central_city_keys=frozenset(name_key(c) for c in places["centrally_run_cities"]),
            issuer_keys_longest=tuple(sorted(issuer_by_key.items(), key=lambda kv: -len(kv[0]))),
            surname_by_key=_unambiguous({name_key(s): s for s in people["surnames"]}, people["surnames"]),
        )

    # -- lookups used by several rules --------------------------------------------------------------------------------

    def type_for_symbol(self, parts: tuple[str, ...], has_year: bool) -> tuple[DocType | None, bool]:
        """Type named by a symbol and whether the symbol's first group is a type abbreviation."""
        if not parts:
            return None, False
        first = parts[0]
        if first in self.type_by_abbr:
            return self.type_by_abbr[first], True
        for t in self.doc_types:
            if any(p.match(first) for p in t.symbol_issuer) and len(parts) == 1:
                return t, False
        if not has_year and len(parts) >= 2:
            # A letter (công văn) has no type abbreviation: issuer - drafting unit (Decree 30 Annex III).
            return next(t for t in self.doc_types if t.letter), False
        return None, False

    def issuer_for_symbol(self, parts: tuple[str, ...], first_is_type: bool) -> tuple[str | None, bool]:
        """Issuer named by a symbol's issuer part, and whether that name is specific (not just "Ủy ban nhân dân")."""
        # "NĐ-CP": the groups after the type; a letter "UBND-KSTT": the first group (the rest is the drafting unit).
        for part in parts[1:] if first_is_type else parts[:1]:
            if part in self.issuer_symbols:
                return self.issuer_symbols[part], part not in self.generic_symbols
            for pattern, issuer in self.symbol_patterns:
                if pattern.match(part):
                    return issuer, issuer is not None
        return None, False

    def province(self, words: str) -> str | None:
        k = name_key(words)
        if k in self.province_by_key:
            return self.province_by_key[k]
        if ("province", k) in self.memo:
            found: str | None = self.memo[("province", k)]
            return found
        fuzzy = self._fuzzy_province(k)
        self.remember(("province", k), fuzzy)
        return fuzzy

    def _fuzzy_province(self, k: str) -> str | None:
        return closest(k, self.province_by_key.items(), 0.88)

    def level_of(self, name: str | None) -> tuple[str | None, float]:
        """Administrative level of a canonical body name and a confidence; (None, 0) when the name does not say.

        A listed body; else the last administrative word with its place ("... tỉnh Nghệ An" -> province,
        "thành phố Cần Thơ" -> province, "thành phố Vinh" -> district); else the first words ("Bộ ..." -> ministry).
        """
        if not name:
            return None, 0.0
        k = name_key(name)
        if k in self.level_by_name:
            return self.level_by_name[k], 0.95
        words = name.split()
        keys = [name_key(w) for w in words]
        for i in range(len(words) - 1, -1, -1):
            for admin, admin_level in self.level_by_admin:
                n = len(admin.split())
                # An administrative word is written in lower case before a capitalised place ("xã Hưng Lộc");
                # "Xã hội" in "Bộ Lao động - Thương binh và Xã hội" is not one.
                if " ".join(keys[i : i + n]) != admin or not words[i][:1].islower() or i + n >= len(words):
                    continue
                if not words[i + n][:1].isupper():
                    continue
                if admin_level == "province_or_district":
                    place = " ".join(keys[i + n :])
                    return ("province" if place in self.central_city_keys else "district"), 0.9
                return admin_level, 0.9
        for head, level in self.level_by_head:
            if k == head or k.startswith(head + " "):
                return level, (0.85 if level else 0.0)
        return None, 0.0


def closest(key: str, candidates: Iterable[tuple[str, str]], threshold: float) -> str | None:
    """The value whose key is most similar to ``key`` (difflib ratio >= threshold), or None.

    The length bound and quick_ratio() are upper bounds of ratio(): most candidates are dropped without it.
    """
    best, score = None, threshold - 1e-9
    matcher = SequenceMatcher(None)
    matcher.set_seq2(key)  # seq2 is the one SequenceMatcher indexes: set once, compare every candidate to it
    for cand_key, value in candidates:
        total = len(key) + len(cand_key)
        if not total or 2 * min(len(key), len(cand_key)) / total < score:
            continue
        matcher.set_seq1(cand_key)
        if matcher.real_quick_ratio() < score or matcher.quick_ratio() < score:
            continue
        r = matcher.ratio()
        if r > score:
            best, score = value, r
    return best
