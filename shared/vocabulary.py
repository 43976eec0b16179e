"""Public names of units, stages and kinds, in Vietnamese and English."""

UNIT_NAMES: dict[str, tuple[str, str]] = {
    "police": ("Công an phường", "Ward police"),
    "culture_social": ("Phòng Văn hóa - Xã hội", "Culture-social office"),
    "health_station": ("Trạm Y tế phường", "Ward health station"),
    "supervisor": ("Lãnh đạo cơ quan quản lý", "Head of the managing agency"),
}

STAGE_NAMES: dict[str, tuple[str, str]] = {
    "received": ("Tiếp nhận", "Received"),
    "assigned": ("Phân công xử lý", "Assigned"),
    "verified": ("Xác minh", "Verified"),
    "classified": ("Phân loại", "Classified"),
    "handled": ("Xử lý", "Handled"),
}

KIND_NAMES: dict[str, tuple[str, str]] = {
    "crime_denunciation": ("Tố giác về tội phạm", "Crime denunciation"),
    "crime_report": ("Tin báo về tội phạm", "Crime report"),
    "denunciation": ("Tố cáo", "Denunciation"),
    "complaint": ("Khiếu nại", "Complaint"),
    "petition": ("Kiến nghị", "Petition"),
    "feedback": ("Phản ánh", "Feedback"),
}


def unit_name(unit: str | None, *, english: bool = False) -> str | None:
    """Return a unit's public name, or None when no unit is assigned yet."""
    if unit is None:
        return None
    names = UNIT_NAMES.get(unit)
    if names is None:
        return unit
    return names[1] if english else names[0]
