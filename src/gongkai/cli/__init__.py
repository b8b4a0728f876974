"""The command line: ``gongkai check``, ``score``, ``build``, ``pdf``, ``diff``, ``fmt``, ``new`` …"""

from gongkai.cli.commands import main

__all__ = ["main"]
