"""What the office above sends down besides decisions: forms, Project 05 targets, catalog, settings."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import Base, OrgUnit, Record, UnitTarget
from danvan_desktop.errors import UserError
from danvan_desktop.reports.indicators_table import ASSIGNED_NOTE, indicators_table
from danvan_desktop.services.entry.entry import form_context, save_entry
from danvan_desktop.services.entry.locking import lock_period
from danvan_desktop.services.exchange import pushed_payloads as rp
from danvan_desktop.services.office.catalog_sync import import_catalog_files
from danvan_desktop.services.office.form_versions import (
    ORIGIN_ABOVE,
    ORIGIN_OWN,
    check_definition,
    form_listing,
    forms_in_force,
    store_form_definition,
)
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.services.office.settings import get_setting, set_setting
from danvan_desktop.services.office.targets import INDICATOR_FORM, list_targets, set_target
from danvan_desktop.services.reporting import commune_return_data
from tests.exchange.conftest import Site
from tests.reports.factories import set_up_phuc_chu_office, writer_for

PLAN = "Tỷ lệ chi bộ ban hành nghị quyết, kế hoạch thực hiện công tác dân vận"
MODELS = 'Số mô hình, điển hình "Dân vận khéo" được công nhận'


def table_snapshot(db: Database) -> dict[str, list[str]]:
    """Every row of every table, as text in a stable order: "the database unchanged", engine-neutral."""
    with db.session() as session:
        return {
            name: sorted(repr(tuple(row)) for row in session.execute(select(table)))
            for name, table in Base.metadata.tables.items()
        }


def _assign(db: Database) -> dict[str, Any]:
    """At the district: two targets for Phúc Chu in 2023; what the reply package would carry."""
    with db.transaction() as session:
        form = forms_in_force(session)[INDICATOR_FORM]
        set_target(session, form, "DH-PHUCCHU", 2023, 1, "100", name=PLAN, measure="%")
        set_target(session, form, "DH-PHUCCHU", 2023, 2, "12", name=MODELS, measure="mô hình")
        set_target(session, form, "DH-PHUCCHU", 2023, 2, "14")  # changed: name and measure kept
        set_target(session, form, "DH-BAOLINH", 2023, 2, "9")  # another unit: not in Phúc Chu's reply
        payload = rp.export_targets(session, "DH-PHUCCHU")
    assert payload is not None
    return payload


def _indicators(session: Session) -> dict[int, dict[str, Any]]:
    records = session.scalars(
        select(Record).where(Record.form_id == INDICATOR_FORM, Record.deleted.is_(False))
    )
    return {r.values["so_thu_tu"]: r.values for r in records if r.period_id == get_period(session, "2023").id}


def test_targets_assigned_above_become_the_plan_figures_below(district: Site, phuc_chu: Site) -> None:
    payload = _assign(district.db)
    assert [(t["indicator"], t["value"]) for t in payload["targets"]] == [(1, "100.00"), (2, "14.00")]
    with district.db.session() as session:
        listed = list_targets(session, year=2023)
    assert [(t.unit_code, t.indicator, t.value_text) for t in listed] == [
        ("DH-BAOLINH", 2, "9"),
        ("DH-PHUCCHU", 1, "100"),
        ("DH-PHUCCHU", 2, "14"),
    ]
    with phuc_chu.db.transaction() as session:
        set_up_phuc_chu_office(session)
        unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
        form = get_form(INDICATOR_FORM)
        own = {"so_thu_tu": 1, "ten_chi_tieu": PLAN, "don_vi_tinh": "%", "loai_chi_tieu": "phan_dau"}
        own |= {"chi_tieu": 90, "ket_qua": 95}
        save_entry(session, form, unit.id, period.id, own, writer=writer_for(session))
    with phuc_chu.db.transaction() as session:
        summary = rp.apply_targets(session, payload, "DH")
    assert "1 chỉ tiêu mới, 1 chỉ tiêu cập nhật" in summary
    with phuc_chu.db.transaction() as session:
        rows = _indicators(session)
        assert (rows[1]["chi_tieu"], rows[1]["ket_qua"], rows[1]["danh_gia"]) == (100.0, 95.0, "khong_dat")
        assert (rows[2]["ten_chi_tieu"], rows[2]["don_vi_tinh"], rows[2]["chi_tieu"]) == (
            MODELS,
            "mô hình",
            14.0,
        )
        # Entry cannot change an assigned figure: whatever is typed, the target is what is stored.
        unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
        context = form_context(session, form, unit.id, period)
        assert context.assigned_targets == {1: 100.0, 2: 14.0}
        record = session.scalars(
            select(Record).where(
                Record.form_id == INDICATOR_FORM, Record.values["so_thu_tu"].as_integer() == 2
            )
        ).one()
        values = {**record.values, "chi_tieu": 3, "ket_qua": 15}
        save_entry(session, form, unit.id, period.id, values, writer=writer_for(session), record_id=record.id)
        assert (record.values["chi_tieu"], record.values["danh_gia"]) == (14.0, "vuot")
    with phuc_chu.db.session() as session:
        data = commune_return_data(session, "DH-PHUCCHU", "2023")
    shown = [(r.number, r.target, r.result, r.assessment, r.assigned) for r in data.indicators]
    assert shown == [(1, 100.0, 95.0, "Không đạt", True), (2, 14.0, 15.0, "Vượt chỉ tiêu", True)]
    printed = indicators_table(data.indicators)  # the return marks an assigned plan figure
    assert [row[3] for row in printed.rows] == ["100 (**)", "14 (**)"] and ASSIGNED_NOTE in printed.note


def test_a_submitted_period_is_left_as_it_was(district: Site, phuc_chu: Site) -> None:
    payload = _assign(district.db)
    with phuc_chu.db.transaction() as session:
        unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, "2023")
        lock_period(session, unit.id, period.id, user="Nguyễn Văn Hải", note="Đã gửi huyện")
    with phuc_chu.db.transaction() as session:
        summary = rp.apply_targets(session, payload, "DH")
        assert "kỳ đã chốt, chưa cập nhật: Năm 2023" in summary
        assert _indicators(session) == {}
        assert len(session.scalars(select(UnitTarget)).all()) == 2  # kept: entry applies them once reopened


def test_a_target_goes_only_to_units_below_and_needs_a_name(district: Site) -> None:
    with district.db.transaction() as session:
        form = forms_in_force(session)[INDICATOR_FORM]
        with pytest.raises(UserError, match="không trực thuộc"):
            set_target(session, form, "TN", 2023, 1, "5", name=PLAN, measure="%")
        with pytest.raises(UserError, match="chưa có ở đây"):
            set_target(session, form, "DH-PHUCCHU", 2023, 7, "5")
        with pytest.raises(UserError, match="không được lớn hơn 100"):
            set_target(session, form, "DH-PHUCCHU", 2023, 1, "120", name=PLAN, measure="%")
        with pytest.raises(UserError, match="không phải là số"):
            set_target(session, form, "DH-PHUCCHU", 2023, 1, "nhiều", name=PLAN, measure="%")


def _version_two() -> dict[str, Any]:
    data = copy.deepcopy(get_form("nha_van_hoa").model_dump(mode="json", exclude_defaults=True))
    data["version"] = 2
    data["sections"][0]["fields"].append({"id": "dien_tich_san", "type": "area", "label": "Diện tích sàn"})
    return data


def test_a_form_version_published_above_is_in_force_below(district: Site, phuc_chu: Site) -> None:
    with district.db.transaction() as session:
        form = check_definition(_version_two(), "nha_van_hoa.yaml")
        store_form_definition(session, form, origin=ORIGIN_OWN, origin_unit_code="DH", stored_by="quantri")
        payload = rp.export_forms(session, "DH-PHUCCHU")
    with phuc_chu.db.transaction() as session:
        assert rp.export_forms(session, "DH-PHUCCHU") is None
        assert "phiên bản 2" in rp.apply_forms(session, payload, "DH")
        assert rp.apply_forms(session, payload, "DH") == "Biểu mẫu: không có phiên bản mới."
    with phuc_chu.db.session() as session:
        assert "dien_tich_san" in forms_in_force(session)["nha_van_hoa"].field_ids
        listed = [(f.version, f.origin, f.origin_unit_code, f.in_force) for f in form_listing(session)]
        assert (2, ORIGIN_ABOVE, "DH", True) in listed and (1, "kem_theo", "", False) in listed


def test_catalog_additions_and_the_superior_body_arrive(
    district: Site, phuc_chu: Site, tmp_path: Path
) -> None:
    extra = tmp_path / "them.yaml"
    extra.write_text(
        "catalog_version: 1\ntitle: Bổ sung\nunits:\n"
        "  - {code: DH-PHUCCHU-99, name: Khuôn Câm, kind: xom, parent: DH-PHUCCHU, valid_from: 2023-01-01}\n",
        encoding="utf-8",
    )
    with district.db.transaction() as session:
        import_catalog_files(session, [extra], source="user")
        set_setting(session, "office.issuing_body", "Ban Dân vận Huyện ủy Định Hóa")
        catalog, settings = (
            rp.export_catalog(session, "DH-PHUCCHU"),
            rp.export_settings(session, "DH-PHUCCHU"),
        )
    assert catalog is not None and settings == {"superior_body": "Ban Dân vận Huyện ủy Định Hóa"}
    with phuc_chu.db.transaction() as session:
        rp.apply_catalog(session, catalog, "DH")
        rp.apply_settings(session, settings, "DH")
    with phuc_chu.db.session() as session:
        village = find_unit(session, "DH-PHUCCHU-99")
        assert (village.name, village.source) == ("Khuôn Câm", "cap_tren:DH")
        assert get_setting(session, "office.superior_body") == "Ban Dân vận Huyện ủy Định Hóa"


def _target(**change: object) -> dict[str, Any]:
    item = {"year": 2023, "indicator": 1, "name": PLAN, "measure": "%", "kind": "phan_dau", "value": "90.00"}
    return {"targets": [{**item, **change}]}


def _bad_form(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    data = _version_two()
    change(data)
    return {"definitions": [data]}


def _rewritten_shipped() -> dict[str, Any]:
    data = copy.deepcopy(get_form("to_chuc_doan_the").model_dump(mode="json", exclude_defaults=True))
    data["title"] = "Cùng phiên bản 1, nội dung khác"
    return data


HOSTILE: list[tuple[str, Callable[[Session, object, str], str], object]] = [
    ("forms: not a mapping", rp.apply_forms, ["definitions"]),
    ("forms: extra key", rp.apply_forms, {"definitions": [_version_two()], "run": "x"}),
    ("forms: empty", rp.apply_forms, {"definitions": []}),
    (
        "forms: expression escape",
        rp.apply_forms,
        _bad_form(lambda d: d["sections"][0]["fields"][0].update(relevant="__import__('os').system('x')")),
    ),
    ("forms: unknown key", rp.apply_forms, _bad_form(lambda d: d.update(script="x"))),
    ("forms: same version twice", rp.apply_forms, {"definitions": [_version_two(), _version_two()]}),
    ("forms: one good one bad", rp.apply_forms, {"definitions": [_version_two(), {"id": "x"}]}),
    ("forms: shipped version rewritten", rp.apply_forms, _bad_form(lambda d: d.update(version=1))),
    # The first definition is stored before the second is refused: only the savepoint takes it back.
    ("forms: good then conflicting", rp.apply_forms, {"definitions": [_version_two(), _rewritten_shipped()]}),
    ("targets: not a list", rp.apply_targets, {"targets": "all"}),
    ("targets: float value", rp.apply_targets, _target(value=90.0)),
    ("targets: huge value", rp.apply_targets, _target(value="99999999999999999")),
    ("targets: negative", rp.apply_targets, _target(value="-1")),
    ("targets: percent over 100", rp.apply_targets, _target(value="150")),
    ("targets: year far ahead", rp.apply_targets, _target(year=2999)),
    ("targets: bool indicator", rp.apply_targets, _target(indicator=True)),
    ("targets: kind", rp.apply_targets, _target(kind="drop table")),
    ("targets: control character", rp.apply_targets, _target(name="a\x00b")),
    ("targets: extra key", rp.apply_targets, {"targets": [{**_target()["targets"][0], "org_unit": "TN"}]}),
    ("targets: twice", rp.apply_targets, {"targets": _target()["targets"] * 2}),
    (
        "targets: one good one bad",
        rp.apply_targets,
        {"targets": [*_target()["targets"], *_target(indicator=0)["targets"]]},
    ),
    (
        "catalog: unit elsewhere",
        rp.apply_catalog,
        {
            "catalog_version": 1,
            "title": "x",
            "units": [
                {"code": "TN-X", "name": "X", "kind": "xa", "parent": "TN", "valid_from": "2020-01-01"}
            ],
        },
    ),
    (
        "catalog: rewrites a shipped unit",
        rp.apply_catalog,
        {
            "catalog_version": 1,
            "title": "x",
            "units": [
                {
                    "code": "DH-PHUCCHU",
                    "name": "Giả",
                    "kind": "xa",
                    "parent": "DH",
                    "valid_from": "2020-01-01",
                }
            ],
        },
    ),
    (
        "catalog: lineage",
        rp.apply_catalog,
        {
            "catalog_version": 1,
            "title": "x",
            "lineage": [{"from": "DH-PHUCCHU", "to": "DH", "date": "2025-07-01"}],
        },
    ),
    ("catalog: not a mapping", rp.apply_catalog, "units"),
    (
        "catalog: bad date",
        rp.apply_catalog,
        {
            "catalog_version": 1,
            "title": "x",
            "units": [
                {
                    "code": "DH-PHUCCHU-98",
                    "name": "Y",
                    "kind": "xom",
                    "parent": "DH-PHUCCHU",
                    "valid_from": "hôm qua",
                }
            ],
        },
    ),
    ("settings: empty", rp.apply_settings, {"superior_body": "  "}),
    ("settings: other key", rp.apply_settings, {"superior_body": "A", "signer.name": "B"}),
    ("settings: newline", rp.apply_settings, {"superior_body": "A\nB"}),
    ("settings: too long", rp.apply_settings, {"superior_body": "A" * 301}),
]


@pytest.mark.parametrize(("case", "apply", "data"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_payload_is_refused_whole_with_the_database_unchanged(
    phuc_chu: Site, case: str, apply: Callable[[Session, object, str], str], data: object
) -> None:
    with phuc_chu.db.transaction() as session:
        set_up_phuc_chu_office(session)
    before = table_snapshot(phuc_chu.db)
    # Committed afterwards: only the savepoint may undo what the refused payload began to write.
    with phuc_chu.db.transaction() as session, pytest.raises(rp.PayloadError) as info:
        apply(session, data, "DH")
    assert "bị từ chối" in info.value.message and "Không có gì được lưu" in info.value.message
    assert table_snapshot(phuc_chu.db) == before
    with phuc_chu.db.session() as session:
        assert session.scalar(select(OrgUnit).where(OrgUnit.code == "TN-X")) is None


class Inbox:
    """The part of the reply package's ApplyContext the payloads use: who sent it, the inbox lines."""

    def __init__(self, sender_office: str) -> None:
        self.sender_office = sender_office
        self.lines: list[tuple[str, str]] = []

    def inbox(self, title: str, detail: str = "") -> None:
        self.lines.append((title, detail))


def test_every_kind_travels_as_bytes_and_says_what_it_did(district: Site, phuc_chu: Site) -> None:
    _assign(district.db)
    with district.db.transaction() as session:
        set_setting(session, "office.issuing_body", "Ban Dân vận Huyện ủy Định Hóa")
        sent = [(spec, spec.export(session, "DH-PHUCCHU")) for spec in rp.PAYLOADS]
    assert [spec.kind for spec, data in sent if data is not None] == ["targets", "catalog", "office_settings"]
    inbox = Inbox("DH")
    with phuc_chu.db.transaction() as session:
        for spec, data in sent:
            if data is not None:
                spec.apply(session, data, inbox)
        with pytest.raises(rp.PayloadError, match="không phải JSON"):
            rp.PAYLOADS[1].apply(session, b"\xff{", inbox)
    assert [title for title, _ in inbox.lines] == [
        "Chỉ tiêu Đề án 05",
        "Danh mục bổ sung",
        "Thông tin in trên văn bản",
    ]
    with phuc_chu.db.session() as session:
        assert [t.value_text for t in list_targets(session)] == ["100", "14"]
    registered: list[tuple[str, str, int]] = []
    rp.register_payloads(lambda kind, export, apply, *, label, order: registered.append((kind, label, order)))
    assert [kind for kind, _, _ in registered] == ["forms", "targets", "catalog", "office_settings"]


def test_a_payload_the_same_as_last_time_adds_no_inbox_line(district: Site, phuc_chu: Site) -> None:
    """A later reply (say, with a comment) carries the same settings and catalog again: applied, but
    the unit's inbox only hears of what changed."""
    _assign(district.db)

    def send() -> list[tuple[rp.PayloadSpec, bytes]]:
        with district.db.session() as session:
            sent = [(spec, spec.export(session, "DH-PHUCCHU")) for spec in rp.PAYLOADS]
        return [(spec, data) for spec, data in sent if data is not None]

    def receive(sent: list[tuple[rp.PayloadSpec, bytes]]) -> list[str]:
        inbox = Inbox("DH")
        with phuc_chu.db.transaction() as session:
            for spec, data in sent:
                spec.apply(session, data, inbox)
        return [title for title, _ in inbox.lines]

    with district.db.transaction() as session:
        set_setting(session, "office.issuing_body", "Ban Dân vận Huyện ủy Định Hóa")
    assert receive(send()) == ["Chỉ tiêu Đề án 05", "Danh mục bổ sung", "Thông tin in trên văn bản"]
    assert receive(send()) == []
    with phuc_chu.db.transaction() as session:  # the unit changed it by hand: the next reply sets it back
        set_setting(session, "office.superior_body", "Tên sửa tay")
    with district.db.transaction() as session:
        set_setting(session, "office.issuing_body", "Ban Dân vận Đảng ủy xã")
    assert receive(send()) == ["Thông tin in trên văn bản"]
    with phuc_chu.db.session() as session:
        assert get_setting(session, "office.superior_body") == "Ban Dân vận Đảng ủy xã"
