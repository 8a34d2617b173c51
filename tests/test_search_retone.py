"""Tone restoration of queries typed without diacritics (sohoa/search/retone.py) and its place in the query plan."""

from __future__ import annotations

import pytest

from sohoa.extractors.syllable_lm import SyllableLM
from sohoa.search import keys
from sohoa.search.querytext import parse_query_text
from sohoa.search.retone import Retoner


@pytest.fixture
def retoner() -> Retoner:
    # "ban" reads "bán" before "hàng" and "bạn" before "bè"; "ban" itself is the reading before "hành".
    unigrams = {"bán": 50, "bạn": 40, "ban": 60, "hàng": 80, "bè": 20, "hành": 90, "hạnh": 5, "mua": 30}
    bigrams = {
        ("bán", "hàng"): 45,
        ("bạn", "bè"): 18,
        ("ban", "hành"): 55,
        ("mua", "bán"): 20,
        ("<s>", "bán"): 10,
        ("<s>", "bạn"): 10,
        ("<s>", "ban"): 10,
        ("<s>", "mua"): 10,
        ("hàng", "<s>"): 40,
        ("bè", "<s>"): 15,
        ("hành", "<s>"): 50,
    }
    return Retoner(SyllableLM(unigrams, bigrams))


def best(r: Retoner, text: str) -> list[str]:
    return [w[0][0] if w else "" for w in r.restore(text.split()).words]


def test_context_picks_the_reading(retoner: Retoner) -> None:
    assert best(retoner, "ban hang") == ["bán", "hàng"]
    assert best(retoner, "ban be") == ["bạn", "bè"]
    assert best(retoner, "ban hanh") == ["ban", "hành"]


def test_posteriors_are_probabilities(retoner: Retoner) -> None:
    res = retoner.restore(["mua", "ban", "hang"])
    for readings in res.words:
        assert abs(sum(p for _, p in readings) - 1.0) < 1e-9
        assert [p for _, p in readings] == sorted((p for _, p in readings), reverse=True)
    assert res.pairs[1][0][0] == "bán hàng" and res.pairs[1][0][1] > 0.5


def test_codes_numbers_abbreviations_and_unknown_words_break_the_run(retoner: Retoner) -> None:
    res = retoner.restore(["ban", "UBND", "45/2020", "2020", "fanpage", "ban"])
    assert [bool(w) for w in res.words] == [True, False, False, False, False, True]
    assert not any(res.pairs)


def test_a_word_typed_with_tones_is_context_not_restored(retoner: Retoner) -> None:
    res = retoner.restore(["mua", "bán", "hang"])
    assert res.words[1] == () and res.words[2][0][0] == "hàng"


def test_plan_adds_readings_only_to_queries_without_diacritics() -> None:
    question = keys.plan_query(parse_query_text("muc phat tien doi voi hanh vi vi pham"))
    restored = keys.retoned(question, passages=True)
    assert "phạt" in {u.text for u in restored}
    assert all(0 < u.weight <= keys.RETONE_WORD for u in restored)
    assert keys.retoned(question, passages=False) == ()  # a question's record stage stays folded
    assert [w.text for w in question.words][:3] == ["muc", "phat", "tien"]  # the folded words stay as typed
    short = keys.plan_query(parse_query_text("muc phat tien"))
    assert "phạt" in {u.text for u in keys.retoned(short, passages=False)}
    assert keys.retoned(keys.plan_query(parse_query_text("mức phạt tiền đối với hành vi")), passages=True) == ()
    assert keys.retoned(keys.plan_query(parse_query_text("45/2020/NĐ-CP")), passages=False) == ()
