"""An import killed (SIGKILL) at random moments leaves the database whole: as before, or as after.

Ten trials of bench/crash.py on a small package (updates and new records); the benchmark runs 100.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.slow

CRASH_SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "crash.py"


def _crash_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_crash", CRASH_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_killed_imports_leave_the_state_before_or_after(tmp_path: Path) -> None:
    crash = _crash_module()
    scenario = crash.build_scenario(tmp_path / "crash", new=300, updates=200, seed=3)
    duration, trials = crash.run_trials(scenario, 10, seed=3)
    report = "\n".join(crash.summary(duration, scenario, trials))
    assert len(trials) == 10
    assert [t.integrity for t in trials] == ["ok"] * 10, report
    assert all(t.outcome in ("before", "after") for t in trials), report
    # Killed before its commit, the import left nothing; a kill after it cannot undo it.
    assert all(t.outcome == "before" for t in trials if t.phase in ("reading", "planning", "backup")), report
    assert all(t.outcome == "after" for t in trials if t.landed == "after"), report
    # The write transaction is short: aim a few kills right into it, at staggered moments.
    _, before = crash.read_state(scenario.database)
    _, after = crash.measure(scenario, runs=1)
    writing = [
        crash.run_trial_while_writing(scenario, before, after, d, n) for n, d in enumerate((0, 0.01, 0.03))
    ]
    assert any(t.landed == "during" for t in writing), writing
    assert all(t.integrity == "ok" and t.outcome in ("before", "after") for t in writing), writing
