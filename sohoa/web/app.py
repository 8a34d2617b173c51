"""The web app: `create_app(settings)` builds it with its store; nothing happens at import time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from sohoa import __version__
from sohoa.settings import Settings
from sohoa.store.db import Store
from sohoa.web import api, csrf, pages
from sohoa.web.auth import secret_key
from sohoa.web.context import LoginRequired, session_user
from sohoa.web.sessions import POLICY

HERE = Path(__file__).parent
SESSION_COOKIE = "sohoa_session"


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _fmt_conf(value: Any) -> str:
    if value is None:
        return "—"
    v = float(value)
    return f"{v * 100:.0f}%" if v <= 1 else f"{v:.0f}"


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    settings.ensure_dirs()
    app = FastAPI(
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
    app.state.clock = lambda: datetime.now(UTC)  # replaceable: tests run throttling delays out without sleeping
    app.state.login_policy = POLICY
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["csrf_field"] = csrf.FIELD
    templates.env.filters["conf"] = _fmt_conf
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

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    return app
