"""Form expressions: the allowed language, its results, and what it cannot reach."""

from __future__ import annotations

import pytest

from danvan_desktop.formspec.expressions import ExpressionError, evaluate, referenced_names


@pytest.mark.parametrize(
    ("expr", "values", "expected"),
    [
        ("a + b * 2", {"a": 1, "b": 3}, 7),
        ("a / b", {"a": 1, "b": 4}, 0.25),
        ("a // b + a % b", {"a": 7, "b": 2}, 4),
        ("-a", {"a": 5}, -5),
        ("a < b <= c", {"a": 1, "b": 2, "c": 2}, True),
        ("a < b <= c", {"a": 1, "b": 3, "c": 2}, False),
        ("x in ['cong_nhan', 'nhan_rong']", {"x": "cong_nhan"}, True),
        ("x not in ('a', 'b')", {"x": "a"}, False),
        ("x is None", {}, True),
        ("a if ok else b", {"a": 1, "b": 2, "ok": False}, 2),
        ("not ok or a > 0", {"ok": True, "a": 1}, True),
        ("sum(a, b, c)", {"a": 1, "b": 2, "c": 3}, 6),
        ("sum([a, b])", {"a": 1.5, "b": 2}, 3.5),
        ("round(a / b * 100, 1)", {"a": 1, "b": 3}, 33.3),
        ("max(a, b) - min(a, b)", {"a": 4, "b": 9}, 5),
        ("is_empty(x) and is_empty(y)", {"x": "", "y": []}, True),
        ("len(x)", {"x": ["a", "b"]}, 2),
        ("today() >= '2020-01-01'", {}, True),
    ],
)
def test_expressions_evaluate_like_the_form_language_says(expr, values, expected):
    assert evaluate(expr, values) == expected


def test_a_missing_field_reads_as_none_and_arithmetic_on_it_raises():
    assert evaluate("a", {}) is None
    with pytest.raises(TypeError):
        evaluate("a + 1", {})
    with pytest.raises(ZeroDivisionError):
        evaluate("a / b", {"a": 1, "b": 0})


def test_a_field_named_like_a_function_does_not_hide_the_function():
    assert evaluate("min(min, 3)", {"min": 5}) == 3
    assert referenced_names("min(min, 3) + max") == {"min", "max"}


@pytest.mark.parametrize("name", ["open", "__import__", "eval", "print", "globals"])
def test_builtins_are_out_of_reach(name):
    assert evaluate(name, {}) is None  # an unknown name is an empty field, never a builtin
    with pytest.raises(ExpressionError):
        evaluate(f"{name}('x')", {})


@pytest.mark.parametrize(
    "expr",
    [
        "a.__class__",
        "a[0]",
        "(lambda: 1)()",
        "[x for x in a]",
        "{'a': 1}",
        "2 ** 8",
        "sum(a, start=1)",
        "",
        "a +",
    ],
)
def test_anything_outside_the_language_is_refused(expr):
    with pytest.raises(ExpressionError):
        evaluate(expr, {"a": [1]})
