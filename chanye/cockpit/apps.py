from django.apps import AppConfig


class CockpitConfig(AppConfig):
    name = "chanye.cockpit"
    verbose_name = "领导驾驶舱"
