"""The analyses of a diagnostic, one module per question (analyses).

Each takes canonical frames (transactions, documents, the per-customer table) and options
and returns a new frame or a small frozen dataclass; nothing is read from files and
nothing is precomputed behind the caller's back (:class:`icpc.diagnostic.Diagnostic`
caches the results). The indicators' public API is :mod:`icpc.kpi`; the date windows are
in :mod:`icpc.periods`. Where each indicator is defined and tested: docs/architecture.md.
"""
