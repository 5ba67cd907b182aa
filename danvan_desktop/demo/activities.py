"""The commune's activity registers: models, branches, dialogues, movements, democracy, inspections."""

from __future__ import annotations

import datetime as dt
import random

from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.demo import texts as t
from danvan_desktop.demo.commune import CommunePlan, Row

VILLAGE_ORGS = ("MTTQ", "HLHPN", "DTN", "HND", "HCCB")  # unions (Công đoàn) sit in agencies and schools
UNION_PLACES = ("Trường Mầm non", "Trường Tiểu học", "Trường Trung học cơ sở")
BRANCH_LABELS = {
    "MTTQ": "Ban công tác Mặt trận",
    "HLHPN": "Chi hội Phụ nữ",
    "DTN": "Chi đoàn",
    "HND": "Chi hội Nông dân",
    "HCCB": "Chi hội Cựu chiến binh",
}

# (kind, inspecting body, inspected body, subject, finding, recommendation)
INSPECTIONS = (
    (
        "kiem_tra",
        "Ban Thường vụ Đảng ủy {xa}",
        "Chi bộ {xom}",
        "Việc lãnh đạo thực hiện công tác dân vận và Đề án 05-ĐA/TU {nam}",
        "Chi bộ ban hành kế hoạch kịp thời; một số chỉ tiêu còn chung chung, chưa sát thực tế.",
        "Bổ sung chỉ tiêu cụ thể cho từng phần việc, phân công đảng viên phụ trách.",
    ),
    (
        "giam_sat",
        "Ban Thường trực Ủy ban MTTQ {xa}",
        "Ủy ban nhân dân {xa}",
        "Việc giải quyết kiến nghị của cử tri sau các kỳ tiếp xúc",
        "Phần lớn kiến nghị được trả lời đúng hạn; một số kiến nghị về đất đai giải quyết còn chậm.",
        "Rà soát, trả lời dứt điểm các kiến nghị tồn đọng.",
    ),
    (
        "giam_sat",
        "Ban Thanh tra nhân dân {xa}",
        "Ban quản lý công trình {xom}",
        "Việc sử dụng kinh phí nhân dân đóng góp xây dựng công trình",
        "Thu, chi đúng mục đích, công khai tại nhà văn hóa; chứng từ còn thiếu chữ ký người nhận.",
        "Bổ sung chứng từ, công khai quyết toán sau khi hoàn thành công trình.",
    ),
    (
        "kiem_tra",
        "Ủy ban Kiểm tra Đảng ủy {xa}",
        "Chi bộ {xom}",
        "Việc thực hiện dân chủ ở cơ sở",
        "Thực hiện tốt việc công khai, họp dân bàn; biên bản họp dân chưa ghi đầy đủ ý kiến.",
        "Ghi đầy đủ ý kiến của nhân dân trong biên bản, lưu hồ sơ theo quy định.",
    ),
)


def add_activities(plan: CommunePlan) -> None:
    """The registers after the profile, houses and contributions (democracy counts the projects)."""
    plan.rows["mo_hinh_dan_van_kheo"] = _models(plan)
    plan.rows["to_chuc_doan_the"] = _branches(plan)
    plan.rows["doi_thoai_tiep_dan"] = _dialogues(plan)
    plan.rows["phong_trao_thi_dua"] = _movements(plan)
    plan.rows["dan_chu_co_so"] = [_democracy(plan)]
    plan.rows["kiem_tra_giam_sat"] = _inspections(plan)
    plan.plans_ok = len(plan.commune.villages) - (1 if plan.rng.random() < 0.25 else 0)


def _models(plan: CommunePlan) -> list[Row]:
    rng = plan.rng
    town = not plan.commune.is_xa
    choices = [(f, m) for f, models in t.MODELS.items() for m in models if t.suits(m[0], town)]
    rng.shuffle(choices)
    exemplars = [e for e in t.EXEMPLARS if t.suits(e[0], town)]
    rng.shuffle(exemplars)
    rows: list[Row] = []
    for n in range(plan.alloc.models + plan.alloc.withdrawn):
        if exemplars and rng.random() < 0.2:
            rows.append(_exemplar(plan, exemplars.pop()))
        else:
            rows.append(_model(plan, *choices.pop()))
        if n >= plan.alloc.models:
            status: Row = {"trang_thai": "rut", "ly_do_rut": t.WITHDRAWN_REASON, "tieu_bieu": False}
            rows[-1] |= status
    return rows


def _model(plan: CommunePlan, linh_vuc: str, model: tuple[str, str | None, str | None, str]) -> Row:
    name, org, other, goal = model
    v = plan.rng.choice(plan.commune.villages)
    row: Row = {
        "ten_mo_hinh": plan.fill(name.replace("{Xom}", _capital(v.label)).replace("{xom}", v.label)),
        "loai_mo_hinh": "tap_the",
        "linh_vuc": linh_vuc,
        "muc_tieu": goal,
    }
    if "{xom}" in name or "{Xom}" in name:
        row["xom"] = v.code
    if org:
        row["to_chuc_phu_trach"] = org
    if other:
        row["don_vi_phu_trach_khac"] = plan.fill(other.replace("{xom}", v.label))
    return row | _model_status(plan, linh_vuc, "nhà văn hóa" in name or "đất" in name)


def _exemplar(plan: CommunePlan, exemplar: tuple[str, str, str, bool]) -> Row:
    text, linh_vuc, org, male = exemplar
    v = plan.rng.choice(plan.commune.villages)
    who = f"{'Ông' if male else 'Bà'} {plan.person(male)}"
    row: Row = {
        "ten_mo_hinh": who + text.replace("{xom}", v.label),
        "loai_mo_hinh": "ca_nhan",
        "to_chuc_phu_trach": org,
        "xom": v.code,
        "linh_vuc": linh_vuc,
    }
    return row | _model_status(plan, linh_vuc, "đất" in text or "nhà văn hóa" in text)


def _model_status(plan: CommunePlan, linh_vuc: str, builds: bool) -> Row:
    rng = plan.rng
    year = rng.choice((plan.year - 2, plan.year - 1, plan.year, plan.year))
    weights = (85, 15, 0) if year < plan.year else (40, 30, 30)
    status = rng.choices(("cong_nhan", "tham_dinh", "dang_ky"), weights)[0]
    row: Row = {"nam_dang_ky": str(year), "trang_thai": status, "tieu_bieu": False}
    if status == "cong_nhan":
        level = rng.choices(("xa", "huyen", "tinh"), (60, 32, 8))[0]
        number = {"xa": (20, 180, "ĐU"), "huyen": (1200, 1900, "HU"), "tinh": (3000, 3600, "TU")}[level]
        decided = dt.date(min(year + rng.randint(0, 1), plan.year), rng.randint(6, 12), rng.randint(1, 28))
        row |= {
            "cap_cong_nhan": level,
            "so_quyet_dinh": f"{rng.randint(number[0], number[1])}-QĐ/{number[2]}",
            "ngay_quyet_dinh": decided.isoformat(),
            "tieu_bieu": level == "tinh" or rng.random() < 0.2,
        }
    if status == "dang_ky":
        return row
    households = rng.randint(20, 150)
    row["ket_qua_so_ho"] = households
    if linh_vuc == "kinh_te":
        row["ket_qua_tien"] = plan.money(50, 600)
        row["ket_qua_khac"] = t.MODEL_RESULTS[1]
    elif builds:
        row["ket_qua_tien"] = plan.money(20, 200)
        row["ket_qua_dat_hien"] = float(rng.randrange(100, 1500, 10))
        row["ket_qua_ngay_cong"] = rng.randrange(100, 800, 10)
        row["ket_qua_khac"] = t.MODEL_RESULTS[2]
    else:
        row["ket_qua_khac"] = rng.choice(t.MODEL_RESULTS[2:])
    return row


# -- organizations ---------------------------------------------------------------------------


def _branches(plan: CommunePlan) -> list[Row]:
    rng = plan.rng
    rows: list[Row] = []
    for v in plan.commune.villages:
        town = v.kind == UnitKind.TO_DAN_PHO.value
        eligible = {
            "HLHPN": round(v.people * rng.uniform(0.33, 0.38)),
            "DTN": round(v.people * rng.uniform(0.17, 0.23)),
            "HND": round(v.households * (rng.uniform(0.25, 0.4) if town else rng.uniform(0.9, 1.2))),
            "HCCB": rng.randint(8, 25),
        }
        coverage = {"HLHPN": (0.8, 0.95), "DTN": (0.5, 0.75), "HND": (0.75, 0.95), "HCCB": (0.9, 1.0)}
        for org in VILLAGE_ORGS:
            row: Row = {"to_chuc": org, "xom": v.code, "ten_chi_hoi": f"{BRANCH_LABELS[org]} {v.label}"}
            if org == "MTTQ":
                row |= {"hoi_vien": rng.randint(7, 11), "ghi_chu": "Số thành viên Ban công tác Mặt trận."}
            else:
                members = round(eligible[org] * rng.uniform(*coverage[org]))
                row |= {"hoi_vien": members, "doi_tuong": eligible[org]}
                row["hoi_vien_moi"] = round(members * rng.uniform(0.0, 0.08))
            row["xep_loai"] = _rating(rng)
            rows.append(row)
    for place in UNION_PLACES:
        members = rng.randint(12, 40)
        rows.append(
            {
                "to_chuc": "CD",
                "ten_chi_hoi": f"Công đoàn cơ sở {place} {plan.commune.name}",
                "hoi_vien": members,
                "doi_tuong": members + rng.randint(0, 2),
                "hoi_vien_moi": rng.randint(0, 3),
                "xep_loai": _rating(rng),
            }
        )
    return rows


# -- dialogues, movements, democracy, inspections ----------------------------------------------


def _dialogues(plan: CommunePlan) -> list[Row]:
    rng, c = plan.rng, plan.commune
    rows: list[Row] = []
    topics = rng.sample(t.DIALOGUE_TOPICS, 2)
    for k in range(1 if rng.random() < 0.3 else 2):
        v = rng.choice(c.villages)
        row = _petitions(plan, rng.randint(4, 14), rng.randrange(60, 160, 5))
        row |= {"ngay": plan.day(3 + 5 * k, 5 + 5 * k).isoformat(), "hinh_thuc": "doi_thoai"}
        row |= {"chu_tri": plan.officials["bi_thu"], "chu_de": topics[k], "xom": v.code}
        rows.append(row)
    for k, month in enumerate((6, 11)):
        row = _petitions(plan, rng.randint(3, 12), rng.randrange(40, 120, 5))
        row |= {"ngay": plan.date(month, rng.randint(5, 25)).isoformat(), "hinh_thuc": "tiep_xuc"}
        row |= {
            "chu_tri": plan.officials["mttq"],
            "chu_de": f"Tiếp xúc cử tri trước kỳ họp thứ {7 + k} Hội đồng nhân dân {c.label}",
        }
        rows.append(row)
    for month in sorted(rng.sample(range(1, 13), rng.randint(2, 3))):
        row = _petitions(plan, rng.randint(1, 5), rng.randint(2, 10))
        row |= {"ngay": plan.date(month, 15).isoformat(), "hinh_thuc": "tiep_dan"}
        row |= {
            "chu_tri": plan.officials["chu_tich"],
            "chu_de": f"Tiếp công dân định kỳ tháng {plan.month(month)}/{plan.year}",
        }
        rows.append(row)
    return rows


def _petitions(plan: CommunePlan, received: int, attendees: int) -> Row:
    resolved = round(received * plan.rng.uniform(0.7, 1.0))
    return {
        "so_nguoi_du": attendees,
        "so_kien_nghi": received,
        "so_da_giai_quyet": resolved,
        "so_dang_giai_quyet": received - resolved,
        "noi_dung_kien_nghi": "\n".join(plan.rng.sample(t.PETITIONS, 2)),
    }


def _movements(plan: CommunePlan) -> list[Row]:
    rng, c = plan.rng, plan.commune
    people = sum(v.people for v in c.villages)
    households = sum(v.households for v in c.villages)
    chosen = [t.MOVEMENTS[0], *rng.sample(t.MOVEMENTS[1:], rng.randint(3, 5))]
    rows: list[Row] = []
    for name, kind, org, other, result in chosen:
        row: Row = {"ten_phong_trao": name, "hinh_thuc": kind, "ket_qua": plan.fill(result)}
        row["ngay_bat_dau"] = plan.day(1, 3).isoformat()
        if kind == "phong_trao_thi_dua":
            row["ngay_ket_thuc"] = plan.day(11, 12).isoformat()
        if org:
            row["to_chuc_phat_dong"] = org
        else:
            row["co_quan_phat_dong_khac"] = plan.fill(other or "")
        share = {"HCCB": 0.03, "DTN": 0.15, "HLHPN": 0.3}.get(org or "", 0.6)
        row["so_nguoi_tham_gia"] = round(people * share * rng.uniform(0.8, 1.2))
        if org not in ("HCCB", "DTN"):
            row["so_ho_tham_gia"] = round(households * rng.uniform(0.5, 0.95))
        row["khen_thuong_tap_the"] = rng.randint(1, 6)
        row["khen_thuong_ca_nhan"] = rng.randint(3, 20)
        row["hinh_thuc_khen_thuong"] = plan.fill(rng.choice(t.AWARDS))
        rows.append(row)
    return rows


def _democracy(plan: CommunePlan) -> Row:
    rng, c = plan.rng, plan.commune
    villages = len(c.villages)
    ttnd = rng.randint(2, 6)
    invest = rng.randint(0, 3)
    return {
        "so_noi_dung_cong_khai": rng.randint(20, 45),
        "hinh_thuc_cong_khai": sorted(
            rng.sample(["niem_yet", "truyen_thanh", "hoi_nghi", "trang_thong_tin", "mang_xa_hoi"], 4)
        ),
        "so_cuoc_hop_cong_dong": villages * rng.randint(2, 4),
        "so_noi_dung_ban_quyet_dinh": rng.randint(5, 15),
        "so_noi_dung_tham_gia_y_kien": rng.randint(4, 12),
        "so_huong_uoc_quy_uoc": rng.randint(0, villages // 3),
        "so_thanh_vien_bttnd": rng.randint(5, 9),
        "so_cuoc_hop_bttnd": rng.randint(4, 12),
        "so_vu_viec_giam_sat": rng.randint(2, 6),
        "so_kien_nghi_bttnd": ttnd,
        "so_kien_nghi_bttnd_da_giai_quyet": ttnd - rng.randint(0, 1),
        "so_cong_trinh_giam_sat": len(plan.rows["dong_gop_nhan_dan"]) + rng.randint(0, 2),
        "so_kien_nghi_gsdtcd": invest,
        "so_kien_nghi_gsdtcd_da_giai_quyet": invest,
        "hoat_dong_gsdtcd": (
            "Ban Giám sát đầu tư của cộng đồng giám sát các công trình đường giao thông, kênh mương, "
            "nhà văn hóa; kiến nghị chủ đầu tư khắc phục một số hạng mục chưa bảo đảm kỹ thuật."
        ),
        "ghi_chu": (
            "Nhân dân được bàn, quyết định mức đóng góp xây dựng công trình; các nội dung công khai "
            "kịp thời. Hạn chế: một số cuộc họp dân ở xóm còn ít người dự."
        ),
    }


def _inspections(plan: CommunePlan) -> list[Row]:
    rng = plan.rng
    rows: list[Row] = []
    for kind, who, whom, subject, found, advice in rng.sample(INSPECTIONS, rng.randint(2, 3)):
        v = rng.choice(plan.commune.villages)
        day = plan.day(4, 10)
        row: Row = {
            "hinh_thuc": kind,
            "chu_the": plan.fill(who),
            "doi_tuong": plan.fill(whom.replace("{xom}", v.label)),
            "ngay": day.isoformat(),
            "noi_dung": subject.format(nam=plan.period_words),
            "ket_qua": found,
            "kien_nghi": advice,
        }
        if rng.random() < 0.8:
            deadline = day + dt.timedelta(days=rng.randint(30, 60))
            row |= {"tinh_trang": "da_thuc_hien", "han_thuc_hien": deadline.isoformat()}
        else:
            row["tinh_trang"] = "dang_thuc_hien"
        rows.append(row)
    return rows


def _rating(rng: random.Random) -> str:
    options = ("hoan_thanh_xuat_sac", "hoan_thanh_tot", "hoan_thanh", "khong_hoan_thanh")
    return rng.choices(options, (20, 55, 22, 3))[0]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
