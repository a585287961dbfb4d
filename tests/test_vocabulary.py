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


def test_every_counted_sentence_has_its_singular_and_plural():
    from icpc.labels import LABELS, plural
    from icpc.sentences_findings import FINDINGS

    counted = {k.rsplit(".", 1)[0] for k in FINDINGS if k.endswith((".one", ".other"))}
    assert counted  # new, lost, slipping…
    for key in counted:
        assert f"{key}.one" in LABELS and f"{key}.other" in LABELS, key
    assert plural("finding.lost", 1, "fr").startswith("{n} client actif")
    assert plural("finding.lost", 2, "fr").startswith("{n} clients actifs")
    assert plural("finding.new", 0, "fr") == LABELS["finding.new.one"][0]  # « 0 nouveau client »
    assert plural("finding.new", 0, "en") == LABELS["finding.new.other"][1]  # "0 new customers"


def test_the_findings_hold_no_sentence_of_their_own():
    """Every sentence of the findings comes from the catalogue: no language test left."""
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "icpc" / "report" / "findings"
    for module in folder.glob("*.py"):
        text = module.read_text()
        assert 'language == "fr"' not in text, module


def test_english_writes_percent_signs_close_and_french_apart():
    """ "20%" in English, « 20 % » in French (a no-break space), in every label and definition."""
    import re

    from icpc.labels import DEFINITIONS, LABELS

    english = [en for _, en in LABELS.values()] + [en for _, _, en in DEFINITIONS]
    assert not [t for t in english if re.search(r"\d[ \u00a0\u202f]%", t)]
    french = [fr for fr, _ in LABELS.values()] + [fr for _, fr, _ in DEFINITIONS]
    assert not [t for t in french if re.search(r"\d%", t)]


def test_de_is_elided_before_a_vowel_or_an_h():
    from icpc.text import of_name

    assert [of_name(n) for n in ("Hélène", "Anne", "Ursule", "Marc", "Yann")] == [
        "d’Hélène", "d’Anne", "d’Ursule", "de Marc", "d’Yann",
    ]  # fmt: skip
