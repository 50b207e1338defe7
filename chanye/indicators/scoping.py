"""Which indicators and observations a user sees, composed from the platform's one rule table
(`chanye.accounts.scopes`): industry figures follow the industry scope, enterprise figures the enterprise
scope, and an indicator of restricted confidentiality is seen only by the 发改局, district leaders and the
department that owns it."""

from django.db.models import Q

from chanye.accounts.roles import Role

VIEW = "system.view"


def indicator_condition(user):
    """True (every indicator), None (none) or a Q over Indicator."""
    if user is None or not user.is_authenticated or not user.is_active or not user.can(VIEW):
        return None
    if user.role in (Role.DRC_ADMIN, Role.DISTRICT_LEADER):
        return True
    restricted = Q(confidentiality="restricted")
    if user.role == Role.DEPARTMENT_OFFICER and user.department_id:
        return ~restricted | Q(owner_id=user.department_id)
    return ~restricted


def observation_condition(user):
    """True (every observation), None (none) or a Q over Observation."""
    from chanye.accounts.scopes import industry_ids, scope_filter
    from chanye.enterprises.models import Enterprise

    indicators = indicator_condition(user)
    if indicators is None:
        return None
    if user.role == Role.DRC_ADMIN:
        return True
    industries = industry_ids(user)
    by_industry = (
        Q(level="industry") if industries is None else Q(level="industry", industry_id__in=industries)
    )
    enterprises = scope_filter(user, "enterprise")
    if enterprises is None:
        by_enterprise = Q(pk__in=[])
    elif enterprises is True:
        by_enterprise = Q(level="enterprise")
    else:
        by_enterprise = Q(
            level="enterprise", enterprise_id__in=Enterprise.objects.filter(enterprises).values("pk")
        )
    subjects = Q(level="district") | by_industry | by_enterprise
    if indicators is True:
        return subjects
    return subjects & Q(indicator__in=_indicator_ids(indicators))


def _indicator_ids(condition):
    from chanye.indicators.models import Indicator

    return Indicator.objects.filter(condition).values("pk")


def enterprise_condition(user):
    """The enterprise scope as a Q over Enterprise (True: all, None: none)."""
    from chanye.accounts.scopes import scope_filter

    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return scope_filter(user, "enterprise")
