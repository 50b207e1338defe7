from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "chanye.core"
    label = "core"

    def ready(self) -> None:
        from chanye.core import schema  # noqa: F401  (registers the OpenAPI authentication extension)
