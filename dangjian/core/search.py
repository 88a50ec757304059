from django.db.models import Q


def name_or_pinyin_q(query: str, *, full_pinyin: bool = False) -> Q:
    """Match a name by any part of it, or by its pinyin initials ('gbjd' → 拱北街道).

    With `full_pinyin` (models with a stored `pinyin_full`: the territory and organization trees), also by
    any part of its full pinyin ('hengya' → 恒雅苑小区党支部, 'gongbei' → 拱北街道)."""
    query = query.strip()
    if not query:
        return Q(pk__in=[])
    q = Q(name__icontains=query)
    if query.isascii() and query.isalnum():
        q |= Q(pinyin__contains=query.lower())
        if full_pinyin:
            q |= Q(pinyin_full__contains=query.lower())
    return q
