"""Staff search: the index answers, the record store supplies what masking needs, masking decides what is shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.search.model import Hit, Query, SearchResult
from sohoa.store.models import Document, MetadataRecord, Page
from sohoa.textnorm import normalize_text
from sohoa.web.context import Ctx
from sohoa.web.masking import (
    Masker,
    mask_snippet,
    matched_only_through_pii,
    query_tokens,
    query_touches_pii,
    safe_snippet,
)

PER_PAGE = 10
FACET_LABELS = {
    "kind": "Loại bản ghi",
    "doc_type": "Loại văn bản",
    "issuer": "Cơ quan ban hành",
    "status": "Trạng thái",
}
KIND_LABELS = {"document": "Tài liệu", "dossier": "Hồ sơ", "procedure": "Thủ tục"}


class BadSearch(ValueError):
    """A search the user must change (bad date, a query on personal data for a masked role)."""


@dataclass
class SearchParams:
    q: str = ""
    kind: str | None = None
    doc_type: str | None = None
    issuer: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    procedure: str | None = None
    dossier: str | None = None
    page: int = 1
    per_page: int = PER_PAGE

    def query(self) -> Query:
        for value in (self.date_from, self.date_to):
            if value:
                try:
                    date.fromisoformat(value)
                except ValueError as exc:
                    raise BadSearch(f"ngày phải có dạng YYYY-MM-DD, không phải {value!r}") from exc
        if self.kind not in (None, "document", "dossier", "procedure"):
            raise BadSearch(f"loại bản ghi không hợp lệ: {self.kind!r}")
        return Query(
            text=self.q,
            kind=self.kind,  # type: ignore[arg-type]
            doc_type=self.doc_type or None,
            issuer=self.issuer or None,
            date_from=self.date_from or None,
            date_to=self.date_to or None,
            procedure_code=self.procedure or None,
            dossier_code=self.dossier or None,
            limit=max(1, min(self.per_page, 100)),
            offset=(max(self.page, 1) - 1) * max(1, min(self.per_page, 100)),
        )


def current_metadata_many(session: Session, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    rows = session.scalars(
        select(MetadataRecord).where(MetadataRecord.document_id.in_(ids)).order_by(MetadataRecord.version)
    ).all()
    return {r.document_id: r.data for r in rows}  # later versions overwrite earlier ones


def page_texts(session: Session, document_id: str) -> list[str]:
    return list(session.scalars(select(Page.text).where(Page.document_id == document_id).order_by(Page.number)))


def hit_url(hit: Hit, q: str) -> str:
    from urllib.parse import quote, urlencode

    if hit.kind == "document":
        params = {k: v for k, v in (("q", q), ("page", str(hit.page or ""))) if v}
        return f"/documents/{hit.id}" + (f"?{urlencode(params)}" if params else "")
    code = hit.id.split(":", 1)[1] if ":" in hit.id else hit.id
    return f"/{hit.kind}s/{quote(code, safe='')}"


def _facet_values(meta: dict[str, Any], doc: Document | None) -> dict[str, str | None]:
    return {
        "kind": "document",
        "doc_type": meta.get("doc_type"),
        "issuer": meta.get("issuer"),
        "status": doc.status if doc else None,
    }


def run_search(ctx: Ctx, params: SearchParams) -> dict[str, Any]:
    """Hits (masked for masked roles), totals, facets and paging, as the page and the API show them."""
    query = params.query()
    if ctx.masked and params.q and (why := query_touches_pii(params.q)):
        raise BadSearch(
            "vai trò của bạn không được tìm theo dữ liệu cá nhân (số định danh, điện thoại, email): "
            f"hãy tìm theo số văn bản, mã hồ sơ hoặc nội dung ({why})"
        )
    with ctx.backend() as backend:
        result: SearchResult = backend.search(query)
    tokens = query_tokens(params.q)
    hits: list[dict[str, Any]] = []
    dropped: list[dict[str, str | None]] = []
    facets = {name: dict(counts) for name, counts in result.facets.items()}
    with ctx.store.session() as s:
        doc_ids = [h.id for h in result.hits if h.kind == "document"]
        metas = current_metadata_many(s, doc_ids)
        docs = {d.id: d for d in s.scalars(select(Document).where(Document.id.in_(doc_ids)))} if doc_ids else {}
        for h in result.hits:
            item: dict[str, Any] = {
                "id": h.id,
                "kind": h.kind,
                "kind_label": KIND_LABELS.get(h.kind, h.kind),
                "title": h.title,
                "number": h.number,
                "page": h.page,
                "score": round(h.score, 3),
                "snippet": safe_snippet(h.snippet),
                "url": hit_url(h, params.q),
                "masked": False,
            }
            meta = metas.get(h.id, {})
            masker = Masker.from_metadata(meta) if h.kind == "document" else Masker()
            if masker:
                pages = page_texts(s, h.id)
                if ctx.masked:
                    visible = [masker.mask(t) for t in pages]
                    visible += [masker.mask(str(meta.get(k) or "")) for k in ("subject", "number", "doc_type")]
                    if matched_only_through_pii(tokens, visible, masker):
                        # Found only through personal data: to a masked role the document does not match.
                        dropped.append(_facet_values(meta, docs.get(h.id)))
                        continue
                    ordered = pages[h.page - 1 : h.page] + pages if h.page else pages
                    item["snippet"] = mask_snippet(h.snippet, ordered, masker)
                    item["title"] = masker.mask(h.title)
                    item["number"] = masker.mask(h.number) if h.number else h.number
                    item["masked"] = True
                else:
                    ctx.log(s, "view_unmasked", h.id, where="search", kinds=sorted(set(masker.values.values())))
            hits.append(item)
    for values in dropped:
        for name, value in values.items():
            key = normalize_text(value) if value else None
            if key and key in facets.get(name, {}):
                facets[name][key] -= 1
                if facets[name][key] <= 0:
                    del facets[name][key]
    total = max(result.total - len(dropped), 0)
    per_page = query.limit
    return {
        "query": params.q,
        "total": total,
        "page": max(params.page, 1),
        "per_page": per_page,
        "pages": max(1, -(-total // per_page)),
        "hits": hits,
        "facets": facets,
        # How many were hidden is not returned: the count alone would confirm that someone's data is there.
    }
