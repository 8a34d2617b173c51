"""Users, roles and what each role may do; argon2 password hashes; the key that signs session cookies."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.errors import SohoaError
from sohoa.settings import Settings
from sohoa.store.models import User

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
    if len(password) < 8:
        raise ValueError("the password needs at least 8 characters")
    if session.scalars(select(User).where(User.name == name)).first() is not None:
        raise UserExists(f"a user named {name!r} exists")
    user = User(name=name, role=role, password_hash=hash_password(password), active=True)
    session.add(user)
    session.flush()
    return user


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
