"""The disclosure site: the catalog of reports, generated index pages, search terms and the MkDocs adapter."""
