"""Signing fixtures: one test CA for the session, a signer on a SoftHSM2 token and in a .p12 file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reports.conftest import phuc_chu_db, phuc_chu_template  # noqa: F401 - signed returns are Phúc Chu's
from tests.signing import pki

P12_PASSPHRASE = "mật-khẩu-thử"


@dataclass(frozen=True)
class Pki:
    ca: pki.Issued
    signer: pki.Issued
    organization: pki.Issued
    stranger_ca: pki.Issued
    stranger: pki.Issued
    signer_p12: Path
    organization_p12: Path
    stranger_p12: Path
    trust_dir: Path  # the office's folder of trusted roots: the test CA only
    module: Path  # the SoftHSM2 PKCS#11 library, its token holding the signer's key


_MADE: list[Pki] = []


@pytest.fixture(scope="session")
def test_pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    # One PKI and one SoftHSM2 token per test process, even where another conftest imports this
    # fixture (tests/exchange/returns): SoftHSM2 reads its configuration once, when first loaded, so
    # a second token would land beside the first one and its key id would no longer be unique.
    if _MADE:
        return _MADE[0]
    folder = tmp_path_factory.mktemp("pki")
    ca = pki.make_ca("CA thử nghiệm Dân Vận")
    signer = pki.issue(ca, "Nguyễn Văn An")
    organization = pki.issue(ca, "Ủy ban nhân dân xã Phúc Chu", org="Ủy ban nhân dân xã Phúc Chu")
    stranger_ca = pki.make_ca("CA lạ")
    stranger = pki.issue(stranger_ca, "Người lạ")
    trust = folder / "trusted-roots"
    trust.mkdir()
    (trust / "ca-thu-nghiem.pem").write_bytes(ca.cert_pem)
    made = Pki(
        ca=ca,
        signer=signer,
        organization=organization,
        stranger_ca=stranger_ca,
        stranger=stranger,
        signer_p12=pki.write_p12(folder / "signer.p12", signer, ca, P12_PASSPHRASE),
        organization_p12=pki.write_p12(folder / "org.p12", organization, ca, P12_PASSPHRASE),
        stranger_p12=pki.write_p12(folder / "stranger.p12", stranger, stranger_ca, P12_PASSPHRASE),
        trust_dir=trust,
        module=pki.init_token(folder / "softhsm", signer),
    )
    _MADE.append(made)
    return made
