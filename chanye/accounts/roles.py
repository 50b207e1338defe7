"""Roles and what each may do: the one table of permissions, with no Django import.

Administrator duties are separated (等保2.0 三员分立): the system administrator manages
accounts, the security administrator assigns roles and scopes and unlocks accounts, the
audit administrator reads the audit trail. None of them sees business data.
"""

from enum import StrEnum


def _(text: str) -> str:
    """Marks a label for the translation catalogue; it is translated where it is shown."""
    return text


class Role(StrEnum):
    DISTRICT_LEADER = "district_leader"
    DRC_ADMIN = "drc_admin"
    DEPARTMENT_OFFICER = "department_officer"
    STREET_OFFICER = "street_officer"
    ENTERPRISE_USER = "enterprise_user"
    SYSTEM_ADMIN = "system_admin"
    SECURITY_ADMIN = "security_admin"
    AUDIT_ADMIN = "audit_admin"


ROLE_LABELS: dict[Role, str] = {
    Role.DISTRICT_LEADER: _("区领导"),
    Role.DRC_ADMIN: _("发改局管理员"),
    Role.DEPARTMENT_OFFICER: _("部门经办人"),
    Role.STREET_OFFICER: _("街道经办人"),
    Role.ENTERPRISE_USER: _("企业用户"),
    Role.SYSTEM_ADMIN: _("系统管理员"),
    Role.SECURITY_ADMIN: _("安全管理员"),
    Role.AUDIT_ADMIN: _("审计管理员"),
}

GOVERNMENT = {Role.DISTRICT_LEADER, Role.DRC_ADMIN, Role.DEPARTMENT_OFFICER, Role.STREET_OFFICER}
ADMINISTRATORS = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.DRC_ADMIN}
"""Roles that must pass a TOTP second factor before anything else."""

PERMISSIONS: dict[str, set[Role]] = {
    "system.view": GOVERNMENT,
    "system.manage": {Role.DRC_ADMIN},
    "organizations.view": GOVERNMENT,
    "organizations.change": {Role.DRC_ADMIN},
    "responsibility.change": {Role.DRC_ADMIN},
    "codes.view": GOVERNMENT | {Role.ENTERPRISE_USER},
    "accounts.view": {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN},
    "accounts.manage": {Role.SYSTEM_ADMIN},
    "accounts.assign": {Role.SECURITY_ADMIN},
    "audit.view": {Role.AUDIT_ADMIN},
    "enterprises.view": GOVERNMENT | {Role.ENTERPRISE_USER},
    "enterprises.change": {Role.DRC_ADMIN, Role.STREET_OFFICER},
    "enterprises.import": {Role.DRC_ADMIN},
    "enterprises.export": {
        Role.DRC_ADMIN,
        Role.DEPARTMENT_OFFICER,
        Role.STREET_OFFICER,
        Role.DISTRICT_LEADER,
    },
    "enterprises.accept_uscc": {Role.DRC_ADMIN},
    "enterprises.contacts": {Role.DRC_ADMIN, Role.STREET_OFFICER, Role.ENTERPRISE_USER},
    "enterprises.classify": {Role.DRC_ADMIN},
    "enterprises.tags": {Role.DRC_ADMIN},
    "liaison.manage": {Role.DRC_ADMIN},
    "visits.log": {Role.DRC_ADMIN, Role.DEPARTMENT_OFFICER, Role.DISTRICT_LEADER, Role.STREET_OFFICER},
    "projects.view": GOVERNMENT | {Role.ENTERPRISE_USER},
    "projects.change": {Role.DRC_ADMIN},
    "projects.file": {Role.ENTERPRISE_USER, Role.DRC_ADMIN},
    "projects.review": {Role.DRC_ADMIN, Role.DEPARTMENT_OFFICER},
    "projects.rules": {Role.DRC_ADMIN},
    "targets.change": {Role.DRC_ADMIN},
    "economy.change": {Role.DRC_ADMIN, Role.DEPARTMENT_OFFICER},  # officers: the statistics bureau only
    "cases.view": GOVERNMENT | {Role.ENTERPRISE_USER},
    "cases.open": GOVERNMENT | {Role.ENTERPRISE_USER},
    "cases.handle": {Role.DRC_ADMIN, Role.DEPARTMENT_OFFICER},
    "cases.escalate": {Role.DRC_ADMIN},
    "cockpit.view": {Role.DISTRICT_LEADER, Role.DRC_ADMIN},  # the whole district's overview and wall
}


def role_has(role: str, permission: str) -> bool:
    """True when the role grants the permission; unknown permissions grant nothing."""
    try:
        return Role(role) in PERMISSIONS.get(permission, set())
    except ValueError:
        return False
