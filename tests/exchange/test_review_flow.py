"""The review over packages, end to end: submit, receive, return with a field comment, fix, approve, lock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from danvan_desktop.db.models import InboxItem, Record
from danvan_desktop.services.entry.locking import PeriodLockedError, reopen_period
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.services.review.returns import (
    ReviewError,
    add_comment,
    decide_return,
    grant_reopen,
    request_reopen,
    resolve_comment,
    submit_return,
)
from tests.exchange.conftest import BRANCH, Site
from tests.exchange.review_helpers import FORM, PERIOD, act, comments, locked, reply, snapshot, state
from tests.transport import read_members


def test_submit_return_fix_resubmit_approve_locks_both_ends(phuc_chu: Site, district: Site) -> None:
    record_id = phuc_chu.save(FORM, "DH-PHUCCHU", PERIOD, BRANCH)
    act(phuc_chu, lambda s: submit_return(s, FORM, PERIOD))
    assert state(phuc_chu) == "da_nop" and locked(phuc_chu)
    with pytest.raises(PeriodLockedError):
        phuc_chu.save(FORM, "DH-PHUCCHU", PERIOD, {**BRANCH, "hoi_vien": 470}, record_id)

    package = phuc_chu.export("pc-1.danvan")
    manifest = json.loads(read_members(package)["manifest.json"])
    assert manifest["format_version"] == 4 and manifest["review"]["returns"][0]["state"] == "da_nop"
    district.import_(package, accept_new_site=True)
    assert state(district) == "da_nhan"
    assert _completeness_state(district) == "da_nhan"  # the completeness view shows it

    # Returned with a comment on one field of the record, and one on the whole return.
    act(
        district,
        lambda s: add_comment(
            s,
            "DH-PHUCCHU",
            FORM,
            PERIOD,
            "Số hội viên chưa khớp sổ",
            record_id=record_id,
            field_id="hoi_vien",
        ),
    )
    act(district, lambda s: decide_return(s, "DH-PHUCCHU", FORM, PERIOD, approve=False, comment="Xem lại"))
    assert state(district) == "tra_lai"
    report = phuc_chu.import_(reply(district), accept_new_site=True)
    assert report.status == "applied" and "trả lại" in report.message
    assert state(phuc_chu) == "tra_lai" and not locked(phuc_chu)
    field_comment = next(c for c in comments(phuc_chu) if c.field_id == "hoi_vien")
    assert (field_comment.record_id, field_comment.text) == (record_id, "Số hội viên chưa khớp sổ")
    with phuc_chu.db.session() as session:
        inbox = [i.title for i in session.scalars(select(InboxItem))]
    assert any("trả lại" in title for title in inbox) and any("«Số hội viên, đoàn viên»" in t for t in inbox)

    # The commune fixes the figure, marks the comments resolved and submits again.
    phuc_chu.save(FORM, "DH-PHUCCHU", PERIOD, {**BRANCH, "hoi_vien": 470}, record_id)
    for comment in comments(phuc_chu):
        act(phuc_chu, lambda s, c=comment: resolve_comment(s, c.id))
    act(phuc_chu, lambda s: submit_return(s, FORM, PERIOD))
    district.import_(phuc_chu.export("pc-2.danvan"))
    assert state(district) == "da_nhan"
    assert district.record(record_id).values["hoi_vien"] == 470  # type: ignore[union-attr]
    assert all(c.resolved_at is not None for c in comments(district))

    act(district, lambda s: decide_return(s, "DH-PHUCCHU", FORM, PERIOD, approve=True))
    assert state(district) == "da_duyet" and locked(district)
    phuc_chu.import_(reply(district))
    assert state(phuc_chu) == "da_duyet" and locked(phuc_chu)
    with pytest.raises(PeriodLockedError):
        phuc_chu.save(FORM, "DH-PHUCCHU", PERIOD, {**BRANCH, "hoi_vien": 1}, record_id)
    with pytest.raises(ReviewError, match="cấp trên cho phép"):
        act(phuc_chu, lambda s: _reopen_by_hand(s))
    # The commune's next full package repeats the approved figures: nothing to refuse, nothing changed.
    again = district.import_(phuc_chu.export("pc-3.danvan"))
    assert again.counts()["rejected"] == 0 and again.counts()["unchanged"] == 1
    assert state(district) == "da_duyet"


def _completeness_state(site: Site) -> str | None:
    import datetime as dt

    from danvan_desktop.services.office.installation import load_installation
    from danvan_desktop.services.reporting.completeness import completeness

    with site.db.session() as session:
        office = load_installation(session).office_unit_id
        table = completeness(session, office, [get_period(session, PERIOD).id], [FORM], dt.date.today())
    row = next(r for r in table.periods[0].rows if r.unit_code == "DH-PHUCCHU")
    return row.reviews.get(FORM)


def _reopen_by_hand(session: object) -> None:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, PERIOD)
    reopen_period(session, unit.id, period.id, user="lan", reason="sửa số")


def test_reopening_an_approved_return_takes_a_request_and_a_grant(phuc_chu: Site, district: Site) -> None:
    record_id = phuc_chu.save(FORM, "DH-PHUCCHU", PERIOD, BRANCH)
    act(phuc_chu, lambda s: submit_return(s, FORM, PERIOD))
    district.import_(phuc_chu.export("pc-1.danvan"), accept_new_site=True)
    act(district, lambda s: decide_return(s, "DH-PHUCCHU", FORM, PERIOD, approve=True))
    with pytest.raises(ReviewError, match="chưa xin mở lại"):
        act(district, lambda s: grant_reopen(s, "DH-PHUCCHU", FORM, PERIOD))
    phuc_chu.import_(reply(district), accept_new_site=True)

    act(phuc_chu, lambda s: request_reopen(s, FORM, PERIOD, "Sai số hội viên"))
    district.import_(phuc_chu.export("pc-2.danvan"))
    act(district, lambda s: grant_reopen(s, "DH-PHUCCHU", FORM, PERIOD, "Đồng ý"))
    assert state(district) == "dang_nhap" and not locked(district)
    phuc_chu.import_(reply(district))
    assert state(phuc_chu) == "dang_nhap" and not locked(phuc_chu)
    phuc_chu.save(FORM, "DH-PHUCCHU", PERIOD, {**BRANCH, "hoi_vien": 480}, record_id)
    with phuc_chu.db.session() as session:
        assert session.get_one(Record, record_id).values["hoi_vien"] == 480
    actions = [row for row in _audit_actions(district) if row.startswith("review.")]
    assert "review.reopen_grant" in actions and "review.approve" in actions
    assert "review.reopen_request" in _audit_actions(phuc_chu)


def _audit_actions(site: Site) -> list[str]:
    from danvan_desktop.db.models import AuditEntry

    with site.db.session() as session:
        return list(session.scalars(select(AuditEntry.action)))


def _statement_package(site: Site, name: str, returns: list[dict[str, object]], sequence: int = 2) -> Path:
    """A package signed with the commune's real key, stating whatever `returns` say about returns."""
    from danvan_desktop.services.exchange.signing_keys import signing_key
    from danvan_desktop.transport.package_format import ManifestInfo
    from danvan_desktop.transport.writer import write_package

    info = ManifestInfo(
        site_id=site.site_id,
        office_unit="DH-PHUCCHU",
        sequence=sequence,
        app_version="0.1.0",
        schema_revision="0007_review",
        forms={},
        periods=[],
        units=[],
        review={"returns": returns, "resolved": []},
    )
    out = site.folder / name
    write_package(out, info, [], signing_key(site.db.path, site.site_id))
    return out


def _stated(unit: str, state: str, revision: int = 50) -> dict[str, object]:
    return {
        "unit": unit,
        "period": PERIOD,
        "form": FORM,
        "state": state,
        "revision": revision,
        "changed_at": "2026-12-03T08:00:00Z",
        "changed_by_name": "Nguyễn Văn Bình",
    }


def test_a_unit_cannot_approve_its_own_return(phuc_chu: Site, district: Site) -> None:
    phuc_chu.save(FORM, "DH-PHUCCHU", PERIOD, BRANCH)
    act(phuc_chu, lambda s: submit_return(s, FORM, PERIOD))
    district.import_(phuc_chu.export("pc-1.danvan"), accept_new_site=True)
    forged = _statement_package(phuc_chu, "pc-2.danvan", [_stated("DH-PHUCCHU", "da_duyet")])
    assert district.import_(forged).status == "applied"
    assert state(district) == "da_nhan" and not locked(district)  # only the district approves


def test_a_statement_about_another_commune_refuses_the_package(phuc_chu: Site, district: Site) -> None:
    from danvan_desktop.db.models import RefusedPackage
    from danvan_desktop.services.exchange.origin import ForeignOriginError

    phuc_chu.save(FORM, "DH-PHUCCHU", PERIOD, BRANCH)
    district.import_(phuc_chu.export("pc-1.danvan"), accept_new_site=True)
    forged = _statement_package(phuc_chu, "pc-2.danvan", [_stated("DH-BAOLINH", "da_nop")])
    with pytest.raises(ForeignOriginError, match="DH-BAOLINH"):
        district.import_(forged)
    assert state(district, "DH-BAOLINH") == "dang_nhap"
    with district.db.session() as session:
        assert [r.kind for r in session.scalars(select(RefusedPackage))] == ["origin"]


def test_reply_from_a_wrong_key_or_for_another_unit_changes_nothing(
    phuc_chu: Site, bao_linh: Site, district: Site
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from danvan_desktop.services.exchange.package_import import KeyChangedError
    from danvan_desktop.services.exchange.reply_import import ReplyRefusedError
    from danvan_desktop.transport.reply import ReplyInfo, write_reply

    for commune, code in ((phuc_chu, "DH-PHUCCHU"), (bao_linh, "DH-BAOLINH")):
        commune.save(FORM, code, PERIOD, BRANCH)
        act(commune, lambda s: submit_return(s, FORM, PERIOD))
        district.import_(commune.export(f"{code}.danvan"), accept_new_site=True)
    act(district, lambda s: add_comment(s, "DH-PHUCCHU", FORM, PERIOD, "Thiếu số liệu chi đoàn"))
    phuc_chu.import_(reply(district), accept_new_site=True)  # the district's key is now trusted
    act(district, lambda s: decide_return(s, "DH-PHUCCHU", FORM, PERIOD, approve=True))
    genuine = reply(district)
    before = snapshot(phuc_chu)

    info = ReplyInfo(district.site_id, "DH", "DH-PHUCCHU", 2, "0.1.0", "0007_review")
    items = [{"type": "return", **_stated("DH-PHUCCHU", "da_duyet")}]
    forged = write_reply(district.folder / "forged.danvan", info, items, [], Ed25519PrivateKey.generate())
    with pytest.raises(KeyChangedError, match="khóa khác"):
        phuc_chu.import_(forged.path)
    act(district, lambda s: decide_return(s, "DH-BAOLINH", FORM, PERIOD, approve=False, comment="Sai"))
    with pytest.raises(ReplyRefusedError, match="không phải cho"):
        phuc_chu.import_(reply(district, "DH-BAOLINH"))
    assert snapshot(phuc_chu) == before  # every row of every table as it was
    assert phuc_chu.import_(genuine).status == "applied" and state(phuc_chu) == "da_duyet"


def test_an_encrypted_reply_needs_its_passphrase(phuc_chu: Site, district: Site) -> None:
    from danvan_desktop.services.exchange.reply_export import write_replies
    from danvan_desktop.transport.package_format import PackagePassphraseError

    phuc_chu.save(FORM, "DH-PHUCCHU", PERIOD, BRANCH)
    act(phuc_chu, lambda s: submit_return(s, FORM, PERIOD))
    district.import_(phuc_chu.export("pc-1.danvan"), accept_new_site=True)
    [result] = write_replies(
        district.db, district.folder / "enc", units=["DH-PHUCCHU"], passphrase="Mật khẩu"
    )
    assert result.summary.encrypted
    with pytest.raises(PackagePassphraseError):
        phuc_chu.import_(result.summary.path)
    report = phuc_chu.import_(result.summary.path, passphrase="Mật khẩu", accept_new_site=True)
    assert report.status == "applied" and state(phuc_chu) == "da_nhan"


def test_roles_a_leader_submits_and_decides_a_clerk_may_not(phuc_chu: Site, district: Site) -> None:
    from danvan_desktop.services.office.accounts import (
        NHAP_LIEU,
        QUAN_TRI,
        AccountError,
        Actor,
        acting_as,
    )

    phuc_chu.save(FORM, "DH-PHUCCHU", PERIOD, BRANCH)
    clerk = Actor(1, "lan", "Trần Thị Lan", "", frozenset({NHAP_LIEU}))
    admin = Actor(2, "quan", "Nguyễn Văn Quân", "", frozenset({QUAN_TRI}))
    with acting_as(clerk), pytest.raises(AccountError, match="Lãnh đạo"):
        act(phuc_chu, lambda s: submit_return(s, FORM, PERIOD))
    assert state(phuc_chu) == "dang_nhap" and not locked(phuc_chu)
    act(phuc_chu, lambda s: submit_return(s, FORM, PERIOD))
    district.import_(phuc_chu.export("pc-1.danvan"), accept_new_site=True)
    for refused in (
        lambda s: decide_return(s, "DH-PHUCCHU", FORM, PERIOD, approve=True),
        lambda s: decide_return(s, "DH-PHUCCHU", FORM, PERIOD, approve=False, comment="Sai"),
        lambda s: grant_reopen(s, "DH-PHUCCHU", FORM, PERIOD),
    ):
        with acting_as(clerk), pytest.raises(AccountError, match="Lãnh đạo"):
            act(district, refused)
    with acting_as(admin), pytest.raises(AccountError, match="Nhập liệu"):
        act(district, lambda s: add_comment(s, "DH-PHUCCHU", FORM, PERIOD, "Xem lại"))
    assert state(district) == "da_nhan" and not comments(district)
    # Without accounts, this database acts with every role: as a leader, the district decides.
    act(district, lambda s: decide_return(s, "DH-PHUCCHU", FORM, PERIOD, approve=True))
    assert state(district) == "da_duyet"
