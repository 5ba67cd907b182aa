"""Safe evaluation of the expressions in form definitions (`relevant`, `computed`, rule `check`)."""

from __future__ import annotations

import ast
import copy
import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping
from types import CodeType


class ExpressionError(Exception):
    """An expression that does not parse or uses something outside the allowed language."""

    def __init__(self, expr: str, reason: str) -> None:
        super().__init__(f"biểu thức «{expr}» không hợp lệ: {reason}")
        self.expr = expr
        self.reason = reason


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str | list | tuple | dict | set) and len(value) == 0)


def _sum(*values: object) -> object:
    # `sum(a, b, c)` reads better in a form than `sum([a, b, c])`; both are accepted.
    items: Iterable[object] = values
    if len(values) == 1 and isinstance(values[0], list | tuple):
        items = values[0]
    total: object = 0
    for item in items:
        total = total + item  # type: ignore[operator]  # None raises TypeError on purpose
    return total


def _today() -> str:
    # Dates are stored as ISO text, which orders like the dates themselves.
    return dt.date.today().isoformat()


#: The whole function vocabulary of form expressions. Anything else is rejected at load time.
#: A missing field is None; arithmetic or ordering on None raises TypeError, which callers read
#: as "not enough data yet" (a rule is skipped, a computed field stays empty).
FUNCTIONS: Mapping[str, Callable[..., object]] = {
    "abs": abs,
    "float": float,
    "int": int,
    "is_empty": _is_empty,  # None, "" or an empty list
    "len": len,
    "max": max,
    "min": min,
    "round": round,
    "sum": _sum,  # sum(a, b, ...) or sum([a, b, ...])
    "today": _today,  # today's date as "yyyy-mm-dd", to compare with date fields
}

# Node types an expression may contain: arithmetic, comparisons, and/or/not, `x if c else y`,
# literals, lists/tuples for `in`, and calls of FUNCTIONS. No attributes, subscripts, lambdas or
# comprehensions: form authors need none of them and each widens what a form file can do.
_ALLOWED_NODES: tuple[type[ast.AST], ...] = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Is,
    ast.IsNot,
    ast.IfExp,
    ast.Call,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.List,
    ast.Tuple,
)

_NODE_NAMES = {
    "Attribute": "dấu chấm (a.b)",
    "Subscript": "chỉ số (a[0])",
    "Lambda": "lambda",
    "ListComp": "vòng lặp trong danh sách",
    "GeneratorExp": "vòng lặp",
    "Dict": "từ điển {…}",
    "Pow": "lũy thừa (**)",
}


@functools.lru_cache(maxsize=1024)
def parse_expression(expr: str) -> ast.Expression:
    """Parse and vet `expr`; raise ExpressionError (Vietnamese reason) when it is not allowed."""
    if not expr.strip():
        raise ExpressionError(expr, "biểu thức rỗng")
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError as exc:
        column = f" (cột {exc.offset})" if exc.offset else ""
        raise ExpressionError(expr, f"sai cú pháp{column}") from exc
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            what = _NODE_NAMES.get(type(node).__name__, type(node).__name__)
            raise ExpressionError(expr, f"không được dùng {what} trong biểu thức")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                allowed = ", ".join(sorted(FUNCTIONS))
                raise ExpressionError(expr, f"chỉ được gọi các hàm: {allowed}")
            if node.keywords:
                raise ExpressionError(expr, f"hàm {node.func.id} không nhận tham số có tên")
    return tree


@functools.lru_cache(maxsize=1024)
def referenced_names(expr: str) -> frozenset[str]:
    """The field ids `expr` reads (function names excluded)."""
    tree = parse_expression(expr)
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return frozenset(
        node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and id(node) not in called
    )


# Field ids start with a lowercase letter, so these names can never be shadowed by a field.
_FUNCTION_PREFIX = "__fn_"
_GLOBALS: dict[str, object] = {"__builtins__": {}}


class _Scope(dict[str, object]):
    """Field values for one evaluation: an absent field reads as None, a call finds its function."""

    def __missing__(self, key: str) -> object:
        if key.startswith(_FUNCTION_PREFIX):
            return FUNCTIONS[key.removeprefix(_FUNCTION_PREFIX)]
        return None


@functools.lru_cache(maxsize=1024)
def _compiled(expr: str) -> CodeType:
    """The vetted tree as byte code, calls renamed into the function namespace.

    Safe to compile because parse_expression admits only arithmetic, comparisons, literals and
    calls of FUNCTIONS (no attributes, subscripts, lambdas or comprehensions) and the code runs
    with no builtins. Form rules run for every record of every package, so evaluation is compiled
    once instead of interpreted node by node each time.
    """
    tree = copy.deepcopy(parse_expression(expr))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            node.func.id = _FUNCTION_PREFIX + node.func.id
    return compile(tree, "<form expression>", "eval")


def evaluate(expr: str, values: Mapping[str, object]) -> object:
    """Evaluate `expr` with field values; a field absent from `values` is None.

    Raises ExpressionError for a malformed expression; TypeError, ZeroDivisionError and
    ValueError from the evaluation itself pass through for the caller to interpret.
    """
    # eval of a vetted tree with no builtins (see _compiled), not of arbitrary text.
    result: object = eval(_compiled(expr), _GLOBALS, _Scope(values))
    return result
