from django.db.models import Q


def name_or_pinyin_q(query: str) -> Q:
    """Match a name by any part of it, or by its pinyin initials ('gbjd' → 拱北街道)."""
    query = query.strip()
    if not query:
        return Q(pk__in=[])
    q = Q(name__icontains=query)
    if query.isascii() and query.isalnum():
        q |= Q(pinyin__contains=query.lower())
    return q
