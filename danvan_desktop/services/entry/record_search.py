"""Find any record of the office by accent-free words: its values, its form, unit and period."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from danvan_desktop.catalog.kinds import display_name
from danvan_desktop.db.dialect import contains, dialect_of, in_list, json_value, list_param, raw_rows
from danvan_desktop.formspec.model import FormDef
from danvan_desktop.text import fold

DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class RecordHit:
    """One record found: enough to list it and to open it (unit, period, form, record)."""

    record_id: str
    form_id: str
    form_title: str
    form_kind: str
    unit_id: int
    unit_code: str
    unit_label: str
    period_id: int
    period_code: str
    period_label: str
    title: str  # the record's title field (a register), else the form's title

    @property
    def where(self) -> str:
        """The line under the title: form, unit, period."""
        return f"{self.form_title} · {self.unit_label} · {self.period_label}"


@dataclass(frozen=True)
class SearchResult:
    hits: list[RecordHit]
    more: bool  # more records match than were listed: the user should type another word


def _matching_ids(haystacks: Mapping[object, str], word: str) -> list[object]:
    return [key for key, text in haystacks.items() if word in text]


def search_records(
    session: Session, forms: Mapping[str, FormDef], query: str, *, limit: int = DEFAULT_LIMIT
) -> SearchResult:
    """Records (not deleted) of the given forms where every word of `query` occurs somewhere.

    A word may match the record's stored search text (its values as shown, accents folded) or
    the title of its form, the name or code of its unit, the label or code of its period: so
    "phu nu 2023" finds the women's-union records of 2023 in every form. Newest periods first.
    """
    words = list(dict.fromkeys(fold(query).split()))
    if not words or not forms or limit <= 0:
        return SearchResult([], False)
    # Raw rows: the scan covers up to 100,000 records (see db/dialect.py).
    dialect = dialect_of(session)
    units = {
        uid: (code, display_name(kind, name))
        for uid, code, kind, name in raw_rows(session, "SELECT id, code, kind, name FROM org_unit")
    }
    periods = {
        pid: (code, label) for pid, code, label in raw_rows(session, "SELECT id, code, label FROM period")
    }
    # Matching the names of forms, units and periods here, once per query, keeps the SQL one scan
    # of the record table: a word becomes "in the values, or the record's form/unit/period is one of".
    form_text: dict[object, str] = {fid: fold(f.title) for fid, f in forms.items()}
    unit_text: dict[object, str] = {
        u: f"{fold(label)} {code.casefold()}" for u, (code, label) in units.items()
    }
    period_text: dict[object, str] = {
        p: f"{fold(label)} {code.casefold()}" for p, (code, label) in periods.items()
    }
    clauses: list[str] = []
    params: list[object] = [list_param(dialect, list(forms))]
    for word in words:
        alternatives = [contains(dialect, "r.search_text")]
        params.append(word)
        for column, haystacks in (
            ("r.form_id", form_text),
            ("r.org_unit_id", unit_text),
            ("r.period_id", period_text),
        ):
            ids = _matching_ids(haystacks, word)
            if ids:
                alternatives.append(in_list(dialect, column))
                params.append(list_param(dialect, ids))
        clauses.append("(" + " OR ".join(alternatives) + ")")
    sql = (
        "SELECT r.id, r.form_id, r.org_unit_id, r.period_id FROM record r "
        "JOIN period p ON p.id = r.period_id "
        f"WHERE NOT r.deleted AND {in_list(dialect, 'r.form_id')} AND "
        + " AND ".join(clauses)
        + ' ORDER BY p."end" DESC, r.local_change DESC LIMIT ?'
    )
    rows = raw_rows(session, sql, (*params, limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    titles = _titles(session, forms, [(r[0], r[1]) for r in rows], units)
    hits = [
        RecordHit(
            record_id=rid,
            form_id=fid,
            form_title=forms[fid].title,
            form_kind=forms[fid].kind,
            unit_id=uid,
            unit_code=units[uid][0],
            unit_label=units[uid][1],
            period_id=pid,
            period_code=periods[pid][0],
            period_label=periods[pid][1],
            title=titles.get(rid) or forms[fid].title,
        )
        for rid, fid, uid, pid in rows
    ]
    return SearchResult(hits, more)


def _titles(
    session: Session,
    forms: Mapping[str, FormDef],
    records: Sequence[tuple[str, str]],
    units: Mapping[int, tuple[str, str]],
) -> dict[str, str]:
    """The title field's shown value of each listed register record (a village code as its name)."""
    wanted = {rid: forms[fid] for rid, fid in records if forms[fid].record_title}
    if not wanted:
        return {}
    marks = ", ".join("?" for _ in wanted)
    values = dict(raw_rows(session, f'SELECT id, "values" FROM record WHERE id IN ({marks})', list(wanted)))
    names = {code: label for code, label in units.values()}
    titles: dict[str, str] = {}
    for rid, form in wanted.items():
        field_id = form.record_title or ""
        value = (json_value(values.get(rid)) or {}).get(field_id)
        if value is None or value == "":
            continue
        spec = form.field(field_id) if field_id in form.field_ids else None
        text = str(value)
        titles[rid] = names.get(text, text) if spec is not None and spec.type == "org_unit" else text
    return titles
