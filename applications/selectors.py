"""Reads of the applicant side; every applicant query is scoped to confirmed memberships."""

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from foerderportal import caching, hooks, prepared
from foerderportal.prepared import PreparedQuery

from .models import Application, Attachment, FundingRound, Membership, Organisation


def confirmed_organisations(user):
    return Organisation.objects.filter(memberships__user=user, memberships__status=Membership.Status.CONFIRMED)


def confirmed_members(organisation):
    """Memberships of the organisation's confirmed, active members with an e-mail address.

    ``organisation`` is an id, an ``Organisation`` or an ``OuterRef`` (for ``Exists()``).
    """
    return _confirmed_active_members().filter(organisation=organisation)


def _confirmed_active_members():
    """The one rule for "the members of an organisation": confirmed, active, with an e-mail address."""
    return Membership.objects.filter(status=Membership.Status.CONFIRMED, user__is_active=True).exclude(user__email="")


def confirmed_member_emails(organisation_id) -> list[str]:
    """E-mail addresses of the organisation's confirmed, active members: sorted, each once, none empty."""
    return sorted(set(confirmed_members(organisation_id).values_list("user__email", flat=True)))


def confirmed_member_emails_by_organisation(organisation_ids) -> dict[int, list[str]]:
    """``confirmed_member_emails`` for many organisations in one query: {organisation id: addresses}
    (an organisation without confirmed members maps to ``[]``)."""
    ids = set(organisation_ids)
    found = {pk: set() for pk in ids}
    rows = _confirmed_active_members().filter(organisation_id__in=ids).values_list("organisation_id", "user__email")
    for organisation_id, email in rows:
        found[organisation_id].add(email)
    return {pk: sorted(emails) for pk, emails in found.items()}


def applications_for_user(user):
    """Applications of the organisations the user is a confirmed member of."""
    if not user.is_authenticated:
        return Application.objects.none()
    return applications_of_user(user.pk)


def applications_of_user(user_id):
    """``applications_for_user`` by the user's id (for the prepared queries)."""
    return Application.objects.filter(
        organisation__memberships__user=user_id,
        organisation__memberships__status=Membership.Status.CONFIRMED,
    ).select_related("organisation", "funding_round")


# The applicant's pages read one application by id, scoped to the user, on every step of deadline
# day: their queries are compiled once per process (foerderportal.prepared), the rest is as above.
_application = PreparedQuery(lambda user_id, pk: applications_of_user(user_id).filter(pk=pk))


def _with_attachment_rows(applications):
    """Each application's attachments in its own row (``attach_attachments`` makes them objects)."""
    attachments = Attachment.objects.filter(application=OuterRef("pk"))  # sorted when attached
    return applications.annotate(attachment_rows=prepared.RelatedRows(attachments))


def _attach_attachments(application):
    rows = application.__dict__.pop("attachment_rows")
    attachments = prepared.objects_from_rows(Attachment, rows, application._state.db)
    # By upload (an aggregate keeps no order of its own).
    attachments.sort(key=lambda attachment: (attachment.uploaded_at, attachment.pk))
    prepared.attach(application, "attachments", attachments)


_application_with_attachments = PreparedQuery(
    lambda user_id, pk: _with_attachment_rows(applications_of_user(user_id)).filter(pk=pk)
)


def _one(query, user, pk, *attach):
    """The application ``pk`` read by the prepared ``query`` if the user is a confirmed member of its
    organisation (else ``None``), with what each of ``attach`` takes from its row."""
    if not user.is_authenticated:
        return None
    application = query.first(user_id=user.pk, pk=pk)
    if application is not None:
        for step in attach:
            step(application)
    return application


def application_of(user, pk):
    """The application ``pk`` if the user is a confirmed member of its organisation, else ``None``."""
    return _one(_application, user, pk)


def application_with_attachments(user, pk):
    """``application_of`` with its attachments by upload (``application.attachments.all()``: the
    checklist, the navigation and the list of attachments read them), in one query."""
    return _one(_application_with_attachments, user, pk, _attach_attachments)


OPEN_ROUNDS_KEY = "open-rounds"
OPEN_ROUNDS_GENERATION = "open-rounds:generation"
# At most this long may a round changed past the signals (raw SQL) show as before.
OPEN_ROUNDS_SECONDS = 10 * 60


def _rounds_not_closed(now):
    rounds = FundingRound.objects.exclude(pk__in=FundingRound.objects.closed_at(now).values("pk"))
    return now, list(rounds.select_related("programme").order_by("deadline"))


def open_rounds(now=None):
    """Rounds accepting applications at ``now``, by deadline: a list.

    Asked by every dashboard and the home page, changed by the academy a few times a year: the
    rounds not yet closed come from the shared cache (a saved or deleted round or programme
    retires them, ``forget_open_rounds``), and ``now`` picks the open ones among them."""
    now = now or timezone.now()
    computed_at, rounds = caching.read_through(
        OPEN_ROUNDS_KEY, OPEN_ROUNDS_GENERATION, lambda: _rounds_not_closed(now), OPEN_ROUNDS_SECONDS
    )
    if now < computed_at:  # asked about an earlier moment: a round closed since may have been open
        _, rounds = _rounds_not_closed(now)
    return [funding_round for funding_round in rounds if funding_round.accepts_submissions_at(now)]


def forget_open_rounds(**kwargs):
    """Signal receiver: a round or a programme was saved or deleted."""
    caching.retire(OPEN_ROUNDS_GENERATION)


def _document_rows():
    """Documents of higher apps carried in an application's row (letters: the released letters as
    ``released_letters``), via the hook: [(annotation name, build, attach)]."""
    return [row for provided in hooks.applicant_document_rows() for row in provided]


def _with_document_rows(applications):
    return applications.annotate(**{name: build() for name, build, _attach in _document_rows()})


def _attach_documents(application):
    for name, _build, attach in _document_rows():
        attach(application, application.__dict__.pop(name))


# What the dashboard's table shows of an application, its organisation and its round: the drafts'
# long texts are neither read from the database nor turned into objects on every visit.
DASHBOARD_FIELDS = (
    "status",
    "reference_number",
    "submitted_at",
    "funding_round_id",
    "organisation_id",
    "organisation__name",
    "funding_round__name",
    "funding_round__deadline",
)


_dashboard_applications = PreparedQuery(
    lambda user_id: (
        _with_document_rows(_with_attachment_rows(applications_of_user(user_id)))
        .only(*DASHBOARD_FIELDS)
        .order_by("-funding_round__deadline", "organisation__name")
    )
)


def dashboard_applications(user):
    """The user's applications as the dashboard lists them (``DASHBOARD_FIELDS``), by deadline and
    organisation, each with its attachments and documents in its row: a list, one query for any number."""
    if not user.is_authenticated:
        return []
    applications = _dashboard_applications.list(user_id=user.pk)
    for application in applications:
        _attach_attachments(application)
        _attach_documents(application)
    return applications


def _with_resolution_flag(applications):
    resolution = Attachment.objects.filter(application=OuterRef("pk"), kind=Attachment.Kind.RESOLUTION)
    return applications.annotate(has_resolution=Exists(resolution))


_application_with_resolution_flag = PreparedQuery(
    lambda user_id, pk: _with_resolution_flag(applications_of_user(user_id)).filter(pk=pk)
)


def application_with_resolution_flag(user, pk):
    """``application_of`` with ``has_resolution`` (is the council resolution attached?), all the
    checklist needs of the attachments: the section pages read no attachment rows."""
    return _one(_application_with_resolution_flag, user, pk)


# What the receipt shows of an application, its organisation, round and submitter (the section
# texts and the password hash stay in the database).
RECEIPT_FIELDS = (
    "status",
    "reference_number",
    "submitted_at",
    "funding_round_id",
    "organisation_id",
    "submitted_by_id",
    "organisation__name",
    "organisation__kind",
    "organisation__key",
    "funding_round__name",
    "submitted_by__first_name",
    "submitted_by__last_name",
    "submitted_by__email",
)


_application_for_receipt = PreparedQuery(
    lambda user_id, pk: (
        _with_document_rows(_with_attachment_rows(applications_of_user(user_id)))
        .select_related("submitted_by")
        .only(*RECEIPT_FIELDS)
        .filter(pk=pk)
    )
)


def application_with_documents(user, pk):
    """``application_of`` as the receipt shows it (``RECEIPT_FIELDS``), with its attachments and
    its released documents (``_document_rows``), in one query; ``None`` where ``application_of`` is."""
    return _one(_application_for_receipt, user, pk, _attach_attachments, _attach_documents)


MEMBERSHIPS_GENERATION = "memberships:generation"
# At most this long may a membership changed past the signals (raw SQL) show as before.
MEMBERSHIPS_SECONDS = 10 * 60


def _memberships_key(user):
    return f"memberships:user:{user.pk}"


def read_dashboard_ahead(user):
    """The dashboard's cached answers (open rounds and, with a shared cache, the memberships) in one
    round trip (``foerderportal.caching.read_ahead``)."""
    pairs = [(OPEN_ROUNDS_KEY, OPEN_ROUNDS_GENERATION)]
    if settings.CACHE_IS_SHARED:
        pairs.append((_memberships_key(user), MEMBERSHIPS_GENERATION))
    caching.read_ahead(pairs)


def memberships_of(user):
    """The user's memberships with their organisations, by name: a list. Each with ``waiting``: the
    colleagues' requests to join that organisation (what a confirmed member may decide, see
    ``pending_memberships_for``).

    Shown on every dashboard, changed rarely: with a shared cache the list comes from there, and
    any saved or deleted membership or organisation retires every user's (``forget_memberships``).
    Only what is shown: the permission checks (``confirmed_organisations``) always ask the database."""
    return caching.read_through(
        _memberships_key(user),
        MEMBERSHIPS_GENERATION,
        lambda: _memberships_of(user),
        MEMBERSHIPS_SECONDS,
        shared_only=True,  # a member confirmed on one worker must see the start button on any
    )


def _memberships_of(user):
    waiting = (
        _colleagues_requests(user)
        .filter(organisation=OuterRef("organisation"))
        .order_by()
        .values("organisation")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return list(
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .annotate(waiting=Coalesce(Subquery(waiting), 0))
        .order_by("organisation__name")
    )


def forget_memberships(**kwargs):
    """Signal receiver: a membership or an organisation was saved or deleted."""
    caching.retire(MEMBERSHIPS_GENERATION)


def _colleagues_requests(user):
    """Requests to join an organisation, by anybody but the user."""
    return Membership.objects.filter(status=Membership.Status.REQUESTED).exclude(user=user)


def pending_memberships_for(user):
    """Requests a confirmed member may decide: colleagues asking to join the same organisation."""
    return (
        _colleagues_requests(user)
        .filter(organisation__in=confirmed_organisations(user).values("pk"))
        .select_related("user", "organisation")
    )


def published_rounds(now=None):
    """Rounds whose results are public, the one rule for "decisions released": the deadline has
    passed, at least one award is released (an application has the status "bewilligt", which only
    a released award sets) and no decision of the round awaits its release (four eyes; the rounds
    with pending proposals come from the ``unpublished_rounds`` hook)."""
    now = now or timezone.now()
    rounds = FundingRound.objects.closed_at(now).filter(
        pk__in=Application.objects.filter(status=Application.Status.AWARDED).values("funding_round_id")
    )
    for unpublished in hooks.unpublished_rounds():
        rounds = rounds.exclude(pk__in=unpublished)
    return rounds


def participating_organisations(now=None):
    """Public list: organisations with an awarded application, per published round (``published_rounds``)."""
    return (
        Application.objects.filter(status=Application.Status.AWARDED, funding_round__in=published_rounds(now))
        .select_related("organisation", "funding_round")
        .order_by("-funding_round__deadline", "organisation__name")
    )


# Cheap umlaut tolerance: "Muenchingen", "Münchingen" and "Munchingen" find each other's spelling.
_SPELLINGS = (("ae", "ä"), ("oe", "ö"), ("ue", "ü"), ("ss", "ß"))
_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u"})
SEARCH_MIN_LENGTH = 2
SEARCH_LIMIT = 20


def _spellings(word):
    """The word as typed and with umlauts written out or in (lower case): a few LIKE patterns."""
    variants = {word}
    for plain, umlaut in _SPELLINGS:
        for variant in list(variants):
            variants |= {variant.replace(plain, umlaut), variant.replace(umlaut, plain)}
    return variants | {word.translate(_FOLD)}


def _word_matches(word):
    """One typed word: in the name or the county, or the start of the official key."""
    if word.isdigit():
        return Q(key__startswith=word)
    condition = Q()
    for variant in _spellings(word):
        for spelling in {variant, variant.capitalize()}:  # SQLite folds the case of ASCII only
            condition |= Q(name__icontains=spelling) | Q(county__icontains=spelling)
    return condition


def search_organisations(term, limit=SEARCH_LIMIT):
    """Active organisations matching every word of ``term`` (name, county, official key), at most
    ``limit``: a list.

    Exact names first, then names starting with the term, then the rest; by name and county
    within each. One query. A term shorter than two characters finds nothing, without a query
    (the dashboard's empty search field asks on every visit).
    """
    words = (term or "").lower().split()
    if len("".join(words)) < SEARCH_MIN_LENGTH:
        return []
    condition = Q()
    for word in words[:5]:
        condition &= _word_matches(word)
    phrase = " ".join(words)
    return list(
        Organisation.objects.active()
        .filter(condition)
        .annotate(
            rank=Case(
                When(name__iexact=phrase, then=Value(0)),
                When(name__istartswith=phrase, then=Value(1)),
                default=Value(2),
            )
        )
        .order_by("rank", "name", "county", "pk")[:limit]
    )
