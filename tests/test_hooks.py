"""The hooks of foerderportal/hooks.py: a lower app's service causes the higher app's reaction,
in the same transaction where it must (the facilitation is created with the award, or neither)."""

from decimal import Decimal

import pytest

from applications.models import Application
from facilitation import services as facilitation_services
from facilitation.models import Facilitation
from foerderportal import hooks
from letters.models import Letter
from reviews.models import Decision
from reviews.services import award_application
from tests.conftest import submitted_application
from tests.factories import FundingRoundFactory, make_academy_staff

pytestmark = pytest.mark.django_db


def test_a_hook_calls_its_receivers_in_order_with_keyword_arguments():
    hook = hooks.Hook("example", "for the test")
    calls = []
    first = hook.connect(lambda **kwargs: calls.append(("first", kwargs)) or 1)
    hook.connect(first)  # connecting twice (ready() may run twice) keeps one receiver
    hook.connect(lambda **kwargs: calls.append(("second", kwargs)) or 2)
    assert hook(application="A") == [1, 2]
    assert calls == [("first", {"application": "A"}), ("second", {"application": "A"})]


def test_an_award_creates_its_facilitation_in_the_same_transaction():
    staff = make_academy_staff()
    application = submitted_application(FundingRoundFactory(four_eyes=False, closed=True), by=staff)
    award_application(application=application, by=staff, amount=Decimal("30000.00"))
    assert Facilitation.objects.get(application=application).budget == Decimal("30000.00")


def test_when_the_facilitation_fails_the_award_is_rolled_back_too(monkeypatch):
    staff = make_academy_staff()
    application = submitted_application(FundingRoundFactory(four_eyes=False, closed=True), by=staff)

    def broken(**kwargs):
        raise RuntimeError("facilitation could not be created")

    monkeypatch.setattr(facilitation_services, "create_facilitation_for_award", broken)
    with pytest.raises(RuntimeError):
        award_application(application=application, by=staff, amount=Decimal("30000.00"))

    application.refresh_from_db()
    assert application.status == Application.Status.IN_REVIEW
    assert application.awarded_amount is None
    assert not Decision.objects.filter(application=application, status=Decision.Status.RELEASED).exists()
    assert not Facilitation.objects.filter(application=application).exists()


def test_a_released_decision_issues_its_letter_only_after_the_commit(django_capture_on_commit_callbacks):
    staff = make_academy_staff()
    application = submitted_application(FundingRoundFactory(four_eyes=False, closed=True), by=staff)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        decision = award_application(application=application, by=staff, amount=Decimal("30000.00"))
    assert not Letter.objects.filter(decision=decision).exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    assert Letter.objects.get(decision=decision).kind == Letter.Kind.AWARD
