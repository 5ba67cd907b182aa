"""Entry point for `python -m danvan_desktop`."""

from danvan_desktop.cli.main import main

raise SystemExit(main())
