"""The trust suite for unit definitions: a genuine, trusted commune signs definitions it may not make.

Same scene and same checks as test_hostile_packages.py (exit 2, Vietnamese message, database
unchanged but for the refused-package ledger, which keeps the forgery signal).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.exchange.test_hostile_packages import Builder, Scene, scene
from tests.exchange.test_hostile_packages import test_hostile_package as check_hostile_package

__all__ = ["scene"]  # the module-scoped fixture of the suite, shared


def _village(code: str, parent: str, **changes: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": "Nà Mòn",
        "kind": "xom",
        "parent": parent,
        "valid_from": "2020-01-01",
        "valid_to": "2025-06-30",
    } | changes


def _defining(s: Scene, name: str, units: list[dict[str, Any]], lineage: list[dict[str, Any]] = ()) -> Path:  # type: ignore[assignment]
    definitions = {"units": units, "lineage": list(lineage)}
    return s.forger.package(name, manifest={"format_version": 2, "unit_definitions": definitions})


def _village_of_another_commune(s: Scene, name: str) -> Path:
    return _defining(s, name, [_village("DH-BAOLINH-X1", "DH-BAOLINH")])


def _village_under_the_district(s: Scene, name: str) -> Path:
    return _defining(s, name, [_village("DH-X1", "DH")])


def _catalog_commune_as_village(s: Scene, name: str) -> Path:
    # Bảo Linh (a catalog commune) "re-defined" as a village of Phúc Chu: a catalog unit moved.
    return _defining(s, name, [_village("DH-BAOLINH", "DH-PHUCCHU", name="Bảo Linh")])


def _own_commune_renamed(s: Scene, name: str) -> Path:
    return _defining(s, name, [_village("DH-PHUCCHU", "DH", name="Phúc Chu Mới", kind="xa")])


def _commune_level_unit(s: Scene, name: str) -> Path:
    return _defining(s, name, [_village("DH-PHUCCHU-XA", "DH-PHUCCHU", kind="xa", name="Xã Con")])


def _lineage_into_a_catalog_unit(s: Scene, name: str) -> Path:
    link = {"from": "DH-PHUCCHU-X1", "to": "TN-DINHHOA", "date": "2025-07-01", "kind": "merge"}
    return _defining(s, name, [_village("DH-PHUCCHU-X1", "DH-PHUCCHU")], [link])


def _lineage_from_another_commune(s: Scene, name: str) -> Path:
    link = {"from": "DH-BAOLINH", "to": "DH-PHUCCHU-X1", "date": "2024-01-01", "kind": "merge"}
    return _defining(s, name, [_village("DH-PHUCCHU-X1", "DH-PHUCCHU")], [link])


def _village_outside_its_commune_s_time(s: Scene, name: str) -> Path:
    return _defining(
        s, name, [_village("DH-PHUCCHU-X1", "DH-PHUCCHU", valid_from="2026-01-01", valid_to=None)]
    )


def _malformed_definition(s: Scene, name: str) -> Path:
    return _defining(s, name, [_village("DH-PHUCCHU-X1", "DH-PHUCCHU", valid_from="01/01/2020")])


def _definitions_in_a_version_1_manifest(s: Scene, name: str) -> Path:
    definitions = {"units": [_village("DH-PHUCCHU-X1", "DH-PHUCCHU")], "lineage": []}
    return s.forger.package(name, manifest={"unit_definitions": definitions})


CASES: list[tuple[Builder, int, str, str | None]] = [
    (_village_of_another_commune, 2, "xã bảo linh", "origin"),
    (_village_under_the_district, 2, "huyện định hóa", "origin"),
    (_catalog_commune_as_village, 2, "của danh mục chính thức", "origin"),
    (_own_commune_renamed, 2, "không phải xóm, thôn, bản, tổ dân phố", "origin"),
    (_commune_level_unit, 2, "không phải xóm, thôn, bản, tổ dân phố", "origin"),
    (_lineage_into_a_catalog_unit, 2, "quan hệ kế thừa nối tới xã định hóa", "origin"),
    (_lineage_from_another_commune, 2, "quan hệ kế thừa nối tới xã bảo linh", "origin"),
    (_village_outside_its_commune_s_time, 2, "ngoài thời gian của xã phúc chu", "origin"),
    # not a forgery signal: the reader refuses the file itself
    (_malformed_definition, 2, "manifest.json thiếu hoặc sai trường", None),
    (_definitions_in_a_version_1_manifest, 2, "manifest.json thiếu hoặc sai trường", None),
]


@pytest.mark.parametrize(
    ("build", "code", "words", "ledger"), CASES, ids=[c[0].__name__.strip("_") for c in CASES]
)
def test_hostile_unit_definitions(
    scene: Scene,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    build: Builder,
    code: int,
    words: str,
    ledger: str | None,
) -> None:
    check_hostile_package(scene, tmp_path, capsys, build, code, words, ledger)


def test_an_honest_definition_from_the_same_site_is_learned(
    scene: Scene, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The control: a village of Phúc Chu itself, signed the same way, is accepted."""
    from danvan_desktop.db.engine import open_database
    from danvan_desktop.services.office.orgunits import find_unit
    from tests.cli.conftest import run
    from tests.exchange.hostile import copy_site

    district = copy_site(scene.district, tmp_path / "district")
    package = _defining(scene, "honest.danvan", [_village("DH-PHUCCHU-X1", "DH-PHUCCHU")])
    status, out, err = run(capsys, "--db", district, "import", package)
    assert status == 0, out + err
    assert "Nhận 1 xóm, tổ dân phố mới." in out, out
    db = open_database(district)
    with db.session() as session:
        unit = find_unit(session, "DH-PHUCCHU-X1")
        assert (unit.name, unit.source) == ("Nà Mòn", "package:DH-PHUCCHU")
    db.close()
