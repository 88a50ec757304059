from django.shortcuts import render

from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.views import querystring_without_page, require_roles, tree_page
from dangjian.territory.permissions import TREE_ROLES
from dangjian.territory.selectors import filter_area_options

from . import selectors
from .filters import OrgListFilterForm
from .models import PartyOrg

LIST_PAGE_SIZE = 30


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
def org_list(request):
    """The organizations, flat, by place and type (the cockpit's 党组织, 党支部 and 小区党支部 figures
    link here). A place out of scope or a bad type is dropped with its error shown."""
    form = OrgListFilterForm(request.GET or None, user=request.user)
    filters = form.list_filters()
    orgs = selectors.org_list(request.user, **filters)
    page = keyset_page(orgs, selectors.ORG_LIST_ORDER, **page_params(request), per_page=LIST_PAGE_SIZE)
    context = {
        "page": page,
        "form": form,
        "filtered": bool(filters),
        "area_options": filter_area_options(request.user, form.fields["area"].queryset, filters.get("area")),
        "querystring": querystring_without_page(request),
        "active_nav": "orgs",
    }
    return render(request, "orgs/list.html", context)


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
