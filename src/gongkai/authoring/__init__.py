"""Authoring: ``gongkai new`` scaffolds and ``gongkai fmt``."""
