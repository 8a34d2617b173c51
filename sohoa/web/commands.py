"""`sohoa serve` and `sohoa users …` (registered in sohoa/cli.py)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from sohoa.cliutil import fail, load_settings, open_store

users_app = typer.Typer(help="Web users: add, list, change a password, disable.", no_args_is_help=True)


def _read_password() -> str:
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("Mật khẩu: ")
    return sys.stdin.readline().rstrip("\r\n")


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0 for the office network)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    worker: Annotated[
        bool, typer.Option("--worker/--no-worker", help="Also process queued batches in this process")
    ] = True,
) -> None:
    """Run the web app: search, documents, archivists' and auditors' pages, JSON API (/openapi.json); it also
    processes uploads and other queued batches (at most the host's OCR slots at a time) unless --no-worker."""
    import uvicorn

    from sohoa.web.app import create_app

    settings = load_settings()
    app = create_app(settings, worker=worker)
    typer.echo(
        f"sohoa web on http://{host}:{port} (API spec /openapi.json)"
        + ("; processing queued batches here too" if worker else "")
    )
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Login name")],
    role: Annotated[str, typer.Option(help="staff, auditor, archivist or admin")],
) -> None:
    """Create a user; the password is read from standard input (one line): at least 12 characters, not easy to
    guess, not the user's name, not a common password."""
    from sohoa.labels import label
    from sohoa.web.auth import add_user

    settings = load_settings()
    password = _read_password()
    with open_store(settings) as store:
        try:
            with store.session() as s:
                user = add_user(s, name, role, password)
                typer.echo(f"đã tạo người dùng {user.name} ({label(user.role, 'role')})")
        except ValueError as exc:
            fail(str(exc))


@users_app.command("list")
def users_list() -> None:
    """Users with their roles and whether they can sign in."""
    from sqlalchemy import select

    from sohoa.labels import label
    from sohoa.store.models import User

    with open_store(load_settings()) as store, store.session() as s:
        for u in s.scalars(select(User).order_by(User.name)):
            typer.echo(f"{u.name}\t{label(u.role, 'role')}\t{'đang dùng' if u.active else 'đã khóa'}")


@users_app.command("passwd")
def users_passwd(name: Annotated[str, typer.Argument(help="Login name")]) -> None:
    """Set a user's password (read from standard input, the same policy as `users add`); every session of the
    user ends at once."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from sohoa.store.models import User
    from sohoa.web.auth import set_password

    password = _read_password()
    with open_store(load_settings()) as store:
        try:
            with store.session() as s:
                user = s.scalars(select(User).where(User.name == name)).first()
                if user is None:
                    fail(f"no user named {name!r}")
                ended = set_password(s, user, password, datetime.now(UTC))
        except ValueError as exc:
            fail(str(exc))
    typer.echo(f"password of {name} changed; {ended} session(s) ended")


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="Login name")]) -> None:
    """Stop a user from signing in (sessions end at their next request)."""
    from sqlalchemy import select

    from sohoa.store.models import User

    with open_store(load_settings()) as store, store.session() as s:
        user = s.scalars(select(User).where(User.name == name)).first()
        if user is None:
            fail(f"no user named {name!r}")
        user.active = False
        from datetime import UTC, datetime

        from sohoa.web.sessions import revoke_all

        revoke_all(s, user.id, datetime.now(UTC))
    typer.echo(f"user {name} disabled")
