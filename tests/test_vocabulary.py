"""One vocabulary: the Score3D segment labels do not collide with the customer classes,
statuses and indicators the report also names."""

from __future__ import annotations

import pytest

from icpc.analysis.score3d import default_segment_rules
from icpc.labels import LABELS, SEGMENT_LABELS
from icpc.text import fold, typeset

#: the words of the customer classes, statuses and indicators (kpis.json's names)
TAKEN = ("new_customers", "lost_customers", "retained_customers", "reactivated_customers",
         "purchase_frequency", "active_customers")  # fmt: skip


@pytest.mark.parametrize("language", ["fr", "en"])
def test_segment_labels_do_not_reuse_the_words_of_the_classes(language: str) -> None:
    i = 0 if language == "fr" else 1
    taken = {fold(LABELS[k][i]) for k in TAKEN}
    # the head word of each class: « nouveaux clients » → « nouveaux », "lost customers" → "lost"
    heads = {w.split()[0] for w in taken} | {w.split()[-1] for w in taken if language == "fr"}
    heads |= {"fideles", "fidelises", "perdus", "nouveaux", "loyal", "lost", "new", "retained"}
    heads -= {"clients", "customers", "frequence", "purchase", "active", "actifs"}
    for rule in default_segment_rules():
        shown = fold(typeset(rule.text("label", language), language))
        assert shown not in taken
        assert not (set(shown.replace("'", " ").split()) & heads), (rule.name, shown)
        assert fold(SEGMENT_LABELS[rule.name][i]) == shown  # the catalogue says the same
