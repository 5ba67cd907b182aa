"""Load forms/*.yaml into FormDef objects, reporting every problem by file and line in Vietnamese."""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from danvan_desktop.errors import UserError
from danvan_desktop.formspec.bounds import declared_bounds_problem
from danvan_desktop.formspec.expressions import ExpressionError, referenced_names
from danvan_desktop.formspec.model import NUMERIC_TYPES, ChoiceDef, FieldDef, FormDef, RuleDef, SectionDef
from danvan_desktop.formspec.values import ValueParseError, coerce_value

Loc = tuple[str | int, ...]  # a location inside the YAML document: ("sections", 0, "fields", 2)

_CHOICE_TYPES = frozenset({"choice", "multi_choice"})
_TEXT_TYPES = frozenset({"text", "long_text"})
_KNOWN_KEYS = sorted(
    {name for model in (FormDef, SectionDef, FieldDef, ChoiceDef, RuleDef) for name in model.model_fields}
)


@dataclasses.dataclass(frozen=True)
class FormProblem:
    """One problem in a form file; `field` names the place ("so_ho.min", "rules.r1.check")."""

    file: str
    line: int | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"


class FormSpecError(UserError):
    """One or more form definition files are malformed or inconsistent."""

    exit_code = 2

    def __init__(self, problems: Sequence[FormProblem]) -> None:
        super().__init__(f"Định nghĩa biểu mẫu có {len(problems)} lỗi:")
        self.problems = list(problems)

    def __str__(self) -> str:
        return "\n".join([self.message, *(str(p) for p in self.problems)])


class _FormLoader(yaml.SafeLoader):
    """Keeps dates as text: form values are stored as ISO text and checked by the value layer."""


def _date_as_text(loader: _FormLoader, node: yaml.Node) -> str:
    assert isinstance(node, yaml.ScalarNode)
    return str(loader.construct_scalar(node))


_FormLoader.add_constructor("tag:yaml.org,2002:timestamp", _date_as_text)


# ------------------------------------------------------------------------------------ YAML + lines


@dataclasses.dataclass
class _Document:
    file: str
    data: object
    lines: dict[Loc, int]  # 1-based line of every mapping key and sequence item
    problems: list[FormProblem]
    repeated: list[tuple[Loc, int, int]] = dataclasses.field(default_factory=list)  # path, line, first
    received: bool = False  # sent by another installation (a package), not a file of this one

    def line(self, path: Loc) -> int | None:
        """The line of `path`, or of its nearest ancestor present in the file."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None

    def problem(self, path: Loc, reason: str) -> None:
        self.problems.append(FormProblem(self.file, self.line(path), _place(path, self.data), reason))


def _record_lines(node: yaml.Node, path: Loc, doc: _Document, stack: set[int]) -> None:
    if id(node) in stack:  # a recursive alias; the schema will reject the structure anyway
        return
    stack = stack | {id(node)}
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key == "<<":  # merge key: the merged entries carry their own lines
                continue
            child, line = (*path, key), key_node.start_mark.line + 1
            if key in seen:  # PyYAML silently keeps the last value, so its line is the one to report
                doc.repeated.append((child, line, doc.lines[child]))
            seen.add(key)
            doc.lines[child] = line
            _record_lines(value_node, child, doc, stack)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            doc.lines[(*path, index)] = item.start_mark.line + 1
            _record_lines(item, (*path, index), doc, stack)


def _read_document(path: Path) -> _Document:
    doc = _Document(str(path), None, {(): 1}, [])
    try:
        text = path.read_text(encoding="utf-8-sig")  # tolerate the BOM Windows Notepad writes
    except UnicodeDecodeError:
        doc.problems.append(FormProblem(doc.file, None, None, "tệp không phải văn bản UTF-8"))
        return doc
    except FileNotFoundError:
        doc.problems.append(FormProblem(doc.file, None, None, "không tìm thấy tệp"))
        return doc
    except OSError as exc:
        doc.problems.append(FormProblem(doc.file, None, None, f"không đọc được tệp ({exc.strerror})"))
        return doc
    loader = _FormLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _record_lines(node, (), doc, set())
            doc.data = loader.construct_document(node)
            for child, line, first in doc.repeated:
                where = _place(child, doc.data)
                doc.problems.append(
                    FormProblem(doc.file, line, where, f"khóa bị lặp lại (đã có ở dòng {first})")
                )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = " ".join(p for p in (exc.context, exc.problem) if p)
        at = mark.line + 1 if mark is not None else None
        doc.problems.append(FormProblem(doc.file, at, None, f"sai cú pháp YAML ({detail})"))
    except yaml.YAMLError as exc:
        doc.problems.append(FormProblem(doc.file, None, None, f"sai cú pháp YAML ({exc})"))
    finally:
        loader.dispose()
    return doc


def _dotted(path: Loc) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text


def _child(node: object, part: str | int) -> tuple[bool, object]:
    """(found, value) for one step of a path into the constructed YAML data."""
    if isinstance(node, dict) and isinstance(part, str):
        return True, node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return True, node[part]
    return False, None


def _place(path: Loc, data: object) -> str | None:
    """A readable name for `path`: a field or rule by its id, else the dotted YAML path."""
    place: list[str | int] = []
    node = data
    for part in path:
        place.append(part)
        node = _child(node, part)[1]
        ident = node.get("id") if isinstance(node, dict) else None
        if isinstance(ident, str) and ident and len(place) >= 2 and place[-2] in ("fields", "rules"):
            place = [ident] if place[-2] == "fields" else ["rules", ident]
    return _dotted(tuple(place)) or None


# ------------------------------------------------------------------------------------ schema errors

_REASONS = {
    "missing": "thiếu trường bắt buộc",
    "string_too_short": "không được để trống",
    "string_too_long": "dài quá {max_length} ký tự",
    "too_short": "danh sách không được rỗng",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "float_parsing": "phải là số",
    "float_type": "phải là số",
    "bool_parsing": "phải là true hoặc false",
    "bool_type": "phải là true hoặc false",
    "list_type": "phải là một danh sách (các dòng bắt đầu bằng «-»)",
    "model_type": "phải là một bảng «khóa: giá trị»",
    "dict_type": "phải là một bảng «khóa: giá trị»",
    "greater_than_equal": "phải từ {ge} trở lên",
    "less_than_equal": "không được lớn hơn {le}",
    "literal_error": "giá trị «{input}» không hợp lệ; cho phép: {expected}",
    "string_pattern_mismatch": "«{input}» không đúng dạng mã: chỉ gồm chữ thường không dấu, chữ số và «_»",
}


def _schema_reason(error: Any, key: str | int | None) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(key), _KNOWN_KEYS, n=1, cutoff=0.75)
        hint = f"; có phải là «{close[0]}»?" if close else ""
        return f"không có trường «{key}» trong định nghĩa biểu mẫu{hint}"
    if kind == "missing":
        return f"thiếu trường bắt buộc «{key}»"
    if kind == "string_type":
        quote = ' (viết trong dấu nháy, ví dụ "no")' if isinstance(error["input"], bool) else ""
        return f"phải là văn bản{quote}"
    template = _REASONS.get(kind)
    if template is None:
        return str(error["msg"])
    ctx = {k: str(v).replace(" or ", " hoặc ") for k, v in error.get("ctx", {}).items()}
    return template.format(input=error.get("input"), **ctx)


def _schema_problems(exc: ValidationError, doc: _Document) -> None:
    by_path: dict[Loc, list[Any]] = {}
    for error in exc.errors():
        by_path.setdefault(_real_path(error["loc"], doc.data), []).append(error)
    for path, errors in by_path.items():
        if len(errors) == 1:
            reason = _schema_reason(errors[0], path[-1] if path else None)
            if doc.received and errors[0]["type"] == "extra_forbidden":
                # A key a newer program added (as `aggregate` once was): the sender is not wrong.
                reason += "; định nghĩa có thể được soạn bằng phiên bản chương trình mới hơn: hãy cập nhật"
        else:  # a union such as `default` reports one error per member type
            reason = f"giá trị «{errors[0].get('input')}» không đúng kiểu"
        doc.problem(path, reason)


def _real_path(loc: tuple[str | int, ...], data: object) -> Loc:
    """`loc` without pydantic's union tags ("str", "int"), which are not keys of the document."""
    path: list[str | int] = []
    node = data
    for part in loc:
        found, node = _child(node, part)
        if not found:
            break
        path.append(part)
    return tuple(path)


# ------------------------------------------------------------------------------- consistency checks


def _field_paths(form: FormDef) -> Iterator[tuple[Loc, FieldDef]]:
    for si, section in enumerate(form.sections):
        for fi, field in enumerate(section.fields):
            yield ("sections", si, "fields", fi), field


def _check_expression(doc: _Document, path: Loc, expr: str, known: set[str]) -> frozenset[str]:
    try:
        names = referenced_names(expr)
    except ExpressionError as exc:
        doc.problem(path, str(exc))
        return frozenset()
    for name in sorted(names - known):
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f"; có phải là «{close[0]}»?" if close else ""
        doc.problem(path, f"biểu thức dùng trường «{name}» không có trong biểu mẫu{hint}")
    return names


def _check_field(doc: _Document, path: Loc, field: FieldDef, known: set[str]) -> None:
    kind = field.type
    if kind in _CHOICE_TYPES and not field.choices and not (kind == "multi_choice" and field.choices_from):
        doc.problem((*path, "type"), f"trường kiểu {kind} cần danh sách «choices»")
    if field.choices and kind not in _CHOICE_TYPES:
        doc.problem(
            (*path, "choices"), f"«choices» chỉ dùng cho kiểu choice/multi_choice, không dùng cho {kind}"
        )
    if field.choices_from and kind != "multi_choice":
        doc.problem((*path, "choices_from"), "«choices_from» chỉ dùng cho kiểu multi_choice")
    if field.choices and field.choices_from:
        doc.problem((*path, "choices_from"), "chỉ dùng một trong hai: «choices» hoặc «choices_from»")
    for ci, choice in enumerate(field.choices or []):
        if [c.value for c in field.choices or []].index(choice.value) != ci:
            doc.problem((*path, "choices", ci, "value"), f"giá trị lựa chọn «{choice.value}» bị trùng")
    bounds_problem = declared_bounds_problem(field)
    if bounds_problem:
        doc.problem((*path, "min" if field.min is not None else "max"), bounds_problem)
    if (field.pattern or field.max_length) and kind not in _TEXT_TYPES:
        doc.problem((*path, "pattern" if field.pattern else "max_length"), "chỉ dùng cho trường văn bản")
    if field.pattern:
        try:
            re.compile(field.pattern)
        except re.error as exc:
            doc.problem((*path, "pattern"), f"biểu thức chính quy không hợp lệ ({exc})")
    if field.computed is not None and field.required:
        doc.problem((*path, "required"), "trường tính toán (computed) không thể bắt buộc nhập")
    if field.default is not None:
        try:
            coerce_value(field, field.default)
        except ValueParseError as exc:
            doc.problem((*path, "default"), f"giá trị mặc định không hợp lệ: {exc}")
    if field.relevant is not None:
        _check_expression(doc, (*path, "relevant"), field.relevant, known)
    _check_aggregate(doc, path, field)


def _check_aggregate(doc: _Document, path: Loc, field: FieldDef) -> None:
    """`aggregate` says how numbers combine across units; a percentage is never added nor averaged."""
    if field.aggregate is None:
        return
    if field.type not in NUMERIC_TYPES:
        doc.problem(
            (*path, "aggregate"),
            f"«aggregate» chỉ dùng cho trường số (integer, decimal, money, area, labour_days, percent), "
            f"không dùng cho {field.type}",
        )
    elif field.type == "percent" and field.aggregate in ("sum", "mean"):
        doc.problem(
            (*path, "aggregate"),
            f"tỷ lệ phần trăm không được cộng hay lấy bình quân giữa các đơn vị "
            f"(aggregate: {field.aggregate}); dùng none (tỷ lệ chung tính lại từ tử số và mẫu số) hoặc max",
        )


def _check_computed_order(doc: _Document, form: FormDef, known: set[str]) -> None:
    computed_later = {f.id for f in form.fields() if f.computed is not None}
    for path, field in _field_paths(form):
        if field.computed is None:
            continue
        computed_later.discard(field.id)
        names = _check_expression(doc, (*path, "computed"), field.computed, known)
        if field.id in names:
            doc.problem((*path, "computed"), "trường tính toán không được dùng chính nó")
        # Computed fields are evaluated top to bottom, so a later one would still be empty here.
        for name in sorted(names & computed_later):
            doc.problem((*path, "computed"), f"dùng trường tính toán «{name}» đứng sau; hãy đặt nó lên trước")


def _check_aliases(doc: _Document, form: FormDef, known: set[str]) -> None:
    """An alias names a former field id: never a field of this version, never two fields at once."""
    owners: dict[str, str] = {}
    for path, field in _field_paths(form):
        for ai, alias in enumerate(field.aliases):
            if alias in known:
                doc.problem(
                    (*path, "aliases", ai), f"tên cũ «{alias}» đang là mã của một trường trong biểu mẫu"
                )
            elif alias in owners:
                doc.problem((*path, "aliases", ai), f"tên cũ «{alias}» đã dùng cho trường «{owners[alias]}»")
            owners.setdefault(alias, field.id)


def _check_form(doc: _Document, form: FormDef) -> None:
    known = {f.id for f in form.fields()}
    _check_aliases(doc, form, known)
    first_seen: dict[str, Loc] = {}
    for path, field in _field_paths(form):
        if field.id in first_seen:
            first = doc.line((*first_seen[field.id], "id"))
            doc.problem((*path, "id"), f"mã trường «{field.id}» bị trùng (đã dùng ở dòng {first})")
        else:
            first_seen[field.id] = path
        _check_field(doc, path, field, known)
    _check_computed_order(doc, form, known)
    rule_lines: dict[str, int | None] = {}
    for ri, rule in enumerate(form.rules):
        rule_path: Loc = ("rules", ri)
        if rule.id in rule_lines:
            doc.problem(
                (*rule_path, "id"), f"mã quy tắc «{rule.id}» bị trùng (đã dùng ở dòng {rule_lines[rule.id]})"
            )
        rule_lines.setdefault(rule.id, doc.line((*rule_path, "id")))
        _check_expression(doc, (*rule_path, "check"), rule.check, known)
        for fi, name in enumerate(rule.fields):
            if name not in known:
                doc.problem((*rule_path, "fields", fi), f"không có trường «{name}» trong biểu mẫu")
    for ci, name in enumerate(form.list_columns):
        if name not in known:
            doc.problem(("list_columns", ci), f"không có trường «{name}» trong biểu mẫu")
    if form.record_title is not None and form.record_title not in known:
        doc.problem(("record_title",), f"không có trường «{form.record_title}» trong biểu mẫu")


# ------------------------------------------------------------------------------------- public API


def _check_one(path: Path) -> tuple[FormDef | None, _Document]:
    doc = _read_document(path)
    if doc.problems and doc.data is None:
        return None, doc
    return _check_document(doc)


def _check_document(doc: _Document) -> tuple[FormDef | None, _Document]:
    if not isinstance(doc.data, dict):
        reason = "tệp rỗng" if doc.data is None else "nội dung phải là một bảng «khóa: giá trị»"
        doc.problems.append(FormProblem(doc.file, 1, None, reason))
        return None, doc
    try:
        form = FormDef.model_validate(doc.data)
    except ValidationError as exc:
        _schema_problems(exc, doc)
        return None, doc
    _check_form(doc, form)
    return form, doc


def _check_all(paths: Iterable[Path]) -> tuple[list[FormDef], list[FormProblem]]:
    forms: list[FormDef] = []
    problems: list[FormProblem] = []
    owners: dict[str, str] = {}
    for path in paths:
        form, doc = _check_one(path)
        if form is not None:
            if form.id in owners:
                doc.problem(("id",), f"mã biểu mẫu «{form.id}» đã dùng trong tệp {owners[form.id]}")
            owners.setdefault(form.id, doc.file)
            forms.append(form)
        problems.extend(sorted(doc.problems, key=lambda p: p.line or 0))
    return forms, problems


def check_form_files(paths: Iterable[Path]) -> list[FormProblem]:
    """Every problem in the given form files (schema, expressions, cross-references, duplicate ids)."""
    return _check_all(paths)[1]


def load_form_file(path: Path) -> FormDef:
    """Load one form file; raise FormSpecError listing every problem found in it."""
    forms, problems = _check_all([path])
    if problems:
        raise FormSpecError(problems)
    return forms[0]


def load_forms(folder: Path) -> dict[str, FormDef]:
    """Load every forms/*.yaml, keyed by form id; raise FormSpecError if any file has a problem."""
    if not folder.is_dir():
        raise FormSpecError([FormProblem(str(folder), None, None, "không tìm thấy thư mục biểu mẫu")])
    forms, problems = _check_all(sorted(folder.glob("*.yaml")))
    if problems:
        raise FormSpecError(problems)
    return {form.id: form for form in forms}


def load_form_data(data: object, source: str) -> FormDef:
    """A form definition received as data (a package), checked exactly as a file; `source` names it.

    Raise FormSpecError listing every problem (no line numbers: the data has none).
    """
    doc = _Document(source, data, {(): 1}, [], received=True)
    form, doc = _check_document(doc)
    if doc.problems or form is None:
        raise FormSpecError(doc.problems or [FormProblem(source, None, None, "định nghĩa không hợp lệ")])
    return form
