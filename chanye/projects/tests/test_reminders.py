"""Reminders to late filers: the department reminds the owners of its projects not filed for a month (in-app,
and by email where the person has an address), nobody twice the same day about the same project; the board
says when each late project was last reminded, and the enterprise user sees the reminder where they file."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from chanye.accounts.roles import Role
from chanye.audit.models import AuditEvent
from chanye.enterprises.demo import uscc_for
from chanye.enterprises.services import enterprise_save
from chanye.organizations.models import Department, Street
from chanye.projects.models import AnnualPlan, Filing, FilingStatus, Project, Reminder, ReminderChannel
from chanye.projects.reminders import reminders_send

pytestmark = pytest.mark.django_db
MARCH = date(2025, 3, 1)
APRIL_10 = date(2025, 4, 10)


def _project(code, name, owner, department, stage="continuing"):
    project = Project.objects.create(
        code=code,
        name=name,
        owner=owner,
        street=Street.objects.get(code="TH01"),
        department=Department.objects.get(code=department),
        stage=stage,
        total_investment=Decimal(100000),
    )
    AnnualPlan.objects.create(project=project, year=2025, planned_investment=Decimal(12000))
    return project


@pytest.fixture
def library(systems, personas, make_user):
    """Under 工信局 (IIT): firm1's project not filed (late) and another of firm1 filed on time; a reserve
    project (nothing to file). Under 区委金融办 (FIN): a bank's project with a returned filing, whose
    two users are one with an email address and one without."""
    firm = enterprise_save(by=None, values={"uscc": uscc_for(21), "name": "广州天催软件有限公司"})
    bank = enterprise_save(by=None, values={"uscc": uscc_for(22), "name": "广州天催银行有限公司"})
    filer = personas["enterprise"]
    filer.enterprise, filer.email = firm, "filer@firm.example"
    filer.save()
    teller = make_user("teller", Role.ENTERPRISE_USER, enterprise=bank, email="teller@bank.example")
    clerk = make_user("clerk", Role.ENTERPRISE_USER, enterprise=bank)
    late = _project("TH2025-L1", "天催软件园", firm, "IIT")
    filed = _project("TH2025-L2", "天催研发楼", firm, "IIT")
    Filing.objects.create(
        project=filed,
        period=MARCH,
        status=FilingStatus.SUBMITTED,
        due_on=date(2025, 4, 5),
        submitted_at=timezone.make_aware(datetime(2025, 4, 3, 9)),
    )
    _project("TH2025-L3", "天催储备项目", firm, "IIT", stage="reserve")
    returned = _project("TH2025-L4", "天催金融中心", bank, "FIN")
    Filing.objects.create(
        project=returned,
        period=MARCH,
        status=FilingStatus.RETURNED,
        return_reason="数据不符",
        due_on=date(2025, 4, 5),
        submitted_at=timezone.make_aware(datetime(2025, 4, 3, 9)),
    )
    return {"late": late, "filed": filed, "returned": returned, "teller": teller, "clerk": clerk}


def _sent(result):
    return sorted((p.project.code, p.recipient.username) for p in result.sent)


def test_the_department_reminds_its_unfiled_projects_once_a_day(library, personas):
    dept, filer = personas["dept"], personas["enterprise"]
    result = reminders_send(period=MARCH, by=dept, today=APRIL_10)
    assert _sent(result) == [("TH2025-L1", filer.username)]  # not the filed, reserve or other department's
    reminder = Reminder.objects.get()
    assert (reminder.recipient, reminder.sent_by, reminder.sent_on) == (filer, dept, APRIL_10)
    assert reminder.channel == ReminderChannel.EMAIL and reminder.email == "filer@firm.example"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["filer@firm.example"] and "2025 年 3 月" in message.subject
    assert "TH2025-L1 天催软件园" in message.body and "已逾期 5 天" in message.body
    event = AuditEvent.objects.get(action="filing.remind")
    assert event.actor == dept and event.object_id == str(library["late"].pk)
    assert event.after["recipients"] == [filer.username] and event.after["period"] == "2025-03"

    again = reminders_send(period=MARCH, by=dept, today=APRIL_10)
    assert again.sent == [] and [(p.project.code, p.recipient) for p in again.already] == [
        ("TH2025-L1", filer)
    ]
    assert Reminder.objects.count() == 1 and len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="filing.remind").count() == 1
    assert "今天已提醒过" in again.summary()

    next_day = reminders_send(period=MARCH, by=dept, today=date(2025, 4, 11))
    assert _sent(next_day) == [("TH2025-L1", filer.username)] and Reminder.objects.count() == 2


def test_the_drc_reminds_every_owner_in_app_and_by_email_where_there_is_an_address(library, personas):
    result = reminders_send(period=MARCH, by=personas["drc"], today=APRIL_10)
    assert _sent(result) == [
        ("TH2025-L1", personas["enterprise"].username),
        ("TH2025-L4", "clerk"),  # a returned filing is not filed
        ("TH2025-L4", "teller"),
    ]
    channels = dict(Reminder.objects.values_list("recipient__username", "channel"))
    assert channels["clerk"] == ReminderChannel.INBOX and channels["teller"] == ReminderChannel.EMAIL
    assert sorted(m.to[0] for m in mail.outbox) == ["filer@firm.example", "teller@bank.example"]
    assert result.projects == 2 and result.emails == 2
    assert AuditEvent.objects.filter(action="filing.remind").count() == 2  # one per project


def test_a_project_whose_owner_has_nobody_to_file_is_named_and_a_dry_run_sends_nothing(library, personas):
    orphan = _project("TH2025-L5", "无人项目", None, "IIT")
    dry = reminders_send(period=MARCH, by=personas["dept"], today=APRIL_10, dry_run=True)
    assert _sent(dry) == [("TH2025-L1", personas["enterprise"].username)]
    assert dry.no_recipient == [orphan] and dry.dry_run and "将提醒" in dry.summary()
    assert not Reminder.objects.exists() and mail.outbox == []
    assert not AuditEvent.objects.filter(action="filing.remind").exists()


def test_a_month_that_has_not_ended_cannot_be_reminded_and_only_reviewers_remind(library, personas):
    with pytest.raises(ValidationError, match="尚未结束"):
        reminders_send(period=MARCH, by=personas["drc"], today=date(2025, 3, 31))
    for persona in ("enterprise", "leader", "street"):
        with pytest.raises(PermissionDenied):
            reminders_send(period=MARCH, by=personas[persona], today=APRIL_10)
    assert not Reminder.objects.exists()


def test_the_button_on_the_board_and_when_each_was_last_reminded(library, personas, login):
    client = login(personas["dept"])
    board = client.get("/projects/filings/?month=2025-03").content.decode()
    assert 'data-testid="remind"' in board and "提醒未报单位" in board
    response = client.post("/projects/reminders/", {"month": "2025-03"}, follow=True)
    assert response.redirect_chain[-1][0] == "/projects/filings/?month=2025-03"
    text = response.content.decode()
    assert "2025-03 月报已提醒 1 个项目的 1 人次，其中 1 封邮件" in text
    sent_at = timezone.localtime(Reminder.objects.get().sent_at)
    row = text[text.index('data-code="TH2025-L1"') :].split("</tr>")[0]
    assert f"{sent_at:%Y-%m-%d %H:%M}" in row
    other = text[text.index('data-code="TH2025-L2"') :].split("</tr>")[0]
    assert 'data-testid="last-reminded">—' in other

    again = client.post("/projects/reminders/", {"month": "2025-03"}, follow=True).content.decode()
    assert "已提醒 0 个项目" in again and "1 人次今天已提醒过，不再重复" in again
    assert Reminder.objects.count() == 1

    log = client.get("/projects/reminders/?month=2025-03").content.decode()
    assert "天催软件园" in log and "filer@firm.example" in log and "天催金融中心" not in log  # scope


def test_the_enterprise_user_sees_the_reminder_where_they_file(library, personas, login):
    reminders_send(period=MARCH, by=personas["dept"], today=APRIL_10)
    client = login(personas["enterprise"])
    board = client.get("/projects/filings/?month=2025-03").content.decode()
    assert 'data-testid="inbox"' in board and "天催软件园 2025-03 月报尚未报送" in board
    assert "/projects/TH2025-L1/filings/2025-03/" in board
    assert 'data-testid="remind"' not in board  # the owner does not remind
    assert client.post("/projects/reminders/", {"month": "2025-03"}).status_code == 403
    mine = client.get("/projects/reminders/").content.decode()
    assert "我收到的催报提醒" in mine and "天催软件园" in mine
    # the bank's clerk has received nothing
    assert "天催软件园" not in login(library["clerk"]).get("/projects/reminders/").content.decode()


def test_the_api_sends_lists_and_refuses(library, personas, api_as):
    dept = api_as(personas["dept"])
    dry = dept.post("/api/v1/filings/remind/", {"period": "2025-03", "dry_run": True}, format="json")
    assert dry.status_code == 200 and dry.json()["dry_run"] is True
    assert [s["project"] for s in dry.json()["sent"]] == ["TH2025-L1"] and not Reminder.objects.exists()
    sent = dept.post("/api/v1/filings/remind/", {"period": "2025-03"}, format="json").json()
    assert sent["sent"] == [
        {
            "project": "TH2025-L1",
            "name": "天催软件园",
            "recipient": personas["enterprise"].username,
            "email": "filer@firm.example",
        }
    ]
    assert sent["emails"] == 1 and Reminder.objects.count() == 1
    again = dept.post("/api/v1/filings/remind/", {"period": "2025-03"}, format="json").json()
    assert again["sent"] == [] and len(again["already"]) == 1

    listed = api_as(personas["enterprise"]).get("/api/v1/filing-reminders/").json()["results"]
    assert [(r["project"], r["period"], r["sent_by"]) for r in listed] == [
        ("TH2025-L1", "2025-03", personas["dept"].username)
    ]
    assert api_as(library["teller"]).get("/api/v1/filing-reminders/").json()["results"] == []

    bad = dept.post("/api/v1/filings/remind/", {"period": "2025-13"}, format="json")
    assert bad.status_code == 400 and "period" in bad.json()
    assert (
        api_as(personas["enterprise"]).post("/api/v1/filings/remind/", {"period": "2025-03"}).status_code
        == 403
    )
    assert api_as(None).post("/api/v1/filings/remind/", {"period": "2025-03"}).status_code == 401


def test_the_command_reminds_everyone_and_running_it_again_the_same_day_sends_nothing(
    library, personas, capsys
):
    call_command("projects", "remind", "--period", "2025-03", "--today", "2025-04-10", "--dry-run")
    out = capsys.readouterr().out
    assert "将提醒\tTH2025-L1" in out and "将提醒\tTH2025-L4" in out and not Reminder.objects.exists()
    call_command("projects", "remind", "--period", "2025-03", "--today", "2025-04-10")
    out = capsys.readouterr().out
    assert "2025-03 月报已提醒 2 个项目的 3 人次，其中 2 封邮件" in out
    assert set(Reminder.objects.values_list("sent_by", flat=True)) == {None}
    assert AuditEvent.objects.filter(action="filing.remind", actor_name="system").count() == 2
    call_command("projects", "remind", "--period", "2025-03", "--today", "2025-04-10")
    out = capsys.readouterr().out
    assert "已提醒 0 个项目" in out and out.count("今天已提醒\t") == 3
    assert Reminder.objects.count() == 3 and len(mail.outbox) == 2


def test_the_reminder_list_and_the_board_read_in_a_bounded_number_of_queries(
    library, personas, api_as, login, django_assert_max_num_queries
):
    for day in range(10, 20):
        reminders_send(period=MARCH, by=personas["drc"], today=date(2025, 4, day))
    api = api_as(personas["drc"])
    with django_assert_max_num_queries(4):
        rows = api.get("/api/v1/filing-reminders/", {"period": "2025-03"}).json()["results"]
    assert len(rows) == 30  # ten days, three people
    client = login(personas["enterprise"])
    with django_assert_max_num_queries(14):
        board = client.get("/projects/filings/?month=2025-03")
    assert len(board.content.decode().split('data-testid="inbox"')[1].split("</ul>")[0].split("<li")) == 11


def test_a_failed_email_records_no_reminder_so_the_next_try_sends_again(library, personas, settings):
    settings.MAILERS = {  # an SMTP server that is not there: the connection is refused
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    with pytest.raises(ValidationError, match="提醒邮件发送失败"):
        reminders_send(period=MARCH, by=personas["dept"], today=APRIL_10)
    assert not Reminder.objects.exists() and not AuditEvent.objects.filter(action="filing.remind").exists()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert len(reminders_send(period=MARCH, by=personas["dept"], today=APRIL_10).sent) == 1
