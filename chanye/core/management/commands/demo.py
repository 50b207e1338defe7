"""`chanye demo`: load the shipped systems and create one demo user per role (idempotent).

Passwords are random per installation, printed when the users are made and kept in
var/demo-logins.txt (readable by the owner only) so `make run` can show them again.
"""

import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from chanye.accounts.models import User
from chanye.accounts.roles import ROLE_LABELS, Role
from chanye.industries.models import IndustrySystem
from chanye.industries.services import system_load
from chanye.organizations.models import Department, Leader, Street

SYSTEMS_DIR = Path(settings.BASE_DIR) / "systems"
SHIPPED = ("gz-12218.yaml", "tianhe-12126.yaml")  # parent first

DEMO_USERS = (
    # username, role, display name, scope
    ("leader", Role.DISTRICT_LEADER, "演示·区领导", {"leader": "L-VP-IND"}),
    ("drc", Role.DRC_ADMIN, "演示·发改局管理员", {"department": "DRC"}),
    ("iit", Role.DEPARTMENT_OFFICER, "演示·工信局经办人", {"department": "IIT"}),
    ("street", Role.STREET_OFFICER, "演示·五山街道经办人", {"street": "TH01"}),
    ("enterprise", Role.ENTERPRISE_USER, "演示·企业用户", {}),
    ("sysadmin", Role.SYSTEM_ADMIN, "演示·系统管理员", {}),
    ("secadmin", Role.SECURITY_ADMIN, "演示·安全管理员", {}),
    ("auditor", Role.AUDIT_ADMIN, "演示·审计管理员", {}),
)


def demo_password() -> str:
    return f"Demo-{secrets.token_hex(4)}-{secrets.randbelow(90) + 10}"


class Command(BaseCommand):
    help = "Load the shipped industrial systems, a synthetic enterprise register and the demo users (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enterprises",
            type=int,
            default=3000,
            help="size of the synthetic register (default 3,000; 1000000 for benchmarks)",
        )

    def handle(self, *args, **options):
        for name in SHIPPED:
            path = SYSTEMS_DIR / name
            result = system_load(
                text=path.read_text(encoding="utf-8"), filename=str(path.relative_to(settings.BASE_DIR))
            )
            state = "loaded" if result.created else "unchanged"
            self.stdout.write(f"system {result.system.code}@{result.version.version}: {state}")
        self._register(options["enterprises"])
        created = self._users()
        self._projects()
        self._cases()
        self._indicators()
        self._economy()
        self._project_figures()
        self._targets()
        logins = settings.VAR_DIR / "demo-logins.txt"
        if created:
            lines = ["Demo logins (synthetic; administrators enrol a TOTP authenticator at first sign-in):"]
            lines += [
                f"  {role_label:<8} {username:<11} {password}" for username, role_label, password in created
            ]
            logins.parent.mkdir(parents=True, exist_ok=True)
            logins.write_text("\n".join(lines) + "\n", encoding="utf-8")
            logins.chmod(0o600)
            self.stdout.write("\n".join(lines))
        elif not logins.exists():
            logins.write_text("Demo users exist; their passwords were printed when they were created.\n")

    def _projects(self) -> None:
        from chanye.projects.services import demo_projects

        made = demo_projects()
        self.stdout.write(f"projects: {made} synthetic key projects created" if made else "projects: present")

    def _cases(self) -> None:
        from chanye.casework.services import demo_cases

        made = demo_cases()
        self.stdout.write(f"cases: {made} synthetic blocker cases created" if made else "cases: present")

    def _indicators(self) -> None:
        from chanye.indicators.services import demo_indicators

        made = demo_indicators()
        self.stdout.write(f"indicators: {made:,} figures recorded" if made else "indicators: present")

    def _project_figures(self) -> None:
        from chanye.projects.indicator_figures import project_figures_record

        result = project_figures_record()
        years = "、".join(str(found.year) for found in result.figures) or "—"
        self.stdout.write(
            f"project figures: {years} recorded ({result.created} new, {result.updated} revised)"
        )

    def _economy(self) -> None:
        from chanye.economy.services import demo_economy

        runs = demo_economy()
        years = "、".join(str(run.year) for run in sorted(runs, key=lambda run: run.year))
        self.stdout.write(f"value added: estimated {years}" if runs else "value added: present")

    def _targets(self) -> None:
        from chanye.targets.services import demo_targets

        self.stdout.write(demo_targets().summary())

    def _register(self, count: int) -> None:
        from chanye.enterprises.services import demo_register

        outcome = demo_register(count=count)
        if outcome is None:
            self.stdout.write(f"enterprises: the synthetic register already holds {count:,}")
        else:
            self.stdout.write(
                f"enterprises: {outcome.created:,} synthetic enterprises created, {outcome.updated:,} updated"
            )

    @transaction.atomic
    def _users(self) -> list[tuple[str, str, str]]:
        if User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).exists():
            return []
        if not IndustrySystem.objects.exists():
            return []
        created = []
        for username, role, display_name, scope in DEMO_USERS:
            password = demo_password()
            user = User(
                username=username,
                role=role.value,
                display_name=display_name,
                password_changed_at=timezone.now(),
            )
            if "leader" in scope:
                user.leader = Leader.objects.filter(code=scope["leader"]).first() or Leader.objects.first()
            if "department" in scope:
                user.department = Department.objects.filter(code=scope["department"]).first()
            if role == Role.ENTERPRISE_USER:
                from chanye.enterprises.models import Enterprise

                user.enterprise = Enterprise.objects.filter(synthetic=True).order_by("-revenue").first()
            if "street" in scope:
                user.street = Street.objects.filter(code=scope["street"]).first() or Street.objects.first()
            user.set_password(password)
            user.save()
            created.append((username, ROLE_LABELS[role], password))
        return created
