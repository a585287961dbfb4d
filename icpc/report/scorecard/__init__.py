"""The salesperson's scorecard (fiche commercial): one A4 page addressed to him.

His indicators N against N−1 and against the team median, his rank, his revenue bridge,
his activity funnel (when an activity log is given), the health of his portfolio and three
personal priorities ranked by the euros at stake. ``icpc run`` writes one PDF per
salesperson in the run folder's ``scorecards/`` (docs/scorecards.md).

Modules: :mod:`~icpc.report.scorecard.facts` (the figures, read from the diagnostic's
analyses), :mod:`~icpc.report.scorecard.priorities`, :mod:`~icpc.report.scorecard.view`
(the words and shapes of the page), :mod:`~icpc.report.scorecard.files` (file names),
:mod:`~icpc.report.scorecard.render` (one WeasyPrint document, one PDF per page).
"""

from __future__ import annotations

from icpc.report.scorecard.facts import ScorecardFacts, salespeople, scorecard_facts
from icpc.report.scorecard.files import SCORECARDS_DIR, file_names
from icpc.report.scorecard.priorities import Priority, priorities
from icpc.report.scorecard.render import render_scorecards, write_scorecards

__all__ = [
    "SCORECARDS_DIR",
    "Priority",
    "ScorecardFacts",
    "file_names",
    "priorities",
    "render_scorecards",
    "salespeople",
    "scorecard_facts",
    "write_scorecards",
]
