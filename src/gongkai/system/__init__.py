"""The machine gongkai runs on: the Debian packages it needs (``packages.txt``, the one list the
Makefiles install from) and the checks of ``gongkai doctor``."""
