"""Error pages, and a 500 that is logged without patient data."""

import logging

from tumorboard.dashboard import views
from tumorboard.vocab import Role


def test_unknown_route_is_the_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and b"Page not found" in response.data


def test_an_unexpected_failure_is_a_500_page_whose_log_holds_no_patient_data(make, auth, client, monkeypatch, caplog):
    user = make.user(roles=(Role.PHYSICIAN,))
    auth.login(user.username)

    def explode(*_args):
        raise RuntimeError("MRN TB400007 Jane Doe born 1960-05-17")

    monkeypatch.setattr(views, "build_dashboard", explode)
    with caplog.at_level(logging.ERROR):
        response = client.get("/")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.data and b"TB400007" not in response.data
    assert "RuntimeError" in caplog.text and "TB400007" not in caplog.text and "Jane Doe" not in caplog.text


def test_health_check_answers_without_signing_in(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_when_the_database_fails_the_error_page_needs_no_database_and_the_log_no_values(
    make, auth, client, monkeypatch, caplog
):
    import sqlalchemy as sa

    from tumorboard.auth import views as auth_views

    user = make.user(roles=(Role.PHYSICIAN,))
    auth.login(user.username)
    # As the engine raises it (hide_parameters): the values are kept on the error, never in its text.
    statement_error = sa.exc.OperationalError(
        "INSERT INTO patients",
        {"mrn__0": "TB400007", "last_name__0": "Quillfeather"},
        ConnectionError("server closed the connection unexpectedly"),
        hide_parameters=True,
    )

    def gone(*_args, **_kwargs):
        raise statement_error

    monkeypatch.setattr(views, "build_dashboard", gone)
    monkeypatch.setattr(auth_views.login_manager, "_user_callback", gone)  # so would loading the signed-in user
    from flask import g

    g.pop("_login_user", None)
    with caplog.at_level(logging.DEBUG):
        response = client.get("/")
    monkeypatch.undo()
    assert response.status_code == 500 and b"Something went wrong on our side" in response.data
    assert "TB400007" not in caplog.text and "Quillfeather" not in caplog.text and "OperationalError" in caplog.text


def test_database_errors_never_quote_the_values_they_were_sent_with(make):
    import pytest
    import sqlalchemy as sa

    from tumorboard.cases.models import Patient
    from tumorboard.extensions import db

    make.patient(mrn="TB400007")
    db.session.add(
        Patient(
            mrn="TB400007",
            last_name="Quillfeather",
            first_name="Ada",
            birth_date=make.patient().birth_date,
            sex="female",
        )
    )
    with pytest.raises(sa.exc.IntegrityError) as raised:
        db.session.flush()
    db.session.rollback()
    # SQLAlchemy never quotes the statement's parameters. PostgreSQL's own DETAIL names the duplicate key
    # ("Key (mrn)=(TB400007) already exists"), which is why no error handler logs an error's text (tests below).
    assert "Quillfeather" not in str(raised.value) and "parameters hidden" in str(raised.value)


def test_a_unique_key_clash_is_logged_without_the_key(make, auth, client, monkeypatch, caplog):
    import sqlalchemy as sa

    user = make.user(roles=(Role.PHYSICIAN,))
    auth.login(user.username)

    def clash(*_args):
        raise sa.exc.IntegrityError(
            "INSERT", {}, Exception("duplicate key value\nDETAIL:  Key (mrn)=(TB400007) already exists.")
        )

    monkeypatch.setattr(views, "build_dashboard", clash)
    with caplog.at_level(logging.DEBUG):
        assert client.get("/").status_code == 409
    assert "integrity conflict" in caplog.text and "TB400007" not in caplog.text


def test_an_integrity_conflict_is_a_message_not_a_500(make, auth, client, monkeypatch):
    import sqlalchemy as sa

    user = make.user(roles=(Role.PHYSICIAN,))
    auth.login(user.username)

    def clash(*_args):
        raise sa.exc.IntegrityError("INSERT", {}, Exception("duplicate key value violates unique constraint"))

    monkeypatch.setattr(views, "build_dashboard", clash)
    response = client.get("/")
    assert response.status_code == 409 and b"Someone saved the same record at the same moment" in response.data
