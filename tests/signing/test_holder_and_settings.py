"""The certificate's holder against the printed signer, and the signing settings edited in the app."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from danvan_desktop.cli.main import main
from danvan_desktop.db.engine import Database
from danvan_desktop.services.office.settings import get_setting
from danvan_desktop.ui.sign_dialog import SignDialog
from danvan_desktop.ui.sign_settings_dialog import SignSettingsDialog
from tests.signing import pki
from tests.signing.conftest import P12_PASSPHRASE, Pki


def test_report_sign_warns_when_the_certificate_is_not_the_printed_signer(
    phuc_chu_db: Database, test_pki: Pki, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Phúc Chu's settings print «Nguyễn Văn Hải»; the certificate is Nguyễn Văn An's.
    pin = tmp_path / "pin.txt"
    pin.write_text(P12_PASSPHRASE + "\n", encoding="utf-8")
    args = ["--db", str(phuc_chu_db.path), "report", "--kind", "return", "--unit", "DH-PHUCCHU"]
    args += ["--period", "2023", "--date", "2023-02-05", "--out", str(tmp_path / "bc.pdf")]
    code = main([*args, "--sign", "--cert", str(test_pki.signer_p12), "--pin-file", str(pin)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "Chứng thư số mang tên «Nguyễn Văn An», nhưng báo cáo in người ký «Nguyễn Văn Hải»" in err


def test_sign_dialog_warns_once_about_another_holder_then_signs(
    qtbot: QtBot, phuc_chu_db: Database, test_pki: Pki
) -> None:
    dialog = SignDialog(None, phuc_chu_db)
    qtbot.addWidget(dialog)
    dialog.file_choice.setChecked(True)
    dialog.cert_file.setText(str(test_pki.signer_p12))
    dialog.pin.setText(P12_PASSPHRASE)
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "Nguyễn Văn An" in dialog.message.text() and "Nguyễn Văn Hải" in dialog.message.text()
    dialog.accept()  # pressed again: a deputy may sign with their own certificate
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_sign_settings_are_checked_and_saved(qtbot: QtBot, phuc_chu_db: Database, tmp_path: Path) -> None:
    dialog = SignSettingsDialog(phuc_chu_db)
    qtbot.addWidget(dialog)
    dialog.resize(1366 // 2, 300)
    dialog.edits["sign.signature_image"].setText(str(tmp_path / "không-có.png"))
    assert not dialog.save()
    assert "Không có tệp" in dialog.message.text()
    with phuc_chu_db.session() as session:
        assert not get_setting(session, "sign.signature_image")
    image = pki.signature_png(tmp_path / "chu-ky.png")
    seal = pki.seal_png(tmp_path / "con-dau.png")
    dialog.edits["sign.signature_image"].setText(str(image))
    dialog.edits["sign.seal_image"].setText(str(seal))
    dialog.edits["sign.trust_dir"].setText(str(tmp_path))
    assert dialog.save()
    with phuc_chu_db.session() as session:
        assert get_setting(session, "sign.signature_image") == str(image)
        assert get_setting(session, "sign.trust_dir") == str(tmp_path)


def test_the_issuing_office_checks_its_own_signed_return(
    phuc_chu_db: Database, test_pki: Pki, tmp_path: Path
) -> None:
    import datetime as dt

    from danvan_desktop.reports.profile import load_profile
    from danvan_desktop.services.office.settings import set_setting
    from danvan_desktop.services.reporting.pdf_signing import Appearance, load_p12, sign_pdf
    from danvan_desktop.services.reporting.report_output import ReportRequest, save_report
    from danvan_desktop.services.reporting.return_check import findings_lines, inspect_return

    request = ReportRequest(kind="return", unit="DH-PHUCCHU", period="2023", date=dt.date(2023, 2, 5))
    signer = load_p12(test_pki.signer_p12, P12_PASSPHRASE)
    appearance = Appearance(load_profile("nha_nuoc").digital_signature)
    out = tmp_path / "bc.pdf"
    save_report(phuc_chu_db, request, out, sign=lambda pdf: sign_pdf(pdf, signer, appearance))
    with phuc_chu_db.transaction() as session:
        set_setting(session, "sign.trust_dir", str(test_pki.trust_dir))
    with phuc_chu_db.session() as session:
        findings = inspect_return(session, out.read_bytes(), None)
        lines = findings_lines(findings, str(test_pki.trust_dir))
    assert not findings.flagged, findings.problems
    assert lines[-1] == "HỢP LỆ." and any("Số liệu: KHỚP" in line for line in lines)
