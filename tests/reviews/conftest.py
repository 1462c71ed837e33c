import pytest

from applications.services import submit_application
from reviews.services import move_to_review
from tests.conftest import complete
from tests.factories import (
    ApplicationFactory,
    CriterionFactory,
    FundingRoundFactory,
    MembershipFactory,
    make_academy_staff,
    make_reviewer,
)


@pytest.fixture
def academy(db):
    return make_academy_staff(email="akademie@fa.example")


@pytest.fixture
def reviewer(db):
    return make_reviewer(email="gutachterin@lenkungskreis.example", first_name="Gisela", last_name="Gutachter")


@pytest.fixture
def funding_round(db):
    funding_round = FundingRoundFactory(places=2)
    funding_round.budget = funding_round.max_per_package * 2
    funding_round.save()
    return funding_round


@pytest.fixture
def criteria(funding_round):
    # Unequal weights and maxima, for hand-checked weighted means.
    return [
        CriterionFactory(funding_round=funding_round, title="Bedarf und Ausgangslage", weight=3, max_points=10),
        CriterionFactory(funding_round=funding_round, title="Beteiligung", weight=2, max_points=5),
        CriterionFactory(funding_round=funding_round, title="Politische Rückendeckung", weight=1, max_points=4),
    ]


def submitted_application(funding_round, *, in_review=True, by=None):
    membership = MembershipFactory()
    application = complete(ApplicationFactory(funding_round=funding_round, organisation=membership.organisation))
    application = submit_application(application=application, user=membership.user)
    if in_review:
        application = move_to_review(application=application, by=by or make_academy_staff())
    application.member = membership.user
    return application


@pytest.fixture
def application(funding_round, academy):
    return submitted_application(funding_round, by=academy)
