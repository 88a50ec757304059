from django.shortcuts import render

from dangjian.core.views import require_roles, tree_page
from dangjian.territory.permissions import TREE_ROLES

from . import selectors
from .models import PartyOrg


@require_roles(TREE_ROLES)
def tree(request):
    return tree_page(
        request,
        roots=selectors.org_roots_for(request.user),
        search=selectors.search,
        template="orgs/tree.html",
        results_template="orgs/_search_results.html",
        active_nav="orgs",
    )


@require_roles(TREE_ROLES)
def children(request, public_id):
    org = PartyOrg.objects.get_for_user(request.user, public_id)
    return render(request, "core/_tree_children.html", {"nodes": selectors.children_of(org, request.user)})


@require_roles(TREE_ROLES)
def detail(request, public_id):
    org = PartyOrg.objects.select_related("area", "unit", "estate", "building").get_for_user(request.user, public_id)
    context = {
        "org": org,
        "breadcrumb": list(org.ancestors().visible_to(request.user)),
        "children": selectors.children_of(org, request.user),
        "counts": selectors.subtree_counts_labelled(org),
        "active_nav": "orgs",
    }
    return render(request, "orgs/detail.html", context)
