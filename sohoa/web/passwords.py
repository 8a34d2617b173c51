"""Password policy for `sohoa users add`, `sohoa users passwd` and the web's password change.

A password is refused when it is shorter than MIN_LENGTH, when zxcvbn (Dropbox's strength estimator, run locally:
its word lists ship inside the package) rates it below MIN_SCORE with the user's name as a known word, when it
holds the user's name, or when it is one of the common passwords shipped in ``data/common-passwords.txt``
(also with digits and symbols around it: "matkhau@2024"). Messages are Vietnamese: a person reads them.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

from sohoa.errors import SohoaError
from sohoa.textnorm import fold

MIN_LENGTH = 12
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from offline slow-hash scenario"
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")


class WeakPassword(SohoaError, ValueError):
    """The password is refused; the message says why (in Vietnamese)."""

    user_message = "Mật khẩu không đủ mạnh"


@functools.cache
def common_passwords() -> frozenset[str]:
    text = resources.files("sohoa.web").joinpath("data", "common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(_key(line) for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _key(text: str) -> str:
    return " ".join(fold(text).split())


def _compact(text: str) -> str:
    return re.sub(r"[\W_]+", "", fold(text))


def check_password(password: str, user_name: str) -> None:
    """Raise :class:`WeakPassword` when the policy refuses ``password`` for ``user_name``."""
    if len(password) < MIN_LENGTH or len(password.strip()) < MIN_LENGTH:
        raise WeakPassword(f"mật khẩu cần ít nhất {MIN_LENGTH} ký tự (không tính khoảng trắng ở hai đầu)")
    if len(set(password)) < 4:
        raise WeakPassword("mật khẩu lặp lại quá ít ký tự khác nhau")
    name = _compact(user_name)
    # A short name ("an", "lan") is looked for as a word: as a substring it would refuse half the dictionary.
    holds_name = name in _compact(password) if len(name) >= 4 else name in re.findall(r"[^\W_]+", fold(password))
    if name and (holds_name or _compact(password) in name):
        raise WeakPassword("mật khẩu không được chứa tên đăng nhập")
    common = common_passwords()
    key = _key(password)
    if key in common or _key(_EDGES.sub("", password)) in common or _compact(password) in common:
        raise WeakPassword("mật khẩu này nằm trong danh sách mật khẩu phổ biến")
    from zxcvbn import zxcvbn

    # zxcvbn's run time grows with length; 128 characters are more than any policy needs to judge.
    result = zxcvbn(password[:128], user_inputs=[user_name, *fold(user_name).split()])
    if int(result["score"]) < MIN_SCORE:
        hint = _HINTS.get((result.get("feedback") or {}).get("warning") or "", "")
        raise WeakPassword("mật khẩu quá dễ đoán; hãy dùng một câu dài gồm nhiều từ" + (f" ({hint})" if hint else ""))


# zxcvbn's warnings (English, from zxcvbn/feedback.py) as a person using this app reads them; one not listed here is
# left out rather than shown in English.
_HINTS = {
    "Straight rows of keys are easy to guess.": "các phím liền nhau trên bàn phím rất dễ đoán",
    "Short keyboard patterns are easy to guess.": "mẫu gõ phím ngắn rất dễ đoán",
    'Repeats like "aaa" are easy to guess.': 'lặp lại như "aaa" rất dễ đoán',
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': 'lặp lại như "abcabcabc" vẫn dễ đoán',
    'Sequences like "abc" or "6543" are easy to guess.': 'dãy liên tiếp như "abc" hay "6543" rất dễ đoán',
    "Recent years are easy to guess.": "năm gần đây rất dễ đoán",
    "Dates are often easy to guess.": "ngày tháng thường dễ đoán",
    "This is a top-10 common password.": "đây là một trong 10 mật khẩu phổ biến nhất",
    "This is a top-100 common password.": "đây là một trong 100 mật khẩu phổ biến nhất",
    "This is a very common password.": "đây là mật khẩu rất phổ biến",
    "This is similar to a commonly used password.": "mật khẩu này giống một mật khẩu phổ biến",
    "A word by itself is easy to guess.": "một từ đứng riêng rất dễ đoán",
    "Names and surnames by themselves are easy to guess.": "tên hoặc họ đứng riêng rất dễ đoán",
    "Common names and surnames are easy to guess.": "tên và họ phổ biến rất dễ đoán",
}
