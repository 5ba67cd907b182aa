"""Thái Nguyên checked by hand: what the resolutions' text confirms, and the 2024 changes the libraries lack.

The libraries describe the units as they stood on 30/6/2025, after Nghị quyết 1240/NQ-UBTVQH15
(effective 1/12/2024). The units that resolution abolished, and the dates of the units it formed, are
added here from the text that could be read; see resources/catalog/DISAGREEMENTS.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

NQ1240_DATE = dt.date(2024, 12, 1)
NQ1240 = "Nghị quyết 1240/NQ-UBTVQH15 ngày 24/10/2024, hiệu lực 01/12/2024"
NQ1240_PRESS = (
    NQ1240 + " (theo bài tường thuật nội dung nghị quyết trên báo Lao Động; chưa đối chiếu văn bản gốc, "
    "dấu tiếng Việt của tên chưa xác minh)"
)
NQ1683 = "Nghị quyết 1683/NQ-UBTVQH15 ngày 16/6/2025"


@dataclass(frozen=True)
class Abolished:
    """A commune abolished by Nghị quyết 1240: (district code, name, kind) and where it went."""

    district: str
    name: str
    kind: str
    targets: tuple[str, ...]  # names of the communes (same district) that took it in
    source: str
    code: str | None = None  # an existing code to keep


NQ1240_ABOLISHED = (
    Abolished("DH", "Bảo Cường", "xa", ("Chợ Chu",), NQ1240 + " (suy ra: vietnamadminunits không còn xã "
              "Bảo Cường ngày 30/6/2025; bài báo bị cắt trước đoạn về huyện Định Hóa; chưa xác minh)",
              code="DH-BAOCUONG"),
    Abolished("TN.DAITU", "Vạn Thọ", "xa", ("Vạn Phú",), NQ1240_PRESS),
    Abolished("TN.DAITU", "Ký Phú", "xa", ("Vạn Phú",), NQ1240_PRESS),
    Abolished("TN.DAITU", "Na Mao", "xa", ("Phú Xuyên", "Phú Cường"), NQ1240_PRESS),
    Abolished("TN.DONGHY", "Tân Lợi", "xa", ("Trại Cau",), NQ1240_PRESS),
)  # fmt: skip

# Communes formed by Nghị quyết 1240 (valid from 1/12/2024, not the catalog's conventional start).
NQ1240_FORMED = {("TN.DAITU", "Vạn Phú")}


@dataclass(frozen=True)
class Checked:
    """A clause of Nghị quyết 1683 read in its text: the new unit and the units that formed it."""

    clause: int
    new_name: str
    old_names: frozenset[str]


# Only the clauses that the stored copy of the text shows in full (an English translation of the
# text published by Báo Bắc Kạn on 17/6/2025); the rest of the 92 stay verified: false.
NQ1683_CHECKED = (
    Checked(1, "Tân Cương", frozenset({"Thịnh Đức", "Bình Sơn", "Tân Cương"})),
    Checked(2, "Đại Phúc", frozenset({"Hùng Sơn", "Phúc Xuân", "Phúc Trìu", "Tân Thái", "Phúc Tân"})),
    Checked(3, "Thành Công", frozenset({"Vạn Phái", "Thành Công"})),
    Checked(4, "Định Hóa", frozenset({"Chợ Chu", "Phúc Chu", "Bảo Linh", "Đồng Thịnh"})),
)

# The provincial Party commission that aggregates today (kept as data, not verified).
PROVINCE_OFFICE = "Ban Tuyên giáo và Dân vận Tỉnh ủy Thái Nguyên"
