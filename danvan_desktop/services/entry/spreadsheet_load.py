"""Loading a filled-in form sheet into records: the screen's checks, all or nothing by default."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from danvan_desktop.db.models import OrgUnit, Period, Record
from danvan_desktop.errors import UserError
from danvan_desktop.formspec.model import FormDef
from danvan_desktop.formspec.values import ValueParseError, coerce_value
from danvan_desktop.services.entry.entry import Writer, check_values, find_aggregate, save_entry
from danvan_desktop.services.entry.locking import ensure_unlocked
from danvan_desktop.services.entry.spreadsheet_cells import RECORD_LABEL, Vocabulary
from danvan_desktop.services.entry.spreadsheet_read import CellProblem, SheetRow, SpreadsheetError, read_rows
from danvan_desktop.services.office.accounts import require_in
from danvan_desktop.services.office.audit import record_action
from danvan_desktop.services.office.validity import ensure_valid_during

# Never change: ids of rows loaded without a record id are derived from it, so that loading the
# same file again (here or at another site) finds the records it made the first time.
NAMESPACE = uuid.UUID("5b0f3f52-8d0e-4a8e-9a57-2f3c1d7e6a10")

Progress = Callable[[int, int], None]


class LoadCancelledError(UserError):
    """The user stopped the load; the caller's transaction must be rolled back."""


@dataclass(frozen=True)
class RowProblem:
    """Why a sheet row was rejected (or what it should be checked for), in Vietnamese."""

    row: int
    messages: tuple[str, ...]

    def text(self) -> str:
        return f"Dòng {self.row}: " + " ".join(self.messages)  # each message is a sentence


@dataclass
class LoadReport:
    """What a load did: counts per outcome, and every rejected row with its reasons."""

    rows: int = 0  # non-empty data rows in the file
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected_rows: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    stored: bool = False  # False: nothing was written (a row was rejected and keep_good was off)

    @property
    def rejected(self) -> int:
        return len(self.rejected_rows)

    def summary_vi(self) -> str:
        if not self.stored:
            return (
                f"Chưa lưu dòng nào: {self.rejected}/{self.rows} dòng có lỗi. "
                "Hãy sửa các dòng lỗi rồi nạp lại, hoặc chọn chỉ lưu các dòng hợp lệ."
            )
        text = (
            f"Đã nạp {self.rows - self.rejected}/{self.rows} dòng: {self.created} thêm mới, "
            f"{self.updated} cập nhật, {self.unchanged} không thay đổi"
        )
        return text + (f"; {self.rejected} dòng có lỗi không được lưu." if self.rejected else ".")


@dataclass(frozen=True)
class _Plan:
    row: int
    record_id: str | None  # None: a new aggregate record, id chosen when stored
    values: dict[str, object]
    exists: bool  # the record is already stored (an update, or an unchanged row)


class _Loader:
    """Turns sheet rows into checked plans for one form, unit and period."""

    def __init__(self, session: Session, form: FormDef, unit_id: int, period: Period) -> None:
        self.session, self.form, self.unit_id, self.period = session, form, unit_id, period
        self.vocab = Vocabulary.build(session, form, unit_id, period)
        self.unit_code = session.get_one(OrgUnit, unit_id).code
        self.seen_ids: dict[str, int] = {}  # record id -> sheet row that named it

    def plan(self, row: SheetRow) -> _Plan | RowProblem | None:
        """A plan to store the row, the reasons it is rejected, or None when nothing would change."""
        values, failed, errors = self._convert(row)
        target = self._target(row)
        if isinstance(target, str):
            return RowProblem(row.row, (target, *errors))
        base: dict[str, object] = dict(target.values) if target is not None else self._defaults(row)
        for key, value in values.items():
            # An empty cell clears a stored value; it adds no key the record did not have, so
            # an unchanged row compares equal to the stored values and makes no new version.
            if value is not None or key in base:
                base[key] = value
        cleaned, issues = check_values(
            self.session, self.form, self.unit_id, self.period, base, self.vocab.context
        )
        issues = [i for i in issues if not ({i.field_id, *i.fields} & failed)]
        errors += [i.message for i in issues if i.severity == "error"]
        if errors:
            return RowProblem(row.row, tuple(errors))
        if target is not None:
            if target.values == cleaned and target.form_version == self.form.version:
                return None  # save_entry would find nothing to change; skip its per-row lookups
            return _Plan(row.row, target.id, base, exists=True)
        record_id = self._new_id(row, cleaned)
        loaded_before = row.record_id is None and record_id is not None
        if loaded_before and self.session.get(Record, record_id) is not None:
            return None  # the stored record may have been edited since: keep it as it is
        return _Plan(row.row, record_id, base, exists=False)

    def _convert(self, row: SheetRow) -> tuple[dict[str, object], set[str], list[str]]:
        values: dict[str, object] = {}
        failed: set[str] = set()
        errors: list[str] = []
        for field_id, raw in row.cells.items():
            if isinstance(raw, CellProblem):  # a formula or an error where a value belongs
                failed.add(field_id)
                errors.append(raw.message)
                continue
            try:
                values[field_id] = self.vocab.from_cell(self.form.field(field_id), raw)
            except ValueParseError as exc:
                failed.add(field_id)
                errors.append(exc.message)
        return values, failed, errors

    def _defaults(self, row: SheetRow) -> dict[str, object]:
        """Form defaults of the fields the sheet has no column for, as the entry screen fills them."""
        defaults: dict[str, object] = {}
        for spec in self.form.fields():
            if spec.default is not None and spec.computed is None and spec.id not in row.cells:
                try:
                    defaults[spec.id] = coerce_value(spec, spec.default, self.vocab.choices(spec))
                except ValueParseError:
                    continue  # a form-file mistake; the field stays empty as on screen
        return defaults

    def _target(self, row: SheetRow) -> Record | str | None:
        """The stored record the row updates, None for a new one, or why the row is refused."""
        if self.form.kind == "aggregate":
            return find_aggregate(self.session, self.form.id, self.unit_id, self.period.id)
        if row.record_id is None:
            return None
        record_id = _as_uuid(row.record_id)
        if record_id is None:
            return f"«{RECORD_LABEL}» «{row.record_id}» không hợp lệ; dòng thêm mới thì để trống cột này."
        if record_id in self.seen_ids:
            return f"«{RECORD_LABEL}» trùng với dòng {self.seen_ids[record_id]}."
        self.seen_ids[record_id] = row.row
        record = self.session.get(Record, record_id)
        if record is None:
            return None  # made at another site: stored here under the same id
        where = (record.form_id, record.org_unit_id, record.period_id)
        if where != (self.form.id, self.unit_id, self.period.id):
            return "bản ghi này thuộc biểu mẫu, đơn vị hoặc kỳ báo cáo khác."
        if record.deleted:
            return "bản ghi này đã bị xóa; hãy khôi phục trên màn hình trước khi nạp lại."
        return record

    def _new_id(self, row: SheetRow, cleaned: dict[str, object]) -> str | None:
        """The id of a new record: the sheet's own if still free, else one derived from the row.

        An aggregate form finds its record by unit and period, so it needs no derived id (None).
        """
        given = _as_uuid(row.record_id)
        if given is not None and self.session.get(Record, given) is None:
            return given
        if self.form.kind == "aggregate":
            return None
        content = {k: v for k, v in cleaned.items() if v is not None}
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        name = "\n".join((self.form.id, self.unit_code, self.period.code, canonical))
        return str(uuid.uuid5(NAMESPACE, name))


def _as_uuid(text: str | None) -> str | None:
    try:
        return str(uuid.UUID(text)) if text else None
    except ValueError:
        return None


def _stop_if(cancelled: Callable[[], bool] | None) -> None:
    if cancelled is not None and cancelled():
        raise LoadCancelledError("Đã hủy nạp dữ liệu; chưa lưu gì.")


def load_rows(
    session: Session,
    form: FormDef,
    unit_id: int,
    period_id: int,
    path: Path,
    *,
    writer: Writer,
    keep_good: bool = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> LoadReport:
    """Load the rows of `path` into `form`'s records of the unit and period, in the caller's session.

    Every row is converted and checked before anything is written; unless `keep_good`, a single
    rejected row means nothing is written at all. File-level problems, a locked period and a
    cancel raise UserError; after one raised while storing, the caller must roll back (as
    Database.transaction does).
    """
    require_in(session, "sheet.load")
    ensure_unlocked(session, unit_id, period_id)
    # The whole file is for one unit and period: refused before a row is read, nothing stored.
    ensure_valid_during(session, session.get_one(OrgUnit, unit_id), session.get_one(Period, period_id))
    rows = read_rows(path, form)
    if not rows:
        raise SpreadsheetError(f"Tệp «{path.name}» không có dòng số liệu nào.")
    if form.kind == "aggregate" and len(rows) > 1:
        raise SpreadsheetError(
            f"Biểu «{form.title}» chỉ có một dòng số liệu cho mỗi đơn vị và kỳ báo cáo; "
            f"tệp có {len(rows)} dòng (các dòng {', '.join(str(r.row) for r in rows)})."
        )
    loader = _Loader(session, form, unit_id, session.get_one(Period, period_id))
    report = LoadReport(rows=len(rows))
    total = 2 * len(rows)  # checking, then storing
    plans: list[_Plan] = []
    for done, row in enumerate(rows, start=1):
        _stop_if(cancelled)
        outcome = loader.plan(row)
        if isinstance(outcome, RowProblem):
            report.rejected_rows.append(outcome)
        elif outcome is None:
            report.unchanged += 1
        else:
            plans.append(outcome)
        if progress is not None:
            progress(done, total)
    if report.rejected and not keep_good:
        return report
    saved: set[str] = set()
    for done, plan in enumerate(plans, start=len(rows) + 1):
        _stop_if(cancelled)
        result = save_entry(
            session,
            form,
            unit_id,
            period_id,
            plan.values,
            writer=writer,
            record_id=plan.record_id,
            context=loader.vocab.context,
            audit=False,  # one audit row for the whole load, below
        )
        if not result.changed:
            report.unchanged += 1
        elif plan.exists or result.record_id in saved:
            report.updated += 1
        else:
            report.created += 1
        saved.add(result.record_id)
        if result.warnings:
            report.warnings.append(RowProblem(plan.row, tuple(w.message for w in result.warnings)))
        if progress is not None:
            progress(done, total)
    report.stored = True
    if report.created or report.updated:  # a load that changed nothing leaves the file as it was
        record_action(
            session,
            "sheet.load",
            unit_id=unit_id,
            period_id=period_id,
            form_id=form.id,
            detail=f"{path.name}: {report.created} mới, {report.updated} sửa, {report.unchanged} không đổi, "
            f"{len(report.rejected_rows)} dòng bị từ chối",
        )
    if progress is not None:
        progress(total, total)
    return report
