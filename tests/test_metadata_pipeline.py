"""The rule runner of the metadata extractor: declared inputs and outputs are checked, results are not shared state."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest

from sohoa.extractors.metadata import RULES, Hit, Layout, MetadataExtractor, Pipeline, PipelineError, Resources, Rule
from sohoa.extractors.metadata.pipeline import Results
from sohoa.extractors.metadata.rules.header import Header, HeaderRule
from sohoa.extractors.metadata.rules.number_date import NumberDate, NumberDateRule

TEXT = """\
ỦY BAN NHÂN DÂN                    CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
 TỈNH NGHỆ AN                             Độc lập - Tự do - Hạnh phúc
Số: 12/2024/QĐ-UBND                       Nghệ An, ngày 05 tháng 3 năm 2024

                                QUYẾT ĐỊNH
        Về việc công bố danh mục thủ tục hành chính

Căn cứ Nghị định số 45/2020/NĐ-CP ngày 08 tháng 4 năm 2020 của Chính phủ;
"""


@pytest.fixture(scope="module")
def res() -> Resources:
    return Resources.load()


@dataclass(frozen=True)
class Stamp:
    hit: Hit | None


class StampRule(Rule):
    """A rule added the way the next ones will be: a module with a result type and a Rule subclass."""

    name = "stamp"
    requires = (Layout, Header)
    assigns = Stamp

    def __call__(self, inputs: Results) -> Stamp:
        header = inputs[Header]
        return Stamp(header.doc_type)


def test_every_registered_rule_declares_a_result_and_the_order_checks(res: Resources) -> None:
    pipeline = Pipeline([rule(res) for rule in RULES])
    names = [r.name for r in pipeline.rules]
    assert names[:7] == ["codes", "number_date", "header", "issuers", "marks", "signature", "citations"]
    assert names[names.index("paper_type") :] == [  # issue 19: the paper's type, then one rule per paper type
        "paper_type",
        "paper_receipt",
        "paper_form",
        "paper_id_card",
        "paper_birth_extract",
        "paper_residence",
        "paper_household_business",
        "paper_criminal_record",
    ]
    assert all(dataclasses.is_dataclass(r.assigns) for r in pipeline.rules)


def test_a_rule_before_what_it_requires_is_refused_when_built(res: Resources) -> None:
    with pytest.raises(PipelineError, match="header requires NumberDate"):
        Pipeline([HeaderRule(res), NumberDateRule(res)])
    with pytest.raises(PipelineError, match="already assigned"):
        Pipeline([NumberDateRule(res), NumberDateRule(res)])


def test_a_rule_sees_only_what_it_declared(res: Resources) -> None:
    class Sneaky(StampRule):
        requires = (Layout,)  # reads Header without declaring it

    pipeline = Pipeline([NumberDateRule(res), HeaderRule(res), Sneaky(res)])
    with pytest.raises(KeyError, match="Header is not among the results this rule declared"):
        pipeline.run(Layout.build(TEXT))


def test_an_added_rule_runs_after_the_registered_ones(res: Resources) -> None:
    ex = MetadataExtractor(res, rules=(*RULES, StampRule))
    assert ex.extract(TEXT).number == "12/2024/QĐ-UBND"
    results = ex.pipeline.run(Layout.build(TEXT))
    stamp = results[Stamp]
    assert stamp.hit is not None and stamp.hit.value == "Quyết định"


def test_results_are_frozen_and_the_layout_is_left_as_built(res: Resources) -> None:
    layout = Layout.build(TEXT)
    before = dataclasses.astuple(layout)
    results = Pipeline([rule(res) for rule in RULES]).run(layout)
    assert dataclasses.astuple(layout) == before
    nd = results[NumberDate]
    assert nd.number is not None and (nd.number.status, nd.number.symbol, nd.number_line) == ("ok", "QĐ-UBND", 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        nd.number.hit.value = "1/QĐ"  # type: ignore[misc]
