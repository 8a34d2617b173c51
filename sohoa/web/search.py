"""Staff search: the index answers, the record store supplies what masking needs, masking decides what is shown.

Masked roles search the index's public copy (sohoa/search/public.py: personal values replaced by labels), so a name
or an ID number can never match, count, facet or highlight for them, on any page of the results. Their titles and
snippets come from that copy too, and are masked once more against the record's values (defence in depth)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.errors import SohoaError
from sohoa.search.model import Hit, Query, SearchResult
from sohoa.search.public import public_pages
from sohoa.store import repo
from sohoa.store.models import Page
from sohoa.web import facets
from sohoa.web.context import Ctx
from sohoa.web.facets import TEXT_FACETS
from sohoa.web.masking import Masker, mask_snippet, query_touches_pii, safe_snippet, without_personal_values

PER_PAGE = 10
FACET_LABELS = {
    "kind": "Loại bản ghi",
    "doc_type": "Loại văn bản",
    "issuer": "Cơ quan ban hành",
    "status": "Trạng thái",
}
KIND_LABELS = {"document": "Tài liệu", "dossier": "Hồ sơ", "procedure": "Thủ tục"}


class BadSearch(SohoaError, ValueError):
    """A search the user must change (bad date, a query on personal data for a masked role)."""

    user_message = "Cần sửa lại câu tìm kiếm"


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

    def _text(self, masked: bool) -> str:
        if not masked or not self.q.strip():
            return self.q
        rest = without_personal_values(self.q)
        # Only personal data was typed: a phrase nothing holds, so nothing is found (and nothing is said).
        return rest if rest is not None else f'"{facets.NO_MATCH}"'

    def query(self, masked: bool) -> Query:
        """The backend query; `masked` searches only the public copy of the text (never personal data)."""
        for value in (self.date_from, self.date_to):
            if value:
                try:
                    date.fromisoformat(value)
                except ValueError as exc:
                    raise BadSearch(f"ngày phải có dạng YYYY-MM-DD, không phải {value!r}") from exc
        if self.kind not in (None, "document", "dossier", "procedure"):
            raise BadSearch(f"loại bản ghi không hợp lệ: {self.kind!r}")
        return Query(
            text=self._text(masked),
            kind=self.kind,  # type: ignore[arg-type]
            doc_type=self.doc_type or None,
            issuer=self.issuer or None,
            date_from=self.date_from or None,
            date_to=self.date_to or None,
            procedure_code=self.procedure or None,
            dossier_code=self.dossier or None,
            fields="public" if masked else "full",
            limit=max(1, min(self.per_page, 100)),
            offset=(max(self.page, 1) - 1) * max(1, min(self.per_page, 100)),
        )


def page_texts(session: Session, document_id: str) -> list[str]:
    return list(session.scalars(select(Page.text).where(Page.document_id == document_id).order_by(Page.number)))


def hit_url(hit: Hit, q: str) -> str:
    from urllib.parse import quote, urlencode

    if hit.kind == "document":
        params = {k: v for k, v in (("q", q), ("page", str(hit.page or ""))) if v}
        return f"/documents/{hit.id}" + (f"?{urlencode(params)}" if params else "")
    code = hit.id.split(":", 1)[1] if ":" in hit.id else hit.id
    return f"/{hit.kind}s/{quote(code, safe='')}"


def run_search(ctx: Ctx, params: SearchParams) -> dict[str, Any]:
    """Hits (masked for masked roles), totals, facets and paging, as the page and the API show them."""
    query = params.query(ctx.masked)
    if ctx.masked and params.q and (why := query_touches_pii(params.q)):
        raise BadSearch(
            "vai trò của bạn không được tìm theo dữ liệu cá nhân (số định danh, điện thoại, email): "
            f"hãy tìm theo số văn bản, mã hồ sơ hoặc nội dung ({why})"
        )
    with ctx.backend() as backend, ctx.store.session() as s:
        if ctx.masked:
            # A filter on a personal value matches nothing, as an unknown value does (facets.py).
            for name in TEXT_FACETS:
                value = getattr(query, name)
                if value and facets.is_personal(s, backend, name, value):
                    setattr(query, name, facets.NO_MATCH)
        result: SearchResult = backend.search(query)
        facet_counts = (
            facets.public_facets(s, backend, result.facets)
            if ctx.masked
            else {name: dict(counts) for name, counts in result.facets.items()}
        )
    hits: list[dict[str, Any]] = []
    with ctx.store.session() as s:
        metas = repo.current_metadata_data(s, [h.id for h in result.hits if h.kind == "document"])
        for h in result.hits:
            item: dict[str, Any] = {
                "id": h.id,
                "kind": h.kind,
                "kind_label": KIND_LABELS.get(h.kind, h.kind),
                "title": h.title,
                "number": h.number,
                "page": h.page,
                "more_pages": list(h.more_pages),
                "score": round(h.score, 3),
                "snippet": safe_snippet(h.snippet),
                "url": hit_url(h, params.q),
                "masked": False,
            }
            meta = metas.get(h.id, {})
            masker = Masker.from_metadata(meta) if h.kind == "document" else Masker()
            if masker:
                if ctx.masked:
                    # The snippet was cut from the public copy: locate it there, so a value the index failed to
                    # replace is still masked, even where the cut went through it.
                    pages = page_texts(s, h.id)
                    pages = public_pages(pages, meta.get("pii") or []) or pages
                    ordered = pages[h.page - 1 : h.page] + pages if h.page else pages
                    item["snippet"] = mask_snippet(h.snippet, ordered, masker)
                    item["title"] = masker.mask_field(h.title)
                    item["number"] = masker.mask_field(h.number) if h.number else h.number
                    item["masked"] = True
                else:
                    ctx.log(s, "view_unmasked", h.id, where="search", kinds=sorted(set(masker.values.values())))
            elif ctx.masked:
                item["title"] = masker.mask_field(h.title)  # a title or file name with a name the record lacks
            hits.append(item)
    total = result.total
    per_page = query.limit
    return {
        "query": params.q,
        "total": total,
        "page": max(params.page, 1),
        "per_page": per_page,
        "pages": max(1, -(-total // per_page)),
        "hits": hits,
        "facets": facet_counts,
        # Nothing found: the typed words with unknown ones replaced from the searched copy's own vocabulary (the
        # public copy for masked roles, so a suggestion never spells a personal value).
        "suggestion": result.suggestion,
    }
