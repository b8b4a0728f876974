"""The only module that knows WeasyPrint: print HTML in, PDF/A-3u bytes out.

PDF/A-3u: archival (fonts embedded, colours defined, no external content), with every
glyph mapped to Unicode so the text can be searched and copied (the "u"), and version 3
because it allows the report's YAML and JSON to travel inside the PDF as attachments."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from weasyprint import HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError

from .fetcher import SandboxFetcher

VARIANT = "pdf/a-3u"


class RenderError(Exception):
    """A PDF could not be made; the message says why, in Chinese."""


class Writer:
    """One per worker process: fonts are configured once and reused for every document."""

    def __init__(self):
        self.fonts = FontConfiguration()
        self.cache: dict = {}
        logging.getLogger("weasyprint").setLevel(logging.ERROR)

    def write(self, html: str, root: Path, base: Path, attachments: list, date: str) -> bytes:
        fetcher = SandboxFetcher(root)
        moment = dt.datetime.strptime(date, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
        files = [
            Attachment(string=content, name=name, description=description, created=moment, modified=moment, relationship="Source", url_fetcher=fetcher)
            for name, content, description in attachments
        ]
        try:
            document = HTML(string=html, base_url=str(base) + "/", url_fetcher=fetcher)
            return document.write_pdf(
                pdf_variant=VARIANT,
                attachments=files,
                font_config=self.fonts,
                cache=self.cache,
                uncompressed_pdf=False,
            )
        except FatalURLFetchingError as exc:
            refused = "；".join(f"{url}（{why}）" for url, why in fetcher.refused) or str(exc)
            raise RenderError(f"页面引用了不允许读取的地址：{refused}") from None
