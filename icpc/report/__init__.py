"""Reporting: what goes into the PDF report (the words are :mod:`icpc.labels`, the Excel
workbook is :mod:`icpc.export.excel`).

Modules (import them directly; nothing heavy is imported here):

- :mod:`icpc.report.format` — French/English formatting through Babel;
- :mod:`icpc.report.plots` — charts (``ax=None`` → Axes), readable in grey;
- :mod:`icpc.report.tables` — HTML tables and KPI cards;
- :mod:`icpc.report.findings` — sentences written from the numbers;
- :mod:`icpc.report.sections` — the report sections, one module each in a registry, called
  by the notebook;
- :mod:`icpc.report.exporter`, :mod:`icpc.report.meta` — the PDF exporter and cover metadata
  (its preprocessors in :mod:`icpc.report.preprocessors`, the page layout of its HTML in
  :mod:`icpc.report.html_layout`).
"""
