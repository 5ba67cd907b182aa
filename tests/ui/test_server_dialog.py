"""The first run's "máy chủ dùng chung": the connection is tested before it can be used, a failure
is said in Vietnamese without the password, and a working server gives its connection file."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from danvan_desktop import paths
from danvan_desktop.db.location import read_server_file
from danvan_desktop.ui.first_run import FirstRunDialog
from danvan_desktop.ui.server_dialog import ServerDialog
from tests.databases import TestServer
from tests.ui.keyboard import type_text

SECRET = "mat-khau-bi-mat"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens there once closed


def _fill(
    qtbot: QtBot, dialog: ServerDialog, host: str, port: int, database: str, user: str, pw: str
) -> None:
    for field, text in ((dialog.host, host), (dialog.database, database), (dialog.user, user)):
        field.clear()
        type_text(field, text)
    dialog.port.setValue(port)
    dialog.password.clear()
    type_text(dialog.password, pw)


def test_first_run_offers_the_shared_server(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = FirstRunDialog(tmp_path / "db.sqlite3", paths.catalog_dir(), None)
    qtbot.addWidget(dialog)
    button = dialog.findChild(type(dialog.create_button), "sharedServerButton")
    assert button is not None and button.text() == "Máy chủ dùng chung…"


def test_a_server_that_does_not_answer_is_said_and_cannot_be_used(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = ServerDialog(tmp_path)
    qtbot.addWidget(dialog)
    _fill(qtbot, dialog, "127.0.0.1", _closed_port(), "danvan", "can_bo", SECRET)
    assert not dialog.use_button.isEnabled()
    dialog.test_button.click()
    qtbot.waitUntil(
        lambda: dialog.test_button.isEnabled() and "Không kết nối được" in dialog.outcome.text(),
        timeout=20_000,
    )
    assert "Hãy kiểm tra máy chủ đã bật" in dialog.outcome.text()
    assert SECRET not in dialog.outcome.text()
    assert not dialog.use_button.isEnabled() and dialog.connection_file is None


@pytest.mark.server_only
def test_an_empty_server_database_is_ready_for_the_office(
    qtbot: QtBot, tmp_path: Path, pg: TestServer
) -> None:
    name = read_server_file(pg.empty_database(tmp_path / "srv", "x")).url.database
    assert name is not None
    url = pg.url
    dialog = ServerDialog(tmp_path / "data")
    qtbot.addWidget(dialog)
    _fill(
        qtbot, dialog, url.host or "localhost", url.port or 5432, name, url.username or "", url.password or ""
    )
    dialog.test_button.click()
    qtbot.waitUntil(dialog.use_button.isEnabled, timeout=20_000)
    assert "Cơ sở dữ liệu còn trống" in dialog.outcome.text() and not dialog.declared
    assert dialog.connection_file is not None
    assert stat.S_IMODE(dialog.connection_file.stat().st_mode) == 0o600
    assert read_server_file(dialog.connection_file).url.database == name
    dialog.port.setValue((url.port or 5432) + 1)  # any change asks for a new test
    assert not dialog.use_button.isEnabled()


@pytest.mark.server_only
@pytest.mark.skipif(not os.environ.get("DANVAN_TEST_SSL_CA"), reason="no TLS on the test server")
def test_the_certificate_is_checked_against_the_chosen_ca(
    qtbot: QtBot, tmp_path: Path, pg: TestServer
) -> None:
    """«Mã hóa và kiểm tra chứng chỉ»: the CA file is asked for, a wrong one refuses the server, the
    right one gives a connection file that checks it from then on (sslmode=verify-full)."""
    name = read_server_file(pg.empty_database(tmp_path / "srv", "x")).url.database
    assert name is not None
    url = pg.url
    dialog = ServerDialog(tmp_path / "data")
    qtbot.addWidget(dialog)
    assert not dialog.ca_file.isEnabled()  # prefer: nothing to choose
    _fill(qtbot, dialog, "127.0.0.1", url.port or 5432, name, url.username or "", url.password or "")
    dialog.tls.setCurrentIndex(dialog.tls.findData("verify-full"))
    assert dialog.ca_file.isEnabled() and dialog.ca_button.isEnabled()
    dialog.test_button.click()
    assert "Hãy chọn tệp chứng chỉ CA" in dialog.outcome.text() and dialog.connection_file is None
    dialog.ca_file.setText(str(tmp_path / "khong-phai-ca.crt"))
    (tmp_path / "khong-phai-ca.crt").write_text("không phải chứng chỉ", encoding="utf-8")
    dialog.test_button.click()
    qtbot.waitUntil(lambda: "tệp chứng chỉ CA" in dialog.outcome.text(), timeout=20_000)
    assert not dialog.use_button.isEnabled()
    dialog.ca_file.setText(os.environ["DANVAN_TEST_SSL_CA"])
    dialog.test_button.click()
    qtbot.waitUntil(dialog.use_button.isEnabled, timeout=20_000)
    assert dialog.connection_file is not None
    saved = read_server_file(dialog.connection_file).url
    assert saved.query == {"sslmode": "verify-full", "sslrootcert": os.environ["DANVAN_TEST_SSL_CA"]}
    dialog.grab().save(str(tmp_path / "server-dialog.png"))
