"""Materialized-path trees shared by the territory and organization trees.

Each node stores `path`: its ancestors' steps and its own, STEP characters each
(base 36, fixed width). A subtree is one indexed range query on SQLite and
PostgreSQL; moving a subtree rewrites the prefix of every descendant in one UPDATE.

Rows of other tables keep a copy of a node's path for scoping and figures (a case's `area_path`, a
recruit's `org_path`). Such a column is a `PathCopyField` naming its tree; `move_subtree` rewrites every
copy under the moved prefix in the same transaction, so a moved community's cases, demands and notices
move with it (its workers keep seeing them, the old subdistrict stops). The store of facts keeps its own
paths on purpose: history stays where it happened (core.figures.facts).
"""

from __future__ import annotations

from django.apps import apps
from django.db import models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

STEP = 4
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_STEP = len(ALPHABET) ** STEP - 1


def encode_step(number: int) -> str:
    if not 0 < number <= MAX_STEP:
        raise ValueError(f"tree step out of range: {number}")
    out = []
    for _i in range(STEP):
        number, rem = divmod(number, len(ALPHABET))
        out.append(ALPHABET[rem])
    return "".join(reversed(out))


def decode_step(step: str) -> int:
    value = 0
    for ch in step:
        value = value * len(ALPHABET) + ALPHABET.index(ch)
    return value


def ancestor_paths(path: str) -> list[str]:
    """The paths of every ancestor of `path`, root first (not including itself)."""
    return [path[:i] for i in range(STEP, len(path), STEP)]


class TreeMoveError(ValueError):
    pass


class PathCopyField(models.CharField):
    """A copy of a node's path (`tree`: "territory.Area" or "orgs.PartyOrg") kept on another table's row.

    Migrations see a plain CharField (deconstruct), so making a column a copy changes no schema."""

    def __init__(self, *args, tree: str = "territory.Area", **kwargs):
        self.tree = tree
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


def path_copies(tree_model: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    """Every (model, column) holding a copy of `tree_model`'s paths."""
    label = tree_model._meta.label
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, PathCopyField) and field.tree == label
    ]


def rewrite_path_copies(tree_model: type[models.Model], old_path: str, new_path: str) -> int:
    """Point every copy under `old_path` at `new_path` (one UPDATE per column); the rows rewritten."""
    rewritten = 0
    for model, column in path_copies(tree_model):
        rewritten += model._base_manager.filter(subtree_q(column, old_path)).update(
            **{column: Concat(Value(new_path), Substr(column, len(old_path) + 1), output_field=models.CharField())}
        )
    return rewritten


class TreeNode(models.Model):
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=gettext_lazy("上级"),
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False)
    # The last step handed out to a child; children never reuse a step, so paths stay unique.
    child_seq = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        abstract = True

    # -- reads ---------------------------------------------------------------
    def subtree(self, include_self: bool = True) -> models.QuerySet:
        qs = type(self)._default_manager.filter(subtree_q("path", self.path))
        return qs if include_self else qs.exclude(pk=self.pk)

    def ancestors(self) -> models.QuerySet:
        return type(self)._default_manager.filter(path__in=ancestor_paths(self.path)).order_by("depth")

    def is_descendant_of(self, other: TreeNode) -> bool:
        return self.path.startswith(other.path) and self.path != other.path


def path_upper_bound(path: str) -> str | None:
    """The smallest path that sorts after every path starting with `path` (None: there is none)."""
    head, last = path[:-STEP], decode_step(path[-STEP:])
    if last < MAX_STEP:
        return head + encode_step(last + 1)
    return path_upper_bound(head) if head else None


def subtree_q(field: str, path: str) -> Q:
    """`field` lies in the subtree at `path`, as a range both SQLite and PostgreSQL serve from the
    path index (SQLite cannot use an index for LIKE 'p%'). Paths hold only [0-9A-Z], which sort
    the same way under the C collation and the usual glibc/ICU ones, so the range is exact."""
    upper = path_upper_bound(path)
    q = Q(**{f"{field}__gte": path})
    return q & Q(**{f"{field}__lt": upper}) if upper else q


def next_child_path(model: type[TreeNode], parent: TreeNode | None) -> tuple[str, int]:
    """Hand out the next free path under `parent` (or at the root). Call inside a transaction."""
    if parent is None:
        last = (
            model._default_manager.filter(depth=1)
            .select_for_update()
            .order_by("-path")
            .values_list("path", flat=True)
            .first()
        )
        return encode_step(decode_step(last) + 1 if last else 1), 1
    # A conditional UPDATE increments the counter atomically, so two writers never share a step.
    model._default_manager.filter(pk=parent.pk).update(child_seq=F("child_seq") + 1)
    seq = model._default_manager.filter(pk=parent.pk).values_list("child_seq", flat=True).get()
    parent.child_seq = seq
    return parent.path + encode_step(seq), parent.depth + 1


def place_new_node(node: TreeNode, parent: TreeNode | None) -> None:
    """Set parent, path and depth of an unsaved node."""
    node.parent = parent
    node.path, node.depth = next_child_path(type(node), parent)


@transaction.atomic
def move_subtree(node: TreeNode, new_parent: TreeNode | None) -> None:
    """Move `node` and all its descendants under `new_parent`, keeping every path consistent."""
    model = type(node)
    node.refresh_from_db(fields=["path", "depth", "parent"])
    if new_parent is not None:
        new_parent.refresh_from_db(fields=["path", "depth", "child_seq"])
        if new_parent.pk == node.pk or new_parent.path.startswith(node.path):
            raise TreeMoveError(_("不能把节点移动到它自己或它的下级之下。"))
    old_path, old_depth = node.path, node.depth
    new_path, new_depth = next_child_path(model, new_parent)
    model._default_manager.filter(subtree_q("path", old_path)).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1), output_field=models.CharField()),
        depth=F("depth") + (new_depth - old_depth),
    )
    model._default_manager.filter(pk=node.pk).update(parent=new_parent)
    rewrite_path_copies(model, old_path, new_path)
    node.refresh_from_db(fields=["path", "depth", "parent"])
