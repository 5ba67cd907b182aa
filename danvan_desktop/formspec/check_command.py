"""The `forms check` batch command: report problems in form definition files, one per line."""

from __future__ import annotations

import sys
from pathlib import Path

from danvan_desktop.formspec.loader import FormProblem, check_form_files


def run_forms_check(paths: list[Path], forms_dir: Path) -> int:
    """Check `paths` (every forms_dir/*.yaml when empty); print problems; 0 if clean, else 2."""
    if not paths:
        if not forms_dir.is_dir():
            print(FormProblem(str(forms_dir), None, None, "không tìm thấy thư mục biểu mẫu"), file=sys.stderr)
            return 2
        paths = sorted(forms_dir.glob("*.yaml"))
        if not paths:
            print(f"Không có tệp biểu mẫu (*.yaml) nào trong {forms_dir}.")
            return 0
    problems = check_form_files(paths)
    for problem in problems:  # the problems on stderr, the summary on stdout, as every command
        print(problem, file=sys.stderr)
    if problems:
        files = len({p.file for p in problems})
        print(f"Đã kiểm tra {len(paths)} tệp biểu mẫu: {len(problems)} lỗi trong {files} tệp.")
        return 2
    print(f"Đã kiểm tra {len(paths)} tệp biểu mẫu: không có lỗi.")
    return 0
