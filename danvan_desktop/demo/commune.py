"""One commune's demo records for a year: the registers and aggregate forms, consistent with each other.

Pure planning (no database): values are produced as a clerk would type them; demo_records.py stores
them through the entry service, which validates each one with the form's rules.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.demo import texts as t

Row = dict[str, object]
MILLION = 1_000_000


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    kind: str
    households: int
    people: int

    @property
    def label(self) -> str:
        """ "xóm Nà Mòn", "tổ dân phố Hợp Thành"."""
        return f"{UnitKind(self.kind).label} {self.name}"


@dataclass(frozen=True)
class Commune:
    id: int
    code: str
    name: str
    kind: str
    villages: tuple[Village, ...]

    @property
    def is_xa(self) -> bool:
        return self.kind == UnitKind.XA.value

    @property
    def label(self) -> str:
        """ "xã Phúc Chu", "thị trấn Chợ Chu"."""
        return f"{UnitKind(self.kind).label} {self.name}"

    @property
    def village_word(self) -> str:
        return "xóm" if self.is_xa else "tổ dân phố"  # thị trấn and phường have residential groups


@dataclass(frozen=True)
class Allocation:
    """The commune's share of the district's headline figures, decided for the whole district."""

    models: int  # not counting withdrawn ones
    withdrawn: int
    built: frozenset[str]  # village codes whose cultural house was built or enlarged
    ntm_level: str | None  # None: a town, where new-rural standards do not apply


@dataclass
class CommunePlan:
    """The commune's rows by form id, and the few figures later rows and the narrative need."""

    commune: Commune
    alloc: Allocation
    rng: random.Random
    rows: dict[str, list[Row]] = field(default_factory=dict)
    mirrored: set[int] = field(default_factory=set)  # contribution rows copying a cultural house
    plans_ok: int = 0  # chi bộ with a mass-mobilization plan
    officials: dict[str, str] = field(default_factory=dict)
    year: int = 2023
    first_month: int = 1  # 1: the whole year; 7: its second half (2025-H2)

    def person(self, male: bool | None = None) -> str:
        male = self.rng.random() < 0.5 if male is None else male
        given = self.rng.choice(t.MALE if male else t.FEMALE)
        return f"{self.rng.choice(t.SURNAMES)} {'Văn' if male else 'Thị'} {given}"

    def fill(self, c: str) -> str:
        return c.replace("{xa}", self.commune.label)

    def money(self, low: float, high: float) -> int:
        """A random amount in đồng between low and high million, in steps of 100.000 đồng."""
        return self.rng.randint(round(low * 10), round(high * 10)) * MILLION // 10

    @property
    def period_words(self) -> str:
        """ "năm 2023", "6 tháng cuối năm 2025"."""
        return f"năm {self.year}" if self.first_month == 1 else f"6 tháng cuối năm {self.year}"

    def month(self, month: int) -> int:
        """A month of a calendar year placed in the plan's period (itself for a whole year)."""
        return self.first_month + (month - 1) * (13 - self.first_month) // 12

    def date(self, month: int, day: int) -> dt.date:
        return dt.date(self.year, self.month(month), day)

    def day(self, first_month: int, last_month: int) -> dt.date:
        return self.date(self.rng.randint(first_month, last_month), self.rng.randint(1, 28))

    def build(self) -> None:
        c = self.commune
        self.officials = {
            "bi_thu": f"{self.person(True)}, Bí thư Đảng ủy {c.label}",
            "chu_tich": f"{self.person()}, Chủ tịch Ủy ban nhân dân {c.label}",
            "mttq": f"{self.person()}, Chủ tịch Ủy ban MTTQ {c.label}",
        }
        self.rows["nha_van_hoa"] = [self._house(v) for v in c.villages]
        self.rows["ho_so_xa"] = [self._profile()]
        self.rows["dong_gop_nhan_dan"] = self._contributions()

    # -- profile ---------------------------------------------------------------------------------

    def _profile(self) -> Row:
        c, rng = self.commune, self.rng
        people = sum(v.people for v in c.villages)
        households = sum(v.households for v in c.villages)
        town = not c.is_xa
        shares = {
            "dan_toc_tay": rng.uniform(0.25, 0.33) if town else rng.uniform(0.4, 0.6),
            "dan_toc_nung": rng.uniform(0.03, 0.09),
            "dan_toc_dao": rng.uniform(0.04, 0.14) if not town and rng.random() < 0.4 else 0.0,
            "dan_toc_san_chay": rng.uniform(0.02, 0.07) if not town and rng.random() < 0.5 else 0.0,
            "dan_toc_khac": rng.uniform(0.003, 0.015),
        }
        ethnic = {k: n for k, s in shares.items() if (n := round(people * s))}
        kinh = people - sum(ethnic.values())
        names = {"dan_toc_nung": "Nùng", "dan_toc_dao": "Dao", "dan_toc_san_chay": "Sán Chay"}
        others = [names[k] for k in names if k in ethnic]
        groups = 2 + len(others) + 2  # Kinh, Tày, the named others, and at least two more (Mông, Hoa...)
        tay_pct, kinh_pct = _pct(ethnic["dan_toc_tay"], people), _pct(kinh, people)
        first, second = ("Kinh", kinh_pct), ("Tày", tay_pct)
        if not town:
            first, second = second, first
        poor = round(households * (rng.uniform(0.01, 0.02) if town else rng.uniform(0.03, 0.12)))
        believers = rng.randint(150, 400) if town else rng.randint(10, 150)
        places = rng.randint(1, 2) if town else rng.randint(0, 1)
        where = "sinh hoạt tại cơ sở thờ tự trên địa bàn" if places else "chủ yếu sinh hoạt tại gia đình"
        return {
            "so_xom": len(c.villages),
            "so_nha_van_hoa": len(c.villages) - self._without_house(),
            "dien_tich_tu_nhien": round(rng.uniform(420, 520) if town else rng.uniform(1500, 4500), 2),
            "so_ho": households,
            "so_nhan_khau": people,
            "so_ho_ngheo": poor,
            "so_dan_toc": groups,
            "dan_toc_kinh": kinh,
            **ethnic,
            "mo_ta_dan_toc": (
                f"Trên địa bàn có {groups} dân tộc cùng sinh sống, đông nhất là dân tộc {first[0]} "
                f"({first[1]}%) và {second[0]} ({second[1]}%); còn lại là các dân tộc {', '.join(others)} "
                "và một số dân tộc khác. Đồng bào sống đan xen, đoàn kết, giữ gìn nhiều phong tục "
                "tốt đẹp như hát Then, đàn Tính, lễ hội Lồng tồng."
            ),
            "so_nguoi_theo_ton_giao": believers,
            "so_co_so_tho_tu": places,
            "mo_ta_ton_giao": (
                f"Có {believers} người theo đạo Phật và đạo Công giáo, {where}; hoạt động tôn giáo "
                "ổn định, đúng quy định của pháp luật."
            ),
        }

    def _without_house(self) -> int:
        return sum(1 for r in self.rows.get("nha_van_hoa", []) if r["tinh_trang"] == "chua_co")

    # -- cultural houses -------------------------------------------------------------------------

    def _house(self, v: Village) -> Row:
        rng = self.rng
        if v.code in self.alloc.built:
            status = "xay_moi" if rng.random() < 0.55 else "mo_rong"
        elif self.alloc.ntm_level == "chua_dat" and rng.random() < 0.35:
            status = "chua_co"
        else:
            status = "sua_chua" if rng.random() < 0.5 else "dat_chuan_khong_can"
        row: Row = {"xom": v.code, "tinh_trang": status}
        if status == "chua_co":
            row["ghi_chu"] = (
                f"Nhân dân {v.label} sinh hoạt nhờ tại nhà văn hóa xóm bên; "
                f"đã bố trí quỹ đất, dự kiến xây dựng năm {self.year + 1}."
            )
            return row
        row["dien_tich_khuon_vien"] = float(rng.randrange(300, 1200, 10))
        if status == "dat_chuan_khong_can":
            row["nam_hoan_thanh"] = str(rng.randint(2012, 2020))
            return row
        new, enlarged = status == "xay_moi", status == "mo_rong"
        y = self.year
        row["nam_hoan_thanh"] = str(y) if not (new or enlarged) else str(rng.choice((y - 2, y - 1, y, y)))
        row["ngan_sach_nha_nuoc"] = self.money(*((250, 450) if new else (80, 200) if enlarged else (20, 60)))
        row["nhan_dan_dong_gop_tien"] = self.money(*((10, 40) if new else (5, 25) if enlarged else (2, 10)))
        if (new or enlarged) and rng.random() < 0.5:
            row["hien_vat_quy_doi"] = self.money(1, 15 if new else 8)
        land = float(rng.randrange(50, 600, 10)) if (new or enlarged) and rng.random() < 0.65 else 0.0
        if land:
            row["dat_hien"] = land
        row["ngay_cong"] = rng.randrange(200, 600, 10) if new else rng.randrange(40, 300, 10)
        row["so_ho_dong_gop"] = round(v.households * rng.uniform(0.7, 1.0))
        if land and rng.random() < 0.5:
            row["ghi_chu"] = f"Hộ {self.person()} hiến {number_text(land)} m² đất để mở rộng khuôn viên."
        elif rng.random() < 0.3:
            row["ghi_chu"] = f"Nhân dân góp {row['ngay_cong']} ngày công san ủi mặt bằng, làm sân, tường rào."
        return row

    # -- contributions ---------------------------------------------------------------------------

    def _contributions(self) -> list[Row]:
        c, rng = self.commune, self.rng
        rows: list[Row] = []
        used: set[tuple[int, str]] = set()
        wanted = rng.randint(4, 6)
        while len(rows) < wanted:
            i, v = rng.randrange(len(t.PROJECTS)), rng.choice(c.villages)
            if (i, v.code) in used or not t.suits(t.PROJECTS[i][1], not c.is_xa):
                continue
            used.add((i, v.code))
            rows.append(self._project(i, v))
        houses = [r for r in self.rows["nha_van_hoa"] if r["tinh_trang"] == "xay_moi"]
        houses = [r for r in houses if r["nam_hoan_thanh"] == str(self.year)]
        if houses and rng.random() < 0.6:
            self.mirrored.add(len(rows))
            rows.append(self._house_project(rng.choice(houses)))
        return rows

    def _project(self, index: int, v: Village) -> Row:
        rng = self.rng
        kind, title, scale, other = t.PROJECTS[index]
        sizes = {
            "km": number_text(round(rng.uniform(0.4, 2.2), 1)),
            "m": str(rng.randrange(200, 900, 10)),
            "lamps": str(rng.randrange(20, 60)),
            "area": str(rng.randrange(150, 400, 10)),
            "cubic": str(rng.randrange(20, 60, 5)),
        }
        start = self.day(2, 8)
        end = min(start + dt.timedelta(days=rng.randint(30, 120)), dt.date(self.year, 12, 20))
        households = round(v.households * rng.uniform(0.6, 1.0))
        ranges = {  # cash, land, labour, state (million đồng, m², ngày công, million đồng)
            "duong_giao_thong": ((8, 45), (150, 1500), (150, 900), (80, 400)),
            "kenh_muong": ((3, 15), (0, 80), (100, 400), (100, 450)),
            "dien_chieu_sang": ((10, 35), (0, 0), (20, 80), (0, 60)),
            "truong_hoc": ((0, 10), (150, 500), (50, 200), (300, 800)),
            "khac": ((5, 30), (0, 0), (80, 300), (0, 300)),
        }[kind]
        land = float(rng.randrange(ranges[1][0], ranges[1][1] + 1, 10)) if ranges[1][1] else 0.0
        row: Row = {
            "ten_cong_trinh": self.fill(title.format(xom=v.label, xa="{xa}")),
            "loai_cong_trinh": kind,
            "xom": v.code,
            "quy_mo": scale.format(**sizes),
            "ngay_khoi_cong": start.isoformat(),
            "ngay_hoan_thanh": end.isoformat(),
            "so_ho_tham_gia": households,
            "dong_gop_tien": self.money(*ranges[0]),
            "ngay_cong": rng.randrange(ranges[2][0], ranges[2][1] + 1, 10),
            "ngan_sach_nha_nuoc": self.money(*ranges[3]),
        }
        if other:
            row["loai_khac"] = other
        if land:
            row["dat_hien"] = land
            row["so_ho_hien_dat"] = min(households, rng.randint(1, 25))
        if rng.random() < 0.45:
            row["hien_vat_quy_doi"] = self.money(1, 20)
        if rng.random() < 0.4:
            row["ghi_chu"] = rng.choice(t.PROJECT_NOTES)
        return row

    def _house_project(self, house: Row) -> Row:
        village = next(v for v in self.commune.villages if v.code == house["xom"])
        start = self.day(2, 6)
        row: Row = {
            "ten_cong_trinh": f"Xây dựng nhà văn hóa {village.label}",
            "loai_cong_trinh": "nha_van_hoa",
            "xom": village.code,
            "quy_mo": f"Nhà cấp 4, khuôn viên {number_text(house['dien_tich_khuon_vien'])} m²",
            "ngay_khoi_cong": start.isoformat(),
            "ngay_hoan_thanh": (start + dt.timedelta(days=self.rng.randint(90, 150))).isoformat(),
            "so_ho_tham_gia": house["so_ho_dong_gop"],
            "dong_gop_tien": house["nhan_dan_dong_gop_tien"],
            "ngay_cong": house["ngay_cong"],
            "ngan_sach_nha_nuoc": house["ngan_sach_nha_nuoc"],
            "ghi_chu": "Cùng công trình trong biểu Nhà văn hóa xóm.",
        }
        for key in ("hien_vat_quy_doi", "dat_hien"):
            if key in house:
                row[key] = house[key]
        if "dat_hien" in row:
            row["so_ho_hien_dat"] = self.rng.randint(1, 3)
        return row


def _pct(part: float, whole: float) -> str:
    return number_text(round(part / whole * 100, 1)) if whole else "0"


def number_text(value: object) -> str:
    """ "1.234", "1.234,5": Vietnamese grouping and decimal mark."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    whole, frac = f"{value:,.2f}".rstrip("0").split(".")
    return f"{whole.replace(',', '.')},{frac}"


def total(rows: list[Row], key: str) -> float:
    """The sum of a numeric field over rows (missing values count as 0)."""
    return sum(float(v) for r in rows if isinstance(v := r.get(key), int | float) and not isinstance(v, bool))


def count(rows: list[Row], key: str, *values: object) -> int:
    return sum(1 for r in rows if r.get(key) in values)
