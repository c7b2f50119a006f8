"""The ``devices`` command: list the audio output devices."""
from __future__ import annotations

import argparse

from tasks.cli import EXIT_OK, CommandContext, CommandError


def cmd_devices(args: argparse.Namespace, ctx: CommandContext) -> int:
    from audio.devices import AudioBackendError, format_device_list

    try:
        print(format_device_list())
    except AudioBackendError as exc:
        raise CommandError(str(exc)) from None
    return EXIT_OK
