import functools

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from chanye.accounts.roles import role_has

NAV = (
    ("cockpit.view", "cockpit:overview", N_("驾驶舱")),
    ("system.view", "industries:system_home", N_("产业体系")),
    ("system.view", "industries:industry_list", N_("重点产业")),
    ("enterprises.view", "enterprises:list", N_("企业")),
    ("projects.view", "projects:list", N_("重点项目")),
    ("cases.view", "cases:list", N_("案件督办")),
    ("system.view", "indicators:list", N_("指标")),
    ("system.view", "targets:list", N_("目标")),
    ("system.view", "economy:page", N_("增加值")),
    ("organizations.view", "organizations:responsibility_matrix", N_("责任矩阵")),
    ("organizations.view", "organizations:leader_list", N_("区领导")),
    ("organizations.view", "organizations:department_list", N_("部门")),
    ("organizations.view", "organizations:street_list", N_("街道")),
    ("codes.view", "industries:code_search", N_("行业代码")),
    ("accounts.view", "accounts:user_list", N_("账号管理")),
    ("audit.view", "audit:list", N_("审计日志")),
)


@functools.cache
def _entries(role: str, language: str) -> tuple[tuple[str, str], ...]:
    """(url, label) of the entries a role may open, in one language: the same for every page it reads,
    so worked out once per process (permissions are the role's; see chanye.accounts.roles)."""
    return tuple((reverse(name), _(label)) for permission, name, label in NAV if role_has(role, permission))


def navigation(request):
    """The navigation entries the signed-in user's role may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return {"nav_items": []}
    items = [
        {"url": url, "label": label, "active": request.path.startswith(url)}
        for url, label in _entries(user.role, get_language())
    ]
    return {"nav_items": items}
