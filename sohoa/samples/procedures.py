"""The small invented procedure catalogue every generated sample draws from, so documents, dossiers and the
catalogue agree with each other. Codes follow the real d.dddddd shape; names are typical TTHC names."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SampleProcedure:
    code: str
    name: str
    field: str
    issuing_agency: str
    implementing_agency: str


PROCEDURES: tuple[SampleProcedure, ...] = (
    SampleProcedure("1.001193", "Thủ tục đăng ký khai sinh", "Hộ tịch", "Bộ Tư pháp", "Ủy ban nhân dân cấp xã"),
    SampleProcedure("1.000894", "Thủ tục đăng ký kết hôn", "Hộ tịch", "Bộ Tư pháp", "Ủy ban nhân dân cấp xã"),
    SampleProcedure(
        "2.000908",
        "Thủ tục chứng thực bản sao từ bản chính",
        "Chứng thực",
        "Bộ Tư pháp",
        "Ủy ban nhân dân cấp xã",
    ),
    SampleProcedure(
        "1.004227", "Thủ tục đăng ký thường trú", "Đăng ký, quản lý cư trú", "Bộ Công an", "Công an cấp xã"
    ),
    SampleProcedure(
        "1.009972",
        "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "Hoạt động xây dựng",
        "Bộ Xây dựng",
        "Ủy ban nhân dân cấp xã",
    ),
    SampleProcedure(
        "1.010736",
        "Đăng ký thành lập hộ kinh doanh",
        "Thành lập và hoạt động của hộ kinh doanh",
        "Bộ Tài chính",
        "Ủy ban nhân dân cấp xã",
    ),
    SampleProcedure(
        "1.003003",
        "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
        "Đất đai",
        "Bộ Nông nghiệp và Môi trường",
        "Văn phòng đăng ký đất đai",
    ),
    SampleProcedure(
        "2.002835",
        "Cấp phiếu lý lịch tư pháp cho công dân Việt Nam",
        "Lý lịch tư pháp",
        "Bộ Tư pháp",
        "Sở Tư pháp",
    ),
    SampleProcedure(
        "1.001612",
        "Thủ tục cấp giấy chứng nhận đủ điều kiện về an ninh, trật tự",
        "Quản lý ngành nghề kinh doanh có điều kiện",
        "Bộ Công an",
        "Công an cấp tỉnh",
    ),
    SampleProcedure(
        "3.000182", "Thủ tục xác nhận thông tin hộ tịch", "Hộ tịch", "Bộ Tư pháp", "Ủy ban nhân dân cấp xã"
    ),
    SampleProcedure("1.005388", "Cấp đổi giấy phép lái xe", "Đường bộ", "Bộ Công an", "Công an cấp tỉnh"),
    SampleProcedure(
        "2.001659",
        "Thủ tục đăng ký hoạt động tín ngưỡng",
        "Tín ngưỡng, tôn giáo",
        "Bộ Dân tộc và Tôn giáo",
        "Ủy ban nhân dân cấp xã",
    ),
)

# Agency codes (QCVN 102:2016 order) of the invented receiving offices used in dossier codes.
AGENCY_CODES: tuple[str, ...] = ("000.00.18.H40", "000.20.31.H40", "000.00.12.H26")
