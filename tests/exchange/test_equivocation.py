"""Equivocation is refused, but a late package, the same package twice or sealed and plain, is not."""

from __future__ import annotations

import pytest

from danvan_desktop.services.exchange.package_ledger import EquivocationError
from tests.exchange.conftest import BRANCH, Site


def test_a_missing_number_arriving_late_is_normal(phuc_chu: Site, district: Site) -> None:
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    first = phuc_chu.export("pc-1.danvan")
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2022", BRANCH)
    second = phuc_chu.export("pc-2.danvan")
    report = district.import_(second, accept_new_site=True)
    assert report.status == "applied" and report.gaps == [1]
    late = district.import_(first)
    assert late.status == "applied" and late.gaps == []


def test_the_same_package_again_sealed_or_plain_is_a_duplicate(phuc_chu: Site, district: Site) -> None:
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    plain = phuc_chu.export("pc-1.danvan")
    assert district.import_(plain, accept_new_site=True).status == "applied"
    assert district.import_(plain).status == "duplicate"


@pytest.mark.sqlite_only(reason="the restore is the file copied back byte for byte")
def test_a_second_export_under_a_used_number_is_refused(phuc_chu: Site, district: Site) -> None:
    """A commune that restored an old backup numbers its next package as one already sent."""
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    phuc_chu.db.close()
    copy = phuc_chu.folder / "truoc.sqlite3"
    copy.write_bytes((phuc_chu.folder / "site.sqlite3").read_bytes())
    from danvan_desktop.db.engine import open_database

    phuc_chu.db = open_database(phuc_chu.folder / "site.sqlite3")
    first = phuc_chu.export("pc-1.danvan")
    district.import_(first, accept_new_site=True)
    phuc_chu.db.close()
    (phuc_chu.folder / "site.sqlite3").write_bytes(copy.read_bytes())  # the restore
    phuc_chu.db = open_database(phuc_chu.folder / "site.sqlite3")
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2022", BRANCH)
    again = phuc_chu.export("pc-1-lai.danvan")
    with pytest.raises(EquivocationError) as refused:
        district.import_(again)
    assert "hai gói khác nhau cùng mang số 1 của xã Phúc Chu" in refused.value.message
    assert refused.value.exit_code == 2
