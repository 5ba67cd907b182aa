"""Villages an office defines under its own unit: add, rename, close, merge, and what is refused."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from danvan_desktop import paths
from danvan_desktop.db.engine import Database, open_database
from danvan_desktop.db.models import AuditEntry, OrgUnit, UnitLineage
from danvan_desktop.services.entry.entry import Writer, save_entry
from danvan_desktop.services.office.catalog_sync import sync_shipped_catalog
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import initialize_database, load_installation
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.services.office.village_units import (
    OFFICE_SOURCE,
    VillageError,
    add_village,
    add_villages,
    close_village,
    list_villages,
    merge_villages,
    needs_village_list,
    parse_village_lines,
    rename_village,
)
from tests.exchange.test_hostile_packages import _rows

TODAY = dt.date(2026, 12, 3)
REFORM = dt.date(2025, 7, 1)


def _today_commune(session_db: Database) -> str:
    with session_db.session() as session:
        return load_installation(session).office_code


@pytest.fixture(scope="module")
def new_commune_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A commune office of today's two-tier province, as a first run creates it."""
    path = tmp_path_factory.mktemp("new-commune") / "site.sqlite3"
    probe = tmp_path_factory.mktemp("probe") / "probe.sqlite3"
    db = initialize_database(probe, "TN", None, catalog_dir=paths.catalog_dir())
    with db.session() as session:
        province = session.scalar(select(OrgUnit).where(OrgUnit.code == "TN"))
        assert province is not None
        communes = session.scalars(
            select(OrgUnit).where(
                OrgUnit.parent_id == province.id,
                OrgUnit.kind.in_(["xa", "phuong"]),
                OrgUnit.valid_to.is_(None),
                OrgUnit.valid_from <= TODAY,
            )
        ).all()
        code = sorted(c.code for c in communes)[0]  # any commune valid today will do
    db.close()
    initialize_database(path, code, None, catalog_dir=paths.catalog_dir()).close()
    return path


@pytest.fixture
def office(new_commune_template: Path, tmp_path: Path) -> Iterator[Database]:
    target = tmp_path / "site"
    shutil.copytree(new_commune_template.parent, target)
    db = open_database(target / "site.sqlite3")
    yield db
    db.close()


def _office_id(db: Database) -> int:
    with db.session() as session:
        return load_installation(session).office_unit_id


def _add(db: Database, name: str, **options: object) -> str:
    with db.transaction() as session:
        unit = add_village(
            session,
            _office_id(db),
            name,
            str(options.pop("kind", "xom")),
            options.pop("valid_from", REFORM),  # type: ignore[arg-type]
            user="Nguyễn Thị Lan",
            **options,  # type: ignore[arg-type]
        )
        return unit.code


def _refused(db: Database, action: object, *words: str) -> None:
    before = _rows(db.path)
    with pytest.raises(VillageError) as caught, db.transaction() as session:
        action(session)  # type: ignore[operator]
    message = str(caught.value)
    for word in words:
        assert word in message, message
    assert caught.value.exit_code == 2
    assert _rows(db.path) == before  # nothing stored


def test_a_new_commune_is_asked_for_its_villages_until_it_has_one(office: Database) -> None:
    with office.session() as session:
        assert needs_village_list(session, TODAY)
    code = _add(office, "Bản Lác")
    office_code = _today_commune(office)
    assert code == f"{office_code}-01"
    with office.session() as session:
        assert not needs_village_list(session, TODAY)
        rows = list_villages(session, _office_id(office))
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "unit_add")).all()
    assert [(r.code, r.label, r.span, r.editable) for r in rows] == [
        (code, "Xóm Bản Lác", "từ 01/07/2025", True)
    ]
    assert unit is not None and unit.source == OFFICE_SOURCE and unit.name_folded == "ban lac"
    assert len(audit) == 1 and "Xóm Bản Lác" in audit[0].detail


def test_pasted_list_names_kinds_and_skips_bullets_and_repeats() -> None:
    text = "1. Xóm Bản Lác\n- tổ dân phố Số 3\n\nNà Mòn\nXóm Bản Lác\n  Thôn  Đồng   Tâm \nBản Piềng\n"
    assert parse_village_lines(text, "xom") == [
        ("Bản Lác", "xom"),
        ("Số 3", "to_dan_pho"),
        ("Nà Mòn", "xom"),
        ("Đồng Tâm", "thon"),
        ("Bản Piềng", "xom"),  # a name, not the kind "bản"
    ]
    decomposed = "Xo\u0301m Na\u0300 Mo\u0300n"
    assert parse_village_lines(decomposed, "thon") == [("Nà Mòn", "xom")]


def test_a_pasted_list_is_stored_whole_or_not_at_all(office: Database) -> None:
    _add(office, "Nà Mòn")
    entries = parse_village_lines("Bản Lác\nĐồng Tâm\nNà Mòn", "xom")
    _refused(
        office,
        lambda s: add_villages(s, _office_id(office), entries, REFORM, user="Lan"),
        "đã có Xóm Nà Mòn",
    )


def test_units_outside_the_office_are_refused(office: Database) -> None:
    with office.session() as session:
        office_unit = session.get_one(OrgUnit, _office_id(office))
        other = session.scalars(
            select(OrgUnit).where(
                OrgUnit.parent_id == office_unit.parent_id,
                OrgUnit.id != office_unit.id,
                OrgUnit.valid_to.is_(None),
            )
        ).first()
        assert other is not None
        other_code = other.code
    _refused(
        office,
        lambda s: add_village(
            s, _office_id(office), "Xóm Lạ", "xom", REFORM, parent_code=other_code, user="L"
        ),
        "không thuộc",
        "Không lưu gì",
    )
    _refused(
        office,
        lambda s: add_village(s, _office_id(office), "Lạ", "xom", REFORM, parent_code="TN", user="L"),
        "không thuộc",
    )


def test_bad_dates_duplicates_and_kinds_are_refused(office: Database) -> None:
    oid = _office_id(office)
    _refused(
        office,
        lambda s: add_village(
            s, oid, "A", "xom", dt.date(2026, 5, 1), valid_to=dt.date(2026, 1, 1), user="L"
        ),
        "trước ngày bắt đầu",
    )
    _refused(
        office,
        lambda s: add_village(s, oid, "A", "xom", dt.date(2020, 1, 1), user="L"),
        "phải nằm trong thời gian",
    )
    code = _add(office, "Đồng Tâm")
    _refused(office, lambda s: add_village(s, oid, "Khác", "xom", REFORM, code=code, user="L"), "đã dùng")
    _refused(
        office, lambda s: add_village(s, oid, "Khác", "xom", REFORM, code="xóm 1", user="L"), "không hợp lệ"
    )
    _refused(office, lambda s: add_village(s, oid, "dong tâm", "xom", TODAY, user="L"), "trùng thời gian")
    _refused(office, lambda s: add_village(s, oid, "Khác", "xa", REFORM, user="L"), "Loại đơn vị «xa»")
    _refused(office, lambda s: add_village(s, oid, "   ", "xom", REFORM, user="L"), "không được để trống")


def test_rename_keeps_the_code_and_the_former_name(office: Database) -> None:
    code = _add(office, "Bản Lác")
    with office.transaction() as session:
        unit = rename_village(session, _office_id(office), code.lower(), "Bản Lác Mới", user="L")
        assert unit.code == code
    with office.session() as session:
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
        assert unit is not None and unit.name == "Bản Lác Mới" and "Tên cũ: Bản Lác" in (unit.note or "")


def test_catalog_units_cannot_be_changed_here(office: Database) -> None:
    office_code = _today_commune(office)
    _refused(
        office,
        lambda s: rename_village(s, _office_id(office), office_code, "Tên khác", user="L"),
        "không phải xóm, tổ dân phố",
    )


def _nha_van_hoa(db: Database, village: str, period: str) -> None:
    with db.transaction() as session:
        installation = load_installation(session)
        save_entry(
            session,
            get_form("nha_van_hoa"),
            installation.office_unit_id,
            get_period(session, period).id,
            {"xom": village, "tinh_trang": "xay_moi"},
            writer=Writer(installation.site_id, "Lan"),
        )


def test_closing_is_refused_while_records_of_later_periods_name_the_village(office: Database) -> None:
    code = _add(office, "Bản Lác")
    _nha_van_hoa(office, code, "2026")
    _refused(
        office,
        lambda s: close_village(s, _office_id(office), code, dt.date(2025, 12, 31), user="L"),
        "còn 1 bản ghi",
        "31/12/2025",
    )
    _refused(
        office,
        lambda s: close_village(s, _office_id(office), code, dt.date(2025, 1, 1), user="L"),
        "không kết thúc trước ngày đó",
    )
    with office.transaction() as session:
        unit = close_village(session, _office_id(office), code, dt.date(2026, 12, 31), user="L")
        assert unit.valid_to == dt.date(2026, 12, 31)


def test_merging_closes_the_old_villages_and_links_them_to_the_new_one(office: Database) -> None:
    a, b = _add(office, "Đồng Tâm"), _add(office, "Bản Lác")
    merged_on = dt.date(2026, 1, 1)
    with office.transaction() as session:
        target = merge_villages(session, _office_id(office), [a, b], merged_on, new_name="Đồng Tâm", user="L")
        new_code = target.code
    with office.session() as session:
        units = {
            u.code: u for u in session.scalars(select(OrgUnit).where(OrgUnit.code.in_([a, b, new_code])))
        }
        links = {
            (session.get_one(OrgUnit, link.from_unit_id).code, session.get_one(OrgUnit, link.to_unit_id).code)
            for link in session.scalars(select(UnitLineage))
            if link.kind == "merge" and link.effective == merged_on
        }
        rows = {r.code: r for r in list_villages(session, _office_id(office))}
    assert units[a].valid_to == units[b].valid_to == dt.date(2025, 12, 31)
    assert units[new_code].valid_from == merged_on and units[new_code].name == "Đồng Tâm"
    assert {(a, new_code), (b, new_code)} <= links
    assert rows[a].successor == "Xóm Đồng Tâm (từ 01/01/2026)"
    _refused(
        office,
        lambda s: merge_villages(s, _office_id(office), [a], dt.date(2026, 6, 1), into=new_code, user="L"),
        "không còn hiệu lực",
    )


def test_a_catalog_sync_never_overwrites_a_village_the_office_defined(
    office: Database, tmp_path: Path
) -> None:
    code = _add(office, "Bản Lác")
    catalog = tmp_path / "catalog"
    shutil.copytree(paths.catalog_dir(), catalog)
    (catalog / "90_clash.yaml").write_text(
        "catalog_version: 1\ntitle: thử\nunits:\n"
        f'  - {{code: {code}, name: "Tên danh mục", kind: thon, parent: TN, valid_from: 2000-01-01}}\n',
        encoding="utf-8",
    )
    with office.transaction() as session:
        sync_shipped_catalog(session, catalog)
    with office.session() as session:
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
        assert unit is not None
        assert (unit.name, unit.kind, unit.source, unit.valid_from) == (
            "Bản Lác",
            "xom",
            OFFICE_SOURCE,
            REFORM,
        )
        assert unit.parent_id == _office_id(office)


def test_villages_of_an_abolished_commune_end_with_it(commune_db: Database) -> None:
    """Phúc Chu (1997 – 30/6/2025) enters its villages for the history: they end when it ended."""
    with commune_db.transaction() as session:
        office = load_installation(session).office_unit_id
        unit = add_village(session, office, "Bản Lác", "xom", user="Lan")
        assert (unit.valid_from, unit.valid_to) == (dt.date(1997, 1, 1), dt.date(2025, 6, 30))
    with commune_db.session() as session:
        assert not needs_village_list(session, TODAY)  # no longer valid today: nothing to ask
