"""The `borough` command: serve, demo, worker, token, check and every manage.py command."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borough.settings")
    command = argv[1] if len(argv) > 1 else "help"
    if command == "serve":
        # Production settings: refuse to start without a real secret, hosts and DEBUG off.
        os.environ["BOROUGH_MODE"] = "production"
        os.environ.setdefault("DEBUG", "false")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
