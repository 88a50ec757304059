"""Text helpers: pinyin initials for search, masking of personal data."""

import re
from collections.abc import Iterable

from pypinyin import Style, lazy_pinyin
from pypinyin.seg.simpleseg import seg as pinyin_words

from .validators import mask_citizen_id


def pinyin_initials(text: str) -> str:
    """'拱北街道' -> 'gbjd'. Latin letters and digits are kept, lower-cased; other marks dropped."""
    letters = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")
    return "".join(ch for part in letters for ch in part.lower() if ch.isalnum())


def pinyin_initials_many(texts: Iterable[str]) -> dict[str, str]:
    """pinyin_initials of many texts at once (an import's 100,000 names): text → initials.

    Each text is cut into words as pypinyin cuts it (a phrase it knows is one word, so a
    polyphonic character still reads as in that phrase), and each distinct word is converted once;
    pypinyin converts word by word, so the result is pinyin_initials(text) for every text, at a
    fraction of the cost (names share their characters and surnames)."""
    by_word: dict[str, str] = {}
    out: dict[str, str] = {}
    for text in texts:
        if text in out:
            continue
        parts = []
        for word in pinyin_words(text):
            letters = by_word.get(word)
            if letters is None:
                letters = by_word[word] = pinyin_initials(word)
            parts.append(letters)
        out[text] = "".join(parts)
    return out


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


# Personal data people type into free text (a description, a note): e-mail addresses, 18-digit
# citizen ID numbers, mobiles (with +86 and separators), landlines with their area code, and any
# other run of 11 or more digits (bank cards, old 15-digit IDs). Case numbers (XZ-20261121-0042),
# dates and house numbers have shorter runs and are left alone.
PERSONAL_RE = re.compile(
    r"(?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"
    r"|(?<![0-9A-Za-z])(?P<id>\d{17}[\dXx])(?![0-9A-Za-z])"
    r"|(?<!\d)(?P<phone>(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}|0\d{2,3}[-\s]?\d{7,8})(?!\d)"
    r"|(?<!\d)(?P<digits>\d{11,})(?!\d)"
)


def _mask_match(match: re.Match[str]) -> str:
    kind, value = match.lastgroup, match.group()
    if kind == "email":
        name, _at, domain = value.partition("@")
        return f"{name[:1]}***@{domain}"
    if kind == "phone":
        digits = re.sub(r"\D", "", value)
        if len(digits) == 13 and digits.startswith("86"):
            digits = digits[2:]
        return mask_mobile(digits)
    return mask_citizen_id(value.upper())


DIGITS_RE = re.compile(r"\d+")


def mask_address(value: str) -> str:
    """An address (a household, a room) as lists and exports show it: the first number (the building) is
    kept, later numbers (unit, room) become *; without numbers only the first character stays.
    '12栋2单元501' -> '12栋*单元***', '张家大院' -> '张***'."""
    if not value:
        return ""
    runs = list(DIGITS_RE.finditer(value))
    if not runs:
        return value[:1] + "*" * min(len(value) - 1, 6)
    first = runs[0]
    return value[: first.end()] + DIGITS_RE.sub(lambda m: "*" * len(m.group()), value[first.end() :])


def mask_personal_text(text: str) -> str:
    """Free text with phone numbers, ID numbers and e-mail addresses masked as in lists:
    '电话13812345678' -> '电话138****5678', an ID number -> '110105********002X'."""
    if not text:
        return text
    return PERSONAL_RE.sub(_mask_match, text)


# What XML 1.0 cannot carry (C0 controls but tab, newline and return; lone surrogates; U+FFFE/F).
# Typed by no one, they arrive from broken clients and would make a whole XML list unreadable.
XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def strip_xml_invalid(text: str) -> str:
    return XML_INVALID_RE.sub("", text) if text else text
