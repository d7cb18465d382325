"""Printable reports made on the server: a trace, an impact analysis or an experiment as PDF.

The modules: ``catalog`` (the reports: each a GraphQL document beside it and a layout),
``answer`` (a GraphQL answer read for printing, denied fields as "not visible to your
role"), ``layouts`` (what each report prints), ``pdf`` (the PDF, with fpdf2) and
``endpoint`` (``POST /exports/report.pdf``).
"""

from api.reports.endpoint import report_endpoint

__all__ = ["report_endpoint"]
