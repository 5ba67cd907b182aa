"""The audit trail: one row per action, attributed to the account; filters, reading and Excel export."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import Account, AuditEntry, OrgUnit, Period
from danvan_desktop.services.office.accounts import Actor, current_actor
from danvan_desktop.services.office.orgunits import unit_label
from danvan_desktop.text import nfc

BEFORE_ACCOUNTS = "trước khi có tài khoản"

ACTION_LABELS = {
    "record.create": "Tạo bản ghi",
    "record.update": "Sửa bản ghi",
    "record.delete": "Xóa bản ghi",
    "record.restore": "Khôi phục bản ghi",
    "sheet.load": "Nạp bảng tính",
    "package.export": "Xuất gói dữ liệu",
    "package.import": "Nhập gói dữ liệu",
    "conflict.resolve": "Quyết định xung đột",
    "lock": "Chốt gửi kỳ báo cáo",
    "reopen": "Mở lại kỳ báo cáo",
    "report.number": "Lấy số văn bản",
    "report.issue": "Ban hành báo cáo",
    "report.number_returned": "Trả lại số văn bản (ký số hoặc ghi tệp không thành)",
    "backup.create": "Sao lưu",
    "backup.restore": "Khôi phục bản sao lưu",
    "trust.accept": "Chấp nhận khóa đơn vị gửi",
    "trust.reenrol": "Đăng ký lại đơn vị gửi",
    "settings.set": "Đổi thiết lập",
    "users.add": "Thêm tài khoản",
    "users.roles": "Đổi vai trò",
    "users.disable": "Khóa tài khoản",
    "users.enable": "Mở khóa tài khoản",
    "users.passwd": "Đặt lại mật khẩu",
    "users.recover": "Khôi phục bằng mã",
    "users.single": "Chế độ một người dùng",
    "login": "Đăng nhập",
    "login.failed": "Đăng nhập sai mật khẩu",
    "unit_add": "Thêm xóm, tổ dân phố",
    "unit_rename": "Đổi tên đơn vị",
    "unit_close": "Ngừng đơn vị",
    "unit_merge": "Sáp nhập đơn vị",
    "review.submit": "Nộp báo cáo lên cấp trên",
    "review.received": "Nhận báo cáo của đơn vị",
    "review.approve": "Duyệt báo cáo",
    "review.return": "Trả lại báo cáo",
    "review.comment": "Góp ý báo cáo",
    "review.resolve": "Đánh dấu đã sửa theo góp ý",
    "review.reopen_request": "Xin mở lại báo cáo đã duyệt",
    "review.reopen_grant": "Cho mở lại báo cáo đã duyệt",
    "reply.export": "Xuất gói phản hồi",
    "reply.import": "Nhập gói phản hồi của cấp trên",
}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def record_action(
    session: Session,
    action: str,
    *,
    actor: Actor | None = None,
    user: str | None = None,
    unit_id: int | None = None,
    period_id: int | None = None,
    form_id: str | None = None,
    record_id: str | None = None,
    old: str | None = None,
    new: str | None = None,
    detail: str = "",
) -> AuditEntry:
    """Add one audit row in the caller's transaction (so it exists exactly when the action does)."""
    who = actor or current_actor(session)
    entry = AuditEntry(
        at=_now(),
        user=nfc(user or who.writer_name),
        action=action,
        account_id=who.id,
        org_unit_id=unit_id,
        period_id=period_id,
        form_id=form_id,
        record_id=record_id,
        old_value=None if old is None else nfc(old),
        new_value=None if new is None else nfc(new),
        detail=nfc(detail),
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditRow:
    """One audit row as people read it."""

    at: dt.datetime
    login: str
    person: str  # full name, or the stored name with the "before accounts" marker
    action: str
    action_label: str
    unit: str
    period: str
    form: str
    record: str
    old: str
    new: str
    detail: str

    def as_json(self) -> dict[str, str]:
        return {
            "at": self.at.isoformat() + "Z",
            "user": self.login,
            "person": self.person,
            "action": self.action,
            "unit": self.unit,
            "period": self.period,
            "form": self.form,
            "record": self.record,
            "old": self.old,
            "new": self.new,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class AuditFilter:
    user: str | None = None  # login
    action: str | None = None  # exact code, or a prefix ending in "." ("records." -> every record action)
    since: dt.datetime | None = None  # UTC, inclusive
    until: dt.datetime | None = None  # UTC, exclusive
    unit_code: str | None = None
    limit: int | None = None


def read_audit(session: Session, flt: AuditFilter) -> list[AuditRow]:
    """Newest first."""
    stmt = (
        select(AuditEntry, Account, OrgUnit, Period)
        .outerjoin(Account, AuditEntry.account_id == Account.id)
        .outerjoin(OrgUnit, AuditEntry.org_unit_id == OrgUnit.id)
        .outerjoin(Period, AuditEntry.period_id == Period.id)
    )
    if flt.user:
        stmt = stmt.where(AuditEntry.user == nfc(flt.user).strip().lower())
    if flt.action:
        if flt.action.endswith("."):
            stmt = stmt.where(AuditEntry.action.startswith(flt.action))
        else:
            stmt = stmt.where(AuditEntry.action == flt.action)
    if flt.since:
        stmt = stmt.where(AuditEntry.at >= flt.since)
    if flt.until:
        stmt = stmt.where(AuditEntry.at < flt.until)
    if flt.unit_code:
        stmt = stmt.where(OrgUnit.code == flt.unit_code)
    stmt = stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if flt.limit:
        stmt = stmt.limit(flt.limit)
    rows = []
    for entry, account, unit, period in session.execute(stmt).all():
        person = account.full_name if account is not None else f"{entry.user} ({BEFORE_ACCOUNTS})"
        if account is None and entry.user.startswith("("):  # NO_ACCOUNT's marker already says so
            person = entry.user
        rows.append(
            AuditRow(
                at=entry.at,
                login=entry.user,
                person=person,
                action=entry.action,
                action_label=ACTION_LABELS.get(entry.action, entry.action),
                unit=f"{unit_label(unit)} ({unit.code})" if unit is not None else "",
                period=period.code if period is not None else "",
                form=entry.form_id or "",
                record=entry.record_id or "",
                old=entry.old_value or "",
                new=entry.new_value or "",
                detail=entry.detail,
            )
        )
    return rows


HEADERS = [
    "Thời điểm",
    "Tài khoản",
    "Người thực hiện",
    "Việc",
    "Đơn vị",
    "Kỳ",
    "Biểu mẫu",
    "Bản ghi",
    "Giá trị cũ",
    "Giá trị mới",
    "Ghi chú",
]


def export_audit_xlsx(rows: list[AuditRow], path: Path, local_time: dt.tzinfo | None = None) -> None:
    """The rows as a spreadsheet (times in the computer's zone), written to a temp file then moved."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from danvan_desktop.atomic_files import atomic_file

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Nhật ký"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        moment = row.at.replace(tzinfo=dt.UTC).astimezone(local_time).replace(tzinfo=None)
        sheet.append(
            [
                moment,
                row.login,
                row.person,
                row.action_label,
                row.unit,
                row.period,
                row.form,
                row.record,
                row.old,
                row.new,
                row.detail,
            ]
        )
        sheet.cell(sheet.max_row, 1).number_format = "DD/MM/YYYY HH:MM:SS"
    for column, width in zip("ABCDEFGHIJK", (20, 14, 26, 24, 28, 10, 22, 38, 30, 30, 40), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    with atomic_file(path) as handle:
        book.save(handle)


def change_setting(session: Session, key: str, value: str) -> None:
    """Set an office setting (administrators only) with an audit row holding old → new."""
    from danvan_desktop.services.office.accounts import require_in
    from danvan_desktop.services.office.settings import get_setting, set_setting

    require_in(session, "settings.change")
    old = get_setting(session, key)
    if old == nfc(value):
        return
    set_setting(session, key, value)
    record_action(session, "settings.set", detail=key, old=old or "", new=value)


def record_file_action(db_path: Path, action: str, *, actor: Actor | None, detail: str) -> None:
    """An audit row for a file-level action (a backup taken, a copy restored) in the database at
    `db_path`: the account is matched by login there, since a restored copy has its own accounts."""
    from danvan_desktop.db.engine import open_database
    from danvan_desktop.services.office.accounts import NO_ACCOUNT, find_account, process_actor

    who = actor or process_actor() or NO_ACCOUNT
    db = open_database(db_path)
    try:
        with db.transaction() as session:
            account = find_account(session, who.login) if who.login else None
            here = Actor(account.id if account else None, who.login, who.full_name, who.title, who.roles)
            record_action(session, action, actor=here, detail=detail)
    finally:
        db.close()
