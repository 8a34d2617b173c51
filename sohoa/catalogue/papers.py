"""A procedure's required papers (thành phần hồ sơ) and results (kết quả), parsed from the catalogue (issue 19).

The portal's records flatten the papers table without cell separators: a section heading ("* Giấy tờ phải nộp:",
"* Giấy tờ phải xuất trình:"), the header "Tên giấy tờMẫu đơn, tờ khaiSố lượng", then per paper its name, the
form's file name when there is one, and the quantity ("1 bản chính", "0 bản sao"), all run together. A paper ends
at its quantity; a "+ ..." line under a "- ..." paper is one of its cases. The ministry records give the same as
table rows (``ten_giay_to``, ``so_luong`` holding the form's file, ``ghi_chu`` "Bản chính: 1\\nBản sao: 0").
Results are "NameMã: KQ.G15.000033" runs.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from sohoa.textnorm import fold, normalize_text

_SECTION = re.compile(r"\*\s*Giấy tờ phải (nộp|xuất trình)\s*:?", re.I)
_HEADER = re.compile(r"Tên giấy tờ\s*Mẫu đơn,?\s*tờ khai\s*Số lượng", re.I)
# A quantity closes a paper; the next cell follows without a separator ("1 bản chínhVăn bản ..."), and two may
# come together ("0 bản chính,1 bản sao").
_QUANTITY = re.compile(
    r"(\d{1,2})\s*(bản chính|bản sao(?: có chứng thực| chứng thực)?|bản|bộ)"
    r"(?:\s*[,;]?\s*(\d{1,2})\s*(bản chính|bản sao(?: có chứng thực| chứng thực)?))?",
    re.I,
)
_FORM_CELL = re.compile(r"(?<=\S)Mẫu\s*(\S.{0,200}?\.(?:docx?|pdf|xlsx?|odt))\s*$", re.I)  # "...CPMẫu Đơn ...docx"
_FORM = re.compile(r"([\w().\-]+\.(?:docx?|pdf|xlsx?|odt))\s*$", re.I)
_RESULT = re.compile(r"(.+?)\s*Mã\s*:\s*(KQ\.[A-Z]\d{2}\.\d{6}|\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-KQ\d+)")
_RESULT_TAIL = re.compile(r"(?:Từ khóa|Mô tả|Chọn cơ quan|Không có thông tin).*$")


@dataclass
class RequiredPaper:
    name: str
    form: str | None = None  # the form's file name or number ("Mẫu TP01", "to-khai.docx")
    originals: int | None = None
    copies: int | None = None
    submitted: bool = True  # False: only shown ("xuất trình")
    alternatives: list[str] = field(default_factory=list)  # "A hoặc B": each a paper that will do
    cases: list[str] = field(default_factory=list)  # "+ ..." items under it

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, [], "")}


@dataclass(frozen=True)
class ResultPaper:
    name: str
    result_type: str | None  # KQ.G15.000031


def portal_papers(text: str | None) -> list[RequiredPaper]:
    """The papers of a portal record's flattened ``thanh_phan_ho_so``."""
    if not text:
        return []
    text = normalize_text(text)
    sections = list(_SECTION.finditer(text))
    spans = [(m.end(), sections[i + 1].start() if i + 1 < len(sections) else len(text), m.group(1).lower())
             for i, m in enumerate(sections)] or [(0, len(text), "nộp")]  # fmt: skip
    out: list[RequiredPaper] = []
    for start, end, kind in spans:
        body = _HEADER.sub("\n", text[start:end])
        pos = 0
        for q in _QUANTITY.finditer(body):
            item = re.sub(r"^[\s\-•;,.]+", "", body[pos : q.start()]).strip(" \n;,.")
            pos = q.end()
            if not item:
                continue
            if item.startswith("+") and out:
                out[-1].cases.append(item.lstrip("+ ").strip())
                continue
            paper = _paper(item, 0, True, kind == "nộp")
            paper.originals = paper.copies = None
            for count, unit in ((q.group(1), q.group(2)), (q.group(3), q.group(4))):
                if count is None:
                    continue
                if "sao" in unit.lower():
                    paper.copies = int(count)
                else:
                    paper.originals = int(count)
            out.append(paper)
    return out


def _paper(text: str, count: int, original: bool, submitted: bool) -> RequiredPaper:
    form = None
    m = _FORM_CELL.search(text) or _FORM.search(text)
    if m is not None:
        form, text = m.group(1), text[: m.start()].strip()
    else:
        mm = re.search(r"\((?:theo )?(mẫu [^)]{1,40})\)", text, re.I)
        form = mm.group(1) if mm else None
    alternatives = [a.strip(" ,;.") for a in re.split(r"\s+hoặc\s+", text) if a.strip(" ,;.")]
    return RequiredPaper(
        name=text.rstrip(" .;:"),
        form=form,
        originals=count if original else None,
        copies=None if original else count,
        submitted=submitted,
        alternatives=alternatives if len(alternatives) > 1 else [],
    )


def ministry_papers(rows: Any) -> list[RequiredPaper]:
    """The papers of a ministry record's ``thanh_phan_ho_so`` table rows."""
    out: list[RequiredPaper] = []
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict) or not str(row.get("ten_giay_to") or "").strip():
            continue
        name = " ".join(normalize_text(str(row["ten_giay_to"])).split())
        note = fold(str(row.get("ghi_chu") or ""))
        originals = re.search(r"ban chinh\s*:\s*(\d+)", note)
        copies = re.search(r"ban sao\s*:\s*(\d+)", note)
        form = str(row.get("so_luong") or "").strip() or None
        paper = _paper(name, 0, True, "xuat trinh" not in fold(name))
        paper.form = form if form and _FORM.search(form) else paper.form
        paper.originals = int(originals.group(1)) if originals else None
        paper.copies = int(copies.group(1)) if copies else None
        out.append(paper)
    return out


def results(text: str | None) -> list[ResultPaper]:
    """The results of ``ket_qua_xu_ly``: name and result-type code, or the name alone when no code is printed."""
    if not text:
        return []
    text = normalize_text(text)
    found = [ResultPaper(" ".join(m.group(1).split()).strip(" .;,"), m.group(2)) for m in _RESULT.finditer(text)]
    if found:
        return found
    name = _RESULT_TAIL.sub("", text).strip(" .;,")
    return [ResultPaper(" ".join(name.split()), None)] if name else []


def paper_extra(papers: list[RequiredPaper], found: list[ResultPaper]) -> dict[str, Any]:
    """What a reader keeps in ``ProcedureRecord.extra`` (and the importer in ``Procedure.extra``)."""
    out: dict[str, Any] = {}
    if papers:
        out["papers"] = [p.as_dict() for p in papers]
    if found:
        out["results"] = [{"name": r.name, "result_type": r.result_type} for r in found]
    return out
