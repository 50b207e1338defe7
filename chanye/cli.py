"""The `chanye` console command: fronts the Django management commands.

`chanye system load FILE` runs `manage.py system load FILE`, and so on for every command.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["chanye", *sys.argv[1:]])
