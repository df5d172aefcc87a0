"""The create-user and seed-demo commands."""

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from tumorboard.auth.models import User
from tumorboard.cases.models import Case
from tumorboard.conferences.models import Conference, ConferenceSeries
from tumorboard.conferences.queries import load_members_page
from tumorboard.extensions import db
from tumorboard.program.settings import program_today
from tumorboard.reports.queries import program_report
from tumorboard.room.models import Attendance, Presentation, Vote
from tumorboard.vocab import CaseStatus, ConferenceStatus, Role

ARGS = [
    "create-user",
    "skim",
    "--name",
    "Sarah Kim",
    "--email",
    "skim@hospital.example.org",
    "--specialty",
    "Medical oncology",
    "--role",
    "physician",
    "--role",
    "coordinator",
    "--password-stdin",
]


def test_create_user_reads_the_password_from_stdin(runner, auth):
    result = runner.invoke(args=ARGS, input="a-long-enough-password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.username == "skim"))
    assert user.roles == {Role.PHYSICIAN, Role.COORDINATOR}
    assert auth.login("skim", "a-long-enough-password").status_code == 302


def test_create_user_prompts_twice_without_stdin_flag(runner):
    result = runner.invoke(args=ARGS[:-1], input="a-long-enough-password\na-long-enough-password\n")
    assert result.exit_code == 0, result.output
    assert "a-long-enough-password" not in result.output


def test_create_user_refuses_a_weak_password_and_bad_codes(runner):
    weak = runner.invoke(args=ARGS, input="short\n")
    assert weak.exit_code == 1 and "at least 12" in weak.output
    bad = runner.invoke(args=[*ARGS[:7], "astrology", *ARGS[8:]], input="a-long-enough-password\n")
    assert bad.exit_code == 2 and "not a known specialty" in bad.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_seed_demo_refuses_a_database_with_data(make, runner):
    make.user()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1 and "already has users or cases" in result.output
    assert runner.invoke(args=["seed-demo", "--if-empty"]).exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_seed_demo_builds_a_realistic_program_with_the_documented_headline(runner, app):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "coordinator" in result.output and "tumorboard-demo" in result.output

    count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
    assert 24 <= count(User) <= 30
    assert count(ConferenceSeries) == 4
    held = db.session.scalar(sa.select(sa.func.count(Conference.id)).where(Conference.status == ConferenceStatus.HELD))
    upcoming = db.session.scalar(
        sa.select(sa.func.count(Conference.id)).where(Conference.status == ConferenceStatus.SCHEDULED)
    )
    assert held > 150 and upcoming >= 8
    assert count(Presentation) > 500 and count(Attendance) > 800 and count(Vote) > 2000
    assert db.session.scalar(sa.select(sa.func.max(Case.submitted_at))) <= datetime.now(
        ZoneInfo("UTC")
    )  # nothing submitted in the future
    statuses = dict(db.session.execute(sa.select(Case.status, sa.func.count(Case.id)).group_by(Case.status)).all())
    assert statuses[CaseStatus.SUBMITTED] >= 8  # waiting in the queue
    assert statuses[CaseStatus.DRAFT] >= 4 and statuses[CaseStatus.SCHEDULED] >= 12
    assert statuses[CaseStatus.PLAN_FINALIZED] > statuses[CaseStatus.PRESENTED] > 0

    # The documented headline, as the accreditation report computes it: 22.5% of this year's registry caseload.
    report = program_report(program_today().year)
    assert report.caseload_source == "registry" and report.case_presentation_rate == 0.225
    assert report.cases_presented * 40 == report.analytic_cases * 9
    assert (
        report.second_opinions.letters_sent > 0 and report.implementation.recorded > 0
    )  # the quality section has data
    assert all(row.analytic_cases > 0 for row in report.by_site_group)
    board = db.session.scalars(sa.select(ConferenceSeries).order_by(ConferenceSeries.id)).first()
    members = load_members_page(board, datetime.now(ZoneInfo("UTC"))).members
    assert members and all(m.attendance.held > 0 for m in members)  # on the board all year: attendance counts
    assert any(m.attendance.attended > 0 for m in members)
    db.session.expunge_all()  # the command below erases and rebuilds these rows

    again = runner.invoke(args=["seed-demo", "--force"])
    assert again.exit_code == 0 and count(ConferenceSeries) == 4
