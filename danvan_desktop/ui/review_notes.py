"""The office above's open comments shown where the clerk works: beside the field, or above the form."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from PySide6.QtWidgets import QLabel

from danvan_desktop.db.engine import Database
from danvan_desktop.formspec.model import FormDef
from danvan_desktop.localtime import local_time_text
from danvan_desktop.services.review.listing import CommentRow, comment_rows
from danvan_desktop.ui.entry_target import EntryTarget
from danvan_desktop.ui.field_widgets.row import REVIEW_NOTE_STYLE
from danvan_desktop.ui.form_editor import FormEditor


def open_comments(db: Database, form: FormDef, target: EntryTarget) -> list[CommentRow]:
    """The unresolved comments on this unit's form for the period."""
    with db.session() as session:
        return comment_rows(
            session, open_only=True, unit_id=target.unit_id, form_id=form.id, period_id=target.period_id
        )


def _line(comment: CommentRow) -> str:
    return f"Ý kiến cấp trên — {comment.author}, {local_time_text(comment.created_at)}: {comment.text}"


def show_review_notes(
    editor: FormEditor, comments: Sequence[CommentRow], record_id: str | None, *, whole_return: bool
) -> int:
    """Put each comment on this record beside its field (or above the form when it names none or a field
    the form no longer has); `whole_return`: also those on the return as a whole (a form with one set of
    values per unit). Returns how many are shown. Resolving stays in the review screen, as the issue asks."""
    by_field: dict[str, list[str]] = defaultdict(list)
    general: list[str] = []
    for comment in comments:
        if comment.resolved:
            continue
        if comment.record_id is None and not whole_return:
            continue
        if comment.record_id is not None and comment.record_id != record_id:
            continue
        if comment.field_id and comment.field_id in editor.form.field_ids:
            by_field[comment.field_id].append(_line(comment))
        else:
            general.append(_line(comment))
    editor.set_review_notes({f: "\n".join(lines) for f, lines in by_field.items()}, "\n".join(general))
    return sum(len(lines) for lines in by_field.values()) + len(general)


def register_banner(comments: Sequence[CommentRow]) -> QLabel:
    """Above a register: the comments on the return as a whole, and how many are on its records."""
    open_ = [c for c in comments if not c.resolved]
    lines = [_line(c) for c in open_ if c.record_id is None]
    on_records = sum(c.record_id is not None for c in open_)
    if on_records:
        lines.append(f"{on_records} ý kiến về từng bản ghi: mở bản ghi (Enter) để xem bên cạnh ô được nhắc.")
    banner = QLabel("\n".join(lines))
    banner.setObjectName("reviewBanner")
    banner.setWordWrap(True)
    if lines:
        banner.setStyleSheet(REVIEW_NOTE_STYLE)
    banner.setVisible(bool(lines))
    return banner
