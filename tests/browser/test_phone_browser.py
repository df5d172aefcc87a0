"""A coordinator on a phone: every list the navigation leads to fits a 390 px screen (a wide table stacks its rows or
scrolls inside its own box), on the demo program's real amount of data."""

from tests.browser.conftest import sign_in
from tumorboard.demo.catalog import DEMO_PASSWORD

PAGES = ("/", "/cases/?status=any", "/conferences/", "/letters/", "/second-opinions/", "/users/", "/reports/")


def test_every_list_a_coordinator_reads_fits_a_phone(runner, page, live_server):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "coordinator", DEMO_PASSWORD)
    page.goto(f"{live_server}/second-opinions/")
    request = page.locator("main table a").first.get_attribute("href")  # one request's records checklist
    too_wide = {}
    for url in (*PAGES, request):
        page.goto(f"{live_server}{url}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide[url] = width
    assert too_wide == {}
