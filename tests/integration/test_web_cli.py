"""``streetwatch server user``: create users for the review UI and log in with them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select
from support.server_harness import server_config
from support.server_process import write_config

from server.domain.roles import Role
from server.services.context import build_context
from server.services.users import UserService
from server.store.tables import UserRow
from streetwatch.cli import main

pytestmark = pytest.mark.integration


def test_user_create_list_and_login(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = server_config(tmp_path).model_dump(mode="json", exclude_none=True)
    config = str(write_config(tmp_path / "server.yaml", data))
    assert main(["server", "migrate", "-c", config]) == 0
    create = ["server", "user", "create", "wang.li", "--role", "operator", "--password-stdin"]

    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main([*create, "-c", config]) == 2
    assert "at least 10 characters" in capsys.readouterr().err

    monkeypatch.setattr("sys.stdin", io.StringIO("a long passphrase 1\n"))
    assert main([*create, "--display-name", "王力", "-c", config]) == 0
    assert "wang.li (operator) saved" in capsys.readouterr().out
    assert main(["server", "user", "list", "-c", config]) == 0
    assert capsys.readouterr().out.strip() == "wang.li\toperator\tenabled"

    ctx = build_context(server_config(tmp_path))
    users = UserService(ctx)
    assert users.login("wang.li", "wrong password!") is None
    opened = users.login("wang.li", "a long passphrase 1")
    assert opened is not None and opened.principal.role is Role.OPERATOR
    assert opened.principal.actor == "user:wang.li"
    resolved = users.resolve(opened.secret)
    assert resolved is not None and resolved.csrf_token == opened.csrf_token

    # Setting a new password ends the user's sessions.
    monkeypatch.setattr("sys.stdin", io.StringIO("another passphrase 2\n"))
    assert main([*create, "-c", config]) == 0
    assert users.resolve(opened.secret) is None
    with ctx.database.transaction() as session:
        stored = session.scalar(select(UserRow.password_hash))
    assert stored is not None and stored.startswith("$argon2")
    assert "passphrase" not in stored
    ctx.database.dispose()
