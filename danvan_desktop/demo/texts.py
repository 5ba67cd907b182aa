"""Vietnamese wording of the demo records: names, model and project titles, narrative sentences.

Illustrative only: no figure or name here describes a real commune. `{xom}` stands for a village
("xóm Nà Mòn", "tổ dân phố Hợp Thành"), `{xa}` for the commune ("xã Phúc Chu", "thị trấn Chợ Chu").
"""

from __future__ import annotations

RURAL_WORDS = ("chè", "nội đồng", "liên xóm", "ồn điền", "rừng", "nuôi ong", "bò sinh sản", "cánh đồng")


def suits(text: str, town: bool) -> bool:
    """False for farming and hamlet wording in a town (thị trấn)."""
    return not (town and any(word in text for word in RURAL_WORDS))


SURNAMES = ("Hoàng", "Nông", "Ma", "Lương", "Triệu", "Hà", "Đinh", "Nguyễn", "Trần", "Lưu", "Dương", "Mông")
MALE = ("Thắng", "Hùng", "Quý", "Sơn", "Tuấn", "Chiến", "Dũng", "Hải", "Minh", "Thành", "Toàn", "Lợi", "Đức")
FEMALE = ("Lan", "Hoa", "Hiền", "Thủy", "Nga", "Thảo", "Hằng", "Dung", "Luyến", "Mai", "Huyền", "Nhung")

# NTM standing at the end of 2022, most advanced first: the first two met the advanced level, the
# first `ntm_met` of those a demo fills met the standard (an illustrative order, not real rankings).
NTM_ORDER = (
    "DH-TRUNGHOI",
    "DH-PHUONGTIEN",
    "DH-KIMPHUONG",
    "DH-BINHYEN",
    "DH-DONGTHINH",
    "DH-BAOLINH",
    "DH-TANDUONG",
    "DH-PHUCCHU",
    "DH-DINHBIEN",
    "DH-THANHDINH",
    "DH-PHUTIEN",
    "DH-BOCNHIEU",
    "DH-SONPHU",
    "DH-DIEMMAC",
    "DH-TANTHINH",
    "DH-BAOCUONG",
    "DH-TRUNGLUONG",
    "DH-BINHTHANH",
    "DH-QUYKY",
    "DH-PHUDINH",
    "DH-LINHTHONG",
    "DH-LAMVY",
)
NTM_ADVANCED = 2
HARD_CRITERIA = ("10", "11", "13", "17", "2", "5", "7", "14", "15")  # missed first by a commune not yet met

# (name, organization or None, other unit in charge or None, goal)
MODELS: dict[str, tuple[tuple[str, str | None, str | None, str], ...]] = {
    "kinh_te": (
        (
            "Phụ nữ {xom} giúp nhau phát triển kinh tế",
            "HLHPN",
            None,
            "Tổ chức tổ vay vốn, góp vốn xoay vòng, hướng dẫn hội viên chăn nuôi, trồng chè.",
        ),
        (
            "Liên kết sản xuất chè an toàn {xom}",
            "HND",
            None,
            "Vận động các hộ sản xuất chè theo quy trình VietGAP, liên kết tiêu thụ sản phẩm.",
        ),
        (
            "Tổ hợp tác nuôi ong lấy mật {xom}",
            "HND",
            None,
            "Hỗ trợ kỹ thuật, con giống, bao tiêu sản phẩm cho các hộ tham gia.",
        ),
        (
            "Cựu chiến binh giúp nhau giảm nghèo {xom}",
            "HCCB",
            None,
            "Hội viên khá giả giúp hội viên khó khăn về vốn, giống, kinh nghiệm sản xuất.",
        ),
        (
            "Dồn điền đổi thửa, xây dựng cánh đồng lớn {xom}",
            None,
            "Chi bộ {xom}",
            "Vận động các hộ dồn đổi ruộng đất, hình thành vùng sản xuất tập trung.",
        ),
        (
            "Hỗ trợ hộ nghèo nuôi bò sinh sản {xom}",
            "MTTQ",
            None,
            "Vận động nguồn lực hỗ trợ hộ nghèo con giống, hướng dẫn kỹ thuật chăn nuôi.",
        ),
        (
            "Thanh niên khởi nghiệp với sản phẩm OCOP",
            "DTN",
            None,
            "Hỗ trợ đoàn viên xây dựng thương hiệu, bán sản phẩm chè, miến dong qua mạng.",
        ),
        (
            "Trồng rừng gỗ lớn {xom}",
            "HND",
            None,
            "Vận động các hộ chuyển từ rừng gỗ nhỏ sang rừng gỗ lớn, tăng giá trị thu nhập.",
        ),
        (
            "Tổ tiết kiệm vì phụ nữ nghèo {xom}",
            "HLHPN",
            None,
            "Hội viên góp tiết kiệm hằng tháng, cho hội viên nghèo vay không lãi.",
        ),
    ),
    "van_hoa_xa_hoi": (
        (
            "{Xom} sáng - xanh - sạch - đẹp",
            "HLHPN",
            None,
            "Vận động các hộ trồng hoa, phát quang, thu gom rác, giữ vệ sinh đường làng.",
        ),
        (
            "Hiến đất làm đường giao thông nông thôn {xom}",
            "MTTQ",
            None,
            "Vận động nhân dân hiến đất, góp tiền, ngày công mở rộng đường trục xóm.",
        ),
        (
            "Chung sức xây dựng nhà văn hóa {xom}",
            "MTTQ",
            None,
            "Vận động nhân dân góp tiền, ngày công, hiện vật xây dựng nhà văn hóa.",
        ),
        (
            "Phân loại rác thải tại nguồn {xom}",
            "HLHPN",
            None,
            "Hướng dẫn các hộ phân loại, ủ rác hữu cơ làm phân bón, giảm rác thải nhựa.",
        ),
        (
            "Câu lạc bộ hát Then, đàn Tính {xom}",
            None,
            "Ban văn hóa {xom}",
            "Giữ gìn, truyền dạy làn điệu Then, đàn Tính của đồng bào Tày cho thế hệ trẻ.",
        ),
        (
            "Thắp sáng đường quê {xom}",
            "DTN",
            None,
            "Vận động đoàn viên, nhân dân góp tiền, ngày công lắp đèn chiếu sáng đường trục.",
        ),
        (
            "Thực hiện nếp sống văn minh trong việc cưới, việc tang",
            "MTTQ",
            None,
            "Vận động các hộ tổ chức việc cưới, việc tang gọn nhẹ, không mê tín dị đoan.",
        ),
        (
            "Câu lạc bộ gia đình hạnh phúc bền vững {xom}",
            "HLHPN",
            None,
            "Sinh hoạt định kỳ, chia sẻ kinh nghiệm nuôi dạy con, phòng chống bạo lực gia đình.",
        ),
        (
            "Đường hoa nông thôn mới {xom}",
            "DTN",
            None,
            "Đoàn viên trồng, chăm sóc đường hoa, cây xanh dọc tuyến đường trục xóm.",
        ),
    ),
    "quoc_phong_an_ninh": (
        (
            "Tổ tự quản an ninh trật tự {xom}",
            "MTTQ",
            None,
            "Các hộ tự quản, tuần tra, nắm tình hình, hòa giải mâu thuẫn từ cơ sở.",
        ),
        (
            "Camera an ninh {xom}",
            None,
            "Công an {xa}",
            "Vận động nhân dân góp tiền lắp camera giám sát tại các tuyến đường chính.",
        ),
        (
            "Cựu chiến binh tham gia giữ gìn an ninh trật tự {xom}",
            "HCCB",
            None,
            "Hội viên tham gia tuần tra, tuyên truyền phòng chống tội phạm, tệ nạn xã hội.",
        ),
        (
            "Thanh niên xung kích phòng chống ma túy",
            "DTN",
            None,
            "Đoàn viên tuyên truyền, phát hiện, tố giác tội phạm ma túy trên địa bàn.",
        ),
        (
            "Tổ hòa giải ở cơ sở {xom}",
            None,
            "Ban công tác Mặt trận {xom}",
            "Hòa giải kịp thời các mâu thuẫn, tranh chấp nhỏ trong cộng đồng dân cư.",
        ),
        (
            "Vận động thanh niên lên đường nhập ngũ",
            None,
            "Ban Chỉ huy quân sự {xa}",
            "Gặp gỡ gia đình, động viên thanh niên hăng hái thực hiện nghĩa vụ quân sự.",
        ),
    ),
    "xay_dung_he_thong_chinh_tri": (
        (
            "Nâng cao chất lượng sinh hoạt Chi bộ {xom}",
            None,
            "Chi bộ {xom}",
            "Đổi mới nội dung sinh hoạt chi bộ, gắn với giải quyết việc cụ thể ở xóm.",
        ),
        (
            "Dân vận khéo trong tiếp công dân",
            None,
            "Ủy ban nhân dân {xa}",
            "Lắng nghe, giải thích, giải quyết kịp thời kiến nghị của công dân.",
        ),
        (
            "Mỗi đảng viên gắn với một hộ gia đình",
            None,
            "Đảng ủy {xa}",
            "Mỗi đảng viên theo dõi, giúp đỡ một hộ khó khăn, vận động hộ thực hiện chủ trương.",
        ),
        (
            "Một cửa thân thiện, gần dân",
            None,
            "Ủy ban nhân dân {xa}",
            "Công chức bộ phận một cửa hướng dẫn tận tình, giải quyết thủ tục đúng hẹn.",
        ),
        (
            "Tuổi trẻ xung kích chuyển đổi số",
            "DTN",
            None,
            "Đoàn viên hướng dẫn người dân cài đặt, sử dụng dịch vụ công trực tuyến.",
        ),
        (
            "Chính quyền lắng nghe, đối thoại với nhân dân",
            None,
            "Ủy ban nhân dân {xa}",
            "Đối thoại định kỳ, công khai kết quả giải quyết kiến nghị của nhân dân.",
        ),
    ),
}
# Exemplars (individuals): (text after the person's name, field, organization, male)
EXEMPLARS = (
    (", {xom}: tiên phong hiến đất làm đường giao thông", "van_hoa_xa_hoi", "MTTQ", True),
    (", Chi hội trưởng Phụ nữ {xom}: giúp hội viên vay vốn phát triển kinh tế", "kinh_te", "HLHPN", False),
    (", Bí thư Chi bộ {xom}: vận động nhân dân dồn điền đổi thửa", "kinh_te", "HND", True),
    (", người có uy tín {xom}: hòa giải mâu thuẫn trong cộng đồng", "quoc_phong_an_ninh", "MTTQ", True),
    (", {xom}: giữ gìn, truyền dạy làn điệu Then", "van_hoa_xa_hoi", "HLHPN", False),
    (", Trưởng {xom}: vận động nhân dân góp công xây nhà văn hóa", "van_hoa_xa_hoi", "MTTQ", True),
)
MODEL_RESULTS = (
    "Mô hình được nhân dân đồng tình hưởng ứng, nhiều hộ tham gia ngay từ khi triển khai.",
    "Thu nhập của các hộ tham gia tăng khá, nhiều hộ thoát nghèo bền vững.",
    "Cảnh quan, môi trường sạch đẹp hơn; tình làng nghĩa xóm gắn bó hơn.",
    "An ninh trật tự ổn định, không có vụ việc phức tạp phát sinh.",
    "Được các xóm khác đến học tập, đề nghị nhân rộng.",
)
WITHDRAWN_REASON = "Mô hình chưa có kết quả rõ nét; chuyển sang đăng ký lại năm 2024."

# (kind, title, scale, other-kind label)
PROJECTS = (
    ("duong_giao_thong", "Bê tông hóa đường trục {xom}", "{km} km đường bê tông rộng 3 m", None),
    ("duong_giao_thong", "Cứng hóa đường ngõ {xom}", "{km} km đường bê tông rộng 2,5 m", None),
    (
        "duong_giao_thong",
        "Mở rộng đường liên xóm từ {xom} đi trung tâm {xa}",
        "{km} km, nền đường rộng 5 m",
        None,
    ),
    ("duong_giao_thong", "Làm đường vào khu sản xuất chè {xom}", "{km} km đường bê tông rộng 3 m", None),
    ("kenh_muong", "Cứng hóa kênh mương nội đồng {xom}", "{m} m kênh bê tông", None),
    (
        "dien_chieu_sang",
        "Lắp đặt điện chiếu sáng đường trục {xom}",
        "{lamps} bóng đèn LED trên {km} km đường",
        None,
    ),
    (
        "truong_hoc",
        "Mở rộng khuôn viên điểm trường mầm non {xom}",
        "thêm {area} m² sân chơi, tường rào",
        None,
    ),
    (
        "khac",
        "Xây dựng bể nước sinh hoạt tập trung {xom}",
        "bể {cubic} m³, {m} m đường ống",
        "Nước sinh hoạt",
    ),
    ("khac", "Trồng đường hoa, cây xanh đường trục {xom}", "{km} km đường hoa", "Cảnh quan môi trường"),
)
PROJECT_NOTES = (
    "Ban công tác Mặt trận họp dân bàn, thống nhất mức đóng góp theo hộ; hộ nghèo được miễn.",
    "Nhiều hộ tự nguyện tháo dỡ tường rào, chặt cây để mở rộng mặt đường.",
    "Con em quê hương làm ăn xa ủng hộ kinh phí; đoàn viên thanh niên góp ngày công.",
    "Nhà nước hỗ trợ xi măng; nhân dân đóng góp cát, sỏi và ngày công.",
)

DIALOGUE_TOPICS = (
    "Hiến đất, giải phóng mặt bằng làm đường giao thông nông thôn",
    "Chuyển đổi cơ cấu cây trồng, phát triển vùng chè an toàn",
    "Khởi nghiệp, việc làm cho đoàn viên thanh niên",
    "Phòng chống bạo lực gia đình, bình đẳng giới",
    "Thu gom, xử lý rác thải sinh hoạt ở khu dân cư",
    "Cấp giấy chứng nhận quyền sử dụng đất",
)
PETITIONS = (
    "Đề nghị sửa chữa tuyến đường liên xóm bị sạt lở sau mưa lớn; xã đã bố trí kinh phí khắc phục.",
    "Kiến nghị hướng dẫn thủ tục cấp giấy chứng nhận quyền sử dụng đất; đã hướng dẫn hoàn thiện hồ sơ.",
    "Đề nghị hỗ trợ giống chè mới; đang phối hợp với Trạm Khuyến nông huyện giải quyết.",
    "Phản ánh việc thu gom rác chưa thường xuyên; tổ thu gom đã tăng thêm một buổi mỗi tuần.",
    "Đề nghị lắp thêm đèn chiếu sáng tại đoạn đường cong; đã đưa vào kế hoạch năm 2024.",
)

# (title, kind, organization or None, launched by otherwise, result)
MOVEMENTS = (
    (
        'Cuộc vận động "Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh"',
        "cuoc_van_dong",
        "MTTQ",
        None,
        "Các khu dân cư đăng ký xây dựng khu dân cư kiểu mẫu; nhân dân hiến đất, góp công làm đường.",
    ),
    (
        'Phong trào thi đua "Định Hóa chung sức xây dựng nông thôn mới"',
        "phong_trao_thi_dua",
        None,
        "Ủy ban nhân dân {xa}",
        "Hoàn thành các phần việc đăng ký: làm đường bê tông, kênh mương, nhà văn hóa.",
    ),
    (
        'Phong trào "Phụ nữ tích cực học tập, lao động sáng tạo, xây dựng gia đình hạnh phúc"',
        "phong_trao_thi_dua",
        "HLHPN",
        None,
        "Hội viên giúp nhau ngày công, vốn sản xuất; nhiều gia đình đạt danh hiệu gia đình văn hóa.",
    ),
    (
        (
            'Phong trào "Nông dân thi đua sản xuất, kinh doanh giỏi, '
            'đoàn kết giúp nhau làm giàu và giảm nghèo bền vững"'
        ),
        "phong_trao_thi_dua",
        "HND",
        None,
        "Nhiều hộ đạt danh hiệu sản xuất, kinh doanh giỏi các cấp; giúp hộ nghèo giống, vốn.",
    ),
    (
        'Phong trào "Cựu chiến binh gương mẫu"',
        "phong_trao_thi_dua",
        "HCCB",
        None,
        "Hội viên gương mẫu đi đầu hiến đất, tham gia giữ gìn an ninh trật tự ở cơ sở.",
    ),
    (
        'Chiến dịch "Thanh niên tình nguyện hè" năm 2023',
        "phong_trao_thi_dua",
        "DTN",
        None,
        "Đoàn viên làm đường hoa, dọn vệ sinh, giúp người dân cài đặt ứng dụng dịch vụ công.",
    ),
    (
        'Cuộc vận động "Xây dựng gia đình 5 không, 3 sạch"',
        "cuoc_van_dong",
        "HLHPN",
        None,
        "Các hộ hội viên đăng ký thực hiện; vệ sinh môi trường, nhà ở, bếp được cải thiện.",
    ),
    (
        'Phong trào "Toàn dân bảo vệ an ninh Tổ quốc"',
        "phong_trao_thi_dua",
        None,
        "Công an {xa}",
        "Nhân dân cung cấp nhiều tin có giá trị; không để xảy ra điểm nóng về an ninh trật tự.",
    ),
    (
        'Phong trào thi đua "Dân vận khéo"',
        "phong_trao_thi_dua",
        None,
        "Đảng ủy {xa}",
        "Đăng ký xây dựng các mô hình dân vận khéo trên các lĩnh vực; nhiều mô hình được công nhận.",
    ),
)
AWARDS = (
    "Giấy khen của Ủy ban nhân dân {xa}; giấy khen của các đoàn thể cấp huyện.",
    "Giấy khen của Ủy ban nhân dân huyện Định Hóa; giấy khen của {xa}.",
)
