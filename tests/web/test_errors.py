"""Error pages, and a 500 that is logged without patient data."""

import logging

from tumorboard.main import views
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
