"""The web app: `create_app(settings)` builds it with its store; nothing happens at import time."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware

from sohoa import __version__, labels
from sohoa.pipelines.config import PipelineSettings
from sohoa.settings import Settings
from sohoa.store.db import Store
from sohoa.web import api, csrf, pages
from sohoa.web.auth import secret_key
from sohoa.web.context import LoginRequired, session_user
from sohoa.web.sessions import POLICY

HERE = Path(__file__).parent
log = logging.getLogger(__name__)
SESSION_COOKIE = "sohoa_session"


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _fmt_conf(value: Any) -> str:
    if value is None:
        return "—"
    v = float(value)
    return f"{v * 100:.0f}%" if v <= 1 else f"{v:.0f}"


def _fmt_reason(reason: Any, status: str | None = None) -> Markup:
    """A reason in plain Vietnamese, with the stored technical text behind a disclosure."""
    explained = labels.explain(str(reason) if reason else None, status)
    if not explained.plain:
        return Markup("")
    out = Markup('<span class="reason">{}</span>').format(explained.plain)
    if explained.detail and explained.detail != explained.plain:
        out += Markup('<details class="tech"><summary>Chi tiết kỹ thuật</summary><code>{}</code></details>').format(
            explained.detail
        )
    return out


def pipeline_settings(settings: Settings) -> PipelineSettings:
    """The batch settings of this host (SOHOA_* environment) on top of the app's settings."""
    if isinstance(settings, PipelineSettings):
        return settings
    return PipelineSettings.model_validate(settings.model_dump())


def create_app(settings: Settings, store: Store | None = None, *, worker: bool = False) -> FastAPI:
    """The app; with `worker` it also drains the queue in this process (`sohoa serve`), so uploads and retries
    finish without anyone running `sohoa worker`."""
    settings.ensure_dirs()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if worker:
            from sohoa.pipelines.inprocess_worker import InProcessWorker  # the extractors load only when needed

            app.state.worker = InProcessWorker(pipeline_settings(settings), app.state.store).start()
        try:
            yield
        finally:
            running = app.state.worker
            if running is not None:
                await run_in_threadpool(running.stop)

    app = FastAPI(
        lifespan=lifespan,
        title="sohoa",
        version=__version__,
        description="Tìm kiếm, tra cứu và kiểm tra hồ sơ số hóa (sohoa). Every endpoint needs a session "
        "(POST /api/login); writes need the X-CSRF-Token header.",
        # Swagger UI loads its scripts from a CDN, which offline government networks cannot reach: the spec only.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store or Store(settings.db_url)
    app.state.worker = None
    app.state.clock = lambda: datetime.now(UTC)  # replaceable: tests run throttling delays out without sleeping
    app.state.login_policy = POLICY
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["csrf_field"] = csrf.FIELD
    templates.env.filters["conf"] = _fmt_conf
    templates.env.filters["vi"] = labels.label
    templates.env.filters["vdate"] = labels.format_date
    templates.env.filters["reason"] = _fmt_reason
    app.state.templates = templates
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key(settings),
        session_cookie=SESSION_COOKIE,
        max_age=int(timedelta(hours=settings.web_session_hours).total_seconds()),
        same_site="lax",
        https_only=settings.web_cookie_secure,
    )

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        # No inline scripts, nothing from other origins (offline networks; no CDN): only this server.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'self'",
        )
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        # Pages, API answers and downloads carry document data (and personal data for some roles): no browser or
        # proxy may keep a copy. Only the static assets (no data) may be cached.
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
            response.headers.setdefault("Pragma", "no-cache")
        return response

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "chưa đăng nhập"}, status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        from urllib.parse import urlencode

        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return pages.render(
            request, "error.html", session_user(request), status_code=exc.status_code, message=str(exc.detail)
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # A bug: its traceback goes to the log file (SOHOA_DATA_DIR/logs/sohoa.log under `sohoa serve`) for support.
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        message = "lỗi không lường trước; chi tiết đã được ghi vào nhật ký (logs/sohoa.log)"
        if _is_api(request):
            return JSONResponse({"detail": message}, status_code=500)
        return pages.render(request, "error.html", session_user(request), status_code=500, message=message)

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    return app
