"""A department-year volume (汇编) assembled from its reports' own PDFs, never laid out again.

WeasyPrint lays out only the volume's *frame* (:data:`FRAME_NOTE`): the cover, the 目录 and,
for every page of every report, an empty page of the same size that carries the volume's page
number (汇编第 N 页). The 目录's page numbers are WeasyPrint's own ``target-counter`` over that
frame, so they are right by construction. Then each empty page is replaced by the report's
page, exactly as it is in the report's PDF (its text, header, footer 第 k 页 共 n 页, links and
fonts), with the frame page's number drawn over it. The volume holds the reports' pages
unchanged: what a reader finds in the 汇编 is the page of the published report.

The frame is a PDF/A-3u document of its own (metadata, output intent and the attached data of
every report come from it), so the volume keeps them. What the reports bring along:

- their named destinations, renamed ``r{n}-{name}`` (as their ids were in a laid-out volume),
  with the links that point to them;
- their bookmarks, under the volume's own (目录), each pointing to the volume's page;
- page labels: the volume's pages are labelled 1, 2, 3 …, as the numbers printed on them.

The assembly checks what it relies on and refuses a volume otherwise: the frame has one
page per report page after its cover and 目录, each of the same size, and each report's
anchor (``report-{n}``, the target of its 目录 line) is on the first page of that report."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import pikepdf

FRAME_NOTE = "frame"  # what the docstring calls the volume's own laid-out pages
PAGE_SIZE_PLACES = Decimal("0.001")
# geometry, not a money tolerance: a frame page against the report page it stands for (points)
PAGE_SIZE_SLACK_PT = Decimal("0.1")
STAMP = pikepdf.Name("/GkVolumePage")  # the form XObject of the volume's page number on a page


class AssemblyError(Exception):
    """The volume could not be put together; the message says why, in Chinese."""


@dataclass(frozen=True)
class PageSize:
    """A page's width and height in points, as the frame's CSS names it (``gk-part-1``)."""

    width: Decimal
    height: Decimal

    @property
    def css(self) -> str:
        return f"{self.width}pt {self.height}pt"


def page_sizes(pdf: bytes) -> tuple[PageSize, ...]:
    """The size of every page of a PDF (its media box), in order."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return tuple(_size(page) for page in document.pages)


def _size(page: pikepdf.Page) -> PageSize:
    box = [Decimal(str(v)) for v in page.mediabox]
    width, height = abs(box[2] - box[0]), abs(box[3] - box[1])
    return PageSize(width.quantize(PAGE_SIZE_PLACES), height.quantize(PAGE_SIZE_PLACES))


def assemble(frame: bytes, parts: list[bytes]) -> bytes:
    """The volume: ``frame`` (cover, 目录, then one empty numbered page per report page) with
    each empty page replaced by its report's page and the number drawn over it."""
    try:
        return _assemble(frame, parts)
    except AssemblyError:
        raise
    except (pikepdf.PdfError, ValueError, KeyError, TypeError) as exc:
        raise AssemblyError(f"汇编时无法读取或合并 PDF（{type(exc).__name__}：{exc}）") from None


def _assemble(frame: bytes, parts: list[bytes]) -> bytes:
    volume = pikepdf.open(io.BytesIO(frame))
    sources = [pikepdf.open(io.BytesIO(part)) for part in parts]
    counts = [len(source.pages) for source in sources]
    front = len(volume.pages) - sum(counts)
    if front < 1:
        raise AssemblyError(f"汇编的版面有 {len(volume.pages)} 页，少于各报告页数之和 {sum(counts)}")
    frame_pages: dict[tuple[int, int], int] = {page.obj.objgen: index for index, page in enumerate(volume.pages)}
    names = _name_tree(volume)
    starts = []
    at = front
    for number, source in enumerate(sources, 1):
        starts.append(at)
        target = names.get(f"report-{number}")
        if not isinstance(target, pikepdf.Array) or frame_pages.get(target[0].objgen) != at:
            raise AssemblyError(f"汇编目录中第 {number} 份报告的页码与它在汇编中的位置不一致")
        at += len(source.pages)
    replaced: dict = {}  # objgen of a frame page → the volume's page that took its place
    outline_parts = []
    for number, (source, start) in enumerate(zip(sources, starts, strict=True), 1):
        prefix = f"r{number}-"
        own: dict[tuple[int, int], int] = {page.obj.objgen: start + i for i, page in enumerate(source.pages)}
        for i, page in enumerate(source.pages):
            at = start + i
            stamp_page = volume.pages[at]
            if not _same_size(_size(stamp_page), _size(page)):
                sizes = f"{_size(page).css} / {_size(stamp_page).css}"
                raise AssemblyError(f"第 {number} 份报告第 {i + 1} 页的大小与汇编版面不一致（{sizes}）")
            old = stamp_page.obj.objgen
            stamp = stamp_page.as_form_xobject()
            volume.pages[at] = page
            taken = volume.pages[at]
            _overlay(taken, stamp)
            _rename_links(taken, prefix)
            replaced[old] = taken
        for name, dest in _name_tree(source).items():
            if isinstance(dest, pikepdf.Array) and len(dest) and dest[0].objgen in own:
                names[prefix + name] = _retarget(dest, volume.pages[own[dest[0].objgen]])
        outline_parts.append((source, own))
    for name, dest in list(names.items()):  # the frame's anchors on pages now replaced
        if isinstance(dest, pikepdf.Array) and len(dest) and dest[0].objgen in replaced:
            names[name] = _retarget(dest, replaced[dest[0].objgen])
    _write_name_tree(volume, names)
    _outline(volume, outline_parts)
    volume.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array([0, pikepdf.Dictionary(S=pikepdf.Name.D)]))
    out = io.BytesIO()
    volume.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    for source in sources:
        source.close()
    return out.getvalue()


def _overlay(page: pikepdf.Page, stamp: pikepdf.Object) -> None:
    """Draw ``stamp`` (the frame page's number, a form XObject) over ``page``. The page gets
    resources of its own (WeasyPrint shares one dictionary among a document's pages) holding
    the stamp under a fixed name (pikepdf's ``add_overlay`` picks a random one: no two volumes
    would be byte-identical); its own content stream is kept as it is, between ``q`` and ``Q``."""
    own = _copy(page.obj.get("/Resources"))
    own.XObject = _copy(own.get("/XObject"))
    if STAMP in own.XObject:
        raise AssemblyError(f"报告的页面已有名为 {STAMP} 的对象，无法加上汇编页码")
    own.XObject[STAMP] = stamp
    page.obj.Resources = own
    placement = page.calc_form_xobject_placement(stamp, STAMP, pikepdf.Rectangle(page.mediabox))
    page.contents_add(b"q\n", prepend=True)
    page.contents_add(b"Q\n" + placement)


def _copy(dictionary) -> pikepdf.Dictionary:
    """A new dictionary with the same entries (its values still shared)."""
    return pikepdf.Dictionary(dict(dictionary.items())) if dictionary is not None else pikepdf.Dictionary()


def _same_size(a: PageSize, b: PageSize) -> bool:
    return abs(a.width - b.width) <= PAGE_SIZE_SLACK_PT and abs(a.height - b.height) <= PAGE_SIZE_SLACK_PT


def _name_tree(document: pikepdf.Pdf) -> dict:
    """Named destinations (the flat /Names array WeasyPrint writes, or a tree with /Kids)."""
    names_root = document.Root.get("/Names")
    dests = names_root.get("/Dests") if names_root is not None else None
    found: dict = {}
    stack = [dests] if dests is not None else []
    while stack:
        node = stack.pop()
        flat = node.get("/Names")
        if flat is not None:
            for i in range(0, len(flat) - 1, 2):
                found[str(flat[i])] = flat[i + 1]
        stack.extend(node.get("/Kids", []))
    return found


def _write_name_tree(document: pikepdf.Pdf, names: dict) -> None:
    """One flat name tree, keys in byte order as the PDF standard requires."""
    pairs = sorted(names.items(), key=lambda item: item[0].encode("utf-16-be"))
    flat = pikepdf.Array()
    for name, dest in pairs:
        flat.append(pikepdf.String(name))
        flat.append(dest)
    if "/Names" not in document.Root:
        document.Root.Names = pikepdf.Dictionary()
    document.Root.Names.Dests = document.make_indirect(pikepdf.Dictionary(Names=flat))


def _retarget(dest: pikepdf.Array, page: pikepdf.Page) -> pikepdf.Array:
    return pikepdf.Array([page.obj, *list(dest)[1:]])


def _rename_links(page: pikepdf.Page, prefix: str) -> None:
    """A report's links to its own anchors, renamed as its anchors are in the volume."""
    for annotation in page.obj.get("/Annots", []):
        dest = annotation.get("/Dest")
        if isinstance(dest, pikepdf.String):
            annotation.Dest = pikepdf.String(prefix + str(dest))
        action = annotation.get("/A")
        if isinstance(action, pikepdf.Dictionary) and action.get("/S") == pikepdf.Name.GoTo:
            target = action.get("/D")
            if isinstance(target, pikepdf.String):
                action.D = pikepdf.String(prefix + str(target))


def _outline(volume: pikepdf.Pdf, parts: list) -> None:
    """The frame's bookmarks (目录), then each report's, pointing to the volume's pages."""
    with volume.open_outline() as outline:
        for source, own in parts:
            with source.open_outline() as theirs:
                outline.root.extend(_copy_items(volume, theirs.root, own))


def _copy_items(volume: pikepdf.Pdf, items, own: dict) -> list:
    copied = []
    for item in items:
        dest = item.destination
        page_dest = None
        if isinstance(dest, pikepdf.Array) and len(dest) and dest[0].objgen in own:
            page_dest = _retarget(dest, volume.pages[own[dest[0].objgen]])
        new = pikepdf.OutlineItem(item.title, page_dest)
        new.is_closed = item.is_closed
        new.children.extend(_copy_items(volume, item.children, own))
        copied.append(new)
    return copied
