"""Start-up benchmark: the PyInstaller bundle against the source install, same database, same machine.

Both are measured in the same run, alternating, as separate processes; each figure is the median.
Three figures: `--version` (process start to exit: the interpreter and the CLI), the main window
shown, and the window filled with the office's unit tree (database open), on the 10,000-record
database of bench/startup.py. Build the bundle first (`make bundle`).
Usage: python bench/bundle_startup.py [--runs N] [--bundle dist/DanVanDesktop/DanVanDesktop].
Target: the bundle shows its main window no later than the source install (ratio <= 1.10, noise).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from startup import READY, SHOWN, build_database, time_markers  # bench/ is on sys.path when run

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.10


def time_exit(command: list[str], env: dict[str, str]) -> float:
    """Seconds from process start to its exit."""
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "DanVanDesktop" / "DanVanDesktop")
    args = parser.parse_args()
    if not args.bundle.is_file():
        print(f"no bundle at {args.bundle}: run `make bundle` first", file=sys.stderr)
        return 2
    source = [sys.executable, "-m", "danvan_desktop"]
    bundle = [str(args.bundle)]
    figures: dict[str, dict[str, list[float]]] = {
        name: {"version": [], "shown": [], "ready": []} for name in ("source", "bundle")
    }
    with tempfile.TemporaryDirectory(prefix="danvan-bench-") as folder:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", DANVAN_DATA_DIR=folder)
        db_path = build_database(Path(folder))
        gui = ["--db", str(db_path), "gui", "--quit-when-shown"]
        for command in (source, bundle):  # warm the OS file cache and .pyc files for both
            time_markers([*command, *gui], env)
        for _ in range(args.runs):
            for name, command in (("source", source), ("bundle", bundle)):
                figures[name]["version"].append(time_exit([*command, "--version"], env))
                run = time_markers([*command, *gui], env)
                figures[name]["shown"].append(run[SHOWN])
                figures[name]["ready"].append(run[READY])
    medians = {
        name: {k: statistics.median(v) * 1000 for k, v in runs.items()} for name, runs in figures.items()
    }
    print(f"medians of {args.runs} runs, 10,000-record database; bundle: {args.bundle}")
    print(f"{'':34}{'source':>10}{'bundle':>10}{'ratio':>8}")
    labels = {
        "version": "--version (start to exit)",
        "shown": "main window shown",
        "ready": "window filled (db open, tree)",
    }
    for key, label in labels.items():
        src, bun = medians["source"][key], medians["bundle"][key]
        print(f"{label:34}{src:8.0f}ms{bun:8.0f}ms{bun / src:7.2f}x")
    ratio = medians["bundle"]["shown"] / medians["source"]["shown"]
    verdict = "within target" if ratio <= TARGET_RATIO else "ABOVE TARGET"
    print(f"target: bundle main window shown <= {TARGET_RATIO}x the source install: {verdict}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
