"""Printable PDFs: print HTML from the site's own Markdown, data and templates (printhtml),
WeasyPrint with a sandboxed fetcher (writer, fetcher), and the parallel cached stage."""
