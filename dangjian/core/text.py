"""Text helpers: pinyin initials for search, masking of personal data."""

from pypinyin import Style, lazy_pinyin


def pinyin_initials(text: str) -> str:
    """'拱北街道' -> 'gbjd'. Latin letters and digits are kept, lower-cased; other marks dropped."""
    letters = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")
    return "".join(ch for part in letters for ch in part.lower() if ch.isalnum())


def pinyin_full(text: str) -> str:
    """'拱北' -> 'gongbei', for search by full pinyin."""
    parts = lazy_pinyin(text, errors="default")
    return "".join(ch for part in parts for ch in part.lower() if ch.isalnum())


def mask_mobile(value: str) -> str:
    """'13812345678' -> '138****5678'."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
