"""In a real browser, at phone and desktop widths, the main journey of a 民生微实事 project: a resident
proposes on the phone; the community worker sends it to the council (the council's meeting is held
through the meetings engine), the subdistrict approves, the worker funds it; a unit claims a part on
its phone; the worker records progress with a photo and the acceptance; the resident votes on the
phone; it is accepted and the public board shows it without sign-in. And a council's resolution
becomes a project in 征集 that names it."""

import pytest
from playwright.sync_api import expect

from dangjian.conftest import make_user
from dangjian.deliberation import rules
from dangjian.deliberation.services import runs
from dangjian.deliberation.tests.conftest import hold
from dangjian.deliberation.workflow import RunStep
from dangjian.demo.accounts import DEMO_PASSWORD
from dangjian.microprojects.models import Claim, Project, Source, Status
from dangjian.microprojects.services import progress
from dangjian.territory.models import Area

from .conftest import PNG, hold_review

pytestmark = pytest.mark.browser
TITLE = "婆石社区东门加装无障碍坡道"


def _photo(tmp_path):
    path = tmp_path / "site.png"
    path.write_bytes(PNG)
    return str(path)


def _step(page, code, status):
    page.click(f"[data-testid=step-{code}]")
    expect(page.locator("[data-testid=project-status]")).to_have_text(status)


def test_a_project_from_proposal_to_the_public_board(browser, new_browser, demo, tmp_path):
    home = Area.objects.get(name="婆石社区")
    resident = new_browser("phone")
    rpage = resident.sign_in("jm_resident", DEMO_PASSWORD)
    resident.go("/projects/mine/")
    rpage.click("[data-testid=propose]")
    rpage.fill("[data-testid=project-title]", TITLE)
    rpage.fill("#description", "东门台阶没有坡道，轮椅和婴儿车进出困难。")
    rpage.select_option("[data-testid=project-kind]", "works")
    rpage.fill("[data-testid=project-amount]", "42000")
    rpage.click("[data-testid=project-submit]")
    expect(rpage.locator("[data-testid=project-status]")).to_have_text("征集")
    project = Project.objects.get(title=TITLE)
    assert (project.source, project.proposed_by.username) == (Source.RESIDENT, "jm_resident")
    resident.assert_fits()
    resident.shot("microprojects-proposed")

    page = browser.sign_in("sq_worker", DEMO_PASSWORD)
    browser.go(f"/projects/{project.public_id}/")
    _step(page, "to_review", "评议")
    # The council meets, every representative signs in and votes for (the meetings engine).
    hold_review(Project.objects.get(pk=project.pk), present=None)
    browser.go(f"/projects/{project.public_id}/")
    expect(page.locator("[data-testid=review-result]").first).to_be_visible()
    _step(page, "pass_review", "街道审核")

    subdistrict = new_browser(browser.width_name)
    spage = subdistrict.sign_in("jd_admin", DEMO_PASSWORD)
    subdistrict.go(f"/projects/{project.public_id}/")
    _step(spage, "approve", "待立项")

    browser.go(f"/projects/{project.public_id}/")
    page.fill("[data-testid=establish-amount]", "40000")
    page.fill("[data-testid=establish-implementer]", "珠海市康顺建筑工程有限公司")
    _step(page, "establish", "实施中")
    project.refresh_from_db()
    assert project.budget_committed == 40000

    unit = new_browser("phone")
    upage = unit.sign_in("dw_contact", DEMO_PASSWORD)
    unit.go("/projects/claims/")
    card = upage.locator("[data-testid=claimable]", has_text=TITLE)
    card.locator("[data-testid=claim-kind]").select_option("labour")
    card.locator("[data-testid=claim-part]").fill("派 4 名职工协助施工")
    card.locator("[data-testid=claim-hours]").fill("16")
    card.locator("[data-testid=claim-submit]").click()
    expect(upage.locator("[data-testid=my-claims]")).to_contain_text(TITLE)
    unit.assert_fits()
    unit.shot("microprojects-claimed")
    assert Claim.objects.filter(project=project).count() == 1

    browser.go(f"/projects/{project.public_id}/")
    page.fill("[data-testid=progress-text]", "坡道基础已浇筑，完成一半。")
    page.set_input_files("[data-testid=progress-photos]", _photo(tmp_path))
    page.click("[data-testid=progress-submit]")
    expect(page.locator("[data-testid=project-notes]")).to_contain_text("坡道基础已浇筑")
    expect(page.locator("[data-testid=project-claims]")).to_contain_text("派 4 名职工协助施工")
    assert project.photos.count() == 1
    _step(page, "finish", "验收中")
    page.fill("[data-testid=progress-text]", "现场验收：坡道坡度符合要求，扶手牢固。")
    page.set_input_files("[data-testid=progress-photos]", _photo(tmp_path))
    page.click("[data-testid=progress-submit]")
    expect(page.locator("[data-testid=project-notes]")).to_contain_text("现场验收")

    # The resident votes on the phone from the community's board; two neighbours already have.
    project.refresh_from_db()
    for i in range(2):
        progress.vote_cast(actor=make_user(f"jm_neighbour{i}", "resident", home_community=home), project=project,
                           verdict="satisfied")  # fmt: skip
    resident.go(f"/projects/board/{home.code}/{project.public_id}/")
    rpage.click("[data-testid=vote-satisfied]")
    expect(rpage.locator("[data-testid=my-vote]")).to_contain_text("满意")
    resident.assert_fits()
    resident.shot("microprojects-voted")

    browser.go(f"/projects/{project.public_id}/")
    page.fill("[data-testid=acceptor-name]", "陈工（街道城建办）")
    page.fill("[data-testid=note-accept]", "工程质量合格，同意验收。")
    _step(page, "accept", "公示中")
    browser.assert_fits()
    browser.shot("microprojects-accepted")
    pdf = page.request.get(browser.base_url + f"/projects/{project.public_id}/dossier.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    public = new_browser(browser.width_name)
    ppage = public.go(f"/projects/board/{home.code}/")
    ppage.click(f"text={TITLE}")
    expect(ppage.locator("[data-testid=board-status]")).to_have_text("公示中")
    expect(ppage.locator("[data-testid=board-log]")).to_contain_text("验收通过并公示")
    public.assert_fits()
    public.assert_no_script_from_data()
    public.shot("microprojects-board")
    project.refresh_from_db()
    assert (project.status, project.votes_count, project.satisfied_count) == (Status.PUBLICIZING, 3, 3)


def test_a_council_resolution_becomes_a_project(browser, demo):
    home = Area.objects.get(name="婆石社区")
    kind = rules.matter_kinds(home)[0]
    run = runs.run_start(
        actor=None, community=home, title="社区小广场遮阳棚", matters=[{"kind": kind, "title": "社区小广场遮阳棚",
                                                                        "amount": "56000"}],
    )  # fmt: skip
    for step in (RunStep.PASS_PROPOSE, RunStep.PASS_CONSULT, RunStep.PASS_REVIEW, RunStep.PASS_RESOLVE):
        hold(run, present=3)
        run = runs.run_step(actor=None, run=run, step=step)
    matter = run.matters.get()
    page = browser.sign_in("sq_worker", DEMO_PASSWORD)
    browser.go(f"/deliberation/runs/{run.public_id}/")
    page.click(f"[data-testid=link-project-{matter.pk}]")
    page.select_option("[data-testid=link-kind]", "works")
    browser.assert_fits()
    browser.shot("microprojects-link-confirm")
    page.click("[data-testid=link-confirm]")
    expect(page.locator("[data-testid=project-status]")).to_have_text("征集")
    expect(page.locator("[data-testid=resolution-origin]")).to_contain_text("来自议事决议：社区小广场遮阳棚")
    browser.assert_fits()
    browser.shot("microprojects-from-resolution")
    project = Project.objects.get(title="社区小广场遮阳棚", source=Source.COUNCIL)
    assert (project.estimated_amount, project.kind, project.source_ref) == (
        56000,
        "works",
        f"deliberation.matter:{matter.pk}",
    )
