"""Data scope, in one place: which rows of each kind a user may see.

`scope_filter(user, kind)` returns True (every row), None (no row) or a Q over the model of
that kind. Models name their kind (`scope_kind`) and read through `objects.visible_to(user)`.

- 发改局管理员 sees everything of the business.
- 区领导 sees the industries they lead and the departments, offices and task forces on them.
- 部门经办人 sees their department and the industries it leads or supports (or is given).
- 街道经办人 sees their street, and every industry (their enterprises span all of them).
- Enterprises: the 发改局 all; a leader those in their industries or in their liaison; a department those in
  its industries or served by it; a street those registered in it; an enterprise user only their own.
- Cases: a department its own, a leader those they supervise and those of the departments leading their
  industries, a street those of its enterprises, an enterprise user its own firm's; everyone what they opened.
- 企业用户 sees no government record; administrators see the records of their duty only.
"""

from django.db.models import Q

from chanye.accounts.roles import Role

_PERMISSION_OF_KIND = {
    "system": "system.view",
    "industry": "system.view",
    "responsibility": "system.view",
    "department": "organizations.view",
    "leader": "organizations.view",
    "office": "organizations.view",
    "task_force": "organizations.view",
    "street": "organizations.view",
    "user": "accounts.view",
    "audit": "audit.view",
    "enterprise": "enterprises.view",
    "import_job": "enterprises.import",
    "project": "projects.view",
    "filing": "projects.view",
    "case": "cases.view",
}


def industry_ids(user) -> set[int] | None:
    """Ids of the industries in this user's scope; None means all of them."""
    from chanye.organizations.models import Responsibility

    if user.role in (Role.DRC_ADMIN, Role.STREET_OFFICER):
        return None
    current = Responsibility.objects.filter(valid_to__isnull=True)
    if user.role == Role.DISTRICT_LEADER:
        if user.leader_id is None:
            return set()
        led = current.filter(Q(leader_id=user.leader_id) | Q(task_force__head_id=user.leader_id))
        return set(led.values_list("industry_id", flat=True))
    if user.role == Role.DEPARTMENT_OFFICER:
        ids = set(user.industries.values_list("id", flat=True))
        if user.department_id is not None:
            dept = user.department_id
            ids |= set(
                current.filter(
                    Q(lead_department_id=dept)
                    | Q(supporting_departments=dept)
                    | Q(office__host_department_id=dept)
                    | Q(task_force__lead_department_id=dept)
                ).values_list("industry_id", flat=True)
            )
        return ids
    return set()


def scope_filter(user, kind: str):
    """True for every row, None for none, else a Q selecting the rows of `kind` this user may see."""
    permission = _PERMISSION_OF_KIND[kind]
    if not user.can(permission):
        return None
    if kind in ("system", "user", "audit", "import_job") or user.role == Role.DRC_ADMIN:
        return True
    if kind == "enterprise":
        return _enterprise_scope(user)
    if kind in ("project", "filing"):
        return _project_scope(user, "" if kind == "project" else "project__")
    if kind == "case":
        return _case_scope(user)
    industries = industry_ids(user)
    if kind == "street":
        return Q(pk=user.street_id) if user.role == Role.STREET_OFFICER else True
    if user.role == Role.STREET_OFFICER:
        return True if kind in ("industry", "responsibility") else None
    if kind == "industry":
        return Q(pk__in=industries)
    if kind == "responsibility":
        return Q(industry_id__in=industries)
    on_industries = Q(responsibilities__valid_to__isnull=True, responsibilities__industry_id__in=industries)
    if kind == "leader":
        if user.role == Role.DISTRICT_LEADER:
            return Q(pk=user.leader_id)
        return on_industries
    if kind == "department":
        if user.role == Role.DEPARTMENT_OFFICER:
            return Q(pk=user.department_id)
        return Q(
            led_responsibilities__valid_to__isnull=True, led_responsibilities__industry_id__in=industries
        ) | Q(
            supported_responsibilities__valid_to__isnull=True,
            supported_responsibilities__industry_id__in=industries,
        )
    if kind == "office":
        return on_industries | Q(host_department_id=user.department_id or 0)
    if kind == "task_force":
        return (
            on_industries
            | Q(lead_department_id=user.department_id or 0)
            | Q(member_departments=user.department_id or 0)
        )
    raise ValueError(f"unknown scope kind {kind!r}")


def _enterprise_scope(user):
    if user.role == Role.ENTERPRISE_USER:
        return Q(pk=user.enterprise_id) if user.enterprise_id else None
    if user.role == Role.STREET_OFFICER:
        return Q(street_id=user.street_id) if user.street_id else None
    industries = industry_ids(user) or set()
    in_industries = Q(pk__in=_members_of(industries))
    if user.role == Role.DISTRICT_LEADER:
        return in_industries | Q(liaison__leader_id=user.leader_id or 0)
    if user.role == Role.DEPARTMENT_OFFICER:
        return in_industries | Q(liaison__department_id=user.department_id or 0)
    return None


def project_owner(user) -> int | None:
    """The enterprise whose projects (and their filings) are all this user sees, when that is the whole of
    the user's project scope (an enterprise user); None for everyone else. For fixed statements (the
    deadline pages' reads), which put it in their WHERE as `_project_scope` puts it in a Q."""
    if (
        user is None
        or not user.is_authenticated
        or not user.is_active
        or user.role != Role.ENTERPRISE_USER
        or not user.enterprise_id
        or not user.can(_PERMISSION_OF_KIND["project"])
    ):
        return None
    return user.enterprise_id


def _project_scope(user, prefix: str):
    """A project is seen by its owner, its street, its responsible leader and department, and by whoever
    has its industry in scope."""

    def q(**lookups) -> Q:
        return Q(**{prefix + key: value for key, value in lookups.items()})

    if user.role == Role.ENTERPRISE_USER:
        return q(owner_id=user.enterprise_id) if user.enterprise_id else None
    if user.role == Role.STREET_OFFICER:
        return q(street_id=user.street_id) if user.street_id else None
    industries = industry_ids(user) or set()
    if user.role == Role.DISTRICT_LEADER:
        return q(industry_id__in=industries) | q(leader_id=user.leader_id or 0)
    if user.role == Role.DEPARTMENT_OFFICER:
        return q(industry_id__in=industries) | q(department_id=user.department_id or 0)
    return None


def _case_scope(user):
    """A case is seen by its enterprise's users, its responsible department, its leader and the leaders of
    the industries its department leads, the street of its enterprise, and whoever opened or handles it."""
    from chanye.organizations.models import Responsibility

    if user.role == Role.ENTERPRISE_USER:
        return Q(enterprise_id=user.enterprise_id) if user.enterprise_id else None
    own = Q(opened_by_id=user.pk) | Q(assignee_id=user.pk)
    if user.role == Role.STREET_OFFICER:
        return own | Q(enterprise__street_id=user.street_id) if user.street_id else own
    if user.role == Role.DISTRICT_LEADER:
        led = Responsibility.objects.filter(
            valid_to__isnull=True, industry_id__in=industry_ids(user) or set(), lead_department__isnull=False
        ).values("lead_department_id")
        return own | Q(leader_id=user.leader_id or 0) | Q(department_id__in=led)
    if user.role == Role.DEPARTMENT_OFFICER:
        return own | Q(department_id=user.department_id or 0)
    return None


def _members_of(industries: set[int]):
    from chanye.enterprises.models import Membership

    return Membership.objects.filter(industry_id__in=industries).values("enterprise_id")
