"""Signing an issued return with a .p12 and a SoftHSM2 token, then checking it as the office above does."""

from __future__ import annotations

import datetime as dt

import pytest

from danvan_desktop.db.engine import Database
from danvan_desktop.reports.profile import load_profile
from danvan_desktop.services.reporting.pdf_signing import (
    Appearance,
    SigningError,
    load_p12,
    open_token,
    sign_pdf,
)
from danvan_desktop.services.reporting.pdf_verify import check_pdf, load_trust_roots
from danvan_desktop.services.reporting.report_output import ReportRequest, preview_report
from tests.signing import pki
from tests.signing.conftest import P12_PASSPHRASE, Pki

WHEN = dt.datetime(2026, 12, 3, 9, 30, 15, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def _issued(db: Database, profile: str = "nha_nuoc") -> bytes:
    request = ReportRequest(
        kind="return", unit="DH-PHUCCHU", period="2023", date=dt.date(2023, 2, 5), profile=profile
    )
    return preview_report(db, request).pdf


def _appearance(profile: str = "nha_nuoc") -> Appearance:
    return Appearance(load_profile(profile).digital_signature)


def test_p12_signer_and_organization_verify(phuc_chu_db: Database, test_pki: Pki) -> None:
    signer = load_p12(test_pki.signer_p12, P12_PASSPHRASE)
    org = load_p12(test_pki.organization_p12, P12_PASSPHRASE)
    signed = sign_pdf(_issued(phuc_chu_db), signer, _appearance(), organization=org, when=WHEN)
    result = check_pdf(signed, load_trust_roots(test_pki.trust_dir))
    assert result.ok, result
    assert [(s.field, s.signer) for s in result.signatures] == [
        ("ChuKyNguoiKy", "Nguyễn Văn An"),
        ("ChuKyCoQuan", "Ủy ban nhân dân xã Phúc Chu"),
    ]
    assert result.signatures[0].signed_at == WHEN


def test_token_signature_verifies(phuc_chu_db: Database, test_pki: Pki) -> None:
    with open_token(test_pki.module, pki.PIN) as key:
        assert key.holder == "Nguyễn Văn An"
        signed = sign_pdf(_issued(phuc_chu_db, "dang"), key, _appearance("dang"), when=WHEN)
    result = check_pdf(signed, load_trust_roots(test_pki.trust_dir))
    assert result.ok and [s.signer for s in result.signatures] == ["Nguyễn Văn An"]


def test_wrong_pin_and_passphrase_are_refused(test_pki: Pki) -> None:
    with pytest.raises(SigningError, match="Mã PIN"), open_token(test_pki.module, "000000"):
        pass
    with pytest.raises(SigningError, match="sai mật khẩu"):
        load_p12(test_pki.signer_p12, "sai")
