"""Filings under real concurrency: threads with their own database connections save and submit at once,
on the same filing and on different projects. Every save the service acknowledged is stored; every save it
refused was stale (another one came first) and changed nothing; no save is lost or written over another.

Needs a database that several connections share: PostgreSQL, or SQLite in a file (the settings' IMMEDIATE
transactions and busy timeout make that safe). The SQLite test database is in memory (shared cache, whose
table locks fail at once instead of waiting), so there these tests are skipped; bench/project_burst.py
checks the same property on SQLite files against gunicorn.
"""

import threading
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, connections

from chanye.accounts.roles import Role
from chanye.enterprises.demo import uscc_for
from chanye.enterprises.services import enterprise_save
from chanye.organizations.models import Department, Street
from chanye.projects import services
from chanye.projects.models import AnnualPlan, Filing, FilingRevision, FilingStatus, Project

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite"
        and connection.settings_dict["TEST"].get("NAME") in (None, "", ":memory:"),
        reason="the SQLite test database is in memory; concurrency needs PostgreSQL or a SQLite file",
    ),
]
NOVEMBER = date(2025, 11, 1)


def _owner_and_project(systems, make_user, number: int, *, colleagues: int = 1):
    """An enterprise with `colleagues` enterprise users and a continuing project with a 2025 plan."""
    firm = enterprise_save(
        by=None, values={"uscc": uscc_for(500 + number), "name": f"广州并发测试{number}号有限公司"}
    )
    users = [
        make_user(f"filer{number}-{k}", Role.ENTERPRISE_USER, enterprise=firm) for k in range(colleagues)
    ]
    project = Project.objects.create(
        code=f"TH2025-C{number:02d}",
        name=f"并发测试{number}号项目",
        owner=firm,
        industry=systems.industries.get(code="SW"),
        street=Street.objects.get(code="TH01"),
        department=Department.objects.get(code="IIT"),
        stage="continuing",
        total_investment=Decimal(100000),
    )
    AnnualPlan.objects.create(project=project, year=2025, planned_investment=Decimal(12000))
    return users, project


def _at_once(calls):
    """Run each call in its own thread (its own connection), all released together; each call's result or
    the exception it raised, in order."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome under test
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a save hung"
    return outcomes


def _kinds(outcomes) -> Counter:
    return Counter(type(outcome).__name__ for outcome in outcomes)


def test_colleagues_saving_one_open_draft_at_once_one_wins_the_rest_are_refused(systems, make_user):
    users, project = _owner_and_project(systems, make_user, 1, colleagues=6)
    draft = services.filing_save(project=project, period=NOVEMBER, values={}, by=users[0])
    assert draft.version == 1

    outcomes = _at_once(
        [
            lambda user=user, n=n: services.filing_save(
                project=project,
                period=NOVEMBER,
                values={"narrative": f"第{n}位同事的进度说明"},
                by=user,
                expected_version=1,  # every colleague opened version 1
            )
            for n, user in enumerate(users)
        ]
    )

    assert _kinds(outcomes) == Counter({"Filing": 1, "StaleEdit": 5})
    winner = next(outcome for outcome in outcomes if isinstance(outcome, Filing))
    stored = Filing.objects.get(project=project, period=NOVEMBER)
    assert stored.version == 2 and stored.narrative == winner.narrative
    assert all("已被他人修改" in str(outcome) for outcome in outcomes if not isinstance(outcome, Filing))
    assert list(stored.revisions.values_list("action", flat=True)) == ["save", "save"]


def test_first_saves_of_a_month_at_once_create_one_filing_and_refuse_the_others(systems, make_user):
    users, project = _owner_and_project(systems, make_user, 2, colleagues=5)

    outcomes = _at_once(
        [
            lambda user=user, n=n: services.filing_save(
                project=project,
                period=NOVEMBER,
                values={"narrative": f"首次填报{n}"},
                by=user,
                expected_version=0,  # the form was opened before the month had a filing
                submit=n % 2 == 0,
            )
            for n, user in enumerate(users)
        ]
    )

    assert _kinds(outcomes) == Counter({"Filing": 1, "StaleEdit": 4})
    winner = next(outcome for outcome in outcomes if isinstance(outcome, Filing))
    stored = Filing.objects.get(project=project, period=NOVEMBER)
    assert (stored.narrative, stored.status, stored.version) == (winner.narrative, winner.status, 1)
    assert stored.revisions.count() == 1
    assert all("已由他人先行填报" in str(outcome) for outcome in outcomes if not isinstance(outcome, Filing))


def test_many_owners_filing_at_once_every_acknowledged_filing_is_stored(systems, make_user):
    owners = [_owner_and_project(systems, make_user, 10 + n) for n in range(8)]

    def file(user, project):
        services.filing_save(project=project, period=NOVEMBER, values={}, by=user, expected_version=0)
        return services.filing_save(
            project=project, period=NOVEMBER, values={}, by=user, expected_version=1, submit=True
        )

    outcomes = _at_once([lambda u=users[0], p=project: file(u, p) for users, project in owners])

    acknowledged = [outcome for outcome in outcomes if isinstance(outcome, Filing)]
    assert len(acknowledged) == len(owners), [o for o in outcomes if not isinstance(o, Filing)]
    stored = Filing.objects.filter(period=NOVEMBER, project__in=[p for _u, p in owners])
    assert stored.filter(status=FilingStatus.SUBMITTED).count() == len(acknowledged)
    assert sorted(stored.values_list("project_id", flat=True)) == sorted(f.project_id for f in acknowledged)
    assert Counter(
        FilingRevision.objects.filter(filing__in=stored).values_list("action", flat=True)
    ) == Counter({"save": len(owners), "submit": len(owners)})
    for filing in stored:  # prefilled from the plan: 12,000 a year, pro rata
        assert filing.investment == Decimal("1000.00") and filing.version == 2


def test_two_colleagues_submitting_the_prefilled_form_at_once_one_gets_409_with_the_reason(
    systems, make_user
):
    from django.test import Client

    users, project = _owner_and_project(systems, make_user, 3, colleagues=2)
    url = f"/projects/{project.code}/filings/2025-11/"
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        assert client.get(url).context["form"].initial["version"] is None  # no filing yet
        clients.append(client)

    def submit(client, n):
        data = {"investment": "1000.00", "cumulative": "1000.00", "narrative": f"同事{n}报送", "submit": "1"}
        return client.post(url, data)

    answers = _at_once([lambda c=c, n=n: submit(c, n) for n, c in enumerate(clients)])

    assert sorted(answer.status_code for answer in answers) == [302, 409]
    refused = next(answer for answer in answers if answer.status_code == 409)
    assert "已由他人先行填报" in refused.content.decode()
    stored = Filing.objects.get(project=project, period=NOVEMBER)
    assert stored.status == FilingStatus.SUBMITTED and stored.revisions.count() == 1
