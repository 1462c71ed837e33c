import pytest

from tests.factories import CriterionFactory


@pytest.fixture
def criteria(two_place_round):
    # Unequal weights and maxima, for hand-checked weighted means.
    return [
        CriterionFactory(funding_round=two_place_round, title="Bedarf und Ausgangslage", weight=3, max_points=10),
        CriterionFactory(funding_round=two_place_round, title="Beteiligung", weight=2, max_points=5),
        CriterionFactory(funding_round=two_place_round, title="Politische Rückendeckung", weight=1, max_points=4),
    ]
