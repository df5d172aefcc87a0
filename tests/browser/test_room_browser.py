"""Two physicians vote from their own browsers while a third screen watches the tally change, without reloading."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tumorboard.conferences.models import SeriesMember
from tumorboard.extensions import db
from tumorboard.room.models import Attendance
from tumorboard.vocab import CaseStatus, Role, Specialty


def test_two_voters_and_a_watching_chair(make, browser, app, live_server, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    series = make.series(name="Breast Tumor Board")
    start = datetime.now(UTC) - timedelta(minutes=5)
    conference = make.conference(series=series, starts_at=start, occurrence_start=start)
    chair = make.user(username="chair", roles=(Role.PHYSICIAN,), specialty=Specialty.SURGERY, full_name="Elena Vasquez")
    db.session.add(SeriesMember(series_id=series.id, user_id=chair.id, is_chair=True))
    voters = [
        make.user(username=name, roles=(Role.PHYSICIAN,), specialty=specialty)
        for name, specialty in (("onc", Specialty.MEDICAL_ONCOLOGY), ("rad", Specialty.RADIATION_ONCOLOGY))
    ]
    for person in (chair, *voters):
        db.session.add(
            Attendance(
                conference_id=conference.id,
                user_id=person.id,
                attendee_name=person.full_name,
                specialty=person.specialty,
            )
        )
    db.session.commit()
    item = make.presentation(conference=conference, case=make.case(status=CaseStatus.SCHEDULED), presenter_id=chair.id)
    case_url = f"{live_server}/room/{conference.id}/case/{item.id}"

    contexts = [browser.new_context() for _ in range(3)]
    chair_page, onc_page, rad_page = (context.new_page() for context in contexts)
    try:
        sign_in(chair_page, live_server, "chair")
        chair_page.goto(case_url)
        chair_page.get_by_role("textbox", name="Consensus plan").fill(
            "Neoadjuvant chemotherapy, then lumpectomy and whole-breast radiation"
        )
        chair_page.get_by_role("button", name="Open the vote").click()
        expect(chair_page.locator("[data-tally=result_label]")).to_have_text("No vote yet")

        for page, username, choice in ((onc_page, "onc", "Agree"), (rad_page, "rad", "Disagree")):
            sign_in(page, live_server, username)
            page.goto(case_url)
            page.get_by_label(choice, exact=True).check()
            if choice == "Disagree":
                page.get_by_label("Comment (kept with the vote; say why if you disagree)").fill(
                    "Would give radiation first"
                )
            page.get_by_role("button", name="Vote").click()
            expect(page.get_by_role("status")).to_have_text("Your vote is counted.")

        # The chair's page was not reloaded: the poll brings the votes in.
        expect(chair_page.locator("[data-tally=agree]")).to_have_text("1", timeout=6000)
        expect(chair_page.locator("[data-tally=disagree]")).to_have_text("1", timeout=6000)
        expect(chair_page.locator("[data-tally=result_label]")).to_have_text("No consensus")

        rad_page.get_by_label("Agree", exact=True).check()
        rad_page.get_by_role("button", name="Change my vote").click()
        expect(chair_page.locator("[data-tally=agree]")).to_have_text("2", timeout=6000)
        expect(chair_page.locator("[data-tally=result_label]")).to_have_text("Unanimous")

        chair_page.reload()
        chair_page.get_by_role("button", name="Close the case").click()
        expect(chair_page.get_by_role("status")).to_have_text(
            "Case closed: unanimous (2 agree, 0 disagree, 0 abstain)."
        )
        expect(onc_page.locator("[data-tally=result_label]")).to_have_text("Unanimous", timeout=6000)
    finally:
        for context in contexts:
            context.close()


def test_a_screen_showing_an_earlier_plan_cannot_vote_on_the_new_one(make, browser, app, live_server, monkeypatch):
    """The chair rewrites the plan while a voter's screen is open: that screen says so and its vote button stops;
    a vote sent from it anyway is refused and the page shows the plan as it now reads."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    series = make.series(name="Breast Tumor Board")
    start = datetime.now(UTC) - timedelta(minutes=5)
    conference = make.conference(series=series, starts_at=start, occurrence_start=start)
    chair = make.user(username="chair", roles=(Role.PHYSICIAN,), specialty=Specialty.SURGERY)
    db.session.add(SeriesMember(series_id=series.id, user_id=chair.id, is_chair=True))
    voter = make.user(username="onc", roles=(Role.PHYSICIAN,), specialty=Specialty.MEDICAL_ONCOLOGY)
    for person in (chair, voter):
        db.session.add(Attendance(conference_id=conference.id, user_id=person.id, attendee_name=person.full_name,
                                  specialty=person.specialty))
    db.session.commit()
    item = make.presentation(conference=conference, case=make.case(status=CaseStatus.SCHEDULED), presenter_id=chair.id)
    case_url = f"{live_server}/room/{conference.id}/case/{item.id}"
    chair_context, voter_context = browser.new_context(), browser.new_context()
    chair_page, voter_page = chair_context.new_page(), voter_context.new_page()
    try:
        sign_in(chair_page, live_server, "chair")
        chair_page.goto(case_url)
        chair_page.get_by_role("textbox", name="Consensus plan").fill("Lumpectomy, then radiation")
        chair_page.get_by_role("button", name="Open the vote").click()
        sign_in(voter_page, live_server, "onc")
        voter_page.goto(case_url)
        voter_page.get_by_label("Agree", exact=True).check()  # the voter reads version 1 ...

        chair_page.get_by_text("Change the plan (votes start again)").click()  # ... while the chair rewrites it
        chair_page.get_by_role("textbox", name="Consensus plan").fill("Mastectomy first")
        chair_page.get_by_role("button", name="Open the vote").click()

        expect(voter_page.get_by_text("The plan has changed since this page was shown.")).to_be_visible(timeout=6000)
        expect(voter_page.get_by_role("button", name="Vote")).to_be_disabled()
        voter_page.evaluate("document.querySelector('[data-vote-form]').submit()")  # sent from the stale page anyway
        refusal = voter_page.get_by_role("alert").filter(has_text="The plan changed since your screen showed it")
        expect(refusal).to_contain_text("Mastectomy first")
        voter_page.get_by_label("Agree", exact=True).check()
        voter_page.get_by_role("button", name="Vote").click()
        expect(voter_page.get_by_role("status")).to_have_text("Your vote is counted.")
        expect(chair_page.locator("[data-tally=agree]")).to_have_text("1", timeout=6000)
    finally:
        chair_context.close()
        voter_context.close()
