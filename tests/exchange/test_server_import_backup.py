"""A server is dumped (pg_dump) before an import run changes it, as a file is copied."""

from __future__ import annotations

import pytest

from tests.cli.conftest import run
from tests.exchange.conftest import BRANCH, Site

pytestmark = pytest.mark.server_only


def test_importing_into_a_server_dumps_it_first(
    phuc_chu: Site, district: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """As a file is copied before an import run, a server is dumped (once per run), and the dump is
    listed with the records it holds: the state before the import."""
    from danvan_desktop import paths

    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    first, second = phuc_chu.export("pc-1.danvan"), None
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2024", BRANCH)
    second = phuc_chu.export("pc-2.danvan")
    db = str(district.db.path)
    code, out, err = run(capsys, "--db", db, "import", first, second, "--accept-new-site")
    assert code == 0, err
    assert out.count("Bản sao lưu trước khi nhập:") == 1, out
    dumps = sorted(paths.user_paths().backup_dir.glob("*.dump"))
    assert len(dumps) == 1 and "truoc-nhap-goi" in dumps[0].name
    code, out, err = run(capsys, "--db", db, "backups")
    assert "truoc-nhap-goi" in out and " 0 bản ghi" in out, out
    assert len(district.records()) == 2
    code, out, err = run(capsys, "--db", db, "restore", dumps[0])
    assert code == 0, err
    assert district.records() == []
