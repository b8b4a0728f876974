"""The only module that knows WeasyPrint: print HTML in, PDF/A-3a bytes out.

PDF/A-3a: archival (fonts embedded, colours defined, no external content), tagged (the
document's logical structure for screen readers: the "a", which includes the "u": every glyph
mapped to Unicode so the text can be searched and copied), and version 3 because it allows the
report's YAML and JSON to travel inside the PDF as attachments. PDF/UA-1 is declared beside it in
the XMP metadata (WeasyPrint takes one variant; its tags already carry what PDF/UA asks of the
document catalog). Neither claim is checked by a validator here.

A PDF states no date it does not know (:mod:`gongkai.pdf.dates`): a document without one has
no CreationDate, and an attachment whose file has none carries none (WeasyPrint would write the
time of the build).

A document either becomes a PDF or raises :class:`RenderError` with a Chinese message:
a refused reference (whether or not WeasyPrint let the refusal stop it), a structure
nested deeper than :data:`MAX_DEPTH`, a recursion or memory limit reached while laying
out, or any other error of the renderer. Never a traceback, never a partial PDF."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from weasyprint import HTML, Attachment
from weasyprint.pdf.metadata import NS as XMP
from weasyprint.pdf.metadata import DocumentMetadata
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError

from gongkai.pdf import fonts as print_fonts
from gongkai.pdf.fetcher import SandboxFetcher, shown_url

VARIANT = "pdf/a-3a"  # PDF/A-3, level A: tagged (logical structure), every glyph mapped to Unicode
UNTAGGED_VARIANT = "pdf/a-3u"  # a volume's frame: every glyph mapped to Unicode, no structure claimed
UA_PART = "1"  # PDF/UA-1, declared beside it in the XMP metadata (WeasyPrint takes one variant)
NO_DATE = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # stands for "no date" while writing, then blanked

# Elements nested inside each other, counted from <html>. The example reports reach 11; a
# Markdown list nested ten levels inside a table inside an admonition stays under 40.
# WeasyPrint lays boxes out recursively and slower than linearly in the depth (a list
# nested 100 levels takes seconds and overflows Python's default recursion limit), so a
# deeper page is refused at once, by name, before any layout.
MAX_DEPTH = 100

# Python frames a worker may stack while laying out (the default is 1000). Pages within
# MAX_DEPTH need far fewer; this is the margin for unusual but legitimate CSS, and stays
# well below what the C stack of a worker holds (segfaults start near 25 000 here).
RECURSION_LIMIT = 4000


class RenderError(Exception):
    """A PDF could not be made; the message says why, in Chinese."""


@dataclass
class Rendered:
    pdf: bytes
    fetched: list  # [(path relative to the build folder, sha256)], sorted: what the PDF depends on


class Fonts(FontConfiguration):
    """Fonts configured once per worker and reused for every document. WeasyPrint loads an
    ``@font-face`` once per configuration and skips the fetch when a later document declares
    the same face; the files it read are then noted in that document's fetcher all the same,
    so every PDF's record of what it depends on is complete."""

    def __init__(self):
        super().__init__()
        self.faces: dict = {}  # str(rule descriptors) → [(rel, sha256)] read to load it
        self.added = add_system_fonts(self, print_fonts.fandol_files())

    def add_font_face(self, rule_descriptors, url_fetcher):
        key = str(rule_descriptors)
        note = getattr(url_fetcher, "note", None)
        if note is not None and key in self.faces:
            for rel, digest in self.faces[key]:
                note(rel, digest)
        reads = getattr(url_fetcher, "reads", None)
        start = len(reads) if reads is not None else 0
        result = super().add_font_face(rule_descriptors, url_fetcher)
        if reads is not None and len(reads) > start:
            self.faces[key] = list(reads[start:])
        return result


def add_system_fonts(config: FontConfiguration, files: list[Path]) -> list[Path]:
    """Add installed font files outside fontconfig's folders (Fandol, in the TeX tree) to the
    fontconfig configuration of ``config``, as fontconfig would add a system font: by path,
    not through a document's fetcher. Returns the files added."""
    from weasyprint.text.ffi import ffi, fontconfig, pangoft2

    fc = getattr(config, "_config", None)  # WeasyPrint's FcConfig, shared with its Pango font map
    if fc is None or not files:
        return []
    fontconfig.FcConfigParseAndLoadFromMemory(fc, print_fonts.fontconfig_rules(files), True)
    added = [path for path in files if fontconfig.FcConfigAppFontAddFile(fc, str(path).encode())]
    pangoft2.pango_fc_font_map_config_changed(ffi.cast("PangoFcFontMap *", config.font_map))
    return added


class Writer:
    """One per worker process: fonts are configured once and reused for every document."""

    def __init__(self):
        self.fonts = Fonts()
        logging.getLogger("weasyprint").setLevel(logging.ERROR)

    def write(self, html: str, root: Path, base: Path, attachments: list, date: str) -> bytes:
        return self.render(html, root, base, attachments, date).pdf

    def render(
        self, html: str, root: Path, base: Path, attachments: list, date: str = "", tagged: bool = True
    ) -> Rendered:
        """The PDF of ``html``; ``attachments`` are (name, bytes, description[, date of the file]);
        a date is W3C-DTF text, "" for none (the PDF then states none). ``tagged``: PDF/A-3a with
        PDF/UA-1 declared; else PDF/A-3u (a volume's frame, whose pages are replaced)."""
        fetcher = SandboxFetcher(root)
        files = []
        for name, content, description, *when in attachments:
            moment = _moment(when[0] if when else date) or NO_DATE
            files.append(
                Attachment(
                    string=content,
                    name=name,
                    description=description,
                    created=moment,
                    modified=moment,
                    relationship="Source",
                    url_fetcher=fetcher,
                )
            )
        try:
            source = HTML(string=html, base_url=str(base) + "/", url_fetcher=fetcher)
            depth = nesting_depth(source.etree_element)
            if depth > MAX_DEPTH:
                raise RenderError(
                    f"页面结构嵌套过深：元素最深嵌套 {depth} 层，超过上限 {MAX_DEPTH} 层"
                    "（如多层嵌套的列表或表格）；请减少嵌套层数"
                )
            variant = VARIANT if tagged else UNTAGGED_VARIANT
            document = source.render(
                font_config=self.fonts,
                cache={},  # images of this document only: each PDF's own fetches are its record
                pdf_variant=variant,
            )
            if tagged:
                document.metadata = _AccessibleMetadata(document.metadata)
            pdf = document.write_pdf(
                pdf_variant=variant, attachments=files, uncompressed_pdf=False, finisher=_undated_attachments
            )
        except FatalURLFetchingError as exc:
            if not fetcher.refused:
                raise RenderError(f"页面引用的地址无法读取：{_reason(exc)}") from None
        except RecursionError:
            raise RenderError("页面结构嵌套过深，排版时超出了递归上限；请减少列表、表格或引用块的嵌套层数") from None
        except MemoryError:
            raise RenderError("排版时内存不足（页面过大或结构过于复杂）") from None
        except RenderError:
            raise
        except Exception as exc:  # the renderer failed on this document: say so, for this document
            raise RenderError(f"排版时出错（{type(exc).__name__}：{shown_url(str(exc))}）") from None
        if fetcher.refused:  # also those WeasyPrint caught and only logged
            listed = "；".join(f"{shown_url(url)}（{why}）" for url, why in fetcher.refusals())
            raise RenderError(f"页面引用了不允许读取的地址：{listed}")
        return Rendered(pdf, sorted(fetcher.fetched.items()))


def _moment(date: str) -> dt.datetime | None:
    """A full W3C-DTF moment (``2026-11-22T10:00:00Z``) as a datetime; None for "" or a bare date."""
    try:
        return dt.datetime.strptime(date, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except (TypeError, ValueError):
        return None


def _undated_attachments(document, pdf) -> None:
    """WeasyPrint dates every attachment (with the time of the build when given none): the date
    entries of an attachment whose file has no known date (:data:`NO_DATE`) are removed before
    the PDF is written, so it states no date rather than a made-up one."""
    placeholder = NO_DATE.strftime("D:%Y%m%d%H%M%SZ")
    for item in pdf.objects:
        params = getattr(item, "extra", {}).get("Params")
        if not isinstance(params, dict):
            continue
        for key in ("CreationDate", "ModDate"):
            if getattr(params.get(key), "string", None) == placeholder:
                del params[key]


class _AccessibleMetadata(DocumentMetadata):
    """The document's metadata with the PDF/UA identification beside the PDF/A one."""

    def __init__(self, metadata: DocumentMetadata):
        super().__init__(**vars(metadata))

    def generate_rdf_metadata(self, variant, version, conformance):
        rdf = ElementTree.fromstring(super().generate_rdf_metadata(variant, version, conformance))
        first = rdf.find(f"{{{XMP['rdf']}}}Description")
        if first is not None:
            first.set(f"{{{XMP['pdfuaid']}}}part", UA_PART)
        return ElementTree.tostring(rdf, encoding="utf-8")


def nesting_depth(root) -> int:
    """How deep elements nest under ``root`` (``root`` itself is 1); without recursion."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        element, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in element)
    return deepest


def _reason(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    text = f"{exc}（{type(cause).__name__}：{cause}）" if cause is not None else str(exc)
    return shown_url(text)
