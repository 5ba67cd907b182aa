"""«Ký số» on the Reports screen: the PIN dialog, a signed file with its number; a failed one takes none."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from danvan_desktop.db.engine import Database
from danvan_desktop.services.reporting.pdf_verify import check_pdf, load_trust_roots
from danvan_desktop.services.reporting.report_numbers import list_numbers
from danvan_desktop.services.reporting.signing_setup import KeySource
from danvan_desktop.ui.sign_dialog import SignDialog, sign_report
from tests.signing.conftest import P12_PASSPHRASE, Pki, test_pki  # noqa: F401 - the session's test CA
from tests.ui.test_reports_dialog import make_dialog, own_db, previewed  # noqa: F401


def _numbers(db: Database) -> list[tuple[int, str]]:
    with db.session() as session:
        return [(n.number, n.file_name) for n in list_numbers(session)]


def test_sign_button_signs_numbers_and_saves(
    qtbot: QtBot,
    own_db: Database,  # noqa: F811
    test_pki: Pki,  # noqa: F811
    tmp_path: Path,
) -> None:
    dialog = make_dialog(qtbot, own_db)
    assert not dialog.sign_button.isEnabled()  # no preview yet
    previewed(qtbot, dialog)
    assert dialog.sign_button.isEnabled()
    dialog.resize(1366, 768)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.grab().save("/tmp/pades_reports_dialog.png")
    wrong = (KeySource(str(test_pki.signer_p12), "sai"), None)
    assert sign_report(dialog, tmp_path / "x.pdf", wrong)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)
    assert "sai mật khẩu" in dialog.message.text() and "không lấy số" in dialog.message.text()
    assert not (tmp_path / "x.pdf").exists() and _numbers(own_db) == []
    assert dialog.sign_button.isEnabled()  # the same preview can be signed again
    keys = (
        KeySource(str(test_pki.signer_p12), P12_PASSPHRASE),
        KeySource(str(test_pki.organization_p12), P12_PASSPHRASE),
    )
    assert sign_report(dialog, tmp_path / "bao-cao", keys)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)
    assert "Đã ký số và lưu" in dialog.message.text(), dialog.message.text()
    assert _numbers(own_db) == [(1, "bao-cao.pdf")]
    result = check_pdf((tmp_path / "bao-cao.pdf").read_bytes(), load_trust_roots(test_pki.trust_dir))
    assert result.ok and len(result.signatures) == 2
    assert not dialog.sign_button.isEnabled()  # the number is taken: a new preview first


def test_pin_dialog_refuses_missing_pin_and_file(qtbot: QtBot, tmp_path: Path) -> None:
    asked = SignDialog()
    qtbot.addWidget(asked)
    asked.show()
    qtbot.waitExposed(asked)
    asked.grab().save("/tmp/pades_sign_dialog.png")
    asked.accept()
    assert "mã PIN" in asked.message.text() and asked.result() == 0
    asked.file_choice.setChecked(True)
    asked.cert_file.setText(str(tmp_path / "none.p12"))
    asked.pin.setText("1234")
    asked.accept()
    assert "Không có tệp chứng thư số" in asked.message.text()
    asked.token_choice.setChecked(True)
    asked.accept()
    assert asked.result() == 1
    signer, org = asked.sources()
    assert signer.is_token and signer.secret == "1234" and org is None
