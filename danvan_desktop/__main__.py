"""Entry point for `python -m danvan_desktop`."""

import multiprocessing

from danvan_desktop.cli.main import main

if (
    __name__ == "__main__"
):  # a worker process (import runs, the province demo's sites) imports this module too
    # In the frozen bundle a worker process is this same program started again: freeze_support
    # runs the worker's code there and exits instead of opening the app (spawn, as on Windows).
    multiprocessing.freeze_support()
    raise SystemExit(main())
