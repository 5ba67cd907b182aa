"""Values for sheet tests: text that a spreadsheet would take for a formula, a number or a date."""

from __future__ import annotations

BRANCH_HEADER = [
    "Tổ chức",
    "Tên chi hội, chi đoàn",
    "Số hội viên, đoàn viên",
    "Số người thuộc đối tượng tập hợp",
]

# Text a spreadsheet would take for a formula, a number or a date if it were not stored as text.
LOOKALIKES: list[dict[str, str]] = [
    {
        "ten_mo_hinh": "=Tiêu đề hoạt động",
        "so_quyet_dinh": "0123",
        "muc_tieu": "=== Mục tiêu ===\n- giảm nghèo\n+ tăng thu nhập",
        "ket_qua_khac": "@Hội LHPN: 16/22 hộ đạt",
    },
    {
        "ten_mo_hinh": "+84 912 345 678 — đường dây nóng",
        "so_quyet_dinh": "1e5",
        "muc_tieu": "-5% hộ nghèo",
        "ket_qua_khac": "#VALUE!",
    },
    {
        "ten_mo_hinh": '=HYPERLINK("http://example.com";"Bấm vào đây")',
        "so_quyet_dinh": "16/22",
        "muc_tieu": "#N/A",
        "ket_qua_khac": "=1+1",
    },
]


def model(**text: str) -> dict[str, object]:
    return {
        "loai_mo_hinh": "tap_the",
        "to_chuc_phu_trach": "HLHPN",
        "xom": "DH-PHUCCHU-05",
        "linh_vuc": "kinh_te",
        "nam_dang_ky": "2023",
        "ket_qua_tien": 12_500_000,
        "ket_qua_dat_hien": 120.5,
        "trang_thai": "cong_nhan",
        "cap_cong_nhan": "xa",
        "ngay_quyet_dinh": "2023-05-02",
        "tieu_bieu": True,
        **text,
    }
