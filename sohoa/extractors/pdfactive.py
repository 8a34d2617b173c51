"""Active content out of the archival (searchable) PDF: scripts, launch actions, embedded files, XFA forms.

Archivists download the searchable copy and staff view its pages, so it must not run anything when opened:
JavaScript (document, page, annotation and form-field actions, the /Names JavaScript tree), Launch, form
submission and import actions, embedded and associated files, XFA forms, rich-media, sound and movie annotations.
:func:`strip_active` removes them from an open pikepdf document in place (the original file in the archive is
kept byte for byte) and returns what it removed, which the pipeline records with the PDF/A step. Plain links (URI,
GoTo destinations) are kept: they are navigation, not code.
"""

from __future__ import annotations

import pikepdf

# Action types that run code, open other files or programs, or send data out.
DANGEROUS_ACTIONS = {
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/ImportData": "import_data",
    "/SubmitForm": "submit_form",
    "/RichMediaExecute": "rich_media",
    "/Rendition": "rendition",
    "/GoToE": "embedded_goto",
    "/GoToR": "remote_goto",
}
# Annotations that carry files or players rather than marks.
ACTIVE_ANNOTATIONS = {
    "/FileAttachment": "embedded_file",
    "/RichMedia": "rich_media",
    "/Screen": "rendition",
    "/Movie": "movie",
    "/Sound": "sound",
}

__all__ = ["ACTIVE_ANNOTATIONS", "DANGEROUS_ACTIONS", "active_content", "strip_active"]


def _action_kinds(action: pikepdf.Object, depth: int = 0) -> set[str]:
    """The dangerous kinds in an action and its /Next chain."""
    kinds: set[str] = set()
    if depth > 32:
        return kinds
    if isinstance(action, pikepdf.Dictionary):
        kind = DANGEROUS_ACTIONS.get(str(action.get("/S", "")))
        if kind:
            kinds.add(kind)
        if "/JS" in action:
            kinds.add("javascript")
        nxt = action.get("/Next")
        if nxt is not None:
            kinds |= _action_kinds(nxt, depth + 1)
    elif isinstance(action, pikepdf.Array):
        for item in action:
            kinds |= _action_kinds(item, depth + 1)
    return kinds


def _walk(pdf: pikepdf.Pdf) -> list[pikepdf.Object]:
    """Every dictionary (streams' too) reachable from the trailer, each once."""
    out: list[pikepdf.Object] = []
    seen: set[tuple[int, int]] = set()
    stack: list[pikepdf.Object] = [pdf.trailer]
    while stack:
        obj = stack.pop()
        key = obj.objgen if hasattr(obj, "objgen") else (0, 0)
        if key != (0, 0):
            if key in seen:
                continue
            seen.add(key)
        if isinstance(obj, pikepdf.Stream | pikepdf.Dictionary):
            out.append(obj)
            for name, value in obj.items():
                if name in ("/Parent", "/P"):  # back references: reached from above anyway
                    continue
                if isinstance(value, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream):
                    stack.append(value)
        elif isinstance(obj, pikepdf.Array):
            stack.extend(v for v in obj if isinstance(v, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream))
    return out


def _scan(pdf: pikepdf.Pdf, remove: bool) -> list[str]:
    found: set[str] = set()
    root = pdf.Root
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for key, kind in (("/JavaScript", "javascript"), ("/EmbeddedFiles", "embedded_file")):
            if key in names:
                found.add(kind)
                if remove:
                    del names[key]
    form = root.get("/AcroForm")
    if isinstance(form, pikepdf.Dictionary):
        if "/XFA" in form:
            found.add("xfa")
            if remove:
                del form["/XFA"]
    if "/NeedsRendering" in root:
        found.add("xfa")
        if remove:
            del root["/NeedsRendering"]
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if isinstance(annots, pikepdf.Array):
            keep = []
            for annot in annots:
                subtype = str(annot.get("/Subtype", "")) if isinstance(annot, pikepdf.Dictionary) else ""
                annot_kind = ACTIVE_ANNOTATIONS.get(subtype)
                if annot_kind:
                    found.add(annot_kind)
                else:
                    keep.append(annot)
            if remove and len(keep) != len(annots):
                page.obj["/Annots"] = pikepdf.Array(keep)
    for obj in _walk(pdf):
        for key in ("/OpenAction", "/A"):
            if key in obj:
                kinds = _action_kinds(obj[key])
                if kinds:
                    found |= kinds
                    if remove:
                        del obj[key]
        if "/AA" in obj:
            aa = obj["/AA"]
            kinds = (
                set().union(*(_action_kinds(v) for v in aa.values())) if isinstance(aa, pikepdf.Dictionary) else set()
            )
            found |= kinds or {"additional_actions"}
            if remove:
                del obj["/AA"]  # triggered actions (open, close, focus, keystroke...): nothing an archive copy needs
        if "/JS" in obj and str(obj.get("/S", "")) != "/JavaScript":
            found.add("javascript")
            if remove:
                del obj["/JS"]
        for key, kind in (("/EF", "embedded_file"), ("/AF", "embedded_file"), ("/RichMediaContent", "rich_media")):
            if key in obj:
                found.add(kind)
                if remove:
                    del obj[key]
    return sorted(found)


def active_content(pdf: pikepdf.Pdf) -> list[str]:
    """The kinds of active content an open PDF holds (nothing is changed)."""
    return _scan(pdf, remove=False)


def strip_active(pdf: pikepdf.Pdf) -> list[str]:
    """Remove every active part from an open PDF, in place; returns the kinds removed, sorted ([] for none)."""
    return _scan(pdf, remove=True)
