"""`danvan users`, `--user` with a password file or DANVAN_PASSWORD, role refusals, `danvan audit`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from danvan_desktop.db.engine import open_database
from danvan_desktop.services.office.accounts import find_account
from danvan_desktop.services.office.settings import get_setting
from tests.cli.conftest import run


@pytest.fixture
def office(commune_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The commune's database with an administrator «quan» and a clerk «lan»."""
    (tmp_path / "quan.txt").write_text("mật khẩu quản trị\n", encoding="utf-8")
    (tmp_path / "lan.txt").write_text("mật khẩu nhập liệu\n", encoding="utf-8")
    code, out, err = run(
        capsys, "--db", commune_path, "users", "add", "quan", "--name", "Nguyễn Văn Quân",
        "--new-password-file", tmp_path / "quan.txt",
    )  # fmt: skip
    assert code == 0, err
    assert "Mã khôi phục" in out and "chỉ hiện một lần" in out
    code, _, err = run(
        capsys, "--db", commune_path, "--user", "quan", "--password-file", tmp_path / "quan.txt",
        "users", "add", "lan", "--name", "Trần Thị Lan", "--title", "Văn phòng Đảng ủy",
        "--roles", "nhap_lieu", "--new-password-file", tmp_path / "lan.txt",
    )  # fmt: skip
    assert code == 0, err
    return commune_path


def test_users_list_shows_names_roles_and_no_secret(office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", office, "users", "list")
    assert code == 0
    assert "quan" in out and "Nguyễn Văn Quân" in out and "Quản trị" in out
    assert "Trần Thị Lan, Văn phòng Đảng ủy" in out and "mật khẩu" not in out


def test_writing_command_without_an_account_is_refused(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = open_database(office)
    with db.session() as session:
        before = get_setting(session, "signer.name")
    db.close()
    code, _, err = run(capsys, "--db", office, "settings", "set", "signer.name", "Nguyễn Văn A")
    assert code == 2 and "--user" in err and "Traceback" not in err
    code, _, err = run(
        capsys, "--db", office, "--user", "lan", "--password-file", tmp_path / "quan.txt",
        "settings", "set", "signer.name", "Nguyễn Văn A",
    )  # fmt: skip
    assert code == 2 and "Sai tên đăng nhập hoặc mật khẩu" in err
    # Nothing stored but the wrong password's count (and its audit row), on either engine.
    db = open_database(office)
    try:
        with db.session() as session:
            assert get_setting(session, "signer.name") == before
            account = find_account(session, "lan")
            assert account is not None and account.failed_attempts == 1
    finally:
        db.close()


def test_clerk_is_refused_an_administrators_command_naming_the_role(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DANVAN_USER", "lan")
    monkeypatch.setenv("DANVAN_PASSWORD", "mật khẩu nhập liệu")
    for argv in (
        ["settings", "set", "signer.name", "Nguyễn Văn A"],
        ["users", "disable", "quan"],
        ["restore", str(office)],
    ):
        code, _, err = run(capsys, "--db", office, *argv)
        assert code == 2, argv
        assert "Tài khoản «lan» không được làm việc này" in err and "«Quản trị» (quan_tri)" in err
    code, _, err = run(capsys, "--db", office, "export", "--out", tmp_path / "goi.danvan")
    assert code == 0, err  # a clerk exports packages (this one has nothing to send yet)
    code, out, _ = run(capsys, "--db", office, "audit", "--user", "lan", "--json")
    assert json.loads(out) == []  # refusals change nothing


def test_administrator_changes_settings_and_the_audit_names_them(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "--db", office, "--user", "quan", "--password-file", tmp_path / "quan.txt",
        "settings", "set", "signer.name", "Hoàng Văn Dũng",
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = run(capsys, "--db", office, "audit", "--action", "settings.set", "--json")
    [row] = json.loads(out)
    assert (row["user"], row["person"], row["new"]) == ("quan", "Nguyễn Văn Quân", "Hoàng Văn Dũng")
    assert row["detail"] == "signer.name"
    code, out, _ = run(capsys, "--db", office, "audit", "--since", "2000-01-01")
    assert code == 0 and "Nguyễn Văn Quân  Đổi thiết lập" in out and "Thêm tài khoản" in out


def test_single_user_mode_needs_no_password(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "--db", office, "--user", "quan", "--password-file", tmp_path / "quan.txt",
        "users", "single", "quan",
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run(capsys, "--db", office, "settings", "set", "office.place_name", "Phúc Chu")
    assert code == 0, err
    code, out, _ = run(capsys, "--db", office, "audit", "--action", "settings.set", "--json")
    assert json.loads(out)[0]["user"] == "quan"


def test_password_reset_by_the_administrator(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DANVAN_NEW_PASSWORD", "mật khẩu mới của Lan")
    code, _, err = run(
        capsys, "--db", office, "--user", "quan", "--password-file", tmp_path / "quan.txt",
        "users", "reset-password", "lan",
    )  # fmt: skip
    assert code == 0, err
    monkeypatch.setenv("DANVAN_PASSWORD", "mật khẩu mới của Lan")
    code, _, err = run(capsys, "--db", office, "--user", "lan", "export", "--out", tmp_path / "g.danvan")
    assert code == 0, err
    code, out, _ = run(capsys, "--db", office, "audit", "--action", "users.passwd", "--json")
    assert "mật khẩu mới" not in out and json.loads(out)[0]["detail"] == "lan"


def test_database_without_accounts_keeps_working_under_a_marker(
    commune_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--db", commune_path, "settings", "set", "signer.name", "Nguyễn Văn A")
    assert code == 0, err
    code, out, _ = run(capsys, "--db", commune_path, "audit", "--json")
    [row] = json.loads(out)
    assert row["user"] == "(chưa có tài khoản)"


def test_forgotten_administrator_password_is_reset_with_the_recovery_code(
    commune_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import re

    monkeypatch.setenv("DANVAN_NEW_PASSWORD", "mật khẩu ban đầu")
    code, out, err = run(capsys, "--db", commune_path, "users", "add", "quan", "--name", "Nguyễn Văn Quân")
    assert code == 0, err
    [recovery] = re.findall(r"[0-9A-F]{6}(?:-[0-9A-F]{6}){3}", out)
    monkeypatch.setenv("DANVAN_NEW_PASSWORD", "mật khẩu sau khi quên")
    monkeypatch.setattr("sys.stdin", io.StringIO("000000-000000-000000-000000\n"))
    code, _, err = run(capsys, "--db", commune_path, "users", "recover", "quan")
    assert code == 2 and "Mã khôi phục hoặc tên đăng nhập không đúng" in err
    monkeypatch.setattr("sys.stdin", io.StringIO(recovery + "\n"))
    code, out, err = run(capsys, "--db", commune_path, "users", "recover", "quan")
    assert code == 0, err
    assert "Mã khôi phục MỚI" in out and recovery not in out
    monkeypatch.setenv("DANVAN_PASSWORD", "mật khẩu sau khi quên")
    code, _, err = run(
        capsys, "--db", commune_path, "--user", "quan", "settings", "set", "signer.name", "Nguyễn Văn Quân"
    )
    assert code == 0, err
