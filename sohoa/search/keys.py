"""What both search backends must compute the same way: exact-lookup keys, filter date bounds and boosts.

One module so the embedded index and Elasticsearch cannot drift apart (the contract suite checks they agree).
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sohoa.search import retone
from sohoa.search.model import Fields, IndexDoc, Query
from sohoa.search.querytext import QueryText
from sohoa.textnorm import fold, has_diacritics, normalize_text

# Relative weights of the query clauses.
B_ACCENT = 3.0  # the accented field over the folded one: exact tones rank first
# Flat bonus per word typed with tones and found with those tones (times the word's weight). The 3x boost alone
# leaves the order to BM25 details (a common word once in a long page vs the other tone five times in a short one),
# which differ between servers (osmem-server's BM25 flips that case); a constant makes "exact tone first" hold
# whatever the statistics. Elasticsearch adds it (a cheap filter clause there); the embedded index does not, where
# it doubles a question's CPU (docs/search.md, "Coordinator's check").
B_EXACT_TONE = 2.0
B_TITLE = 2.5
B_PHRASE = 2.0
B_NUMBER_EXACT = 30.0
B_CODE_EXACT = 20.0
B_NUMBER_PART = 8.0

_SPACE = re.compile(r"\s+")

# The text fields each copy of a record is indexed in (both backends add a folded twin of each).
_TEXT_FIELDS: dict[str, tuple[str, str]] = {"full": ("title", "body"), "public": ("title_public", "body_public")}


def text_fields(fields: Fields) -> tuple[str, str]:
    """(title field, body field) a query searches. Raises ValueError for anything but "full" and "public": the
    Literal is not checked at run time, and a misspelt switch must not fall back to the full text."""
    try:
        return _TEXT_FIELDS[fields]
    except (KeyError, TypeError):
        raise ValueError(f"unknown search fields {fields!r}: 'full' or 'public'") from None


def public_copy(d: IndexDoc) -> tuple[str, list[str]]:
    """The public title and pages of a record (the full ones where it holds no personal data). Raises ValueError
    when the public pages do not line up with the pages: value i must stay page i+1 in both copies."""
    pages = d.public_pages if d.public_pages is not None else d.pages
    if len(pages) != len(d.pages):
        raise ValueError(f"record {d.id}: {len(pages)} public pages for {len(d.pages)} pages")
    return (d.public_title if d.public_title is not None else d.title), pages


def context_copies(d: IndexDoc) -> tuple[str, str]:
    """(full, public) context of a record (IndexDoc.context), normalised; "" when it has none. Both backends index
    it in the folded body only, of the record and of each passage: weak evidence of the whole a part belongs to,
    counted like body text typed without tones and never displayed, highlighted or suggested from."""
    if not d.context:
        return "", ""
    public = d.public_context if d.public_context is not None else d.context
    return normalize_text(d.context), normalize_text(public)


def exact_key(code: str) -> str:
    """Exact-lookup form of a number or code: folded, lower-case, no whitespace ("45 /2020/NĐ-CP" → "45/2020/nd-cp")."""
    return _SPACE.sub("", fold(normalize_text(code)))


def number_key(number: str) -> str:
    """A number as printed, normalised and without the spaces OCR puts inside it."""
    return _SPACE.sub("", normalize_text(number))


def period_bound(value: str, *, upper: bool = False) -> dt.date:
    """A filter bound: 'YYYY-MM-DD', or 'YYYY' / 'YYYY-MM' meaning the start (or with `upper`, the end) of that
    period. Raises ValueError for anything else."""
    value = value.strip()
    if re.fullmatch(r"\d{4}", value):
        return dt.date(int(value), 12, 31) if upper else dt.date(int(value), 1, 1)
    if re.fullmatch(r"\d{4}-\d{2}", value):
        year, month = int(value[:4]), int(value[5:])
        if not 1 <= month <= 12:
            raise ValueError(f"bad month in date {value!r}")
        return dt.date(year, month, calendar.monthrange(year, month)[1] if upper else 1)
    return dt.date.fromisoformat(value)


def filter_terms(query: Query) -> list[tuple[str, str]]:
    """The exact-match filters of a query as (field, indexed value) pairs; dates are filtered separately."""
    pairs: list[tuple[str, str]] = [("kind", query.kind)] if query.kind else []
    for field, value in (
        ("doc_type", query.doc_type),
        ("issuer", query.issuer),
        ("status", query.status),
        ("batch", query.batch),
    ):
        if value:
            pairs.append((field, normalize_text(value)))
    if query.procedure_code:
        pairs.append(("procedure_codes", exact_key(query.procedure_code)))
    if query.dossier_code:
        pairs.append(("dossier_codes", exact_key(query.dossier_code)))
    return pairs


# --- the question model both backends render --------------------------------------------------------------------

B_FILLER = 0.4  # a question filler ("tôi muốn biết", "xin hỏi") still counts, a little
B_PAIR = 1.5  # two typed words side by side in the text: a Vietnamese multi-syllable word, or a phrase fragment
# Up to this many free words every one must match (a keyword search narrows as words are added); a longer text is
# a question: plain BM25 over all its words, no minimum, so fillers and one unknown word cannot empty the result.
ALL_WORDS_UP_TO = 4
MAX_SEQUENCE_WORDS = 8  # the typed sequence as one exact phrase only for short texts: a question never matches

# Words of a question that say nothing about the answer. Corpus idf already weighs down the common ones ("là",
# "có", "của"); these are the ones a question has and a legal text or a procedure record rarely does, where idf
# would do the opposite and let "tôi" or "muốn" rank a record. Folded, so unaccented questions match them too.
_FILLERS = frozenset(
    """toi minh em anh chi chau ban a a oi vay nhe nha xin hoi cho biet muon duoc khong ko k gi nao sao the nhu
    bao nhieu hien nay the nao lam sao o dau ai vui long giup thi ma la co cua va voi cac nhung nay do kia roi
    vua gio nay da se dang phai can nen""".split()
)
# Abbreviations desk staff type for common syllables; expanded into the word they stand for, with its tones (so an
# accented question still gets the exact-tone credit for it). Typed with or without đ ("đc", "dc"), never with tones.
_ABBREV = {
    "dk": "đăng ký",
    "ko": "không",
    "k": "không",
    "dc": "được",
    "hs": "hồ sơ",
    "sd": "sử dụng",
    "ntn": "thế nào",
}

# The standard abbreviations of Vietnamese administration desk staff type for agencies, papers and procedures
# ("Chủ tịch UBND tỉnh", "làm lại CCCD", "Bộ KHCN"), by their folded lower-case form; the words they stand for as
# the texts spell them. Read as if those words had been typed in their place (each a word of its own, so pairs form
# with the typed neighbours: "Bộ KHCN" pairs "bộ khoa"); a question also keeps the abbreviation itself as one more
# word, for texts that write it ("Chủ tịch UBND xã"). Only unambiguous ones: no type abbreviation a document number
# symbol uses alone (TT, QĐ, NĐ, CV …), none with two readings (TTCP: Thủ tướng or Thanh tra Chính phủ), none that is
# a Vietnamese syllable. A symbol inside a number ("123/QĐ-UBND") is a code and never reaches this table, nor does
# a hyphenated term ("QĐ-UBND").
_DESK_ABBREV = {
    # agencies and bodies
    "ubnd": "ủy ban nhân dân",
    "hdnd": "hội đồng nhân dân",
    "mttq": "mặt trận tổ quốc",
    "vpcp": "văn phòng chính phủ",
    "tand": "tòa án nhân dân",
    "vksnd": "viện kiểm sát nhân dân",
    "cand": "công an nhân dân",
    "qdnd": "quân đội nhân dân",
    "csgt": "cảnh sát giao thông",
    "nhnn": "ngân hàng nhà nước",
    "khcn": "khoa học và công nghệ",
    "tnmt": "tài nguyên và môi trường",
    "ldtbxh": "lao động thương binh và xã hội",
    "gddt": "giáo dục và đào tạo",
    "nnptnt": "nông nghiệp và phát triển nông thôn",
    "gtvt": "giao thông vận tải",
    "vhttdl": "văn hóa thể thao và du lịch",
    "tttt": "thông tin và truyền thông",
    "khdt": "kế hoạch và đầu tư",
    "bhxh": "bảo hiểm xã hội",
    "bhyt": "bảo hiểm y tế",
    "bhtn": "bảo hiểm thất nghiệp",
    "dnnn": "doanh nghiệp nhà nước",
    # papers
    "cccd": "căn cước công dân",
    "cmnd": "chứng minh nhân dân",
    "gcn": "giấy chứng nhận",
    "qsdd": "quyền sử dụng đất",
    "gplx": "giấy phép lái xe",
    "gpkd": "giấy phép kinh doanh",
    "gpxd": "giấy phép xây dựng",
    "dkkd": "đăng ký kinh doanh",
    "mst": "mã số thuế",
    # procedures and matters
    "tthc": "thủ tục hành chính",
    "dvc": "dịch vụ công",
    "vphc": "vi phạm hành chính",
    "qppl": "quy phạm pháp luật",
    "vbqppl": "văn bản quy phạm pháp luật",
    "nsnn": "ngân sách nhà nước",
    "gtgt": "giá trị gia tăng",
    "tncn": "thu nhập cá nhân",
    "tndn": "thu nhập doanh nghiệp",
    "pccc": "phòng cháy chữa cháy",
    "anqg": "an ninh quốc gia",
    "xkld": "xuất khẩu lao động",
    "ktxh": "kinh tế xã hội",
    "cntt": "công nghệ thông tin",
    "csdl": "cơ sở dữ liệu",
}


def _untoned(term: str) -> bool:
    """Typed without tones (đ allowed): an abbreviation is never typed with tones."""
    return not has_diacritics(term.replace("đ", "d").replace("Đ", "D"))


@dataclass(frozen=True)
class WordUnit:
    text: str
    weight: float


@dataclass(frozen=True)
class QueryPlan:
    """What a backend builds for a parsed query, the same for the embedded index and Elasticsearch.

    required: quoted phrases and numbers/codes with structure ("45/2020/NĐ-CP", "1.001193"), each must match
    (as `codes` in `required_codes`); words: each typed word with its weight (fillers count little), all required
    when `all_words`; pairs: adjacent typed words matched as a phrase for a bonus (what makes "người có công" rank
    above a text holding "người" … "công" far apart); sequence: the whole typed text as one phrase, for short texts;
    optional_codes: bare numbers ("30", "2024") that add score but are not required.
    """

    words: tuple[WordUnit, ...] = ()
    all_words: bool = True
    phrases: tuple[str, ...] = ()
    required_codes: tuple[str, ...] = ()
    optional_codes: tuple[str, ...] = ()
    pairs: tuple[WordUnit, ...] = ()
    sequence: str | None = None
    # A query typed without any diacritics: its words in typed order (desk abbreviations spelt out, not as typed),
    # whose likely accented readings `retoned` adds (retone.py); empty for a query typed with tones.
    untoned: tuple[WordUnit, ...] = ()


# A calendar date ("1/7/2025", "01-07-2025", "7/2025"): a question's "from 1/7/2025" is written "01/7/2025" or
# "ngày 01 tháng 7" in the text, so requiring it empties the result; it adds score like a bare number instead.
_DATE = re.compile(r"(?:\d{1,2}[/.-])?\d{1,2}[/.-](?:19|20)\d{2}")


def _is_structured_code(code: str) -> bool:
    return not code.isdigit() and not _DATE.fullmatch(code)


# Tone restoration of a query typed without diacritics (retone.py): a word's reading is searched on the accented
# fields when its posterior is at least RETONE_MIN, at most RETONE_READINGS readings a word, weighing RETONE_WORD x
# posterior x the word's own weight (the accented fields' B_ACCENT on top, as for a word typed with tones). Pairs
# of readings as accented phrases (the restorer's pair posteriors) lost on every development fold, so none is
# searched. Fitted on the development passage sets typed without marks, docs/search.md ("Tenth pass"): the gain is
# small and did not hold on both folds.
RETONE_MIN = 0.2
RETONE_READINGS = 2
RETONE_WORD = 0.2


@functools.lru_cache(maxsize=64)
def _retoned(words: tuple[WordUnit, ...]) -> tuple[WordUnit, ...]:
    """The restored readings of a query's words (one syllable each; a multi-word expansion or a hyphenated term
    breaks the run, an accented word is fixed context), as units."""
    restored = retone.retoner().restore([w.text if " " not in w.text else "-" for w in words], pairs=False)
    return tuple(
        WordUnit(r, RETONE_WORD * p * w.weight)
        for w, readings in zip(words, restored.words, strict=True)
        for r, p in readings[:RETONE_READINGS]
        if p >= RETONE_MIN
    )


def plan_query(qt: QueryText) -> QueryPlan:
    words: list[WordUnit] = []
    typed_at: list[int] = []  # typed_at[i]: where terms[i]'s words end in `words`
    literals: list[WordUnit] = []  # desk abbreviations as typed: a word of a question, in no pair
    spelt: list[str] = []  # the typed terms, a desk abbreviation spelt out: the sequence phrase
    for t in qt.terms:
        key = fold(t).lower()
        expanded = _ABBREV.get(key)
        desk = _DESK_ABBREV.get(key)
        shown = t
        if expanded is not None and _untoned(t):
            filler = all(part in _FILLERS for part in fold(expanded).split())
            words.append(WordUnit(normalize_text(expanded), B_FILLER if filler else 1.0))
        elif desk is not None and _untoned(t):
            # One typed word's worth of evidence: its n words weigh 1/n each (at full weight, "UBND xã" in a
            # question outweighed the rest of it, every procedure record naming "Ủy ban nhân dân cấp xã": 60-question
            # dev MRR@10 0.879 -> 0.871; scaled, 0.879).
            parts = normalize_text(desk).split()
            for part in parts:
                words.append(WordUnit(part, (B_FILLER if fold(part) in _FILLERS else 1.0) / len(parts)))
            literals.append(WordUnit(t, 1.0))
            shown = normalize_text(desk)
        else:
            words.append(WordUnit(t, B_FILLER if key in _FILLERS else 1.0))
        spelt.append(shown)
        typed_at.append(len(words))
    # Short or long by what was typed: "UBND tỉnh" is a two-word search, not a six-word question.
    all_words = len(qt.terms) <= ALL_WORDS_UP_TO
    if all_words:
        words = [WordUnit(w.text, 1.0) for w in words]  # a short search means every word it has
    else:
        # A question's "loại 2" also as "loại II" (querytext: legal texts number classes in Roman numerals), in its
        # place so that the pair forms; never in a short search, where every word is required.
        for n, numeral in reversed(qt.numerals):
            words.insert(typed_at[n - 1] if n else 0, WordUnit(numeral, 1.0))
    pairs: list[WordUnit] = []
    seen: set[str] = set()
    # Two fillers side by side are a pair too: "không được" tells "không được Chính phủ bảo lãnh" from "được Chính
    # phủ bảo lãnh", and the pair's own corpus frequency weighs it (a spoken "tôi muốn" is in no record, so it adds
    # nothing). Dev questions (scripts/eval_questions.py): MRR@10 0.867 -> 0.879 on the embedded index.
    for a, b in zip(words, words[1:], strict=False):
        text = f"{a.text} {b.text}"
        if text not in seen:
            seen.add(text)
            pairs.append(WordUnit(text, B_PAIR * min(a.weight, b.weight) ** 0.5))
    sequence = None
    if 1 < len(qt.terms) <= MAX_SEQUENCE_WORDS:
        sequence = " ".join(spelt)
    untoned = () if qt.accented else tuple(words)
    if not all_words:
        words += literals
    return QueryPlan(
        words=tuple(words),
        all_words=all_words,
        phrases=qt.phrases,
        required_codes=tuple(c for c in qt.codes if _is_structured_code(c)),
        optional_codes=tuple(c for c in qt.codes if not _is_structured_code(c)),
        pairs=tuple(pairs) if not all_words or len(words) > 1 else (),
        sequence=sequence,
        untoned=untoned,
    )


# --- ranking by best passage ------------------------------------------------------------------------------------
# A record's passages (its pages: an article "Điều N" of a long text, a section of a procedure record) are indexed
# apart from it as well, and a question's top RESCORE_WINDOW records by record score are reranked by
#     best passage score + B_RECORD x record score,
# the passage scored by the same query over the passage alone (BM25 with passage statistics, so a long decree is
# not buried by its length), the record score keeping the title, number and whole-text evidence. Both backends
# rerank the same window with this sum (Elasticsearch in Python, from a record request and a best-passage request).
# A raw sum, not each score relative to the window's best: Lucene's BM25 and tantivy's differ by one constant
# factor (k1 + 1) on records and passages alike, which leaves the sum's order unchanged; relative scores ranked
# the dev questions no better on the embedded index and put a forty-article decree's answering article below short
# notes on osmem-server (whose length normalisation ignores the average length: see docs/search.md). The hit shows
# the best passage's page. Applied to questions sorted by relevance without a structured number or code (a lookup
# keeps its exact-key priority; see passage_ranked); pages beyond the window keep the record order.
B_RECORD = 0.5
RESCORE_WINDOW = 100
# A record whose text is one passage (an article indexed on its own, a one-page letter): its record score is its
# title's evidence plus that same passage's, so what it adds beyond the passage counts at most this share of the
# passage's score. Its title then cannot outrank its body: a heading repeating the document's theme ("… về bảo vệ dữ
# liệu cá nhân") weighed two to three times the article's text and put every themed article above the one that
# answers (docs/search.md, "Passage-level legal questions, second set"). A record of several passages keeps its
# full record score (its title names the whole: a procedure's name must weigh). 0.5 until 07/12/2026; 0.25 with
# the context (IndexDoc.context) on the 220 development questions of four passage sets: MRR@10 0.880 -> 0.887, a
# plateau from 0.2 to 0.3; the 60-question set and the known-item eval unchanged (docs/search.md, fourth and fifth
# sets).
B_ONE_PASSAGE_BEYOND = 0.25
# A hit of a question shows its best passage's page and names its next best matching pages (Hit.more_pages): a
# document is one hit, and on the 220 development questions the answering article of the right document was a
# sibling's runner-up in 28 of the 44 questions whose first hit showed a wrong page (docs/search.md, "Whole
# documents: the page a hit shows"). Read from the passages the ranking already found: no search is added.
MORE_PAGES = 2


def more_pages(kind: str, shown: int | None, pages: list[int]) -> list[int]:
    """A hit's `Hit.more_pages`: a document's best matching pages (`pages`, best first) other than the one it shows,
    at most MORE_PAGES; none for other kinds."""
    return [p for p in pages if p != shown][:MORE_PAGES] if kind == "document" else []


# Which page of a document a question's hit shows. A document is one hit, and its pages (the articles of a decree)
# share one record score, so the page shown was the best passage by BM25 alone: on the 220 development questions of
# passage sets 1-4 in the product's shape (`eval_passages.py --pages`), 44 of 45 first hits that showed a wrong page
# had the right document. The hit's candidate pages (its best 1 + MORE_PAGES
# passages, which both backends already have) are reordered by a linear score of five features read from the
# question's plan and the page's text, no corpus statistics (so both backends compute the same from what they hold):
#   z: the page's passage score / the document's best passage score (1.0 for the best),
#   words: share of the question's content words (plan words of full weight) the page has,
#   pairs: share of the question's word pairs (by their plan weight) the page has side by side,
#   heading: share of the content words in the page's first line (an article's heading "Điều 5. Hỗ trợ chi phí
#            mai táng"), the heading evidence a page lacks (a record's title is the document's),
#   length: log of the page's length in characters (a long page holds many words without being about them).
# Weights fitted as a conditional logit (which candidate page of the right document is relevant), L2 1.0, on the
# six development sets (300 questions), rounded; cross-validated across sets 1-3 and 4-6 in docs/search.md ("Ninth
# pass"). Words and pairs are looked for in the page's first PAGE_CHOICE_CHARS characters, folded once per page
# (page_words; the embedded index stores them): a question's cost is substring tests on three pages per hit.
PAGE_CHOICE_WEIGHTS = (4.0, 2.0, 3.0, 2.5, -0.5)  # z, words, pairs, heading, length
_HEADING_CHARS = 160  # a page's first line counts as its heading up to this length
PAGE_CHOICE_CHARS = 2000  # words and pairs are looked for in this much of a page (about two thirds of an A4 page)
_WORD = re.compile(r"\w+")
_FIRST_LINE = re.compile(r"\s*([^\n]*)")


@functools.lru_cache(maxsize=100_000)
def _folded_word(word: str) -> str:
    return fold(word)


def _folded_words(text: str) -> list[str]:
    """The folded lower-case words of a short text (a question's word or pair, a heading)."""
    return [_folded_word(w) for w in _WORD.findall(text.lower())]


def _fold_words(words: list[str]) -> str:
    """The words folded (each distinct word once, cached), one space apart and one space around: " a b c ", so
    that a word or a pair of adjacent words is a substring test."""
    return f" {' '.join(map(_folded_word, words))} "


def page_words(text: str) -> str:
    """What keys.page_order reads of a page, computed once per page rather than per question (the embedded index
    stores it with the record): "<characters>\n<heading>\n<words>", heading the folded words of the page's first
    line (up to _HEADING_CHARS), words those of its first PAGE_CHOICE_CHARS characters, each one space apart and one
    space around, so that a word, or a pair of adjacent words, is a substring test. Folding the words is nearly all
    of the page choice's cost (about 0.1 ms a page, three pages for each of a question's ten hits)."""
    first = _FIRST_LINE.match(text)
    heading = _folded_words(first.group(1)[:_HEADING_CHARS] if first else "")
    return f"{len(text)}\n {' '.join(heading)} \n{_fold_words(_WORD.findall(text[:PAGE_CHOICE_CHARS].lower()))}"


def _page_features(question: QuestionWords, score: float, best: float, words: str) -> tuple[float, ...]:
    chars, heading, page = words.split("\n", 2)  # page_words: folded words have no line break
    n = max(len(question.words), 1)
    return (
        score / best if best > 0 else 0.0,
        sum(w in page for w in question.words) / n,
        sum(wt for pair, wt in question.pairs if pair in page) / question.pair_weight,
        sum(w in heading for w in question.words) / n,  # a folded word holds no space: a word of the heading
        # characters, not words: the same feature up to a constant, which leaves the order unchanged
        math.log(int(chars) + 1),
    )


class QuestionWords(NamedTuple):
    """What keys.page_order compares with a page, as the substrings it looks for in page_words."""

    words: tuple[str, ...]  # the content words (plan words of full weight), folded, distinct: " word "
    pairs: tuple[tuple[str, float], ...]  # the word pairs with their plan weight: " first second "
    pair_weight: float  # the pairs' weights summed (1.0 when none)


@functools.lru_cache(maxsize=64)
def question_words(plan: QueryPlan) -> QuestionWords:
    """A question's content words and word pairs, folded: once per question, not per hit (hashing a plan for the
    cache costs about as much as a page's features)."""
    content = frozenset(w for u in plan.words if u.weight >= 1.0 for w in _folded_words(u.text))
    pairs: dict[tuple[str, str], float] = {}
    for u in plan.pairs:
        words = _folded_words(u.text)
        if len(words) == 2:
            pairs[(words[0], words[1])] = u.weight
    return QuestionWords(
        tuple(f" {w} " for w in content),
        tuple((f" {a} {b} ", wt) for (a, b), wt in pairs.items()),
        sum(pairs.values()) or 1.0,
    )


def page_order(question: QuestionWords, candidates: Sequence[tuple[int, float, str]]) -> list[int]:
    """A document hit's candidate pages (page, passage score, its page_words; best passage first) in the order
    shown: the first is the page the hit shows, the next ones its Hit.more_pages (PAGE_CHOICE_WEIGHTS); `question`:
    question_words of the query's plan. Ties keep the passage order."""
    if len(candidates) < 2:
        return [p for p, _, _ in candidates]
    best = max(s for _, s, _ in candidates)
    scored = [
        (sum(w * f for w, f in zip(PAGE_CHOICE_WEIGHTS, _page_features(question, s, best, t), strict=True)), i, p)
        for i, (p, s, t) in enumerate(candidates)
    ]
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [p for _, _, p in scored]


# The articles of one law indexed each as its own record (one passage a record, the same document number: the shape
# of a legal-passage benchmark, or of an import that cuts a law into articles) are siblings: they share the law's
# number, theme and context, so their record scores differ by their headings, and a long heading repeating the law's
# theme words outscored the article that answers (docs/search.md, "Tenth pass": on the 360 questions of passage
# sets 1-7, 53 of the 69 questions whose answering article was not first had a sibling first). The hits shown of
# one such document are ordered among the ranks they hold by page_order, the score that picks a document's page
# among its candidate pages (the same question: which article of this law answers). Other documents keep their
# ranks, so the order across documents, where a heading's theme words do discriminate, is untouched.


def sibling_order(question: QuestionWords, hits: Sequence[tuple[str | None, float, str]]) -> list[int]:
    """A question's shown hits (sibling key: the document number of a one-passage record, else None; best passage
    score; that passage's page_words, read for siblings only), ranked, as their indices in the order shown: each
    document's siblings reordered by page_order among the ranks they hold, every other hit in place; `question`:
    question_words of the query's plan."""
    groups: dict[str, list[int]] = {}
    for i, (key, _, _) in enumerate(hits):
        if key:
            groups.setdefault(key, []).append(i)
    order = list(range(len(hits)))
    for members in groups.values():
        if len(members) > 1:
            for rank, i in zip(
                members, page_order(question, [(i, hits[i][1], hits[i][2]) for i in members]), strict=True
            ):
                order[rank] = i
    return order


def passage_scores(
    records: Sequence[float], passages: Sequence[float | None], counts: Sequence[int | None] | None = None
) -> list[float]:
    """The ranking score of each record of a window: its best passage's score (None: no passage matched, 0) plus
    B_RECORD x its record score; `counts`: each record's number of passages (None: unknown), a one-passage record's
    record score capped at (1 + B_ONE_PASSAGE_BEYOND) x its passage's. Both backends rank a question's window with
    this."""
    out = []
    for i, (r, p) in enumerate(zip(records, passages, strict=True)):
        if p is not None and counts is not None and counts[i] == 1:
            r = min(r, (1.0 + B_ONE_PASSAGE_BEYOND) * p)
        out.append((p or 0.0) + B_RECORD * r)
    return out


def passage_ranked(plan: QueryPlan) -> bool:
    """Whether a query of this plan is ranked by best passage: a question (more than ALL_WORDS_UP_TO words), no
    required number or code. A keyword search of up to four words needs every word in the record and has the typed
    sequence as a phrase boost already; on the question set all-question rescoring and question-only rescoring
    score the same, and keyword searches skip the passage query's cost."""
    return not plan.all_words and bool(plan.words) and not plan.required_codes


def retoned(plan: QueryPlan, passages: bool) -> tuple[WordUnit, ...]:
    """The accented readings restored for a query typed without diacritics (retone.py, weighted by RETONE_*), as
    extra score beside its folded clauses, on the accented fields: of a question ranked by best passage in its
    passage query only (where the words that answer are; in the record stage too they lifted short records holding
    a few of the words on a server whose BM25 ignores the average length, and cost clauses over every record), of
    any other query in its record query. Computed here, not in plan_query, so that the embedded index restores a
    question's tones on the worker that builds its passage query, beside the record search."""
    if not plan.untoned or passage_ranked(plan) != passages:
        return ()
    return _retoned(plan.untoned)


def id_hash(record_id: str) -> int:
    """A record id as a signed 64-bit integer: the key that ties an embedded passage to its record."""
    return int.from_bytes(hashlib.blake2b(record_id.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Levenshtein distance, stopping early past `limit` (returns limit + 1 then)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def closest_term(word: str, vocabulary: list[tuple[str, int]]) -> str | None:
    """The indexed term (with its document count) nearest to a word the index does not hold: one edit for short
    words, two from six letters; the most common one among equals. None when nothing is that close."""
    limit = 1 if len(word) < 6 else 2
    best: tuple[int, int, str] | None = None
    for term, count in vocabulary:
        d = edit_distance(word, term, limit)
        if d <= limit and (best is None or (d, -count) < best[:2]):
            best = (d, -count, term)
    return best[2] if best else None


def page_key(text: str) -> str:
    """Identifies a page's text (whitespace runs count as one space)."""
    canonical = " ".join(text.split())
    return hashlib.blake2b(canonical.encode("utf-8"), digest_size=8).hexdigest()


_EMPTY_PAGE = page_key("")  # a blank or whitespace-only page: no passage


def passage_count(page_keys: Sequence[str]) -> int:
    """A record's number of passages (its non-empty pages) from its pages' `page_key`s."""
    return sum(k != _EMPTY_PAGE for k in page_keys)


def text_key(page_keys: list[str]) -> str:
    """Identifies a record's whole text from its page keys: the same paper digitised twice (PDF, TIFF, PNG) with
    the same text has the same key, whatever its file. Texts that differ by one OCR character do not."""
    return hashlib.blake2b("|".join(page_keys).encode("ascii"), digest_size=8).hexdigest()
