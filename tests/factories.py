from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from accounts.models import User
from applications.models import (
    Application,
    FundingRound,
    Membership,
    Organisation,
    OrganisationKind,
    Programme,
    Region,
)

BERLIN = ZoneInfo("Europe/Berlin")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@kommune.example")
    first_name = "Erika"
    last_name = factory.Sequence(lambda n: f"Muster{n}")
    is_active = True
    password = factory.PostGenerationMethodCall("set_password", "Sicheres-Passwort-1")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Musterstadt {n}")
    kind = OrganisationKind.STADT
    key = factory.Sequence(lambda n: f"08{n:06d}")
    county = "Landkreis Esslingen"
    region = Region.STUTTGART


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    status = Membership.Status.CONFIRMED


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("slug",)

    name = "Integration durch bürgerschaftliches Engagement und Zivilgesellschaft"
    short_name = "Integration durch Engagement"
    slug = "integration-engagement"


class FundingRoundFactory(factory.django.DjangoModelFactory):
    """By default open now, with the deadline 30 days ahead at 23:59:59 Berlin time."""

    class Meta:
        model = FundingRound

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Runde {n}")
    code = factory.Sequence(lambda n: f"R{n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    deadline = factory.LazyFunction(
        lambda: datetime.combine(timezone.localdate() + timedelta(days=30), time(23, 59, 59), tzinfo=BERLIN)
    )
    places = 13
    budget = Decimal("520000.00")
    max_per_package = Decimal("40000.00")
    # New rounds default to four eyes; most tests exercise one person deciding, four-eyes tests opt in.
    four_eyes = False
    # A Bescheid names who signs it; decisions are refused without (§ 37 Abs. 3 LVwVfG).
    signing_officer = "Dr. Petra Beispiel"
    signing_officer_title = "Leiterin des Bereichs Kommunale Förderung"

    class Params:
        # ``FundingRoundFactory(closed=True)``: the deadline passed yesterday at 23:59:59 Berlin time,
        # so the round's applications may be decided (submit in it with ``now`` before the deadline).
        closed = factory.Trait(
            opens_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=60)),
            deadline=factory.LazyFunction(
                lambda: datetime.combine(timezone.localdate() - timedelta(days=1), time(23, 59, 59), tzinfo=BERLIN)
            ),
        )


def while_open(funding_round):
    """A moment at which ``funding_round`` accepts submissions: now if it is open, else its last hour."""
    now = timezone.now()
    return now if funding_round.accepts_submissions_at(now) else funding_round.deadline - timedelta(hours=1)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    funding_round = factory.SubFactory(FundingRoundFactory)
    organisation = factory.SubFactory(OrganisationFactory)


COMPLETE_FIELDS = {
    "contact_name": "Erika Muster",
    "contact_email": "erika@kommune.example",
    "lead_name": "Max Leitung",
    "lead_email": "max@kommune.example",
    "postal_address": "Marktplatz 1\n73728 Esslingen am Neckar",
    "integration_situation": "Vielfältige Stadtgesellschaft.",
    "engagement_structures": "Freundeskreise, Vereine.",
    "migrant_organisations": "Zwei Kulturvereine.",
    "goals": "Leitbild entwickeln.",
    "participation": "Runder Tisch.",
    "council_body": "gemeinderat",
    "resolution_date": datetime(2020, 2, 1).date(),
    "rooms": "Rathaussaal.",
    "staff": "Integrationsbeauftragte, 10 h/Woche.",
}


def _staff_in_group(group_name, **kwargs):
    from django.contrib.auth.models import Group

    from accounts.roles import ensure_roles

    ensure_roles()
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def make_reviewer(**kwargs):
    """A staff user in the reviewer group (the steering committee)."""
    from accounts.roles import REVIEWER_GROUP

    return _staff_in_group(REVIEWER_GROUP, **kwargs)


def make_academy_staff(**kwargs):
    """A staff user in the academy group."""
    from accounts.roles import ACADEMY_GROUP

    return _staff_in_group(ACADEMY_GROUP, **kwargs)


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reviews.Criterion"

    funding_round = factory.SubFactory(FundingRoundFactory)
    title = factory.Sequence(lambda n: f"Kriterium {n}")
    weight = Decimal("1.00")
    max_points = 10
