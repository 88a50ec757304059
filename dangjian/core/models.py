import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .scoping import NOTHING, Scope
from .tree import STEP


class Heartbeat(models.Model):
    """The last time a periodic task ran; /healthz reads it to tell whether the queue is alive."""

    name = models.CharField(max_length=64, unique=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = "心跳"
        verbose_name_plural = "心跳"

    def __str__(self) -> str:
        return f"{self.name} @ {self.at:%Y-%m-%d %H:%M:%S}"


class Version(models.Model):
    """A named token that writers replace and readers compare, e.g. to know when to rebuild an
    in-process index. Reading it is one small query, from any process.

    A token, not a counter: a bump inside a transaction that rolls back must never be
    confused with a later, committed bump, so no value is ever used twice.
    """

    name = models.CharField(max_length=64, unique=True)
    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = "版本标记"
        verbose_name_plural = "版本标记"

    def __str__(self) -> str:
        return f"{self.name} = {self.token}"


def bump_version(name: str) -> None:
    """Call inside the writer's transaction, so readers see the new token with the new data."""
    Version.objects.update_or_create(name=name, defaults={"token": uuid.uuid4().hex})


def read_version(name: str) -> str:
    return Version.objects.filter(name=name).values_list("token", flat=True).first() or ""


class DistrictListItem(models.Model):
    """An item of a fixed-looking list that is data (unit kinds, centre levels...): the rows without a
    district are the defaults every district offers; a district adds its own beside them (and may switch
    a default off for itself with an inactive row of the same code).

    A concrete model adds `district = ForeignKey("territory.Area", null=True, ...)`. Rows keep a stable
    `code` (what other rows store) and a `name` a person reads; labels of a district's own items are cached
    a few minutes and dropped on every save.
    """

    code = models.SlugField(_("代码"), max_length=32, help_text=_("英文小写字母、数字或下划线，保存后不宜再改。"))
    name = models.CharField(_("名称"), max_length=30)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    LABELS_TIMEOUT = 300

    class Meta:
        abstract = True
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        cache.delete(self._labels_key())

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        cache.delete(self._labels_key())
        return result

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        """Everyone placed in a district sees the defaults and that district's own items."""
        if not scope.area_path:
            return NOTHING
        return models.Q(district__isnull=True) | models.Q(district__path=scope.area_path[:STEP])

    @classmethod
    def _labels_key(cls) -> str:
        return f"district-list-labels:{cls._meta.label_lower}"

    @classmethod
    def for_district_path(cls, path: str | None) -> models.QuerySet:
        """The active items a place under `path` offers: the defaults and its district's own; a district's
        row of a default's code (renamed, or switched off) takes the default's place."""
        rows = cls._default_manager.order_by("order", "pk")
        if not path:
            return rows.filter(**{"district__isnull": True, "is_active": True})
        # `district` is declared by each concrete list (its own related name), hence the keyword dicts.
        own = rows.filter(**{"district__path": path[:STEP]})
        return rows.filter(
            models.Q(**{"district__isnull": True, "is_active": True}) & ~models.Q(code__in=own.values("code"))
            | models.Q(pk__in=own.filter(is_active=True).values("pk"))
        )

    @classmethod
    def labels(cls) -> dict[str, str]:
        """code -> name for every item (a default's name wins over a district's own of the same code)."""
        found = cache.get(cls._labels_key())
        if found is None:
            found = {}
            rows = cls._default_manager.order_by(models.F("district").asc(nulls_first=True), "order", "pk")
            for code, name in rows.values_list("code", "name"):
                found.setdefault(code, name)
            cache.set(cls._labels_key(), found, cls.LABELS_TIMEOUT)
        return found

    @classmethod
    def label_of(cls, code: str, builtin: dict[str, str] | None = None) -> str:
        """The name of `code`. The built-in defaults' names come from the code (no query on every list
        page); a district's own items are read, once per LABELS_TIMEOUT, from the cached map."""
        if builtin and code in builtin:
            return builtin[code]
        return cls.labels().get(code, code)


class TransitionLog(models.Model):
    """One step of a workflow (core.workflow): who, when, which step, from, to, note.

    Every workflow's log model inherits it and adds its foreign key to the object."""

    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_label = models.CharField(_("操作人名称"), max_length=100, blank=True)  # "系统", a department, a client
    step = models.CharField(_("步骤"), max_length=24)
    from_status = models.CharField(_("原状态"), max_length=24, blank=True)
    to_status = models.CharField(_("新状态"), max_length=24)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    public = models.BooleanField(_("公开"), default=True)  # shown to the resident or applicant

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


# -- the figures store (core/figures/facts.py) -----------------------------------------------------
FACT_COUNTS = 20  # counter slots a subject names (c0..c19)
FACT_BUCKETS = 16  # duration histogram buckets (b0..b15), edges in core.figures.facts.BUCKET_EDGES
COUNT_SLOTS = tuple(f"c{i}" for i in range(FACT_COUNTS))
BUCKET_SLOTS = tuple(f"b{i}" for i in range(FACT_BUCKETS))
MEASURE_SLOTS = (*COUNT_SLOTS, "amount", *BUCKET_SLOTS)


class DailyFact(models.Model):
    """The figures of one subject ("cases", "demands", ...) for the rows of one cohort day under one
    territory node, in total (dim "") or for one dimension value ("department:12", "channel:web").

    A row's measures are kept at its own node and at every ancestor (`depth` is the node's depth), so
    any node's figures for any period are a sum over (days × its children), never over raw rows.
    The counters' meanings are the subject's (core.figures.facts.Subject.counts); `amount` is one
    sum (e.g. service hours in tenths); b0..b15 count durations per histogram bucket.

    A stock subject (units, members: how many exist / are covered as of a date) keeps, instead of a
    cohort day's rows, the changes of its stock on the day they happened (+1 a unit entering a state,
    −1 leaving it), and under the key `<subject>@m` a snapshot per month (the stock as of the month's
    first day, before its changes): the stock on any date is one snapshot plus at most a month of days.
    """

    subject = models.CharField(max_length=24)
    day = models.DateField()
    area_path = models.CharField(max_length=255)
    depth = models.PositiveSmallIntegerField()
    dim = models.CharField(max_length=48, default="", blank=True)
    c0 = models.IntegerField(default=0)
    c1 = models.IntegerField(default=0)
    c2 = models.IntegerField(default=0)
    c3 = models.IntegerField(default=0)
    c4 = models.IntegerField(default=0)
    c5 = models.IntegerField(default=0)
    c6 = models.IntegerField(default=0)
    c7 = models.IntegerField(default=0)
    c8 = models.IntegerField(default=0)
    c9 = models.IntegerField(default=0)
    c10 = models.IntegerField(default=0)
    c11 = models.IntegerField(default=0)
    c12 = models.IntegerField(default=0)
    c13 = models.IntegerField(default=0)
    c14 = models.IntegerField(default=0)
    c15 = models.IntegerField(default=0)
    c16 = models.IntegerField(default=0)
    c17 = models.IntegerField(default=0)
    c18 = models.IntegerField(default=0)
    c19 = models.IntegerField(default=0)
    amount = models.BigIntegerField(default=0)
    b0 = models.IntegerField(default=0)
    b1 = models.IntegerField(default=0)
    b2 = models.IntegerField(default=0)
    b3 = models.IntegerField(default=0)
    b4 = models.IntegerField(default=0)
    b5 = models.IntegerField(default=0)
    b6 = models.IntegerField(default=0)
    b7 = models.IntegerField(default=0)
    b8 = models.IntegerField(default=0)
    b9 = models.IntegerField(default=0)
    b10 = models.IntegerField(default=0)
    b11 = models.IntegerField(default=0)
    b12 = models.IntegerField(default=0)
    b13 = models.IntegerField(default=0)
    b14 = models.IntegerField(default=0)
    b15 = models.IntegerField(default=0)

    class Meta:
        verbose_name = "统计事实"
        verbose_name_plural = "统计事实"
        constraints = [
            # The key the write path upserts on; it also serves a node's total and its dimension rows.
            models.UniqueConstraint(fields=["subject", "area_path", "dim", "day"], name="core_fact_key"),
        ]
        indexes = [
            # A node's children: one depth, a range of paths, a range of days.
            models.Index(fields=["subject", "dim", "depth", "area_path", "day"], name="core_fact_children"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.day} {self.area_path} {self.dim or '*'}"


class FactMark(models.Model):
    """What one source row last added to the facts (its cohort day, node, dimensions and measures),
    so a change adds the difference: what a row contributed is never recomputed from its old state."""

    subject = models.CharField(max_length=24)
    object_id = models.BigIntegerField()
    day = models.DateField()
    applied = models.JSONField(default=dict)

    class Meta:
        verbose_name = "统计事实标记"
        verbose_name_plural = "统计事实标记"
        constraints = [models.UniqueConstraint(fields=["subject", "object_id"], name="core_factmark_key")]
        indexes = [models.Index(fields=["subject", "day"], name="core_factmark_day")]

    def __str__(self) -> str:
        return f"{self.subject} #{self.object_id}"


class IdempotentRequest(models.Model):
    """A write a signed-in person sent with an idempotency key, and the answer it got (core.idempotency).

    The row is inserted before the write, in the write's transaction: a retry with the same key waits on
    the unique index while the first runs, then finds the row and gets the same answer. A write that
    failed leaves no row, so the key can be sent again. Rows older than a week are dropped nightly.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    path = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    location = models.CharField(max_length=2000, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "幂等请求"
        verbose_name_plural = "幂等请求"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="core_idempotent_user_key")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key} → {self.status}"
