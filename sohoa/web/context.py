"""What a request handler gets: the settings, the record store, the signed-in user; and the access checks.

Pages and the JSON API share these dependencies, so a read-only role is refused the same way in both.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from sohoa.errors import SohoaError
from sohoa.search.factory import open_backend
from sohoa.search.model import SearchBackend
from sohoa.settings import Settings
from sohoa.store.db import Store
from sohoa.store.models import AccessLog, User
from sohoa.web import csrf, sessions
from sohoa.web.auth import ROLES, CurrentUser


class LoginRequired(SohoaError):
    """No valid session: pages redirect to the login form, the API answers 401."""

    user_message = "Cần đăng nhập"


@dataclass
class Ctx:
    settings: Settings
    store: Store
    user: CurrentUser

    @property
    def masked(self) -> bool:
        return self.user.masked

    @contextmanager
    def backend(self) -> Iterator[SearchBackend]:
        backend = open_backend(self.settings)
        try:
            yield backend
        finally:
            backend.close()

    def log(self, session: Session, action: str, target: str | None, **detail: Any) -> None:
        user = self.user
        session.add(AccessLog(user_name=user.name, role=user.role, action=action, target=target, detail=detail))


def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def app_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def now(request: Request) -> datetime:
    """The app's clock (tests move it to run out throttling delays)."""
    clock = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else datetime.now(UTC)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def session_user(request: Request) -> CurrentUser | None:
    """The user of a valid session, re-read from the store so a disabled user or a changed role counts at once;
    the session itself must still be live on the server (not logged out, not ended by a password change)."""
    uid = request.session.get("uid")
    if not isinstance(uid, int):
        return None
    store = app_store(request)
    with store.session() as s:
        if not sessions.session_valid(s, request.session.get("sid"), uid, now(request)):
            return None
        user = s.get(User, uid)
        if user is None or not user.active or user.role not in ROLES or user.name != request.session.get("name"):
            return None
        return CurrentUser(user.id, user.name, user.role)


def current_user(request: Request) -> CurrentUser:
    user = session_user(request)
    if user is None:
        raise LoginRequired()
    return user


def require(permission: str) -> Any:
    def check(request: Request, user: Annotated[CurrentUser, Depends(current_user)]) -> Ctx:
        if not user.can(permission):
            raise HTTPException(403, f"vai trò {user.role} không có quyền này ({permission})")
        return Ctx(app_settings(request), app_store(request), user)

    return Depends(check)


async def check_csrf(request: Request) -> None:
    """Every state-changing request carries the session's token (header for scripts, form field for forms)."""
    sent = request.headers.get(csrf.HEADER)
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()  # Starlette caches it: the handler reads the same form afterwards
        value = form.get(csrf.FIELD)
        sent = value if isinstance(value, str) else None
    if not csrf.valid(request.session, sent):
        raise HTTPException(403, "thiếu hoặc sai mã CSRF; tải lại trang và thử lại")


CSRF = Depends(check_csrf)


def wake_worker(request: Request, only_check: bool = False) -> bool:
    """Tell this server's worker (`sohoa serve`) there is queued work; False when the app runs without one."""
    worker = getattr(request.app.state, "worker", None)
    if worker is None or not worker.alive:
        return False
    if not only_check:
        worker.wake()
    return True
