"""Entry point for `python -m danvan_desktop`."""

from danvan_desktop.cli.main import main

if __name__ == "__main__":  # a worker process (the province demo's sites) imports this module too
    raise SystemExit(main())
