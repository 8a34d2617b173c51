"""Labels that several papers print for a person: name, date of birth, sex, ID number, address."""

from __future__ import annotations

from sohoa.extractors.metadata.rules.papers.common import compile_labels

NAME = compile_labels(
    r"ho\s*,?\s*(?:va\s*)?(?:chu\s*dem\s*(?:,|va)?\s*)?ten(?!\s*(?:nguoi\s*(?:me|cha)|me|cha|ho\s*kinh))"
    r"(?:\s*(?:nguoi\s*(?:yeu\s*cau|de\s*nghi|khai|nop\s*ho\s*so|duoc\s*(?:khai\s*sinh|cap|xac\s*nhan))|cong\s*dan|chu\s*ho))?",
    r"ho\s*ten(?!\s*(?:nguoi\s*(?:me|cha)|me|cha))",
)
DOB = compile_labels(r"ngay\s*,?\s*thang\s*,?\s*nam\s*sinh", r"ngay\s*sinh", r"sinh\s*ngay")
SEX = compile_labels(r"gioi\s*tinh")
ID = compile_labels(
    r"so\s*dinh\s*danh\s*(?:ca\s*nhan)?",
    r"so\s*(?:the\s*)?can\s*cuoc(?:\s*cong\s*dan)?",
    r"so\s*cccd(?:\s*/\s*cmnd)?(?:\s*/\s*ho\s*chieu)?",
    r"so\s*cmnd(?:\s*/\s*cccd)?",
    r"so\s*giay\s*to\s*tuy\s*than",
    r"giay\s*to\s*tuy\s*than\s*so",
)
ADDRESS = compile_labels(
    r"noi\s*thuong\s*tru",
    r"noi\s*o\s*hien\s*(?:tai|nay)",
    r"noi\s*cu\s*tru(?:\s*hien\s*(?:tai|nay))?",
    r"dia\s*chi\s*(?:thuong\s*tru|cu\s*tru|lien\s*he)?",
)
OTHERS = compile_labels(
    r"dan\s*toc",
    r"quoc\s*tich",
    r"que\s*quan",
    r"noi\s*sinh",
    r"dien\s*thoai",
    r"email",
    r"ngay\s*cap",
    r"noi\s*cap",
    r"co\s*gia\s*tri",
)
STOPS = (NAME, DOB, SEX, ID, ADDRESS, OTHERS)
