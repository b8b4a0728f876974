"""Rendering: the Jinja2 environment, number formatting, tables, charts, page templating
and open-data files. Nothing here knows about MkDocs or WeasyPrint."""
