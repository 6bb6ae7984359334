"""Every page a parent uses fits a phone (390 px) without the page scrolling sideways, and shows every
column at 1280 px; a kid's own pages fit the phone too (issue 22, item 7).

A wide table may scroll inside its own box on a phone; nothing may be cut off by a box that cannot
scroll, and at 1280 px no list may need its box scrolled. On a phone the dashboard's chart labels are
drawn at a readable size, the heat map reaches 23:00, and no word in a table is broken in the middle.
"""

import pytest
from django.urls import reverse

from history.models import Change
from household.sample_family import SAMPLE_PASSWORDS
from household.samples import sample_family_load
from parental.services import parent_request_create
from profiles.models import UserProfile
from telemetry.models import Setting
from tests.browser.pages import admin_sign_in
from trayapi.services import device_token_create

pytestmark = pytest.mark.browser

PHONE, DESKTOP = 390, 1280
READABLE_PX = 9  # the smallest chart label a parent can read on a phone

# Measured in the page, with every <details> open: what pushes the page sideways, what a box cuts off
# without a way to scroll to it, which boxes of a table need scrolling, which modules their content spills
# out of, which fields of a list's action bar are squeezed, and which words of a table break over two lines.
MEASURE = """() => {
  for (const details of document.querySelectorAll("#content details")) details.open = true;
  const page = {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth};
  const name = box => `${box.tagName}.${box.className}`.trim();
  const clipped = [];
  const scrolling = [];
  const spilling = [];
  const squeezed = [];
  for (const cell of document.querySelectorAll("#content th, #content td")) {
    const right = cell.getBoundingClientRect().right;
    if (!cell.getClientRects().length) continue;
    for (let box = cell.parentElement; box && box !== document.body; box = box.parentElement) {
      const overflow = getComputedStyle(box).overflowX;
      if (overflow === "auto" || overflow === "scroll") break;
      const edge = box.getBoundingClientRect();
      if (edge.width <= 1) break;  // visually hidden, for screen readers only
      if ((overflow === "hidden" || overflow === "clip") && right > edge.right + 1) {
        clipped.push(`${cell.textContent.trim().slice(0, 30)} (cut off by ${name(box)})`);
        break;
      }
    }
  }
  for (const box of document.querySelectorAll("#content *")) {
    const overflow = getComputedStyle(box).overflowX;
    if ((overflow === "auto" || overflow === "scroll") && box.querySelector("table")
        && box.scrollWidth > box.clientWidth + 1) {
      scrolling.push(`${name(box)} (${box.scrollWidth} > ${box.clientWidth})`);
    }
  }
  for (const box of document.querySelectorAll("#content .module")) {
    if (getComputedStyle(box).overflowX === "visible" && box.clientWidth && box.scrollWidth > box.clientWidth + 1) {
      spilling.push(`${box.id || name(box)} (${box.scrollWidth} > ${box.clientWidth})`);
    }
  }
  for (const field of document.querySelectorAll("#changelist-form .actions select, #changelist-form .actions input")) {
    const width = field.getBoundingClientRect().width;
    if (field.type !== "hidden" && field.type !== "checkbox" && width && width < 90) {
      squeezed.push(`${field.name} (${Math.round(width)} px)`);
    }
  }
  const broken = [];
  const walker = document.createTreeWalker(document.querySelector("#content") || document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.closest("td, th") || !node.parentElement.getClientRects().length) continue;
    // A word standing alone; letters inside a long token (a URL, a key.with_dots) may break anywhere.
    for (const match of node.data.matchAll(/(?<![^\\s(“"])[A-Za-z]{3,20}(?![^\\s,.;:!?)”"])/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (lines.size > 1) broken.push(match[0]);
    }
  }
  return {page, clipped, scrolling, spilling, squeezed, broken: [...new Set(broken)].slice(0, 10)};
}"""

# The dashboard: the smallest chart label in screen pixels, the labels cut off at the left, whether 23:00 of
# the heat map can be reached (on screen, or in a box that scrolls to it) and whether the row's day stays in
# sight there.
DASHBOARD = """() => {
  let smallest = Infinity;
  const cut = [];
  for (const text of document.querySelectorAll("svg.chart text")) {
    const scale = text.ownerSVGElement.getScreenCTM().a;
    smallest = Math.min(smallest, parseFloat(getComputedStyle(text).fontSize) * scale);
    let box = text.ownerSVGElement;
    while (box.parentElement && getComputedStyle(box).overflowX === "visible") box = box.parentElement;
    // A box that scrolls opens on the latest days (right to left): measure from its far left end.
    const opened = box.scrollLeft;
    box.scrollLeft = -box.scrollWidth;
    if (text.getBoundingClientRect().left < box.getBoundingClientRect().left - 1) cut.push(text.textContent);
    box.scrollLeft = opened;
  }
  const hours = [...document.querySelectorAll("table.heatmap thead th")].map(th => th.textContent.trim());
  const last = document.querySelector("table.heatmap thead th:last-child");
  const box = last.closest(".heatmap-scroll");
  const lastRight = last.getBoundingClientRect().right - box.getBoundingClientRect().left + box.scrollLeft;
  const scrolls = ["auto", "scroll"].includes(getComputedStyle(box).overflowX);
  const reachable = scrolls ? lastRight <= box.scrollWidth + 1 : last.getBoundingClientRect().right <= innerWidth;
  const cellFont = parseFloat(getComputedStyle(last).fontSize);
  box.scrollLeft = box.scrollWidth;
  const day = box.querySelector("tbody th").getBoundingClientRect();
  const dayInSight = day.left >= box.getBoundingClientRect().left - 1;
  box.scrollLeft = 0;
  return {smallest, cut: [...new Set(cut)], hours, reachable, cellFont, dayInSight};
}"""


@pytest.fixture
def family(settings):
    """The sample family (three weeks of commands, sessions, events and notifications), a request from
    Alex, a device token and one failed sign-in, so every list has rows."""
    settings.TIME_ZONE = "Europe/Berlin"
    sample_family_load()
    alex = UserProfile.objects.get(name="Alex")
    parent_request_create(profile=alex, kind="command", command="open the front door", message="I forgot my key")
    device_token_create(name="kitchen speaker", members=[alex], created_by="dad")
    return {"alex": alex}


def parent_pages(family) -> list[tuple[str, str]]:
    """(name, address) of every page a parent uses, but the bulk edit (reached through the list's action)."""
    alex = family["alex"]

    def change(model: str, pk) -> str:
        return reverse(f"admin:{model}_change", args=[pk])

    return [
        ("home", "/admin/"),
        ("dashboard", "/admin/dashboard/"),
        ("parental controls of Alex", reverse("admin:profiles_userprofile_parental_controls", args=[alex.pk])),
        ("member list", "/admin/profiles/userprofile/"),
        ("member change form", change("profiles_userprofile", alex.pk)),
        ("activity list", "/admin/activity/activitylog/"),
        ("activity list, refused", "/admin/activity/activitylog/?refused=yes"),
        ("daily usage list", "/admin/activity/usagestatistic/"),
        ("sessions list", "/admin/activity/session/"),
        ("quick-action list", "/admin/quickactions/quickaction/"),
        ("quick-action import", reverse("admin:quickactions_quickaction_import")),
        ("settings list", "/admin/telemetry/setting/"),
        ("setting change form", change("telemetry_setting", Setting.objects.order_by("key").first().pk)),
        ("change history list", "/admin/history/change/"),
        ("change history entry", change("history_change", Change.objects.order_by("-pk").first().pk)),
        ("parent requests list", "/admin/parental/parentrequest/"),
        ("system events list", "/admin/telemetry/systemevent/"),
        ("health page", reverse("admin:system_health")),
        ("device tokens list", "/admin/trayapi/devicetoken/"),
        ("notifications list", "/admin/telemetry/notification/"),
        ("sign-in attempts list", "/admin/axes/accessattempt/"),
        ("login accounts list", "/admin/auth/user/"),
        # The rest of the admin's lists, a link away from the home page.
        ("command history list", "/admin/activity/commandhistory/"),
        ("recent activity list", "/admin/activity/recentactivity/"),
        ("member summaries list", "/admin/activity/userstatisticssummary/"),
        ("family logins list", "/admin/profiles/familylogin/"),
        ("failed sign-ins list", "/admin/axes/accessfailurelog/"),
        ("sign-ins and sign-outs list", "/admin/axes/accesslog/"),
        ("role groups list", "/admin/auth/group/"),
    ]


def misfits(page, name: str, width: int) -> list[str]:
    """What does not fit on the page at this width, in words naming the page and the width."""
    measured = page.evaluate(MEASURE)
    where = f"{name} at {width} px"
    problems = []
    if measured["page"]["scrollWidth"] > measured["page"]["innerWidth"]:
        problems.append(f"{where} scrolls sideways: {measured['page']['scrollWidth']} px wide")
    if measured["clipped"]:
        problems.append(f"{where} cuts off {measured['clipped'][:3]}")
    if width == DESKTOP and measured["scrolling"]:
        problems.append(f"{where} hides columns in {measured['scrolling']}")
    if measured["spilling"]:
        problems.append(f"{where} spills out of its boxes: {measured['spilling']}")
    if measured["squeezed"]:
        problems.append(f"{where} squeezes the action bar's fields: {measured['squeezed']}")
    if width == PHONE and measured["broken"]:
        problems.append(f"{where} breaks words in the middle: {measured['broken']}")
    dashboard = page.evaluate(DASHBOARD) if "dashboard" in name else None
    if dashboard and dashboard["cut"]:
        problems.append(f"{where} cuts off chart labels: {dashboard['cut']}")
    if dashboard and width == PHONE:
        if dashboard["smallest"] < READABLE_PX:
            problems.append(f"{where} draws chart labels at {dashboard['smallest']:.1f} px")
        if dashboard["hours"][1:] != [f"{hour:02d}" for hour in range(24)] or not dashboard["reachable"]:
            problems.append(f"{where} does not reach every hour of the heat map: {dashboard['hours']}")
        if not dashboard["dayInSight"]:
            problems.append(f"{where} loses the day of the heat map's row when scrolled to 23:00")
        if dashboard["cellFont"] < READABLE_PX:
            problems.append(f"{where} writes the heat map at {dashboard['cellFont']} px")
    return problems


def opened(page, name: str, address: str) -> str:
    response = page.goto(address)
    assert response.status == 200, f"{name} ({address}) answered {response.status}"
    return name


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_every_page_a_parent_uses_fits_the_width(browser, live_server, family, width):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        admin_sign_in(page, username="nobody", password="a wrong guess")  # a row in the sign-in attempts
        admin_sign_in(page, username="dad", password=SAMPLE_PASSWORDS["dad"])
        problems = []
        for name, address in parent_pages(family):
            problems += misfits(page, opened(page, name, address), width)

        page.goto("/admin/quickactions/quickaction/")
        page.check("#action-toggle")
        problems += misfits(page, "quick-action list, rows chosen", width)
        page.select_option("select[name=action]", "bulk_edit_selected")
        page.click("button[name=index]")
        page.wait_for_load_state()
        assert "quick actions together" in page.inner_text("h1")
        problems += misfits(page, "quick-action bulk edit", width)
    finally:
        context.close()

    assert not problems, "\n".join(problems)


def test_a_kids_own_pages_fit_a_phone(browser, live_server, family):
    context = browser.new_context(base_url=live_server.url, viewport={"width": PHONE, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        admin_sign_in(page, username="alex", password=SAMPLE_PASSWORDS["alex"])
        problems = []
        for name, address in (("kid's home", "/admin/"), ("kid's dashboard", "/admin/dashboard/")):
            problems += misfits(page, opened(page, name, address), PHONE)
    finally:
        context.close()

    assert not problems, "\n".join(problems)
