"""The JSON API behind every page (OpenAPI at /openapi.json). Reads need a session; writes also a CSRF token in
the X-CSRF-Token header and a role allowed to write."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from sohoa.errors import SohoaError
from sohoa.pipelines import item_actions
from sohoa.store.corrections import CorrectionError
from sohoa.store.models import AccessLog
from sohoa.web import archivist, audit, csrf, documents, pageimage, progress, sessions
from sohoa.web.auth import CurrentUser, LoginThrottled, authenticate, set_password, sign_in
from sohoa.web.context import CSRF, Ctx, client_address, current_user, now, require, wake_worker
from sohoa.web.masking import query_tokens
from sohoa.web.passwords import WeakPassword
from sohoa.web.search import BadSearch, SearchParams, run_search
from sohoa.web.upload import new_upload_dir

router = APIRouter(prefix="/api", tags=["api"])
READ = require("read")
WRITE = require("write")
ARCHIVE = require("archive")
AUDIT = require("audit")


class LoginBody(BaseModel):
    name: str
    password: str


class PasswordBody(BaseModel):
    current: str
    new: str


class FixBody(BaseModel):
    field: str = Field(description="A metadata field, e.g. number, issued_date, subject")
    value: str | list[str] | None = Field(description="The value as read by a person; lists for code fields")


class ItemDropBody(BaseModel):
    reason: str = Field(description="Why the item is dropped (recorded with the user's name)")


class ItemPasswordBody(BaseModel):
    password: str = Field(description="The PDF's password; used once, never stored")
    reason: str = Field(default="", description="Optional note recorded with the decryption")


class RetryBody(BaseModel):
    item_ids: list[int] | None = Field(default=None, description="Only these items; default every failed item")


def login_session(request: Request, name: str, password: str) -> CurrentUser | None:
    """Sign in and start a server-side session; None for a wrong name or password, :class:`LoginThrottled` when
    this account or client has failed too often (the password is then not checked)."""
    settings = request.app.state.settings
    with request.app.state.store.session() as s:
        result = sign_in(
            s,
            name,
            password,
            client_address(request),
            now(request),
            settings.web_session_hours,
            request.app.state.login_policy,
        )
    if result.retry_after is not None:
        raise LoginThrottled(result.retry_after)
    if result.user is None or result.token is None:
        return None
    end_session(request)
    request.session.clear()  # a fresh session (and CSRF token) on every login
    request.session.update({"uid": result.user.id, "name": result.user.name, "sid": result.token})
    csrf.rotate(request.session)
    return result.user


def end_session(request: Request) -> None:
    """Revoke the cookie's session on the server (a copy of the cookie stops working) and clear the cookie."""
    token = request.session.get("sid")
    if token:
        with request.app.state.store.session() as s:
            sessions.revoke(s, token, now(request))
    request.session.clear()


def throttled(exc: LoginThrottled) -> HTTPException:
    return HTTPException(
        429,
        f"đăng nhập sai quá nhiều lần; thử lại sau {exc.retry_after} giây",
        headers={"Retry-After": str(exc.retry_after)},
    )


@router.post("/login", summary="Sign in; returns the CSRF token for later writes")
def api_login(request: Request, body: LoginBody) -> dict[str, Any]:
    try:
        user = login_session(request, body.name, body.password)
    except LoginThrottled as exc:
        raise throttled(exc) from exc
    if user is None:
        raise HTTPException(401, "sai tên đăng nhập hoặc mật khẩu")
    return {"name": user.name, "role": user.role, "csrf_token": csrf.token(request.session)}


@router.post("/logout", dependencies=[CSRF])
def api_logout(request: Request) -> dict[str, bool]:
    end_session(request)
    return {"ok": True}


class WrongPassword(SohoaError):
    """The current password given for a password change is wrong."""

    user_message = "Mật khẩu hiện tại không đúng"


def change_password(request: Request, user: CurrentUser, current: str, new: str) -> int:
    """Change the signed-in user's password (API and the "Tài khoản" page): the current password is checked and
    throttled like a login (a failure is recorded), the new one must pass the policy, every session of the user
    ends on the server, this one included. Returns how many sessions ended; raises :class:`LoginThrottled`,
    :class:`WrongPassword` or :class:`~sohoa.web.passwords.WeakPassword`."""
    from sohoa.store.models import User

    client, at = client_address(request), now(request)
    with request.app.state.store.session() as s:
        # Guessing the current password through a session is throttled like a login, and the failure is kept.
        wait = sessions.retry_after(s, user.name, client, at, request.app.state.login_policy)
        wrong = wait is None and authenticate(s, user.name, current) is None
        if wrong:
            sessions.record_failure(s, user.name, client, at, "password_change")
    if wait is not None:
        raise LoginThrottled(wait)
    if wrong:
        raise WrongPassword()
    with request.app.state.store.session() as s:
        row = s.get(User, user.id)
        assert row is not None
        ended = set_password(s, row, new, now(request))
        s.add(
            AccessLog(
                user_name=user.name,
                role=user.role,
                action="password_changed",
                target=None,
                detail={"sessions_ended": ended},
            )
        )
    request.session.clear()  # the caller signs in again with the new password
    return ended


@router.post("/password", dependencies=[CSRF], summary="Change one's own password; every session of the user ends")
def api_password(
    request: Request, body: PasswordBody, user: Annotated[CurrentUser, Depends(current_user)]
) -> dict[str, Any]:
    try:
        ended = change_password(request, user, body.current, body.new)
    except LoginThrottled as exc:
        raise throttled(exc) from exc
    except WrongPassword as exc:
        raise HTTPException(403, "mật khẩu hiện tại không đúng") from exc
    except WeakPassword as exc:
        raise HTTPException(400, str(exc)) from exc
    return {"ok": True, "sessions_ended": ended}


@router.get("/me")
def api_me(request: Request, user: Annotated[CurrentUser, Depends(current_user)]) -> dict[str, Any]:
    return {
        "name": user.name,
        "role": user.role,
        "masked": user.masked,
        "csrf_token": csrf.token(request.session),
    }


@router.get("/search", summary="Documents, dossiers and procedures; snippets masked for masked roles")
def api_search(
    ctx: Ctx = READ,
    q: str = "",
    kind: str | None = None,
    doc_type: Annotated[str | None, Query(alias="type")] = None,
    issuer: str | None = None,
    date_from: Annotated[str | None, Query(alias="from")] = None,
    date_to: Annotated[str | None, Query(alias="to")] = None,
    procedure: str | None = None,
    dossier: str | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 10,
) -> dict[str, Any]:
    params = SearchParams(q, kind or None, doc_type, issuer, date_from, date_to, procedure, dossier, page, per_page)
    try:
        return run_search(ctx, params)
    except BadSearch as exc:
        raise HTTPException(400, str(exc)) from exc


def _not_found(exc: Exception) -> HTTPException:
    return HTTPException(404, str(exc))


@router.get("/documents/{doc_id}")
def api_document(doc_id: str, ctx: Ctx = READ, q: str = "") -> dict[str, Any]:
    try:
        view = documents.document_view(ctx, doc_id, q)
    except documents.NotFound as exc:
        raise _not_found(exc) from exc
    for page in view["pages"]:
        page.pop("html", None)
    return view


@router.get(
    "/documents/{doc_id}/pages/{number}.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
    summary="A page image; personal data blacked out for masked roles, the query's words marked",
)
def api_page_image(doc_id: str, number: int, ctx: Ctx = READ, q: str = "") -> Response:
    try:
        files = documents.document_files(ctx, doc_id)
    except documents.NotFound as exc:
        raise _not_found(exc) from exc
    if files.pdf is None or not files.pdf.exists():
        raise HTTPException(404, "tài liệu này không có bản PDF để hiển thị trang")
    if files.personal_paper and ctx.masked:
        raise HTTPException(403, documents.PAPER_IMAGE_HIDDEN)
    try:
        png = pageimage.page_png(
            files.pdf, number, masker=files.masker if ctx.masked else None, highlight=query_tokens(q) if q else None
        )
    except IndexError as exc:
        raise HTTPException(404, f"không có trang {number}") from exc
    if files.has_pii and not ctx.masked:
        with ctx.store.session() as s:
            ctx.log(s, "view_unmasked", doc_id, where="page_image", page=number)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, no-store"})


@router.get(
    "/documents/{doc_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
    summary="The archival PDF (PDF/A-2b when its content allowed); a redacted copy for masked roles",
)
def api_pdf(doc_id: str, ctx: Ctx = READ) -> Response:
    try:
        files = documents.document_files(ctx, doc_id)
    except documents.NotFound as exc:
        raise _not_found(exc) from exc
    if files.pdf is None or not files.pdf.exists():
        raise HTTPException(404, "tài liệu này không có bản PDF")
    stem = files.filename.rsplit(".", 1)[0] or "tai-lieu"
    if files.personal_paper and ctx.masked:
        raise HTTPException(403, documents.PAPER_IMAGE_HIDDEN)
    if files.has_pii and ctx.masked:
        data = pageimage.redacted_pdf(files.pdf, files.masker)
        name = f"{doc_id[:12]}-an-du-lieu-ca-nhan.pdf"
        return Response(data, media_type="application/pdf", headers=_attachment(name))
    if files.has_pii:
        with ctx.store.session() as s:
            ctx.log(s, "view_unmasked", doc_id, where="pdf")
    return FileResponse(files.pdf, media_type="application/pdf", filename=f"{stem}.pdf")


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"}


@router.get("/dossiers/{code}")
def api_dossier(code: str, ctx: Ctx = READ) -> dict[str, Any]:
    try:
        return documents.dossier_view(ctx, code)
    except documents.NotFound as exc:
        raise _not_found(exc) from exc


@router.get("/procedures/{code}")
def api_procedure(code: str, ctx: Ctx = READ) -> dict[str, Any]:
    try:
        return documents.procedure_view(ctx, code)
    except documents.NotFound as exc:
        raise _not_found(exc) from exc


# --- archivists -----------------------------------------------------------------------------------------------


@router.get("/batches")
def api_batches(ctx: Ctx = ARCHIVE) -> list[dict[str, Any]]:
    return archivist.batches(ctx)


@router.get("/batches/{batch_id}")
def api_batch(batch_id: str, ctx: Ctx = ARCHIVE) -> dict[str, Any]:
    detail = archivist.batch_detail(ctx, batch_id)
    if detail is None:
        raise HTTPException(404, f"không có lô {batch_id!r}")
    return detail


@router.get("/batches/{batch_id}/progress", summary="Counts by status, pages/min, ETA, files in progress, failures")
def api_batch_progress(batch_id: str, ctx: Ctx = ARCHIVE) -> dict[str, Any]:
    with ctx.store.session() as s:
        data = progress.batch_progress(s, batch_id)
    if data is None:
        raise HTTPException(404, f"không có lô {batch_id!r}")
    return data


@router.get(
    "/batches/{batch_id}/report.html",
    response_class=Response,
    responses={200: {"content": {"text/html": {}}}},
    summary="The batch report (the HTML `sohoa report` writes), in Vietnamese",
)
def api_batch_report(batch_id: str, ctx: Ctx = ARCHIVE) -> Response:
    from sohoa.reports.batch import NoSuchBatch, build_report, to_html

    with ctx.store.session() as s:
        try:
            text = to_html(build_report(s, batch_id))
        except NoSuchBatch as exc:
            raise HTTPException(404, f"không có lô {batch_id!r}") from exc
    return Response(text, media_type="text/html; charset=utf-8", headers=_attachment("bao-cao-lo.html"))


@router.post("/batches/{batch_id}/retry", dependencies=[CSRF])
def api_retry(request: Request, batch_id: str, ctx: Ctx = WRITE, body: RetryBody | None = None) -> dict[str, Any]:
    try:
        result = archivist.retry(ctx, batch_id, body.item_ids if body else None)
    except LookupError as exc:
        raise _not_found(exc) from exc
    return {**result, "processing_here": wake_worker(request)}


@router.post("/batches/{batch_id}/items/{item_id}/drop", dependencies=[CSRF], summary="Drop a failed item")
def api_item_drop(batch_id: str, item_id: int, body: ItemDropBody, ctx: Ctx = WRITE) -> dict[str, Any]:
    try:
        item_actions.drop_item(ctx.store, batch_id, item_id, reason=body.reason, by=ctx.user.name)
    except item_actions.ItemActionError as exc:
        raise HTTPException(400, str(exc)) from exc
    with ctx.store.session() as s:
        ctx.log(s, "item_drop", batch_id, item=item_id)
    return {"batch": batch_id, "item": item_id, "status": "dropped"}


@router.post(
    "/batches/{batch_id}/items/{item_id}/password",
    dependencies=[CSRF],
    summary="Decrypt a password-protected PDF item (the original is kept as received) and queue the copy",
)
def api_item_password(
    request: Request, batch_id: str, item_id: int, body: ItemPasswordBody, ctx: Ctx = WRITE
) -> dict[str, Any]:
    out = new_upload_dir(ctx.settings.resolved_data_dir, batch_id) / "da-mo-khoa"
    try:
        target = item_actions.decrypt_pdf(
            ctx.store, batch_id, item_id, body.password, out, reason=body.reason, by=ctx.user.name
        )
    except item_actions.ItemActionError as exc:
        raise HTTPException(400, str(exc)) from exc
    with ctx.store.session() as s:
        ctx.log(s, "item_decrypt", batch_id, item=item_id)
    return {"batch": batch_id, "item": item_id, "status": "pending", "processed_input": str(target),
            "processing_here": wake_worker(request)}  # fmt: skip


@router.get("/review")
def api_review(ctx: Ctx = ARCHIVE) -> list[dict[str, Any]]:
    return archivist.review_queue(ctx)


@router.post("/documents/{doc_id}/metadata", dependencies=[CSRF], summary="Correct one field: a new version")
def api_fix(doc_id: str, body: Annotated[FixBody, Body()], ctx: Ctx = WRITE) -> dict[str, Any]:
    try:
        return archivist.correct(ctx, doc_id, body.field, body.value)
    except CorrectionError as exc:
        raise HTTPException(400, str(exc)) from exc


@router.post(
    "/documents/{doc_id}/paper-fields",
    dependencies=[CSRF],
    summary="Correct one field of a dossier paper (full_name, date_of_birth dd/mm/yyyy, id_number …): a new version",
)
def api_fix_paper(doc_id: str, body: Annotated[FixBody, Body()], ctx: Ctx = WRITE) -> dict[str, Any]:
    try:
        return archivist.correct_paper(ctx, doc_id, body.field, body.value)
    except CorrectionError as exc:
        raise HTTPException(400, str(exc)) from exc


@router.post("/documents/{doc_id}/accept", dependencies=[CSRF], summary="Accept the OCR of a document in review")
def api_accept(doc_id: str, ctx: Ctx = WRITE) -> dict[str, Any]:
    try:
        return archivist.accept(ctx, doc_id)
    except CorrectionError as exc:
        raise HTTPException(400, str(exc)) from exc


# --- audit --------------------------------------------------------------------------------------------------------


def _as_of(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise HTTPException(400, f"as_of phải có dạng YYYY-MM-DD, không phải {value!r}") from exc


@router.get("/audit")
def api_audit(ctx: Ctx = AUDIT, as_of: str | None = None, period: str = "month") -> dict[str, Any]:
    try:
        return audit.as_json(ctx, _as_of(as_of), period)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc


@router.get("/audit.xlsx", response_class=Response, responses={200: {"content": {"application/vnd.ms-excel": {}}}})
def api_audit_xlsx(ctx: Ctx = AUDIT, as_of: str | None = None, period: str = "month") -> Response:
    data = audit.as_xlsx(ctx, _as_of(as_of), period)
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=_attachment("bao-cao-kiem-tra.xlsx"),
    )


@router.get("/audit.html", response_class=Response, responses={200: {"content": {"text/html": {}}}})
def api_audit_html(ctx: Ctx = AUDIT, as_of: str | None = None, period: str = "month", inline: bool = False) -> Response:
    text = audit.as_html(ctx, _as_of(as_of), period)
    headers = {"Cache-Control": "private, no-store"} if inline else _attachment("bao-cao-kiem-tra.html")
    return Response(text, media_type="text/html; charset=utf-8", headers=headers)
