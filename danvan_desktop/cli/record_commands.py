"""The record commands behind the CLI (no Qt): delete and restore one record, as the window does."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import TYPE_CHECKING

from danvan_desktop.errors import UserError
from danvan_desktop.paths import UserPaths

if TYPE_CHECKING:  # build_parser imports this module on every start, the GUI's too: no SQLAlchemy here
    from sqlalchemy.orm import Session

MIN_PREFIX = 8  # import reports show the first 8 characters of a record id
_ID_TEXT = re.compile(r"[0-9A-Za-z-]+")  # record ids are UUIDs: no LIKE wildcard can slip in


def add_record_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    records = sub.add_parser(
        "records",
        help="xóa, khôi phục một bản ghi (như trên màn hình, có ghi lịch sử)",
        description="Xóa hoặc khôi phục một bản ghi theo mã (cột «Mã bản ghi» của `danvan sheet export`; "
        f"đủ {MIN_PREFIX} ký tự đầu nếu không trùng). Bản ghi xóa vẫn được giữ để việc xóa được gửi "
        "lên cấp trên. Kỳ báo cáo đã chốt thì bị từ chối (mã thoát 2).",
    )
    records_sub = records.add_subparsers(dest="records_command", metavar="VIỆC", required=True)
    for name, text in (("delete", "xóa một bản ghi"), ("restore", "khôi phục một bản ghi đã xóa")):
        action = records_sub.add_parser(name, help=text)
        action.add_argument("record_id", metavar="MÃ_BẢN_GHI")


def _find_record_id(session: Session, text: str) -> str:
    from sqlalchemy import select

    from danvan_desktop.db.models import Record

    text = text.strip()
    if len(text) < MIN_PREFIX or not _ID_TEXT.fullmatch(text):
        raise UserError(
            f"Mã bản ghi «{text}» không hợp lệ: cần ít nhất {MIN_PREFIX} ký tự đầu của mã "
            "(xem cột «Mã bản ghi» khi xuất bảng tính bằng `danvan sheet export`)."
        )
    matches = session.scalars(select(Record.id).where(Record.id.like(f"{text}%")).limit(2)).all()
    if not matches:
        raise UserError(f"Không tìm thấy bản ghi có mã «{text}».")
    if len(matches) > 1:
        raise UserError(f"Có nhiều bản ghi có mã bắt đầu bằng «{text}»; hãy ghi đủ mã.")
    return matches[0]


def run_record_command(args: argparse.Namespace, user: UserPaths, database: Path) -> int:
    from danvan_desktop.db.engine import open_database
    from danvan_desktop.db.models import OrgUnit, Period, Record
    from danvan_desktop.services.entry.entry import current_writer, set_entry_deleted
    from danvan_desktop.services.office.form_versions import forms_in_force
    from danvan_desktop.services.office.installation import load_installation
    from danvan_desktop.services.office.orgunits import unit_label

    deleting = args.records_command == "delete"
    db = open_database(database, backup_dir=user.backup_dir)
    try:
        with db.transaction() as session:
            record_id = _find_record_id(session, args.record_id)
            writer = current_writer(session, load_installation(session).site_id)
            before = session.get_one(Record, record_id).deleted
            # The window's own service: period locks, version vector and history as on the screen.
            record = set_entry_deleted(session, record_id, writer=writer, deleted=deleting)
            form = forms_in_force(session).get(record.form_id)
            where = (
                f"{form.title if form else record.form_id} — "
                f"{unit_label(session.get_one(OrgUnit, record.org_unit_id))} — "
                f"{session.get_one(Period, record.period_id).label}"
            )
    finally:
        db.close()
    if before == deleting:
        state = "đã bị xóa" if deleting else "đang dùng"
        print(f"Bản ghi {record_id} ({where}) vốn {state}; không thay đổi gì.")
    else:
        print(f"Đã {'xóa' if deleting else 'khôi phục'} bản ghi {record_id} ({where}).")
    return 0
