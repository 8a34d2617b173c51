"""Server-rendered pages (Vietnamese). Each page calls the same functions as the JSON API; forms post with the
session's CSRF token and redirect back (post/redirect/get), so the pages work without JavaScript."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from sohoa.store.corrections import EDITABLE, CorrectionError
from sohoa.web import archivist, audit, csrf, documents
from sohoa.web.api import end_session, login_session
from sohoa.web.auth import CurrentUser, LoginThrottled
from sohoa.web.context import CSRF, Ctx, require, session_user
from sohoa.web.search import FACET_LABELS, BadSearch, SearchParams, run_search

router = APIRouter(include_in_schema=False)
READ = require("read")
WRITE = require("write")
ARCHIVE = require("archive")
AUDIT = require("audit")


def templates(request: Request) -> Jinja2Templates:
    t: Jinja2Templates = request.app.state.templates
    return t


def render(request: Request, name: str, user: CurrentUser | None, status_code: int = 200, **context: Any) -> Response:
    flash = request.session.pop("flash", None)
    return templates(request).TemplateResponse(
        request,
        name,
        {
            "user": user,
            "csrf_token": csrf.token(request.session),
            "flash": flash,
            "prefect_ui_url": request.app.state.settings.prefect_ui_url,
            **context,
        },
        status_code=status_code,
    )


def _flash(request: Request, message: str, kind: str = "ok") -> None:
    request.session["flash"] = {"message": message, "kind": kind}


def _back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _safe_next(value: str | None) -> str:
    # Only local paths: an open redirect after login would send a fresh session to another site.
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", session_user(request), next=_safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse, dependencies=[CSRF])
def login_post(request: Request, name: str = Form(...), password: str = Form(...), next: str = Form("/")) -> Response:
    try:
        user = login_session(request, name, password)
    except LoginThrottled as exc:
        response = render(
            request,
            "login.html",
            None,
            status_code=429,
            next=_safe_next(next),
            error=f"Đăng nhập sai quá nhiều lần; thử lại sau {exc.retry_after} giây",
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if user is None:
        return render(
            request, "login.html", None, status_code=401, next=_safe_next(next), error="Sai tên đăng nhập hoặc mật khẩu"
        )
    return _back(_safe_next(next))


@router.post("/logout", dependencies=[CSRF])
def logout(request: Request) -> Response:
    end_session(request)
    return _back("/login")


@router.get("/", response_class=HTMLResponse)
def search_page(
    request: Request,
    ctx: Ctx = READ,
    q: str = "",
    kind: str = "",
    type: str = "",
    issuer: str = "",
    date_from: str = "",
    date_to: str = "",
    procedure: str = "",
    dossier: str = "",
    page: int = 1,
) -> Response:
    params = SearchParams(
        q, kind or None, type or None, issuer or None, date_from, date_to, procedure, dossier, max(page, 1)
    )
    filters = {
        "q": q,
        "kind": kind,
        "type": type,
        "issuer": issuer,
        "date_from": date_from,
        "date_to": date_to,
        "procedure": procedure,
        "dossier": dossier,
    }
    searched = any(filters.values())
    result, error = None, None
    if searched:
        try:
            result = run_search(ctx, params)
        except BadSearch as exc:
            error = str(exc)

    def url_with(**changes: Any) -> str:
        merged = {**filters, "page": str(params.page), **changes}
        return "/?" + urlencode({k: v for k, v in merged.items() if v not in ("", None)})

    return render(
        request,
        "search.html",
        ctx.user,
        result=result,
        error=error,
        filters=filters,
        searched=searched,
        facet_labels=FACET_LABELS,
        url_with=url_with,
    )


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document_page(request: Request, doc_id: str, ctx: Ctx = READ, q: str = "", page: int = 1) -> Response:
    try:
        view = documents.document_view(ctx, doc_id, q)
    except documents.NotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    current = min(max(page, 1), max(len(view["pages"]), 1))
    return render(
        request,
        "document.html",
        ctx.user,
        doc=view,
        q=q,
        current_page=current,
        q_param=("?" + urlencode({"q": q})) if q else "",
        can_write=ctx.user.can("write"),
        editable=EDITABLE,
    )


@router.post("/documents/{doc_id}/fix", dependencies=[CSRF])
def fix_post(
    request: Request, doc_id: str, ctx: Ctx = WRITE, field: str = Form(...), value: str = Form("")
) -> Response:
    try:
        result = archivist.correct(ctx, doc_id, field, value)
    except CorrectionError as exc:
        _flash(request, f"Không lưu được: {exc}", "error")
    else:
        note = "" if not result["index"]["queued"] else " (chỉ mục đang bận: sẽ cập nhật ở lần đồng bộ sau)"
        label = documents.FIELD_LABELS.get(field, field)
        _flash(request, f"Đã lưu «{label}» thành phiên bản {result['version']}{note}")
    return _back(f"/documents/{doc_id}")


@router.post("/documents/{doc_id}/accept", dependencies=[CSRF])
def accept_post(request: Request, doc_id: str, ctx: Ctx = WRITE) -> Response:
    try:
        result = archivist.accept(ctx, doc_id)
    except CorrectionError as exc:
        _flash(request, f"Không chấp nhận được: {exc}", "error")
    else:
        _flash(request, f"Đã chấp nhận kết quả OCR (phiên bản {result['version']})")
    return _back(request.headers.get("referer") or f"/documents/{doc_id}")


@router.get("/dossiers/{code}", response_class=HTMLResponse)
def dossier_page(request: Request, code: str, ctx: Ctx = READ) -> Response:
    try:
        view = documents.dossier_view(ctx, code)
    except documents.NotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    return render(request, "dossier.html", ctx.user, d=view)


@router.get("/procedures/{code}", response_class=HTMLResponse)
def procedure_page(request: Request, code: str, ctx: Ctx = READ) -> Response:
    try:
        view = documents.procedure_view(ctx, code)
    except documents.NotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    return render(request, "procedure.html", ctx.user, p=view)


@router.get("/archivist", response_class=HTMLResponse)
def batches_page(request: Request, ctx: Ctx = ARCHIVE) -> Response:
    return render(
        request, "batches.html", ctx.user, batches=archivist.batches(ctx), review=archivist.review_queue(ctx, 20)
    )


@router.get("/archivist/batches/{batch_id}", response_class=HTMLResponse)
def batch_page(request: Request, batch_id: str, ctx: Ctx = ARCHIVE) -> Response:
    detail = archivist.batch_detail(ctx, batch_id)
    if detail is None:
        raise HTTPException(404, f"không có lô {batch_id!r}")
    return render(request, "batch.html", ctx.user, b=detail, status_labels=documents.STATUS_LABELS)


@router.post("/archivist/batches/{batch_id}/retry", dependencies=[CSRF])
def retry_post(request: Request, batch_id: str, ctx: Ctx = WRITE) -> Response:
    try:
        result = archivist.retry(ctx, batch_id)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    _flash(
        request,
        f"Đã đưa {result['requeued']} tệp trở lại hàng đợi; chạy `{result['worker_command']}` "
        "hoặc một lượt Prefect để xử lý",
    )
    return _back(f"/archivist/batches/{quote(batch_id, safe='')}")


@router.get("/archivist/review", response_class=HTMLResponse)
def review_page(request: Request, ctx: Ctx = ARCHIVE) -> Response:
    return render(request, "review.html", ctx.user, review=archivist.review_queue(ctx))


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, ctx: Ctx = AUDIT, as_of: str = "", period: str = "month") -> Response:
    try:
        day = date.fromisoformat(as_of) if as_of else None
        data = audit.dashboard(ctx, day, period)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc
    query = urlencode({k: v for k, v in (("as_of", as_of), ("period", period)) if v})
    return render(request, "audit.html", ctx.user, a=data, query=query, as_of=as_of, period=period)
