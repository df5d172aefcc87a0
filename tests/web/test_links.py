"""A page links only where its reader may go: every link on the dashboard and the audit log opens for the user who
sees it (the navigation and the links come from the routes' own declared audiences, `web.access.may_use`)."""

import re

import pytest
from flask import g

from tumorboard.vocab import CaseStatus, Role

LINK = re.compile(r'href="(/[^"#?]*)[^"]*"')


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDITOR, Role.COORDINATOR, Role.NAVIGATOR, Role.PHYSICIAN])
def test_every_link_on_the_dashboard_and_the_audit_log_opens_for_its_reader(make, client, auth, role):
    make.user(username="reader", roles=(role,))
    make.user(username="dana", roles=(Role.COORDINATOR,))
    case = make.case(status=CaseStatus.SUBMITTED)
    make.presentation(case=case)  # an upcoming conference and a queued case
    auth.login("dana")
    assert client.get(f"/cases/{case.id}").status_code == 200  # the audit log names this case
    auth.logout()
    g.pop("_login_user", None)
    auth.login("reader")
    pages = ["/"] + (["/audit/"] if role in (Role.ADMIN, Role.AUDITOR) else [])
    links = {link for page in pages for link in LINK.findall(client.get(page).get_data(as_text=True))}
    assert links, "the pages link somewhere"
    refused = {}
    for link in sorted(links - {"/logout"}):
        status = client.get(link).status_code
        if status in (401, 403):
            refused[link] = status
    assert refused == {}


def test_the_admins_dashboard_gives_the_queue_figures_without_a_link_to_the_queue(make, client, auth):
    make.user(username="alex", roles=(Role.ADMIN,))
    make.case(status=CaseStatus.SUBMITTED)
    auth.login("alex")
    page = client.get("/").get_data(as_text=True)
    assert "Cases waiting in the queue" in page and 'href="/cases/' not in page and 'href="/conferences/' not in page
