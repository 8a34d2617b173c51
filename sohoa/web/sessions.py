"""Server-side sessions and login throttling.

The signed cookie (Starlette's SessionMiddleware) carries a random session token; the server keeps only its
SHA-256 with the user, an expiry and a revocation time. A session counts only while its row is live, so logout,
a password change and `sohoa users passwd` end it on the server: a copy of the cookie replayed later fails.

Failed logins are counted per account name and per client address over WINDOW. Past the free tries every attempt
must wait (doubling, answered 429 with Retry-After) and past the lockout count the account or client is locked for
LOCKOUT: even the right password is refused until then. Failures and refusals go to the access log.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from sohoa.store.models import AccessLog, LoginFailure, WebSession


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)  # SQLite drops the zone


def open_session(session: Session, user_id: int, hours: float, now: datetime) -> str:
    """A new session for ``user_id``; returns the token the cookie carries."""
    token = secrets.token_urlsafe(32)
    session.add(WebSession(id=_digest(token), user_id=user_id, created_at=now, expires_at=now + timedelta(hours=hours)))
    return token


def session_valid(session: Session, token: object, user_id: int, now: datetime) -> bool:
    if not isinstance(token, str) or not token:
        return False
    row = session.get(WebSession, _digest(token))
    return row is not None and row.user_id == user_id and row.revoked_at is None and _aware(row.expires_at) > now


def revoke(session: Session, token: object, now: datetime) -> None:
    if isinstance(token, str) and token:
        session.execute(
            update(WebSession)
            .where(WebSession.id == _digest(token), WebSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )


def revoke_all(session: Session, user_id: int, now: datetime) -> int:
    """End every session of a user (password change, disabled user); returns how many were live."""
    result = session.execute(
        update(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None)).values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- throttling ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThrottlePolicy:
    window: timedelta = timedelta(minutes=15)
    free: int = 5  # failures answered at once
    lock_after: int = 10  # failures that lock
    lockout: timedelta = timedelta(minutes=15)
    max_delay_s: float = 60.0
    # A client (one office PC, one proxy) tries several accounts: it gets more room than one account.
    client_free: int = 15
    client_lock_after: int = 30


POLICY = ThrottlePolicy()


def _wait(times: list[datetime], free: int, lock_after: int, policy: ThrottlePolicy, now: datetime) -> float:
    """Seconds still to wait, given the failure times (oldest first) of the last window + lockout."""
    if not times:
        return 0.0
    last = times[-1]
    # Locked: lock_after failures within one window ending at the last failure; the lock runs from that failure.
    if sum(t > last - policy.window for t in times) >= lock_after:
        return max(0.0, (last + policy.lockout - now).total_seconds())
    recent = sum(t > now - policy.window for t in times)
    if recent < free:
        return 0.0
    delay = min(2.0 ** (recent - free), policy.max_delay_s)
    return max(0.0, (last + timedelta(seconds=delay) - now).total_seconds())


def _times(session: Session, column: InstrumentedAttribute[str], value: str, since: datetime) -> list[datetime]:
    rows = session.scalars(
        select(LoginFailure.at).where(column == value, LoginFailure.at > since).order_by(LoginFailure.at)
    )
    return [_aware(t) for t in rows]


def retry_after(
    session: Session, account: str, client: str, now: datetime, policy: ThrottlePolicy = POLICY
) -> int | None:
    """Seconds before this account and client may try again, or None when they may try now."""
    since = now - policy.window - policy.lockout
    wait = max(
        _wait(_times(session, LoginFailure.account, account, since), policy.free, policy.lock_after, policy, now),
        _wait(
            _times(session, LoginFailure.client, client, since),
            policy.client_free,
            policy.client_lock_after,
            policy,
            now,
        ),
    )
    return math.ceil(wait) if wait > 0 else None


def record_failure(session: Session, account: str, client: str, now: datetime, reason: str) -> None:
    session.add(LoginFailure(at=now, account=account[:100], client=client[:100]))
    session.add(
        AccessLog(
            at=now,
            user_name=account[:100],
            role="",
            action="login_failed",
            target=None,
            detail={"client": client, "reason": reason},
        )
    )


def record_refusal(session: Session, account: str, client: str, now: datetime, wait: int) -> None:
    session.add(
        AccessLog(
            at=now,
            user_name=account[:100],
            role="",
            action="login_throttled",
            target=None,
            detail={"client": client, "retry_after": wait},
        )
    )


def clear_failures(session: Session, account: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.account == account))


def failures(session: Session, account: str) -> int:
    return int(
        session.scalar(select(func.count()).select_from(LoginFailure).where(LoginFailure.account == account)) or 0
    )
