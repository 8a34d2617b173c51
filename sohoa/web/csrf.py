"""CSRF tokens: one random token per session, required on every form post and state-changing API call.

Forms send it as the field ``csrf_token``, scripts and API clients as the header ``X-CSRF-Token``. The session
cookie is SameSite=Lax as a second line, not the only one.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

FIELD = "csrf_token"
HEADER = "x-csrf-token"
_KEY = "csrf"


def token(session: dict[str, Any]) -> str:
    """The session's token, created on first use."""
    value = session.get(_KEY)
    if not isinstance(value, str) or not value:
        value = secrets.token_urlsafe(32)
        session[_KEY] = value
    return value


def rotate(session: dict[str, Any]) -> str:
    session[_KEY] = secrets.token_urlsafe(32)
    return str(session[_KEY])


def valid(session: dict[str, Any], sent: str | None) -> bool:
    expected = session.get(_KEY)
    if not isinstance(expected, str) or not expected or not sent:
        return False
    return hmac.compare_digest(expected.encode(), sent.encode())
