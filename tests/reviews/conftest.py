import pytest

from tests.factories import CriterionFactory, make_academy_staff


@pytest.fixture
def criteria(two_place_round):
    # Unequal weights and maxima, for hand-checked weighted means.
    return [
        CriterionFactory(funding_round=two_place_round, title="Bedarf und Ausgangslage", weight=3, max_points=10),
        CriterionFactory(funding_round=two_place_round, title="Beteiligung", weight=2, max_points=5),
        CriterionFactory(funding_round=two_place_round, title="Politische Rückendeckung", weight=1, max_points=4),
    ]


@pytest.fixture
def colleague(db):
    """A second member of the academy's staff (for the four-eyes rule)."""
    return make_academy_staff(first_name="Bert", last_name="Zweitperson")


def closed_with_proposal(funding_round, application, by):
    """Four eyes on, the deadline passed (decisions come after it), and ``by`` proposes an award."""
    from datetime import timedelta

    from django.utils import timezone

    from applications.models import FundingRound
    from reviews.services import award_application

    now = timezone.now()
    FundingRound.objects.filter(pk=funding_round.pk).update(
        four_eyes=True, opens_at=now - timedelta(days=40), deadline=now - timedelta(days=1)
    )
    funding_round.refresh_from_db()
    return award_application(application=application, by=by)


@pytest.fixture
def proposal(two_place_round, application, academy):
    """The academy's proposed award in the two-place round, waiting for a second person."""
    return closed_with_proposal(two_place_round, application, academy)


def round_form_data(funding_round, **changes):
    """The round's admin change form as a browser would post it (no criteria), with ``changes``."""
    import json

    from django.utils import timezone

    plain = ("name", "code", "max_per_package", "places", "budget", "facilitation_months", "spread_threshold")
    data = {name: getattr(funding_round, name) for name in plain}
    data.update(programme=funding_round.programme_id, eligible_kinds=json.dumps(funding_round.eligible_kinds))
    data.update({"criteria-TOTAL_FORMS": "0", "criteria-INITIAL_FORMS": "0"})
    for name in ("opens_at", "deadline"):
        local = timezone.localtime(getattr(funding_round, name))
        data[f"{name}_0"], data[f"{name}_1"] = local.date().isoformat(), local.time().strftime("%H:%M:%S")
    if funding_round.four_eyes:
        data["four_eyes"] = "on"
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}
