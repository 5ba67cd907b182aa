"""Demo rows that sum up other records: NTM progress, Project 05 indicators, the district's inspections."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from danvan_desktop.demo import texts as t
from danvan_desktop.demo.commune import Commune, CommunePlan, Row, count, total

Facts = list[tuple[float, float]]  # per indicator: (result, target) or (numerator, denominator)
# (name, unit, kind, the target of a percentage; None: the target comes with the facts)
INDICATORS: tuple[tuple[str, str, str, float | None], ...] = (
    ("Tỷ lệ chi bộ ban hành nghị quyết, kế hoạch thực hiện công tác dân vận", "%", "phan_dau", 100),
    ('Số mô hình, điển hình "Dân vận khéo" được công nhận', "mô hình", "phan_dau", None),
    ("Tỷ lệ xóm, tổ dân phố có nhà văn hóa", "%", "phan_dau", 100),
    ("Số cuộc đối thoại của người đứng đầu cấp ủy, chính quyền với nhân dân", "cuộc", "phan_dau", None),
    ("Tỷ lệ kiến nghị của nhân dân được giải quyết, trả lời", "%", "phan_dau", 90),
    ("Tỷ lệ tập hợp phụ nữ vào tổ chức Hội", "%", "phan_dau", 85),
    ("Số vụ khiếu kiện đông người, vượt cấp", "vụ", "khong_che", None),
    ('Tỷ lệ hộ gia đình đạt danh hiệu "Gia đình văn hóa"', "%", "phan_dau", 85),
)
NTM_INDICATOR: tuple[str, str, str, float | None] = ("Số xã đạt chuẩn nông thôn mới", "xã", "phan_dau", None)
NOTES = (
    "Một chi bộ ban hành kế hoạch chậm, nội dung còn chung chung; đã được nhắc nhở, bổ sung.",
    "Một số mô hình đăng ký {nam} đang thẩm định, chưa được công nhận.",
    "Còn {missing} {word} chưa có nhà văn hóa; đã bố trí quỹ đất, dự kiến xây dựng năm {next}.",
    "Cuộc đối thoại thứ hai chuyển sang quý I năm {next}.",
    "Một số kiến nghị liên quan đến đất đai cần thời gian xác minh, đang giải quyết.",
    "Một số chi hội chưa thu hút được phụ nữ trẻ đi làm ăn xa tham gia sinh hoạt.",
    "",
    "Một số hộ chưa chấp hành tốt hương ước, quy ước; chưa tham gia đầy đủ các phong trào.",
)
DISTRICT_NOTE = "Một số đơn vị chưa đạt; nguyên nhân nêu trong báo cáo của từng đơn vị."
DISTRICT_INSPECTIONS = (
    (
        "kiem_tra",
        "Đoàn kiểm tra của Ban Thường vụ Huyện ủy",
        "một số chi bộ xây dựng kế hoạch thực hiện các chỉ tiêu của Đề án còn chung chung, chưa cụ thể.",
    ),
    (
        "kiem_tra",
        "Ban Dân vận Huyện ủy",
        "việc cụ thể hóa văn bản của Trung ương, của tỉnh về công tác dân "
        "vận, dân tộc, tôn giáo có lúc còn chậm.",
    ),
    (
        "giam_sat",
        "Ban Thường trực Ủy ban MTTQ huyện",
        "biên bản họp dân bàn mức đóng góp xây dựng công trình chưa ghi đầy đủ ý kiến của nhân dân.",
    ),
)
RECOGNIZED_BY = "Ủy ban nhân dân tỉnh Thái Nguyên"


def ntm_row(plan: CommunePlan, criteria: dict[str, str]) -> Row:
    """The xã's new-rural standing; `criteria` maps the numbers of the set in force to their labels."""
    rng, level = plan.rng, plan.alloc.ntm_level or "chua_dat"
    houses = plan.rows["nha_van_hoa"]
    missing: list[str] = []
    if level == "chua_dat":
        hard = [n for n in t.HARD_CRITERIA if n in criteria]
        missing = rng.sample(hard, min(len(hard), rng.randint(2, 6)))
        if count(houses, "tinh_trang", "chua_co") and "6" in criteria and "6" not in missing:
            missing.append("6")  # a village without a cultural house: criterion 6 cannot be met
    met = [n for n in criteria if n not in missing]
    mirrored = {r["xom"] for i, r in enumerate(plan.rows["dong_gop_nhan_dan"]) if i in plan.mirrored}
    houses = [h for h in houses if h["xom"] not in mirrored]  # those are counted with the projects
    gifts = plan.rows["dong_gop_nhan_dan"]
    people = sum(total(gifts, k) for k in ("dong_gop_tien", "hien_vat_quy_doi")) + sum(
        total(houses, k) for k in ("nhan_dan_dong_gop_tien", "hien_vat_quy_doi")
    )
    row: Row = {
        "tieu_chi_dat": met,
        "muc_dat": level,
        "von_ngan_sach": round(total(gifts, "ngan_sach_nha_nuoc") + total(houses, "ngan_sach_nha_nuoc"))
        + plan.money(2000, 8000),
        "von_nhan_dan": round(people),
        "von_khac": plan.money(300, 2500),
    }
    if level == "chua_dat":
        labels = "; ".join(criteria[n] for n in sorted(missing, key=int))
        row["tieu_chi_chua_dat"] = (
            f"Còn {len(missing)} tiêu chí chưa đạt: {labels}. Nguyên nhân: địa bàn rộng, địa hình chia cắt, "
            "xuất phát điểm thấp; nguồn lực đầu tư còn hạn chế. Giải pháp: vận động nhân dân phát triển sản "
            "xuất, tăng thu nhập; lồng ghép các nguồn vốn đầu tư hạ tầng."
        )
        row["so_tieu_chi_phan_dau"] = min(len(criteria), len(met) + rng.randint(1, 3))
        return row
    first = rng.randint(2015, 2017) if level == "nang_cao" else rng.randint(2016, 2022)
    decided = dt.date(2022 if level == "nang_cao" else first, rng.randint(9, 12), rng.randint(1, 28))
    row |= {
        "nam_dat_chuan": str(first),
        "so_quyet_dinh": f"{rng.randint(1000, 4200)}/QĐ-UBND",
        "ngay_quyet_dinh": decided.isoformat(),
        "co_quan_cong_nhan": RECOGNIZED_BY,
        "so_tieu_chi_phan_dau": len(criteria),
        "tieu_chi_chua_dat": "Đã đạt toàn bộ tiêu chí; tiếp tục duy trì, nâng chất các tiêu chí Thu nhập, "
        "Môi trường và an toàn thực phẩm"
        + (
            "."
            if level == "nang_cao"
            else f"; phấn đấu đạt chuẩn nông thôn mới nâng cao năm {max(2025, plan.year + 1)}."
        ),
    }
    return row


def commune_facts(plan: CommunePlan) -> Facts:
    """What the commune's indicators are computed from, in the order of INDICATORS."""
    rng, rows = plan.rng, plan.rows
    villages = len(plan.commune.villages)
    models = [m for m in rows["mo_hinh_dan_van_kheo"] if m["trang_thai"] == "cong_nhan"]
    talks = rows["doi_thoai_tiep_dan"]
    women = [b for b in rows["to_chuc_doan_the"] if b["to_chuc"] == "HLHPN"]
    households = total(rows["ho_so_xa"], "so_ho")
    return [
        (plan.plans_ok, villages),
        (len(models), max(1, len(models) + rng.choice((-2, -1, 0, 0, 1, 2)))),
        (villages - count(rows["nha_van_hoa"], "tinh_trang", "chua_co"), villages),
        (count(talks, "hinh_thuc", "doi_thoai"), 2),
        (total(talks, "so_da_giai_quyet"), total(talks, "so_kien_nghi")),
        (total(women, "hoi_vien"), total(women, "doi_tuong")),
        (0, 0),
        (round(households * rng.uniform(0.82, 0.94)), households),
    ]


def indicator_rows(
    facts: Facts, notes: Sequence[str], specs: Sequence[tuple[str, str, str, float | None]]
) -> list[Row]:
    rows: list[Row] = []
    for number, ((name, unit, kind, share), (a, b), note) in enumerate(
        zip(specs, facts, notes, strict=True), 1
    ):
        if share is None:
            target, result = b, a
        else:
            target, result = share, round(a / b * 100, 2) if b else 0.0
        row: Row = {
            "so_thu_tu": number,
            "ten_chi_tieu": name,
            "don_vi_tinh": unit,
            "loai_chi_tieu": kind,
            "chi_tieu": target,
            "ket_qua": result,
        }
        if (result > target if kind == "khong_che" else result < target) and note:
            row["ghi_chu"] = note
        rows.append(row)
    return rows


def commune_indicators(plan: CommunePlan, facts: Facts) -> list[Row]:
    missing = count(plan.rows["nha_van_hoa"], "tinh_trang", "chua_co")
    words = {"word": plan.commune.village_word, "nam": plan.period_words, "next": plan.year + 1}
    notes = [n.format(missing=missing, **words) for n in NOTES]
    return indicator_rows(facts, notes, INDICATORS)


def district_indicators(facts: Sequence[Facts], ntm: tuple[int, int]) -> list[Row]:
    summed = [(sum(f[i][0] for f in facts), sum(f[i][1] for f in facts)) for i in range(len(INDICATORS))]
    specs = (*INDICATORS, NTM_INDICATOR)
    return indicator_rows([*summed, (float(ntm[0]), float(ntm[1]))], [DISTRICT_NOTE] * len(specs), specs)


def district_inspections(rng: random.Random, communes: Sequence[Commune], year: int = 2023) -> list[Row]:
    rows: list[Row] = []
    for k, commune in enumerate(rng.sample(list(communes), min(4, len(communes)))):
        kind, who, finding = DISTRICT_INSPECTIONS[k % len(DISTRICT_INSPECTIONS)]
        day = dt.date(year, 5 + k, rng.randint(3, 25))
        rows.append(
            {
                "hinh_thuc": kind,
                "chu_the": who,
                "doi_tuong": f"Đảng ủy {commune.label}",
                "ngay": day.isoformat(),
                "noi_dung": f"Việc thực hiện Đề án 05-ĐA/TU và công tác dân vận năm {year}",
                "ket_qua": "Đơn vị triển khai nghiêm túc các nhiệm vụ, nhiều chỉ tiêu đạt và vượt. "
                f"Hạn chế: {finding}",
                "kien_nghi": "Khắc phục hạn chế, báo cáo kết quả về Ban Dân vận Huyện ủy.",
                "tinh_trang": "da_thuc_hien",
                "han_thuc_hien": (day + dt.timedelta(days=45)).isoformat(),
            }
        )
    return rows
