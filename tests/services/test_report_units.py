"""The units the Reports screen offers, including a new commune's periods before it existed."""

from __future__ import annotations

from pathlib import Path

from danvan_desktop import paths
from danvan_desktop.services.office.installation import initialize_database
from danvan_desktop.services.office.orgunits import find_unit, predecessors
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.services.reporting.report_output import report_units


def test_a_new_commune_is_offered_its_predecessors_for_periods_before_it(tmp_path: Path) -> None:
    path = tmp_path / "dinhhoa.sqlite3"
    db = initialize_database(path, "TN-DINHHOA", None, catalog_dir=paths.catalog_dir())
    try:
        with db.transaction() as session:
            get_period(session, "2024")
            get_period(session, "2026")
            former = {u.code for u in predecessors(session, find_unit(session, "TN-DINHHOA"))}
        with db.session() as session:
            before = report_units(session, "2024")
            after = report_units(session, "2026")
    finally:
        db.close()
    codes = [u.code for u in before]
    # The commune itself first (its history under today's units), then every former commune of 2024.
    assert codes[0] == "TN-DINHHOA" and before[0].role == "own"
    assert former and former <= set(codes)
    assert all(u.role == "reading_copy" for u in before[1:])
    # From its own time on, only the commune itself (villages print no return).
    assert [u.code for u in after] == ["TN-DINHHOA"]
