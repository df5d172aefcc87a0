"""The benchmark generator and every benchmark run once at the small scale: they work (times are not asserted)."""

from __future__ import annotations

import sqlalchemy as sa

from tumorboard.benchmarks.run import render_markdown, run_benchmarks, write_between_markers
from tumorboard.extensions import db
from tumorboard.room.models import Presentation, Vote


def test_seed_synthetic_and_run_every_benchmark(app, runner, tmp_path):
    seeded = runner.invoke(args=["seed-synthetic", "--scale", "small", "--years", "1"])
    assert seeded.exit_code == 0, seeded.output
    assert "2 series" in seeded.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Presentation)) > 300
    on_postgres = db.engine.dialect.name == "postgresql"
    if on_postgres:  # vacuumed and analyzed after the bulk load, as a database in use is
        assert db.session.execute(
            sa.text(
                "SELECT last_vacuum IS NOT NULL, last_analyze IS NOT NULL FROM pg_stat_user_tables "
                "WHERE relname = 'presentations'"
            )
        ).one() == (True, True)
    assert runner.invoke(args=["seed-synthetic", "--scale", "small"]).exit_code == 1  # never over existing data
    assert "kept as it is" in runner.invoke(args=["seed-synthetic", "--if-empty"]).output

    config = {
        key: app.config[key]
        for key in ("SQLALCHEMY_DATABASE_URI", "REPORTS_DIR", "TIMEZONE", "PROGRAM_NAME", "SECRET_KEY")
    }
    report = run_benchmarks(
        config,
        runs=1,
        letters=3,
        log_rows=30,
        load_seconds=3 if on_postgres else 0,
        load_physicians=4,
        work_dir=tmp_path,
    )

    names = [result.name for result in report.results]
    assert (
        names[0].startswith("Accreditation report")
        and "Room state poll (JSON)" in names
        and "3 letters issued in a batch" in names
    )
    assert all(result.seconds > 0 for result in report.results)
    by_page: dict[str, set[int]] = {}
    for row in report.statements:
        by_page.setdefault(row.page.split(" 20")[0].split(" (")[0], set()).add(row.statements)
    assert all(len(counts) == 1 for counts in by_page.values()), (
        report.statements
    )  # the same number of statements for few and many rows
    if on_postgres:
        assert (
            report.load is not None
            and report.load.requests > 0
            and report.load.votes_lost == 0
            and report.load.errors == 0
        )
    else:
        assert "PostgreSQL" in report.load_note
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote)) > 0

    page = tmp_path / "performance.md"
    page.write_text("# Performance\n\n<!-- bench:sqlite:begin -->\nold\n<!-- bench:sqlite:end -->\n\nNotes stay.\n")
    write_between_markers(page, render_markdown(report), "sqlite")
    text = page.read_text()
    assert "old" not in text and "| Room state poll (JSON) |" in text and text.endswith("Notes stay.\n")


def test_the_room_benchmark_measures_both_mechanisms_on_a_meeting_of_its_own(app, tmp_path):
    """A few screens for a few seconds: every vote reaches every screen, none is lost, and the table says so."""
    from flask_migrate import upgrade

    from tumorboard import create_app
    from tumorboard.benchmarks.room_sync import render_room_sync, room_database, run_room_sync, seed_meeting
    from tumorboard.db import utcnow

    room_url = room_database(db.engine.url.render_as_string(hide_password=False))
    assert room_url != db.engine.url.render_as_string(hide_password=False)
    room_app = create_app({"SQLALCHEMY_DATABASE_URI": room_url})
    with room_app.app_context():
        upgrade()
        subjects = seed_meeting(4, utcnow())
        runs = run_room_sync(room_url, subjects, voters=2, seconds=6, work_dir=tmp_path, vote_every=(0.5, 1.0))
        db.session.remove()
        db.engine.dispose()
    assert [r.mechanism for r in runs] == ["conditional", "plain-2s"]
    for run in runs:
        assert run.errors == 0 and run.lost == 0 and run.never_shown == 0 and run.votes >= 1, run
    assert runs[0].not_modified > 0 and runs[1].not_modified == 0  # only the conditional poll hears 304
    assert "| conditional |" in render_room_sync(runs, "a database")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vote)) == 0  # the test's own database untouched
