"""Known return data entered through the form rules: one commune in detail, or a whole district.

The district is the demo's own generator (danvan_desktop/demo/records.py), here on a demo built without
records, optionally leaving communes out to show who has not reported.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from danvan_desktop.db.models import Period
from danvan_desktop.demo.records import DistrictTargets, FilledRecords, fill_district
from danvan_desktop.services.entry.entry import Writer, form_context, save_entry
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import get_period

NARRATIVE = {
    "dac_diem_tinh_hinh": "Xã có 6 xóm, 612 hộ với 2.410 nhân khẩu; đồng bào dân tộc Tày chiếm đa số.\n"
    "Năm 2023, kinh tế tiếp tục phát triển; đời sống nhân dân ổn định.",
    "lanh_dao_chi_dao": "Đảng ủy ban hành Kế hoạch số 12-KH/ĐU thực hiện Đề án 05-ĐA/TU năm 2023.",
    "tuyen_truyen": "Tổ chức 24 buổi tuyên truyền với 1.850 lượt người tham dự.",
    "ket_qua_chi_tieu": "Vận động nhân dân hiến đất, góp tiền và ngày công làm đường giao thông nông thôn.",
    "uu_diem": "Cấp ủy, chính quyền quan tâm lãnh đạo; nhân dân đồng thuận.",
    "han_che_nguyen_nhan": "Một số chi bộ xây dựng kế hoạch còn chung chung; nguyên nhân: chưa sâu sát.",
    "bai_hoc_kinh_nghiem": "Phát huy vai trò nêu gương của cán bộ, đảng viên.",
    "phuong_huong_nhiem_vu": "Tiếp tục thực hiện Đề án 05-ĐA/TU; nhân rộng mô hình dân vận khéo.",
    "de_xuat_kien_nghi": "Đề nghị huyện hỗ trợ xi măng làm đường trục xóm Nà Lom.",
}

# Phúc Chu, 2023: the figures the tests expect in print.
PHUC_CHU = "DH-PHUCCHU"
CONTRIBUTIONS = [
    {
        "ten_cong_trinh": "Bê tông hóa đường trục xóm Làng Hoèn",
        "loai_cong_trinh": "duong_giao_thong",
        "xom": "DH-PHUCCHU-05",
        "so_ho_tham_gia": 85,
        "dong_gop_tien": 125_500_000,
        "dat_hien": 1_234.5,
        "ngay_cong": 640,
        "ngan_sach_nha_nuoc": 300_000_000,
    },
    {
        "ten_cong_trinh": "Mở rộng nhà văn hóa xóm Độc Lập",
        "loai_cong_trinh": "nha_van_hoa",
        "xom": "DH-PHUCCHU-01",
        "so_ho_tham_gia": 62,
        "dong_gop_tien": 48_000_000,
        "dat_hien": 150,
        "ngay_cong": 310,
    },
]
MODELS = [
    ("Phụ nữ xóm Làng Hoèn chung tay làm đường", "kinh_te", "cong_nhan", "huyen", True),
    ("Dân vận khéo trong phát triển chè", "kinh_te", "cong_nhan", "xa", False),
    ("Cựu chiến binh giữ gìn an ninh trật tự", "quoc_phong_an_ninh", "dang_ky", None, False),
]


def _save(
    session: Session,
    writer: Writer,
    form_id: str,
    unit_id: int,
    period_id: int,
    rows: list[dict[str, object]],
) -> None:
    form = get_form(form_id)
    context = form_context(session, form, unit_id, session.get_one(Period, period_id))
    for values in rows:
        save_entry(session, form, unit_id, period_id, values, writer=writer, context=context)


def writer_for(session: Session) -> Writer:
    return Writer(load_installation(session).site_id, "Nguyễn Thị Lan")


def fill_phuc_chu(session: Session, period_code: str = "2023") -> None:
    """The commune of the tests: narrative, profile, contributions, models, branches, dialogues."""
    writer = writer_for(session)
    unit, period = find_unit(session, PHUC_CHU), get_period(session, period_code)
    u, p = unit.id, period.id
    _save(session, writer, "bao_cao_tong_hop", u, p, [NARRATIVE])
    _save(
        session,
        writer,
        "ho_so_xa",
        u,
        p,
        [{"so_xom": 6, "so_nha_van_hoa": 6, "so_ho": 612, "so_nhan_khau": 2410}],
    )
    _save(session, writer, "dong_gop_nhan_dan", u, p, CONTRIBUTIONS)
    houses = [{"xom": "DH-PHUCCHU-01", "tinh_trang": "mo_rong", "nhan_dan_dong_gop_tien": 48_000_000}]
    _save(session, writer, "nha_van_hoa", u, p, houses)
    models = [
        {
            "ten_mo_hinh": name,
            "loai_mo_hinh": "tap_the",
            "to_chuc_phu_trach": "HLHPN",
            "linh_vuc": field,
            "nam_dang_ky": "2023",
            "trang_thai": status,
            **(
                {"cap_cong_nhan": level, "so_quyet_dinh": "12-QĐ/ĐU", "ngay_quyet_dinh": "2023-06-15"}
                if level
                else {}
            ),
            "tieu_bieu": typical,
        }
        for name, field, status, level, typical in MODELS
    ]
    _save(session, writer, "mo_hinh_dan_van_kheo", u, p, models)
    branches = [
        {
            "to_chuc": "HLHPN",
            "xom": "DH-PHUCCHU-05",
            "ten_chi_hoi": "Chi hội Phụ nữ xóm Làng Hoèn",
            "hoi_vien": 45,
            "doi_tuong": 60,
        },
        {
            "to_chuc": "HND",
            "xom": "DH-PHUCCHU-05",
            "ten_chi_hoi": "Chi hội Nông dân xóm Làng Hoèn",
            "hoi_vien": 70,
            "doi_tuong": 80,
        },
    ]
    _save(session, writer, "to_chuc_doan_the", u, p, branches)
    talks = [
        {
            "ngay": "2023-05-05",
            "hinh_thuc": "doi_thoai",
            "chu_tri": "Nguyễn Văn Hải, Bí thư Đảng ủy xã",
            "chu_de": "Hiến đất làm đường",
            "so_nguoi_du": 120,
            "so_kien_nghi": 8,
            "so_da_giai_quyet": 6,
            "so_dang_giai_quyet": 2,
        }
    ]
    _save(session, writer, "doi_thoai_tiep_dan", u, p, talks)


__all__ = [
    "DistrictTargets",
    "FilledRecords",
    "commune_settings",
    "fill_district",
    "fill_phuc_chu",
    "set_up_phuc_chu_office",
    "settings_for_tests",
]


def settings_for_tests() -> Mapping[str, str]:
    return {
        "office.abbreviation": "BDVHU",
        "report.recipients": "Ban Dân vận Tỉnh ủy;Thường trực Huyện ủy",
        # These tests read the State layout (NĐ 30); the demo office itself prints the Party one.
        "report.profile": "nha_nuoc",
    }


def set_up_phuc_chu_office(session: Session) -> None:
    """In Phúc Chu's own database: its villages, its letterhead and its 2023 return."""
    from danvan_desktop import paths
    from danvan_desktop.services.office.catalog_sync import import_catalog_files
    from danvan_desktop.services.office.settings import set_setting

    import_catalog_files(session, sorted(paths.demo_dir().glob("*.yaml")), source="demo")  # its villages
    for key, value in commune_settings().items():
        set_setting(session, key, value)
    fill_phuc_chu(session)


def commune_settings() -> Mapping[str, str]:
    """Phúc Chu's own letterhead and signer, as its clerk fills them in its own database."""
    return {
        "signer.name": "Nguyễn Văn Hải",
        "signer.title": "BÍ THƯ",
        "signer.authority": "KT.",
        "signer.collective": "ĐẢNG ỦY",
        "office.issuing_body": "ĐẢNG ỦY XÃ PHÚC CHU",
        "office.superior_body": "ĐẢNG BỘ HUYỆN ĐỊNH HÓA",
        "office.place_name": "Phúc Chu",
        "office.abbreviation": "ĐU",
        "report.recipients": "Ban Dân vận Huyện ủy;Thường trực Đảng ủy",
        "report.profile": "nha_nuoc",
    }
