"""Dossier folders and manifests: membership, roles, -KQ(n) numbering, mistakes reported before a run."""

from __future__ import annotations

from pathlib import Path

import pytest

from sohoa.conformance.dossier import DossierError, find_dossiers, membership, read_dossier, valid_dossier_code
from sohoa.conformance.identifiers import digitisation_code, result_code
from sohoa.extractors.types import ExtractionError
from sohoa.pipelines.discover import discover

CODE = "H15.50.05.13-261008-0975"


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4 " + path.name.encode())
    return path


def test_dossier_codes_are_validated_with_the_code_rules() -> None:
    assert valid_dossier_code("000.00.18.G12-250704-0012") == "000.00.18.G12-250704-0012"
    assert valid_dossier_code(CODE) == CODE
    assert valid_dossier_code("G09.20-20260609-0092637") == "G09.20-20260609-0092637"
    assert valid_dossier_code("000.00.18.G12-251304-0012") is None  # month 13
    assert valid_dossier_code("Hồ sơ 2024") is None
    assert valid_dossier_code("000.00.18.G12-250704-0012-KQ1") is None  # a result code, not a dossier


def test_folder_named_by_its_code_with_several_results(tmp_path: Path) -> None:
    root = tmp_path / CODE
    don = _touch(root / "01-don.pdf")
    cccd = _touch(root / "02-cccd.png")
    results = [_touch(root / "Kết quả" / name) for name in ("c.pdf", "a.pdf", "b.pdf")]
    _touch(root / ".hidden.pdf")
    spec = read_dossier(root)
    assert spec is not None and spec.code == CODE and spec.linked_by == "folder"
    assert [(e.path.name, e.role, e.position) for e in spec.entries if e.role == "component"] == [
        ("01-don.pdf", "component", 1),
        ("02-cccd.png", "component", 2),
    ]
    # Results numbered in discover's order (sorted paths), whatever order the files were written in.
    assert {m.entry.path.name: m.entry.result_code for r in results if (m := membership(r))} == {
        "a.pdf": f"{CODE}-KQ1",
        "b.pdf": f"{CODE}-KQ2",
        "c.pdf": f"{CODE}-KQ3",
    }
    m = membership(don)
    assert m is not None and m.entry.role == "component" and m.entry.result_code is None
    assert membership(cccd) is not None
    assert membership(_touch(tmp_path / "elsewhere.pdf")) is None
    assert [d.code for d in find_dossiers([tmp_path])] == [CODE]


def test_manifest_with_order_aliases_and_unlisted_files(tmp_path: Path) -> None:
    root = tmp_path / "any name"
    for name in ("to-khai.pdf", "gp1.pdf", "gp2.pdf", "gp3.pdf", "extra.pdf"):
        _touch(root / name)
    (root / "hoso.toml").write_text(
        'ma_ho_so = "000.00.18.G12-250704-0012"\nma_tthc = "1.000948.H38"\nthanh_phan = ["to-khai.pdf"]\n'
        '[[ket_qua]]\nfile = "gp1.pdf"\norder = 3\n[[ket_qua]]\nfile = "gp2.pdf"\norder = 1\n'
        '[[ket_qua]]\nfile = "gp3.pdf"\norder = 2\nresult_type = "KQ.G15.000031"\nname = "Giấy khai sinh"\n',
        encoding="utf-8",
    )
    spec = read_dossier(root)
    assert spec is not None and spec.linked_by == "manifest" and spec.procedure_code == "1.000948.H38"
    got = {e.path.name: (e.role, e.position, e.result_code, e.result_type) for e in spec.entries}
    code = "000.00.18.G12-250704-0012"
    assert got == {
        "to-khai.pdf": ("component", 1, None, None),
        "extra.pdf": ("component", 2, None, None),  # not listed: a component after the listed ones
        "gp2.pdf": ("result", 1, f"{code}-KQ1", None),
        "gp3.pdf": ("result", 2, f"{code}-KQ2", "KQ.G15.000031"),
        "gp1.pdf": ("result", 3, f"{code}-KQ3", None),
    }
    files = discover([tmp_path])
    assert sorted(p.name for p in files) == ["extra.pdf", "gp1.pdf", "gp2.pdf", "gp3.pdf", "to-khai.pdf"]


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ('dossier_code = "not a code"\n', "is not a dossier code"),
        ('dossier_code = "000.00.18.G12-250704-0012"\ncomponents = ["missing.pdf"]\n', "is not a file"),
        ('dossier_code = "000.00.18.G12-250704-0012"\nresults = ["a.pdf", "a.pdf"]\n', "listed twice"),
        ('dossier_code = "000.00.18.G12-250704-0012"\nprocedure_code = "3.350000x"\n', "not a TTHC code"),
        ("dossier_code = [\n", "not a valid TOML"),
    ],
)
def test_a_bad_manifest_stops_the_run_with_one_reason(tmp_path: Path, manifest: str, message: str) -> None:
    _touch(tmp_path / "d" / "a.pdf")
    (tmp_path / "d" / "hoso.toml").write_text(manifest, encoding="utf-8")
    with pytest.raises(DossierError, match=message):
        find_dossiers([tmp_path])
    with pytest.raises(ExtractionError, match=message):
        discover([tmp_path])


def test_codes_are_deterministic_and_documented() -> None:
    sha = "3f2a9c1e0b7d4455" + "0" * 48
    assert digitisation_code(sha) == "SH-3F2A9C1E0B7D4455"
    assert digitisation_code(sha, agency_code="000.00.18.G12", result_type="KQ.G15.000031") == (
        "SH-000.00.18.G12-KQ.G15.000031-3F2A9C1E0B7D4455"
    )
    assert digitisation_code(sha, agency_code="not an agency!") == "SH-3F2A9C1E0B7D4455"
    assert result_code(CODE, 2) == f"{CODE}-KQ2"
    with pytest.raises(ValueError):
        result_code(CODE, 0)
