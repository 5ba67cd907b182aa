"""The narrative of a demo commune's return (biểu bao_cao_tong_hop), written from its own records."""

from __future__ import annotations

from danvan_desktop.demo.commune import CommunePlan, Row, count, number_text, total
from danvan_desktop.demo.texts import suits

STRENGTHS = (
    "Cấp ủy, chính quyền quan tâm lãnh đạo, chỉ đạo công tác dân vận; Mặt trận và các đoàn thể chủ động, "
    "tích cực vào cuộc.",
    "Đội ngũ cán bộ, đảng viên gương mẫu, đi đầu trong các phong trào; nhân dân đồng thuận, tin tưởng.",
    "Các mô hình dân vận khéo được lựa chọn sát thực tế, mang lại hiệu quả rõ nét, được nhân rộng.",
)
WEAKNESSES = (
    "Một số chi bộ xây dựng kế hoạch thực hiện các chỉ tiêu của Đề án còn chung chung, chưa cụ thể.",
    "Việc cụ thể hóa các văn bản của cấp trên về công tác dân vận, công tác dân tộc, tôn giáo "
    "có lúc còn chậm.",
    "Một số mô hình dân vận khéo chưa có kết quả rõ nét, khó nhân rộng.",
)
CAUSES = (
    "Nguyên nhân: một số cán bộ chưa sâu sát cơ sở; {hardship}; đời sống của một bộ phận nhân dân "
    "còn khó khăn nên việc huy động nguồn lực còn hạn chế."
)
LESSONS = (
    "Phát huy vai trò nêu gương của cán bộ, đảng viên, người có uy tín trong cộng đồng.",
    "Công khai, minh bạch, để nhân dân bàn và quyết định mức đóng góp.",
    "Lựa chọn việc cụ thể, thiết thực, gắn với lợi ích trực tiếp của nhân dân.",
)
TASKS = (
    "Tiếp tục thực hiện Đề án 05-ĐA/TU; nâng cao chất lượng xây dựng, nhân rộng mô hình dân vận khéo.",
    "Vận động nhân dân tiếp tục hiến đất, góp công, góp của xây dựng nông thôn mới, đô thị văn minh.",
    "Duy trì đối thoại, tiếp công dân; giải quyết kịp thời kiến nghị chính đáng của nhân dân.",
    "Thực hiện tốt Luật Thực hiện dân chủ ở cơ sở; phát huy vai trò giám sát của Mặt trận và các đoàn thể.",
)
PROPOSALS = (
    "Đề nghị huyện tiếp tục hỗ trợ xi măng làm đường giao thông nông thôn, kênh mương nội đồng.",
    "Đề nghị Ban Dân vận Huyện ủy tổ chức tập huấn nghiệp vụ công tác dân vận cho cán bộ cơ sở.",
    "Đề nghị huyện hỗ trợ kinh phí xây dựng nhà văn hóa cho các xóm còn khó khăn.",
)


def narrative(plan: CommunePlan, ntm: Row | None) -> Row:
    """Sections I-V of the commune's return, quoting the figures of its other records."""
    rng, c = plan.rng, plan.commune
    name, word = c.label[:1].upper() + c.label[1:], c.village_word
    town = not c.is_xa
    profile = plan.rows["ho_so_xa"][0]
    people = total([profile], "so_nhan_khau")
    minority = people - total([profile], "dan_toc_kinh")
    economy = (
        "thương mại, dịch vụ và tiểu thủ công nghiệp"
        if town
        else "sản xuất nông, lâm nghiệp, trồng chè và trồng rừng"
    )
    hardship = (
        "ý thức chấp hành quy định về trật tự đô thị của một số hộ chưa cao"
        if town
        else "địa bàn rộng, giao thông đi lại ở một số xóm vùng cao còn khó khăn"
    )
    situation = (
        f"{name} có {len(c.villages)} {word} với {_n(profile['so_ho'])} hộ, {_n(people)} nhân khẩu; "
        f"đồng bào các dân tộc thiểu số chiếm {_pct(minority, people)}% dân số. "
        f"Kinh tế chủ yếu là {economy}; "
        f"tỷ lệ hộ nghèo còn {_pct(total([profile], 'so_ho_ngheo'), total([profile], 'so_ho'))}%.\n"
        f"{plan.period_words[:1].upper()}{plan.period_words[1:]}, tình hình chính trị, an ninh trật tự "
        "trên địa bàn ổn định; nhân dân tin tưởng vào sự "
        "lãnh đạo của Đảng, sự quản lý, điều hành của chính quyền. Bên cạnh thuận lợi, còn một số khó khăn: "
        f"{hardship}; thu nhập của một bộ phận nhân dân chưa ổn định."
    )
    proposals = [p.replace("xóm", word) for p in PROPOSALS if suits(p, town)]
    plan_day = plan.date(rng.randint(1, 2), rng.randint(3, 28))
    leadership = (
        f"Ban Thường vụ Đảng ủy ban hành Kế hoạch số {rng.randint(20, 60)}-KH/ĐU ngày "
        f"{plan_day.day:02d}/{plan_day.month}/{plan.year} thực hiện Đề án 05-ĐA/TU {plan.period_words}; "
        "chỉ đạo "
        f"{plan.plans_ok}/{len(c.villages)} chi bộ {word} xây dựng kế hoạch cụ thể; kịp thời cụ thể hóa "
        "các văn bản của Trung ương, của tỉnh, của huyện về công tác dân vận, công tác dân tộc, tôn giáo.\n"
        f"Ủy ban nhân dân {c.label} thực hiện tốt Quy chế phối hợp với Ủy ban MTTQ và các đoàn thể; "
        'phát động phong trào thi đua "Dân vận khéo" gắn với xây dựng '
        f"{'đô thị văn minh' if town else 'nông thôn mới'}."
    )
    talks = plan.rows["doi_thoai_tiep_dan"]
    sessions = rng.randint(18, 40)
    dissemination = (
        f"Tổ chức {sessions} buổi tuyên truyền, quán triệt với {_n(sessions * rng.randint(50, 90))} lượt "
        f"người tham dự; tuyên truyền qua hệ thống truyền thanh, các nhóm Zalo của {word} và trong sinh "
        f"hoạt chi bộ, chi hội. Qua {len(talks)} buổi đối thoại, tiếp xúc, tiếp công dân, đã nắm bắt và "
        "giải quyết kịp thời tâm tư, nguyện vọng chính đáng của nhân dân."
    )
    return {
        "dac_diem_tinh_hinh": situation,
        "lanh_dao_chi_dao": leadership,
        "tuyen_truyen": dissemination,
        "ket_qua_chi_tieu": "\n".join(_results(plan, ntm)),
        "uu_diem": " ".join(rng.sample(STRENGTHS, 2)),
        "han_che_nguyen_nhan": " ".join(rng.sample(WEAKNESSES, 2)) + "\n" + CAUSES.format(hardship=hardship),
        "bai_hoc_kinh_nghiem": " ".join(rng.sample(LESSONS, 2)),
        "phuong_huong_nhiem_vu": "\n".join(f"- {task}" for task in rng.sample(TASKS, 3)),
        "de_xuat_kien_nghi": " ".join(rng.sample(proposals, rng.randint(1, len(proposals)))),
    }


def _results(plan: CommunePlan, ntm: Row | None) -> list[str]:
    c, word, rows = plan.commune, plan.commune.village_word, plan.rows
    gifts, houses, models = rows["dong_gop_nhan_dan"], rows["nha_van_hoa"], rows["mo_hinh_dan_van_kheo"]
    models = [m for m in models if m["trang_thai"] != "rut"]
    talks, movements = rows["doi_thoai_tiep_dan"], rows["phong_trao_thi_dua"]
    democracy = rows["dan_chu_co_so"][0]
    people_money = total(gifts, "dong_gop_tien") + total(gifts, "hien_vat_quy_doi")
    with_house = len(houses) - count(houses, "tinh_trang", "chua_co")
    lines = [
        f"- Vận động nhân dân đóng góp xây dựng {len(gifts)} công trình: {_n(people_money)} đồng tiền mặt "
        f"và hiện vật, hiến {_n(total(gifts, 'dat_hien'))} m² đất, {_n(total(gifts, 'ngay_cong'))} ngày "
        f"công; ngân sách nhà nước hỗ trợ {_n(total(gifts, 'ngan_sach_nha_nuoc'))} đồng.",
        f"- Xây mới {count(houses, 'tinh_trang', 'xay_moi')}, "
        f"mở rộng {count(houses, 'tinh_trang', 'mo_rong')}, "
        f"sửa chữa {count(houses, 'tinh_trang', 'sua_chua')} nhà văn hóa; {with_house}/{len(houses)} "
        f"{word} có nhà văn hóa.",
        f'- Có {len(models)} mô hình, điển hình "Dân vận khéo", trong đó '
        f"{count(models, 'trang_thai', 'cong_nhan')} được công nhận, "
        f"{count(models, 'tieu_bieu', True)} mô hình tiêu biểu.",
    ]
    if ntm is not None:
        met = len(ntm["tieu_chi_dat"]) if isinstance(ntm["tieu_chi_dat"], list) else 0
        if ntm["muc_dat"] == "chua_dat":
            lines.append(
                f"- Xây dựng nông thôn mới: đạt {met}/19 tiêu chí; phấn đấu đạt thêm tiêu chí "
                f"năm {plan.year + 1}."
            )
        else:
            level = "nông thôn mới nâng cao" if ntm["muc_dat"] == "nang_cao" else "nông thôn mới"
            lines.append(
                f"- {c.label[:1].upper()}{c.label[1:]} duy trì đạt chuẩn {level}, giữ vững {met}/19 tiêu chí "
                f"(đạt chuẩn nông thôn mới năm {ntm['nam_dat_chuan']})."
            )
    received, resolved = total(talks, "so_kien_nghi"), total(talks, "so_da_giai_quyet")
    lines += [
        f"- Tổ chức {count(talks, 'hinh_thuc', 'doi_thoai')} cuộc đối thoại, "
        f"{count(talks, 'hinh_thuc', 'tiep_xuc')} cuộc tiếp xúc cử tri, "
        f"{count(talks, 'hinh_thuc', 'tiep_dan')} buổi tiếp công dân; tiếp nhận {_n(received)} kiến nghị, "
        f"đã giải quyết {_n(resolved)} ({_pct(resolved, received)}%).",
        f"- Thực hiện dân chủ ở cơ sở: công khai {democracy['so_noi_dung_cong_khai']} nội dung; nhân dân "
        f"bàn và quyết định {democracy['so_noi_dung_ban_quyet_dinh']} nội dung; Ban Thanh tra nhân dân "
        f"giám sát {democracy['so_vu_viec_giam_sat']} vụ việc.",
        f"- Triển khai {len(movements)} phong trào thi đua, cuộc vận động do cấp ủy, chính quyền, Mặt trận "
        f"và các đoàn thể phát động; khen thưởng {_n(total(movements, 'khen_thuong_tap_the'))} tập thể, "
        f"{_n(total(movements, 'khen_thuong_ca_nhan'))} cá nhân.",
    ]
    return lines


def _n(value: object) -> str:
    return number_text(value)


def _pct(part: float, whole: float) -> str:
    return number_text(round(part / whole * 100, 1)) if whole else "0"
