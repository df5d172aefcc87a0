"""One live meeting seen from several browsers at once (the chair and physicians), and voting on a phone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import sign_in
from tumorboard.conferences.models import SeriesMember
from tumorboard.extensions import db
from tumorboard.room.models import Recommendation
from tumorboard.vocab import COC_REQUIRED_SPECIALTIES, CaseStatus, Intent, Modality, Role, Specialty

LIVE = 6000  # ms: a change must reach an open screen within 2 s; the wait allows for a slow test machine
PHONE = {"width": 390, "height": 844}


class Meeting:
    """A meeting that started five minutes ago: a chair (surgery), a physician of each other required specialty,
    two cases on the agenda."""

    def __init__(self, make, base: str) -> None:
        self.base = base
        series = make.series(name="Breast Tumor Board")
        start = datetime.now(UTC) - timedelta(minutes=5)
        self.conference = make.conference(series=series, starts_at=start, occurrence_start=start)
        self.chair = make.user(username="chair", roles=(Role.PHYSICIAN,), specialty=Specialty.SURGERY,
                               full_name="Elena Vasquez")
        db.session.add(SeriesMember(series_id=series.id, user_id=self.chair.id, is_chair=True))
        self.doctors = {
            s: make.user(username=s.value, roles=(Role.PHYSICIAN,), specialty=s, full_name=f"Dr {s.label}")
            for s in COC_REQUIRED_SPECIALTIES[1:]
        }
        self.items = [
            make.presentation(conference=self.conference, position=n, presenter_id=self.chair.id,
                              case=make.case(status=CaseStatus.SCHEDULED))
            for n in range(2)
        ]
        db.session.commit()

    @property
    def room(self) -> str:
        return f"{self.base}/room/{self.conference.id}"

    def case(self, n: int = 0) -> str:
        return f"{self.room}/case/{self.items[n].id}"


@contextmanager
def screens(browser: Browser, count: int, **options: object) -> Iterator[list[Page]]:
    contexts = [browser.new_context(**options) for _ in range(count)]
    try:
        pages = [context.new_page() for context in contexts]
        for page in pages:
            page.set_default_timeout(10_000)
        yield pages
    finally:
        for context in contexts:
            context.close()


def _check_in(page: Page, meeting: Meeting) -> None:
    page.goto(meeting.room)
    page.get_by_role("button", name="Check me in").click()
    expect(page.get_by_role("status")).to_contain_text("is checked in")


def test_a_live_meeting_stays_in_step_on_every_screen(make, browser, app, live_server, monkeypatch):
    """Check-ins and quorum reach the chair without a reload; the voters follow the chair to the case; a plan change
    while a voter's screen is open stops that screen's vote, and a vote sent from it anyway is refused with the plan
    as it now reads; votes and the roster reach the chair; the chair's next case takes every following screen there."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    meeting = Meeting(make, live_server)
    with screens(browser, 3) as (chair, onc, path):
        sign_in(chair, live_server, "chair")
        _check_in(chair, meeting)
        expect(chair.get_by_role("heading", name="Attendance (1)")).to_be_visible()
        for page, specialty in ((onc, Specialty.MEDICAL_ONCOLOGY), (path, Specialty.PATHOLOGY)):
            sign_in(page, live_server, specialty.value)
            _check_in(page, meeting)
        # The chair's screen was not reloaded: attendance and the missing specialties follow.
        expect(chair.get_by_role("heading", name="Attendance (3)")).to_be_visible(timeout=LIVE)
        expect(chair.get_by_text("Missing: Radiation oncology, Diagnostic radiology.")).to_be_visible(timeout=LIVE)

        chair.locator(f"a[href='/room/{meeting.conference.id}/case/{meeting.items[0].id}']").click()
        chair.get_by_role("button", name="Start discussion").click()
        for page in (onc, path):  # the voters' conference page says where the room is
            expect(page.get_by_text("case 1 of 2 on the agenda")).to_be_visible(timeout=LIVE)
            page.get_by_role("link", name="Open the case and vote").click()
        chair.get_by_role("textbox", name="Consensus plan").fill("Lumpectomy, then whole-breast radiation")
        chair.get_by_role("button", name="Open the vote").click()
        for page in (onc, path):  # their open case pages load the vote once a plan is put to it
            expect(page.get_by_role("button", name="Agree", exact=True)).to_be_visible(timeout=LIVE)

        onc.get_by_role("button", name="Agree", exact=True).click()
        expect(onc.get_by_role("status")).to_have_text("Your vote is counted.")
        expect(chair.get_by_text("Checked-in physicians: 1 of 3 voted on this plan")).to_be_visible(timeout=LIVE)
        expect(chair.locator("[data-tally=agree]")).to_have_text("1", timeout=LIVE)

        chair.get_by_text("Change the plan (votes start again)").click()  # while the pathologist reads version 1
        chair.get_by_role("textbox", name="Consensus plan").fill("Mastectomy first")
        chair.get_by_role("button", name="Open the vote").click()
        expect(path.get_by_text("The plan has changed since this page was shown.")).to_be_visible(timeout=LIVE)
        expect(path.locator("[data-plan-changed]")).to_contain_text("Mastectomy first")
        expect(path.get_by_role("button", name="Agree", exact=True)).to_be_disabled()
        path.evaluate("document.querySelector('[data-vote-form] button[value=agree]').disabled = false")
        path.get_by_role("button", name="Agree", exact=True).click()  # sent from the stale page anyway
        refusal = path.get_by_role("alert").filter(has_text="The plan changed since your screen showed it")
        expect(refusal).to_contain_text("Mastectomy first")
        expect(chair.locator("[data-tally=agree]")).to_have_text("0", timeout=LIVE)  # the old agree does not count

        path.get_by_role("button", name="Disagree").click()
        expect(path.get_by_role("alert").filter(has_text="Say why you disagree")).to_be_visible()
        path.get_by_label("Comment (kept with the vote; say why if you disagree)").fill("Margins allow conserving")
        path.get_by_role("button", name="Disagree").click()
        expect(path.get_by_role("status")).to_have_text("Your vote is counted.")
        expect(chair.get_by_text("Margins allow conserving").first).to_be_visible(timeout=LIVE)
        expect(onc.get_by_text("Margins allow conserving")).to_be_visible(timeout=LIVE)  # comments reach everyone

        chair.get_by_role("button", name="Next case →").click()
        expect(chair.get_by_role("status")).to_have_text("The room is on this case.")
        for page in (onc, path):  # following the chair (the default), their screens move to the next case
            expect(page).to_have_url(meeting.case(1), timeout=LIVE)


def test_a_lost_connection_is_said_and_recovers(make, browser, app, live_server, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    meeting = Meeting(make, live_server)
    with screens(browser, 1) as (page,):
        sign_in(page, live_server, "pathology")
        page.goto(meeting.room)
        page.route("**/state.json*", lambda route: route.abort())  # the network goes away
        expect(page.get_by_text("Connection lost: this screen may be out of date.")).to_be_visible(timeout=LIVE)
        page.unroute("**/state.json*")
        expect(page.get_by_text("Connected again: this screen is up to date.")).to_be_visible(timeout=LIVE)


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways: {width[0]} px wide in {width[1]} px"


def test_voting_on_a_phone_takes_one_tap_to_check_in_and_two_to_a_counted_vote(
    make, browser, app, live_server, monkeypatch
):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    meeting = Meeting(make, live_server)
    item = meeting.items[0]
    long = "Neoadjuvant dose-dense AC followed by weekly paclitaxel; reassess with MRI before surgery. " * 6
    for specialty in COC_REQUIRED_SPECIALTIES:  # a full case: every specialty has written at length
        db.session.add(Recommendation(presentation_id=item.id, specialty=specialty, modality=Modality.SYSTEMIC_THERAPY,
                                      intent=Intent.CURATIVE, text=long))
    db.session.commit()
    with screens(browser, 1) as (chair,), screens(browser, 1, viewport=PHONE, is_mobile=True, has_touch=True) as (
        phone,
    ):
        sign_in(chair, live_server, "chair")
        _check_in(chair, meeting)
        chair.goto(meeting.case(0))
        chair.get_by_role("textbox", name="Consensus plan").fill("Neoadjuvant chemotherapy, then lumpectomy")
        chair.get_by_role("button", name="Open the vote").click()

        sign_in(phone, live_server, "medical_oncology")
        phone.goto(meeting.room)  # the room link
        _no_sideways_scroll(phone)
        phone.get_by_role("button", name="Check me in").tap()  # check-in: one tap
        expect(phone.get_by_role("status")).to_contain_text("is checked in")
        _no_sideways_scroll(phone)
        phone.get_by_role("link", name="Open the case and vote").tap()  # tap 1
        agree = phone.get_by_role("button", name="Agree", exact=True)
        box = agree.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"], f"the vote is below the fold: {box}"
        recommendations = phone.get_by_role("heading", name="Recommendations by specialty").bounding_box()
        assert recommendations["y"] > box["y"]  # the long list comes after the vote
        _no_sideways_scroll(phone)
        agree.tap()  # tap 2: counted
        expect(phone.get_by_role("status")).to_have_text("Your vote is counted.")
        expect(phone.locator("[data-my-vote]")).to_have_text("agree")
        expect(chair.locator("[data-tally=agree]")).to_have_text("1", timeout=LIVE)
        _no_sideways_scroll(phone)
