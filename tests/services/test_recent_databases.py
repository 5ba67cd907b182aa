"""The recent-databases list: newest first, bounded, one entry per file, survives a garbled file."""

from __future__ import annotations

import json
from pathlib import Path

from danvan_desktop.paths import user_paths
from danvan_desktop.services.office.recent_databases import (
    MAX_RECENT,
    forget_database,
    forget_missing,
    load_recent,
    remember_database,
)


def test_newest_first_one_entry_per_file_and_bounded(tmp_path: Path, data_dir: Path) -> None:
    list_file = user_paths().recent_databases_file
    assert list_file == data_dir / "recent-databases.json"  # DANVAN_DATA_DIR redirects it
    assert load_recent(list_file) == []
    files = [tmp_path / f"office{i}.sqlite3" for i in range(MAX_RECENT + 2)]
    for i, path in enumerate(files):
        path.write_bytes(b"")
        remember_database(list_file, path, f"Xã số {i}")
    remember_database(list_file, tmp_path / "." / "office3.sqlite3", "Xã Phúc Chu")  # the same file
    recent = load_recent(list_file)
    assert len(recent) == MAX_RECENT
    assert (recent[0].path, recent[0].office) == (files[3], "Xã Phúc Chu")
    assert [r.path for r in recent[1:]] == [files[i] for i in (9, 8, 7, 6, 5, 4, 2)]
    stored = json.loads(list_file.read_text(encoding="utf-8"))
    assert stored["databases"][0] == {"path": str(files[3]), "office": "Xã Phúc Chu"}
    assert not [p for p in list_file.parent.iterdir() if p.suffix == ".tmp"]  # no temporary left
    files[9].unlink()
    forget_database(list_file, files[2])
    assert [r.path for r in forget_missing(list_file)] == [files[i] for i in (3, 8, 7, 6, 5, 4)]
    assert [r.path for r in load_recent(list_file)] == [files[i] for i in (3, 8, 7, 6, 5, 4)]


def test_a_garbled_list_is_an_empty_list(data_dir: Path, tmp_path: Path) -> None:
    list_file = user_paths().recent_databases_file
    list_file.parent.mkdir(parents=True)
    for garbled in ("{not json", '{"databases": 7}', "[1, 2]", '{"databases": [{"path": 3}, "x"]}'):
        list_file.write_text(garbled, encoding="utf-8")
        assert load_recent(list_file) == []
    remember_database(list_file, tmp_path / "a.sqlite3", "Huyện Định Hóa")  # and is replaced
    assert [r.office for r in load_recent(list_file)] == ["Huyện Định Hóa"]
