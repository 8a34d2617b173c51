"""The one base of the errors sohoa raises on purpose, and the exit codes the command line gives them.

`str(exc)` stays the technical detail (English, for logs and support, as before); `user_message` is what a person
is told first, in Vietnamese; `exit_code` is what `sohoa` exits with. The CLI maps every `SohoaError` in one
place (sohoa/cli.py, `GuardedGroup`); anything else is unexpected: logged with its traceback, exit
`EXIT_UNEXPECTED`.
"""

from __future__ import annotations

from typing import Any

EXIT_ERROR = 1  # a mistake of input or setup the user can fix
EXIT_UNEXPECTED = 70  # sysexits EX_SOFTWARE: a bug or an input no rule foresaw (traceback in the log file)


class SohoaError(Exception):
    """Base of every error sohoa raises on purpose. Subclasses set a Vietnamese `user_message` summary."""

    user_message: str = "Không thực hiện được thao tác"
    exit_code: int = EXIT_ERROR

    def __init__(self, *args: Any, user_message: str | None = None, exit_code: int | None = None) -> None:
        super().__init__(*args)
        if user_message is not None:
            self.user_message = user_message
        if exit_code is not None:
            self.exit_code = exit_code

    def for_user(self) -> str:
        """One line for a person: the Vietnamese summary, then the detail when there is one."""
        detail = str(self)
        return f"{self.user_message}: {detail}" if detail else self.user_message


class UserError(SohoaError):
    """A mistake of input or setup: one line to the user, exit 1, no traceback. The message is written for the
    user where it is raised (`cliutil.fail`), so it is the whole line."""

    user_message = "Lỗi đầu vào hoặc cấu hình"

    def for_user(self) -> str:
        return str(self) or self.user_message
