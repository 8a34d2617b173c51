"""Dossier input: which files of a `sohoa digitise` run belong to a dossier (hồ sơ TTHC), with which role.

A dossier is given the way one-stop departments keep it, in one of two forms:

1. **A folder named by its dossier code** (``000.00.18.G12-250704-0012/``; the code is checked with the
   dossier-code rules of sohoa/extractors/codes.py). Files in a sub-folder named ``ket-qua`` / ``kết quả`` / ``KQ``
   / ``results`` are results (kết quả giải quyết); every other file is a component (thành phần hồ sơ).
2. **A folder with a manifest** ``hoso.toml`` (any folder name)::

       dossier_code = "000.00.18.G12-250704-0012"   # mã hồ sơ, required (alias: ma_ho_so)
       procedure_code = "1.001193"                   # mã TTHC, optional (alias: ma_tthc)
       title = "Cấp giấy phép ..."                   # optional
       components = ["to-khai.pdf", "cccd.png"]      # thành phần (alias: thanh_phan)
       [[results]]                                   # kết quả (alias: ket_qua), -KQ1, -KQ2 … in this order
       file = "giay-phep.pdf"
       result_type = "KQ.G15.000031"                 # optional: mã loại giấy tờ of the national database
       name = "Giấy phép"                            # optional
       order = 1                                     # optional: overrides the list order

   Entries are a file name (relative to the folder) or a table with ``file`` and the optional keys. Files of the
   folder the manifest does not list are components, after the listed ones.

Results are numbered in a stable order (the manifest's, else the sorted relative paths, as discover lists them)
and get the e-result code ``<dossier code>-KQ<n>``. Membership is worked out from the file's own path (its nearest
dossier folder), so any worker on any machine that sees the same paths finds the same dossier and role.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sohoa.conformance.identifiers import result_code
from sohoa.errors import SohoaError
from sohoa.extractors.codes import find_dossier_codes, find_procedure_codes
from sohoa.textnorm import fold

MANIFEST_NAME = "hoso.toml"
RESULT_FOLDERS = frozenset({"ket qua", "ket-qua", "ket_qua", "ketqua", "kq", "results", "result"})
MAX_DEPTH = 8  # how far up from a file its dossier folder may be

Role = Literal["component", "result"]


class DossierError(SohoaError, ValueError):
    """A manifest that cannot be used (bad code, missing file, bad key): the user must fix it."""

    user_message = "Tệp kê khai hồ sơ không dùng được"


@dataclass(frozen=True)
class DossierEntry:
    path: Path  # resolved
    role: Role
    position: int  # 1-based within its role; for a result the n of -KQn
    result_code: str | None = None
    result_type: str | None = None
    name: str | None = None


@dataclass
class DossierSpec:
    code: str
    root: Path  # resolved folder
    linked_by: Literal["folder", "manifest"]
    procedure_code: str | None = None
    title: str | None = None
    manifest: Path | None = None
    entries: list[DossierEntry] = field(default_factory=list)

    def entry_for(self, path: Path) -> DossierEntry | None:
        key = path.resolve()
        return next((e for e in self.entries if e.path == key), None)


@dataclass(frozen=True)
class Membership:
    """One file's place in a dossier."""

    dossier: DossierSpec
    entry: DossierEntry


def valid_dossier_code(text: str) -> str | None:
    """The normalised dossier code when ``text`` is exactly one dossier code (no -KQ suffix), else None."""
    text = text.strip()
    found = find_dossier_codes(text)
    if len(found) != 1 or found[0].start != 0 or found[0].end != len(text) or "KQ" in text:
        return None
    return found[0].value


def _files(root: Path) -> list[Path]:
    """The folder's files in discover's order (sorted, hidden ones and the manifest left out), resolved."""
    out = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).parts
        if p.is_file() and not any(part.startswith(".") for part in rel) and p.name != MANIFEST_NAME:
            out.append(p.resolve())
    return out


def _is_result_folder(name: str) -> bool:
    return fold(name).lower().strip() in RESULT_FOLDERS


def _from_folder(root: Path, code: str) -> DossierSpec:
    spec = DossierSpec(code=code, root=root.resolve(), linked_by="folder")
    results: list[Path] = []
    components: list[Path] = []
    for f in _files(root):
        parents = f.relative_to(spec.root).parts[:-1]
        (results if any(_is_result_folder(p) for p in parents) else components).append(f)
    spec.entries = [DossierEntry(f, "component", i) for i, f in enumerate(components, 1)]
    spec.entries += [DossierEntry(f, "result", i, result_code(code, i)) for i, f in enumerate(results, 1)]
    return spec


def _get(data: dict[str, Any], *keys: str) -> Any:
    for k in keys:
        if k in data:
            return data[k]
    return None


def _entries(manifest: Path, raw: Any, key: str) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise DossierError(f"{manifest}: '{key}' must be a list of file names or tables")
    out = []
    for i, item in enumerate(raw, 1):
        entry = {"file": item} if isinstance(item, str) else item
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            raise DossierError(f"{manifest}: entry {i} of '{key}' has no file name")
        out.append(entry)
    return out


def _from_manifest(manifest: Path) -> DossierSpec:
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DossierError(f"{manifest}: not a valid TOML file ({exc})") from exc
    raw_code = _get(data, "dossier_code", "ma_ho_so")
    if not isinstance(raw_code, str) or valid_dossier_code(raw_code) is None:
        raise DossierError(
            f"{manifest}: dossier_code {raw_code!r} is not a dossier code (e.g. 000.00.18.G12-250704-0012)"
        )
    code = valid_dossier_code(raw_code)
    assert code is not None
    procedure = _get(data, "procedure_code", "ma_tthc")
    if procedure is not None:
        found = find_procedure_codes(str(procedure))
        if len(found) != 1:
            raise DossierError(f"{manifest}: procedure_code {procedure!r} is not a TTHC code (e.g. 1.001193)")
        procedure = found[0].value
    root = manifest.parent.resolve()
    spec = DossierSpec(
        code=code,
        root=root,
        linked_by="manifest",
        procedure_code=procedure,
        title=_get(data, "title", "ten"),
        manifest=manifest.resolve(),
    )
    listed: set[Path] = set()

    def resolve(entry: dict[str, Any]) -> Path:
        path = (root / entry["file"]).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise DossierError(f"{manifest}: listed file {entry['file']!r} is not a file in {root}")
        if path in listed:
            raise DossierError(f"{manifest}: file {entry['file']!r} is listed twice")
        listed.add(path)
        return path

    results = _entries(manifest, _get(data, "results", "ket_qua"), "results")
    orders = [r.get("order", i) for i, r in enumerate(results, 1)]
    if any(not isinstance(o, int) or o < 1 for o in orders) or len(set(orders)) != len(orders):
        raise DossierError(f"{manifest}: result 'order' values must be distinct whole numbers from 1")
    ranked = sorted(zip(orders, results, strict=True), key=lambda t: t[0])
    result_entries = [
        DossierEntry(resolve(r), "result", n, result_code(code, n), r.get("result_type"), r.get("name"))
        for n, (_order, r) in enumerate(ranked, 1)
    ]
    components = _entries(manifest, _get(data, "components", "thanh_phan"), "components")
    component_entries = [
        DossierEntry(resolve(c), "component", i, None, None, c.get("name")) for i, c in enumerate(components, 1)
    ]
    for f in _files(root):
        if f not in listed:
            component_entries.append(DossierEntry(f, "component", len(component_entries) + 1))
    spec.entries = component_entries + result_entries
    return spec


def read_dossier(folder: Path) -> DossierSpec | None:
    """The dossier a folder holds (manifest first, then the folder's name), or None when it is not one."""
    manifest = folder / MANIFEST_NAME
    if manifest.is_file():
        return _from_manifest(manifest)
    code = valid_dossier_code(folder.name)
    return _from_folder(folder, code) if code else None


def find_dossiers(paths: list[Path]) -> list[DossierSpec]:
    """Every dossier among the given paths (folders inside them, and the folder a given file sits in); raises
    DossierError for a manifest that cannot be used, so a mistake stops the run before anything is queued."""
    found: dict[Path, DossierSpec] = {}
    for given in paths:
        folders = [given, *sorted(d for d in given.rglob("*") if d.is_dir())] if given.is_dir() else []
        folders += list(given.resolve().parents)[:MAX_DEPTH]
        for folder in folders:
            if folder.resolve() in found or any(part.startswith(".") for part in folder.parts[-1:]):
                continue
            spec = read_dossier(folder)
            if spec is not None:
                found[spec.root] = spec
    return sorted(found.values(), key=lambda d: str(d.root))


def membership(path: Path) -> Membership | None:
    """The dossier and role of one input file: its nearest folder that is a dossier and lists it."""
    resolved = path.resolve()
    for folder in list(resolved.parents)[:MAX_DEPTH]:
        try:
            spec = read_dossier(folder)
        except (DossierError, OSError):
            return None  # reported once by find_dossiers when the run starts
        if spec is not None:
            entry = spec.entry_for(resolved)
            return Membership(spec, entry) if entry else None
    return None
