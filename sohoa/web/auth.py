"""Users, roles and what each role may do; argon2 password hashes, the password policy, sign-in with throttling;
the key that signs session cookies."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.errors import SohoaError
from sohoa.settings import Settings
from sohoa.store.models import AccessLog, User
from sohoa.web import sessions
from sohoa.web.passwords import check_password

ROLES = ("staff", "auditor", "archivist", "admin")
ROLE_LABELS = {"staff": "Cán bộ", "auditor": "Kiểm tra", "archivist": "Lưu trữ viên", "admin": "Quản trị"}

# Permissions by role. Staff and auditors only read, with personal data masked; archivists fix records.
PERMISSIONS: dict[str, frozenset[str]] = {
    "staff": frozenset({"read"}),
    "auditor": frozenset({"read", "audit"}),
    "archivist": frozenset({"read", "archive", "write", "unmasked"}),
    "admin": frozenset({"read", "audit", "archive", "write", "unmasked"}),
}
SECRET_FILE = "web-secret.key"
_hasher = PasswordHasher()  # argon2id with the library's current defaults


class UserExists(SohoaError, ValueError):
    user_message = "Tên đăng nhập đã có"


class LoginThrottled(SohoaError):
    """Too many failed logins for this account or client: try again after ``retry_after`` seconds."""

    user_message = "Đăng nhập sai quá nhiều lần, hãy thử lại sau"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class SignIn:
    """What a login attempt gave: a user and session token, or a refusal (wrong password, or wait)."""

    user: CurrentUser | None = None
    token: str | None = None
    retry_after: int | None = None


@dataclass(frozen=True)
class CurrentUser:
    id: int
    name: str
    role: str

    def can(self, permission: str) -> bool:
        return permission in PERMISSIONS.get(self.role, frozenset())

    @property
    def masked(self) -> bool:
        return not self.can("unmasked")

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def add_user(session: Session, name: str, role: str, password: str) -> User:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of: {', '.join(ROLES)}")
    name = name.strip()
    if not name:
        raise ValueError("the user name is empty")
    check_password(password, name)
    if session.scalars(select(User).where(User.name == name)).first() is not None:
        raise UserExists(f"a user named {name!r} exists")
    user = User(name=name, role=role, password_hash=hash_password(password), active=True)
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str, now: datetime) -> int:
    """A new password (checked against the policy); every session of the user ends. Returns how many did."""
    check_password(password, user.name)
    user.password_hash = hash_password(password)
    return sessions.revoke_all(session, user.id, now)


def sign_in(
    session: Session,
    name: str,
    password: str,
    client: str,
    now: datetime,
    hours: float,
    policy: sessions.ThrottlePolicy = sessions.POLICY,
) -> SignIn:
    """A user and session token for the right password; ``retry_after`` when this account or client must wait
    (the password is then not even checked). The caller commits: the failure rows and the access-log lines are
    part of the answer, so this never raises for a refusal."""
    account = name.strip()[:100]
    wait = sessions.retry_after(session, account, client, now, policy)
    if wait is not None:
        sessions.record_refusal(session, account, client, now, wait)
        return SignIn(retry_after=wait)
    user = authenticate(session, name, password)
    if user is None:
        sessions.record_failure(session, account, client, now, "bad_credentials")
        return SignIn()
    sessions.clear_failures(session, account)
    current = CurrentUser(user.id, user.name, user.role)
    session.add(
        AccessLog(at=now, user_name=user.name, role=user.role, action="login", target=None, detail={"client": client})
    )
    return SignIn(current, sessions.open_session(session, user.id, hours, now))


def authenticate(session: Session, name: str, password: str) -> User | None:
    user = session.scalars(select(User).where(User.name == name.strip())).first()
    if user is None:
        _hasher.hash(password)  # the same work as a real check, so timing does not tell which names exist
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def secret_key(settings: Settings) -> str:
    """The configured key, or one generated once and kept (owner-only) in the data directory."""
    if settings.web_secret_key is not None:
        return settings.web_secret_key.get_secret_value()
    path: Path = settings.resolved_data_dir / SECRET_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key)
    try:
        os.link(tmp, path)  # first writer wins when two servers start at once
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_text(encoding="ascii").strip()
