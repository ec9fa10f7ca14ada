#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    # Without the variable: the development settings and database of `make run` (only the name
    # of the settings module is exported; their demo keys stay values inside them).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samen_een.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
