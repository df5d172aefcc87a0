"""A coordinator builds an agenda in the browser: add queued cases, reorder, set minutes, read the projected end."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tumorboard.vocab import CaseStatus, Role


def test_build_an_agenda(make, page, live_server):
    make.user(username="dana", roles=(Role.COORDINATOR,))
    series = make.series(name="Breast Tumor Board", capacity=2, minutes_per_case=10)
    start = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=7)
    make.conference(series=series, starts_at=start, occurrence_start=start, duration_minutes=30)
    names = ("Abernathy", "Bellweather", "Calloway")
    cases = [
        make.case(
            status=CaseStatus.SUBMITTED,
            submitted_at=datetime.now(UTC) - timedelta(days=5 - i),
            patient=make.patient(last_name=name),
        )
        for i, name in enumerate(names)
    ]

    sign_in(page, live_server, "dana")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Conferences").click()
    page.get_by_role("link", name="Breast Tumor Board").first.click()
    page.get_by_role("link", name=start.astimezone(ZoneInfo("America/New_York")).strftime("%a %d %b %Y, %H:%M")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Breast Tumor Board")

    for case in cases:
        page.get_by_role("button", name=f"Add case #{case.id} to the agenda").click()
        expect(page.get_by_role("status")).to_contain_text(f"Case #{case.id} added")
    agenda = page.get_by_role("table", name="Agenda")
    expect(agenda.get_by_role("row")).to_have_count(4)
    expect(page.get_by_text("3 / 2")).to_be_visible()  # over capacity, flagged
    expect(agenda.get_by_text("over capacity")).to_have_count(1)

    page.get_by_role("button", name=f"Move case #{cases[2].id} up").click()
    rows = agenda.get_by_role("row")
    expect(rows.nth(2)).to_contain_text("Calloway")
    expect(rows.nth(3)).to_contain_text("Bellweather")

    page.get_by_label(f"Minutes for case #{cases[0].id}").fill("4")
    page.get_by_label(f"Minutes for case #{cases[0].id}").press("Enter")
    end = (start + timedelta(minutes=24)).astimezone(ZoneInfo("America/New_York")).strftime("%H:%M")
    expect(page.get_by_text(end, exact=True)).to_be_visible()  # projected end: 4 + 10 + 10 minutes

    page.get_by_role("button", name=f"Take case #{cases[1].id} off the agenda").click()
    expect(page.get_by_role("status")).to_have_text("Case returned to the queue.")
    expect(agenda.get_by_role("row")).to_have_count(3)


def test_add_several_cases_then_drag_one_to_the_top_or_type_its_place(make, page, live_server):
    make.user(username="dana", roles=(Role.COORDINATOR,))
    series = make.series(name="Hepatobiliary Board")
    start = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=7)
    conference = make.conference(series=series, starts_at=start, occurrence_start=start, duration_minutes=60)
    cases = [
        make.case(status=CaseStatus.SUBMITTED, submitted_at=datetime.now(UTC) - timedelta(days=5 - i),
                  patient=make.patient(last_name=name), histology="Pancreatic ductal adenocarcinoma",
                  clinical_t="cT3", clinical_n="cN1", clinical_m="cM0", clinical_stage="IIB")
        for i, name in enumerate(("Abernathy", "Bellweather", "Calloway"))
    ]
    sign_in(page, live_server, "dana")
    page.goto(f"{live_server}/conferences/{conference.id}")
    for case in cases:
        page.get_by_label(f"Tick case #{case.id}").check()
    page.get_by_role("button", name="Add the ticked cases").click()
    expect(page.get_by_role("status")).to_contain_text("3 cases added")
    agenda = page.get_by_role("table", name="Agenda")
    rows = agenda.locator("tbody tr")
    expect(rows.first).to_contain_text("cT3 cN1 cM0, stage IIB")

    rows.nth(2).drag_to(rows.nth(0))  # Calloway to the top
    expect(page.get_by_role("status")).to_contain_text(f"Case #{cases[2].id} is now number 1.")
    expect(rows.nth(0)).to_contain_text("Calloway")

    page.get_by_label(f"New position of case #{cases[0].id}").fill("3")  # the same without dragging
    page.get_by_role("button", name=f"Move case #{cases[0].id} to this position").click()
    expect(rows.nth(2)).to_contain_text("Abernathy")
    for width, height, name in ((1280, 900, "desktop"), (390, 844, "phone")):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=f"/tmp/x/agenda-{name}.png", full_page=True)
