"""Signed returns in packages: Phúc Chu's database with its 2023 return, the test PKI, a trusting district."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from danvan_desktop.services.office.settings import set_setting
from tests.exchange.conftest import Site
from tests.reports.conftest import phuc_chu_db, phuc_chu_template  # noqa: F401 - Phúc Chu issues the return
from tests.signing.conftest import Pki, test_pki  # noqa: F401 - the test CA and the signer's .p12

DISTRICT_SETTINGS = {
    "signer.name": "Hoàng Văn Dũng",
    "signer.title": "TRƯỞNG BAN",
    "signer.collective": "BAN DÂN VẬN",
    "office.issuing_body": "BAN DÂN VẬN HUYỆN ỦY ĐỊNH HÓA",
    "office.superior_body": "ĐẢNG BỘ TỈNH THÁI NGUYÊN",
    "office.place_name": "Định Hóa",
    "office.abbreviation": "BDVHU",
}


@pytest.fixture
def trusting_district(district: Site, test_pki: Pki) -> Iterator[Site]:  # noqa: F811
    """The district with its letterhead (it lays returns out to compare figures) and the test CA trusted."""
    with district.db.transaction() as session:
        set_setting(session, "sign.trust_dir", str(test_pki.trust_dir))
        for key, value in DISTRICT_SETTINGS.items():
            set_setting(session, key, value)
    yield district
