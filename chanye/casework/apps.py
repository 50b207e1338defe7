from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "chanye.casework"
    label = "casework"
    verbose_name = _("casework")

    def ready(self) -> None:
        register_panels()


def register_panels() -> None:
    """The firm's cases on the enterprise 360 page (idempotent: registering again replaces the panel)."""
    from django.utils.translation import gettext_noop as N_

    from chanye.enterprises.panels import register

    def context(user, enterprise):
        from chanye.casework.selectors import enterprise_cases

        return enterprise_cases(user=user, enterprise=enterprise)

    register(
        "cases",
        title=N_("案件（要素保障与诉求）"),
        template="casework/_enterprise_panel.html",
        context=context,
        permission="cases.view",
        order=20,
    )
