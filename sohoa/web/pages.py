"""Server-rendered pages (Vietnamese). Each page calls the same functions as the JSON API; forms post with the
session's CSRF token and redirect back (post/redirect/get), so the pages work without JavaScript."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from sohoa.labels import label, parse_date
from sohoa.pipelines import item_actions
from sohoa.pipelines.prefect_probe import ui_url
from sohoa.store.corrections import EDITABLE, CorrectionError
from sohoa.store.models import BatchItem
from sohoa.web import archivist, audit, csrf, documents, progress, upload
from sohoa.web.api import WrongPassword, change_password, end_session, login_session
from sohoa.web.auth import CurrentUser, LoginThrottled
from sohoa.web.context import CSRF, Ctx, current_user, require, session_user, wake_worker
from sohoa.web.passwords import MIN_LENGTH, WeakPassword
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
            "prefect_ui_url": ui_url(request.app.state.settings.prefect_ui_url),
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


def _iso(typed: str) -> str:
    """A date typed dd/mm/yyyy as the ISO text the search layer takes; anything else is passed on to be refused
    there with its own message."""
    try:
        return parse_date(typed).isoformat() if typed.strip() else ""
    except ValueError:
        return typed


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


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request) -> Response:
    user = current_user(request)
    return render(request, "account.html", user, error=None, min_length=MIN_LENGTH)


@router.post("/account/password", response_class=HTMLResponse, dependencies=[CSRF])
def account_password(
    request: Request, current: str = Form(...), new: str = Form(...), confirm: str = Form(...)
) -> Response:
    """The "Tài khoản" page's form: the same checks as ``POST /api/password``; on success every session of the
    user ends (other browsers too) and the user signs in again with the new password."""
    user = current_user(request)

    def again(error: str, status_code: int) -> Response:
        return render(request, "account.html", user, status_code=status_code, error=error, min_length=MIN_LENGTH)

    if new != confirm:
        return again("Mật khẩu mới nhập lại không khớp", 400)
    try:
        ended = change_password(request, user, current, new)
    except LoginThrottled as exc:
        response = again(f"Nhập sai mật khẩu quá nhiều lần; thử lại sau {exc.retry_after} giây", 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except WrongPassword:
        return again("Mật khẩu hiện tại không đúng", 403)
    except WeakPassword as exc:
        return again(f"Mật khẩu mới chưa đạt yêu cầu: {exc}", 400)
    others = f"; {ended - 1} phiên đăng nhập khác đã kết thúc" if ended > 1 else ""
    _flash(request, f"Đã đổi mật khẩu{others}. Hãy đăng nhập lại bằng mật khẩu mới.")
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
        q, kind or None, type or None, issuer or None, _iso(date_from), _iso(date_to), procedure, dossier, max(page, 1)
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
    _correct(request, lambda: archivist.correct(ctx, doc_id, field, value), documents.FIELD_LABELS.get(field, field))
    return _back(f"/documents/{doc_id}")


@router.post("/documents/{doc_id}/paper-field", dependencies=[CSRF])
def paper_field_post(
    request: Request, doc_id: str, ctx: Ctx = WRITE, field: str = Form(...), value: str = Form("")
) -> Response:
    _correct(request, lambda: archivist.correct_paper(ctx, doc_id, field, value), label(field, "paper_field"))
    return _back(f"/documents/{doc_id}#truong-{field}")


def _correct(request: Request, save: Callable[[], dict[str, Any]], field_label: str) -> None:
    """Run a correction and tell the archivist what became of it (its version, a closed review, a busy index)."""
    try:
        result = save()
    except CorrectionError as exc:
        _flash(request, f"Không lưu được: {exc}", "error")
        return
    note = "" if not result["index"]["queued"] else " (chỉ mục đang bận: sẽ cập nhật ở lần đồng bộ sau)"
    closed = "; không còn gì cần xem lại: tài liệu đã hoàn thành" if result["review_closed"] else ""
    _flash(request, f"Đã lưu «{field_label}» thành phiên bản {result['version']}{closed}{note}")


@router.post("/documents/{doc_id}/accept", dependencies=[CSRF])
def accept_post(request: Request, doc_id: str, ctx: Ctx = WRITE) -> Response:
    try:
        result = archivist.accept(ctx, doc_id)
    except CorrectionError as exc:
        _flash(request, f"Không chấp nhận được: {exc}", "error")
    else:
        _flash(request, f"Đã chấp nhận kết quả OCR (phiên bản {result['version']})")
    return _back(request.headers.get("referer") or f"/documents/{doc_id}")


@router.post("/documents/{doc_id}/revert", dependencies=[CSRF])
def revert_post(request: Request, doc_id: str, ctx: Ctx = WRITE, version: int = Form(...)) -> Response:
    try:
        result = archivist.revert(ctx, doc_id, version)
    except CorrectionError as exc:
        _flash(request, f"Không khôi phục được: {exc}", "error")
    else:
        _flash(request, f"Đã khôi phục các trường của phiên bản v{version} thành phiên bản v{result['version']}")
    return _back(f"/documents/{doc_id}")


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
    with ctx.store.session() as s:
        live = progress.batch_progress(s, batch_id)
    return render(request, "batch.html", ctx.user, b=detail, p=live)


def _item_base(batch_id: str, item_id: int) -> str:
    return f"/archivist/batches/{quote(batch_id, safe='')}/items/{item_id}"


@router.get("/archivist/batches/{batch_id}/items/{item_id}", response_class=HTMLResponse)
def item_page(request: Request, batch_id: str, item_id: int, ctx: Ctx = ARCHIVE) -> Response:
    with ctx.store.session() as s:
        item = s.get(BatchItem, item_id)
        if item is None or item.batch_id != batch_id:
            raise HTTPException(404, f"không có tệp số {item_id} trong lô {batch_id!r}")
        row = progress.failure_row(item)
    return render(
        request,
        "item.html",
        ctx.user,
        item=row,
        batch_id=batch_id,
        base=_item_base(batch_id, item_id),
        fixable=row["status"] in item_actions.FIXABLE and ctx.user.can("write"),
    )


def _item_done(request: Request, ctx: Ctx, batch_id: str, action: str, item_id: int, note: str) -> Response:
    with ctx.store.session() as s:
        ctx.log(s, f"item_{action}", batch_id, item=item_id)
    working = wake_worker(request) if action != "drop" else True
    _flash(request, note + ("" if working else f"; chạy `sohoa worker --batch {batch_id}` để xử lý"))
    return _back(f"/archivist/batches/{quote(batch_id, safe='')}")


@router.post("/archivist/batches/{batch_id}/items/{item_id}/replace", dependencies=[CSRF])
async def item_replace(request: Request, batch_id: str, item_id: int, ctx: Ctx = WRITE) -> Response:
    form = await request.form()  # spooled to disk by Starlette (the CSRF check parsed it)
    file, reason = form.get("file"), form.get("reason")
    try:
        if isinstance(file, str) or file is None or not file.filename:
            raise item_actions.ItemActionError("chưa chọn tệp thay thế")
        rel = upload.safe_relpath(file.filename)
        if rel is None:
            raise item_actions.ItemActionError("tên tệp không dùng được")
        root = upload.new_upload_dir(ctx.settings.resolved_data_dir, batch_id)
        got = await run_in_threadpool(
            upload.copy_limited, file.file, root / rel.name, ctx.settings.max_file_mb * 1024 * 1024
        )
        if got.too_large:
            raise item_actions.ItemActionError(f"tệp lớn hơn giới hạn {ctx.settings.max_file_mb} MB")
        item_actions.replace_file(ctx.store, batch_id, item_id, got.path, reason=str(reason or ""), by=ctx.user.name)
    except item_actions.ItemActionError as exc:
        _flash(request, f"Không thay được tệp: {exc}", "error")
        return _back(_item_base(batch_id, item_id))
    return _item_done(
        request, ctx, batch_id, "replace", item_id, f"Đã thay tệp bằng «{rel.name}» và đưa lại vào hàng đợi"
    )


@router.post("/archivist/batches/{batch_id}/items/{item_id}/password", dependencies=[CSRF])
def item_password(
    request: Request,
    batch_id: str,
    item_id: int,
    ctx: Ctx = WRITE,
    password: str = Form(...),
    reason: str = Form(""),
) -> Response:
    out = upload.new_upload_dir(ctx.settings.resolved_data_dir, batch_id) / "da-mo-khoa"
    try:
        item_actions.decrypt_pdf(ctx.store, batch_id, item_id, password, out, reason=reason, by=ctx.user.name)
    except item_actions.ItemActionError as exc:
        _flash(request, f"Không mở khóa được: {exc}", "error")
        return _back(_item_base(batch_id, item_id))
    return _item_done(
        request, ctx, batch_id, "decrypt", item_id, "Đã mở khóa tệp PDF (tệp gốc giữ nguyên) và đưa lại vào hàng đợi"
    )


@router.post("/archivist/batches/{batch_id}/items/{item_id}/drop", dependencies=[CSRF])
def item_drop(request: Request, batch_id: str, item_id: int, ctx: Ctx = WRITE, reason: str = Form("")) -> Response:
    try:
        item_actions.drop_item(ctx.store, batch_id, item_id, reason=reason, by=ctx.user.name)
    except item_actions.ItemActionError as exc:
        _flash(request, f"Không bỏ được tệp: {exc}", "error")
        return _back(_item_base(batch_id, item_id))
    return _item_done(request, ctx, batch_id, "drop", item_id, "Đã bỏ tệp khỏi lô (lý do được ghi lại)")


@router.post("/archivist/batches/{batch_id}/retry", dependencies=[CSRF])
def retry_post(request: Request, batch_id: str, ctx: Ctx = WRITE) -> Response:
    try:
        result = archivist.retry(ctx, batch_id)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    if wake_worker(request):
        _flash(request, f"Đã đưa {result['requeued']} tệp trở lại hàng đợi; máy chủ đang xử lý lại")
    else:
        _flash(
            request,
            f"Đã đưa {result['requeued']} tệp trở lại hàng đợi; chạy `{result['worker_command']}` "
            "hoặc một lượt Prefect để xử lý",
        )
    return _back(f"/archivist/batches/{quote(batch_id, safe='')}")


@router.get("/archivist/upload", response_class=HTMLResponse)
def upload_page(request: Request, ctx: Ctx = WRITE) -> Response:
    limit = ctx.settings.max_file_mb
    names = [b["id"] for b in archivist.batches(ctx)][:50]  # adding to an existing batch: pick its name
    return render(
        request,
        "upload.html",
        ctx.user,
        limit_mb=limit,
        worker=wake_worker(request, only_check=True),
        batch_names=names,
    )


@router.post("/archivist/upload", dependencies=[CSRF])
async def upload_post(request: Request, ctx: Ctx = WRITE) -> Response:
    """Files (or a folder) into a new or existing batch. Scripts send the CSRF header and get JSON back, with the
    body streamed to disk as it arrives; the plain form (no script) gets a redirect to the batch."""
    settings = ctx.settings
    limit = settings.max_file_mb * 1024 * 1024
    scripted = bool(request.headers.get(csrf.HEADER))
    root = upload.new_upload_dir(settings.resolved_data_dir, None)
    try:
        if scripted:
            fields, received = await upload.receive_stream(
                request.stream(), request.headers.get("content-type", ""), root, limit
            )
        else:
            form = await request.form()  # parsed (and spooled to disk) by the CSRF check already
            fields = {k: v for k, v in form.items() if isinstance(v, str)}
            received = []
            for value in form.getlist("files"):
                if isinstance(value, str) or not value.filename:
                    continue
                rel = upload.safe_relpath(value.filename)
                if rel is not None:
                    received.append(await run_in_threadpool(upload.copy_limited, value.file, root / rel, limit))
        batch = upload.batch_name(fields.get("batch"))
        queued = await run_in_threadpool(
            upload.enqueue_upload, ctx.store, batch, root, received, settings.max_file_mb, ctx.user.name
        )
    except upload.UploadError as exc:
        shutil.rmtree(root, ignore_errors=True)
        if scripted:
            return JSONResponse({"detail": str(exc)}, status_code=400)
        _flash(request, f"Không tải lên được: {exc}", "error")
        return _back("/archivist/upload")
    with ctx.store.session() as s:
        ctx.log(s, "upload", batch, files=len(received), folder=root.name)
    working = wake_worker(request)
    url = f"/archivist/batches/{quote(batch, safe='')}"
    note = upload.upload_note(received) + (
        " vào lô; máy chủ đang xử lý." if working else f" vào lô; chạy `sohoa worker --batch {batch}` để xử lý."
    )
    if scripted:
        return JSONResponse({"batch": batch, "queued": queued, "url": url, "message": note})
    _flash(request, note)
    return _back(url)


@router.get("/archivist/review", response_class=HTMLResponse)
def review_page(request: Request, ctx: Ctx = ARCHIVE) -> Response:
    return render(request, "review.html", ctx.user, review=archivist.review_queue(ctx))


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, ctx: Ctx = AUDIT, as_of: str = "", period: str = "month") -> Response:
    try:
        day = parse_date(as_of) if as_of else None
        data = audit.dashboard(ctx, day, period)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc
    # The downloads are JSON-API links: they take the ISO date.
    query = urlencode({k: v for k, v in (("as_of", day.isoformat() if day else ""), ("period", period)) if v})
    return render(request, "audit.html", ctx.user, a=data, query=query, as_of=as_of, period=period)
