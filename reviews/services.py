"""Reviews and decisions. Every status change of a review or of an application after
submission happens here, in a transaction, on locked rows, with an audit record
(django-simple-history, attributed to the acting user)."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, FloatField, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.roles import is_academy_staff, is_reviewer
from applications.models import Application, FundingRound
from foerderportal import hooks
from foerderportal.audit import log_event
from foerderportal.errors import DomainError
from foerderportal.formatting import euro, format_deadline

from .models import Criterion, Decision, Recommendation, Review, Score
from .selectors import round_has_decisions


class ReviewError(DomainError):
    """A rule of the review and decision procedure refused the action; ``message`` is German."""


REVIEWABLE = (Application.Status.SUBMITTED, Application.Status.IN_REVIEW, Application.Status.INFO_REQUESTED)


def _save(instance, user, fields):
    instance._history_user = user
    instance.save(update_fields=fields)


def _require_staff(user):
    if not is_academy_staff(user):
        raise ReviewError(_("Nur Mitarbeitende der Akademie dürfen das."))


# --- rounds ------------------------------------------------------------------

# What the four-eyes rule and the caps rest on: fixed once the round's first decision was proposed.
LOCKED_ROUND_FIELDS = (
    "four_eyes",
    "opens_at",
    "deadline",
    "places",
    "budget",
    "max_per_package",
    "facilitation_months",
)


def locked_round_fields(*, funding_round: FundingRound, user) -> tuple:
    """The fields ``user`` may no longer change in ``funding_round`` (none for a superuser)."""
    if funding_round.pk is None or user.is_superuser or not round_has_decisions(funding_round):
        return ()
    return LOCKED_ROUND_FIELDS


@transaction.atomic
def change_round(*, funding_round: FundingRound, by, changes: dict) -> FundingRound:
    """Change a round's settings (``{field: new value}``); the change is kept in the round's history.

    Once a decision of the round was proposed, four eyes, the dates and the limits are fixed
    (except for a superuser): otherwise one person could untick four eyes, release their own
    proposal and tick it again. Limits never drop below what is awarded (``FundingRound.clean``).
    """
    _require_staff(by)
    # The row lock orders this change against proposals (propose_decision locks the round too).
    funding_round = FundingRound.objects.select_for_update().get(pk=funding_round.pk)
    changed = {name: value for name, value in changes.items() if getattr(funding_round, name) != value}
    locked = sorted(set(changed) & set(locked_round_fields(funding_round=funding_round, user=by)))
    if locked:
        labels = [str(FundingRound._meta.get_field(name).verbose_name) for name in locked]
        raise ReviewError(
            ngettext(
                "In dieser Förderrunde wurde bereits eine Entscheidung vorgeschlagen: "
                "„%(fields)s“ kann nur noch ein Superuser ändern.",
                "In dieser Förderrunde wurde bereits eine Entscheidung vorgeschlagen: "
                "„%(fields)s“ können nur noch Superuser ändern.",
                len(locked),
            )
            % {"fields": "“, „".join(labels)}
        )
    for name, value in changed.items():
        setattr(funding_round, name, value)
    try:
        funding_round.full_clean()
    except ValidationError as error:
        raise ReviewError(" ".join(error.messages)) from error
    funding_round._history_user = by
    funding_round.save()
    return funding_round


# --- assignments and reviews --------------------------------------------------


@transaction.atomic
def assign_reviewer(*, application: Application, reviewer, by) -> Review:
    """Assign a reviewer; assigning twice returns the existing assignment."""
    _require_staff(by)
    if not is_reviewer(reviewer):
        raise ReviewError(_("%(user)s ist nicht als Gutachter/in eingetragen.") % {"user": reviewer})
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status not in REVIEWABLE:
        raise ReviewError(_("Nur eingereichte Anträge können zur Bewertung zugewiesen werden."))
    review = Review.objects.filter(application=application, reviewer=reviewer).first()
    if review:
        return review
    review = Review(application=application, reviewer=reviewer, assigned_by=by)
    review._history_user = by
    review.save()
    return review


def assign_reviewers(*, applications, reviewers, by) -> int:
    """Bulk assignment (admin action); returns the number of new assignments."""
    created = 0
    for application in applications:
        for reviewer in reviewers:
            before = Review.objects.filter(application=application, reviewer=reviewer).exists()
            assign_reviewer(application=application, reviewer=reviewer, by=by)
            created += not before
    return created


def _lock_own_review(review, reviewer):
    review = Review.objects.select_for_update().select_related("application__funding_round").get(pk=review.pk)
    if review.reviewer_id != reviewer.pk:
        raise ReviewError(_("Diese Bewertung ist nicht Ihnen zugewiesen."))
    return review


@transaction.atomic
def declare_no_conflict(*, review: Review, reviewer) -> Review:
    review = _lock_own_review(review, reviewer)
    if review.status != Review.Status.ASSIGNED:
        raise ReviewError(_("Die Erklärung zur Befangenheit liegt bereits vor."))
    review.status = Review.Status.OPEN
    review.conflict_declared_at = timezone.now()
    _save(review, reviewer, ["status", "conflict_declared_at"])
    return review


@transaction.atomic
def declare_conflict(*, review: Review, reviewer, reason: str = "") -> Review:
    """A declared conflict of interest removes the assignment (the row stays as a record)."""
    review = _lock_own_review(review, reviewer)
    if review.status == Review.Status.FINISHED:
        raise ReviewError(_("Eine abgeschlossene Bewertung kann nicht mehr geändert werden."))
    review.status = Review.Status.CONFLICT
    review.conflict_declared_at = timezone.now()
    review.conflict_reason = reason
    _save(review, reviewer, ["status", "conflict_declared_at", "conflict_reason"])
    review.scores.all().delete()
    return review


@transaction.atomic
def save_review(*, review: Review, reviewer, scores: dict, recommendation: str = "", note: str = "") -> Review:
    """Save points and comments (``{criterion_id: (points, comment)}``); can be finished later."""
    review = _lock_own_review(review, reviewer)
    if review.status == Review.Status.ASSIGNED:
        raise ReviewError(_("Bitte erklären Sie zuerst, dass keine Befangenheit vorliegt."))
    if review.status == Review.Status.CONFLICT:
        raise ReviewError(_("Wegen erklärter Befangenheit können Sie diesen Antrag nicht bewerten."))
    if review.status == Review.Status.FINISHED:
        raise ReviewError(_("Die Bewertung ist abgeschlossen und kann nicht mehr geändert werden."))
    if recommendation and recommendation not in Recommendation.values:
        raise ReviewError(_("Unbekannte Empfehlung."))
    criteria = {c.pk: c for c in Criterion.objects.filter(funding_round=review.application.funding_round)}
    existing = {s.criterion_id: s for s in review.scores.all()}
    for criterion_id, (points, comment) in scores.items():
        criterion = criteria.get(int(criterion_id))
        if criterion is None:
            raise ReviewError(_("Das Kriterium gehört nicht zu dieser Förderrunde."))
        if points is None:
            if criterion.pk in existing:
                existing[criterion.pk].delete()
            continue
        if not 0 <= points <= criterion.max_points:
            raise ReviewError(
                _("„%(title)s“: erlaubt sind 0 bis %(max)d Punkte.")
                % {"title": criterion.title, "max": criterion.max_points}
            )
        score = existing.get(criterion.pk) or Score(review=review, criterion=criterion, points=points)
        score.points, score.comment = points, comment or ""
        score._history_user = reviewer
        score.save()
    review.recommendation, review.note = recommendation, note
    _save(review, reviewer, ["recommendation", "note"])
    return review


def weighted_total(review: Review) -> Decimal:
    """Σ(points / max × weight) / Σ(weight) × 100 over the round's criteria, in the database."""
    # Cast: integer points divided by integer maxima would truncate on some databases.
    contribution = (
        Cast("points", FloatField())
        * Cast("criterion__weight", FloatField())
        / Cast("criterion__max_points", FloatField())
    )
    achieved = review.scores.aggregate(s=Sum(contribution))["s"] or Decimal(0)
    weights = Criterion.objects.filter(funding_round_id=review.application.funding_round_id).aggregate(s=Sum("weight"))[
        "s"
    ]
    return (Decimal(str(achieved)) / weights * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def finish_review(*, review: Review, reviewer) -> Review:
    """Lock the review: every criterion scored and a recommendation given."""
    review = _lock_own_review(review, reviewer)
    if review.status != Review.Status.OPEN:
        raise ReviewError(_("Nur eine offene Bewertung kann abgeschlossen werden."))
    if not Criterion.objects.filter(funding_round_id=review.application.funding_round_id).exists():
        raise ReviewError(_("Für diese Förderrunde sind noch keine Bewertungskriterien angelegt."))
    missing = list(
        Criterion.objects.filter(funding_round_id=review.application.funding_round_id)
        .exclude(scores__review=review)
        .values_list("title", flat=True)
    )
    if missing:
        raise ReviewError(_("Es fehlen Punkte für: %(missing)s.") % {"missing": ", ".join(missing)})
    if not review.recommendation:
        raise ReviewError(_("Bitte geben Sie eine Empfehlung ab."))
    review.total = weighted_total(review)
    review.status = Review.Status.FINISHED
    review.finished_at = timezone.now()
    _save(review, reviewer, ["total", "status", "finished_at"])
    return review


# --- decisions -----------------------------------------------------------------


def _lock_application(application):
    return Application.objects.select_for_update(of=("self",)).select_related("funding_round").get(pk=application.pk)


def require_deadline_passed(funding_round: FundingRound, now=None):
    """Decisions of a round (and the move to review) only once its deadline has passed."""
    now = now or timezone.now()
    if not funding_round.decisions_open_at(now):
        raise ReviewError(
            _("Entscheidungen sind erst nach Ablauf der Antragsfrist möglich. Die Antragsfrist endet am %(deadline)s.")
            % {"deadline": format_deadline(funding_round.deadline)}
        )


def _transition(application, status, user, action, **data):
    application.status = status
    _save(application, user, ["status", "awarded_amount", "updated_at"])
    log_event(application, user, action, **data)


@transaction.atomic
def move_to_review(*, application: Application, by, now=None) -> Application:
    _require_staff(by)
    application = _lock_application(application)
    require_deadline_passed(application.funding_round, now)
    if application.status != Application.Status.SUBMITTED:
        raise ReviewError(_("Nur eingereichte Anträge können in die Prüfung gehen."))
    _transition(application, Application.Status.IN_REVIEW, by, "in_review")
    return application


_ALLOWED_FROM = {
    Decision.Kind.AWARD: (Application.Status.IN_REVIEW, Application.Status.WAITLISTED),
    Decision.Kind.REJECT: (Application.Status.IN_REVIEW, Application.Status.WAITLISTED),
    Decision.Kind.WAITLIST: (Application.Status.IN_REVIEW,),
}
_RESULT = {
    Decision.Kind.AWARD: Application.Status.AWARDED,
    Decision.Kind.REJECT: Application.Status.REJECTED,
    Decision.Kind.WAITLIST: Application.Status.WAITLISTED,
}


def _check_caps(funding_round: FundingRound, amount: Decimal, application: Application):
    """Places and budget of the round; the caller holds the round's row lock."""
    awarded = Application.objects.filter(funding_round=funding_round, status=Application.Status.AWARDED).exclude(
        pk=application.pk
    )
    totals = awarded.aggregate(places=Count("pk"), budget=Sum("awarded_amount"))
    if totals["places"] + 1 > funding_round.places:
        raise ReviewError(
            ngettext(
                "Der einzige Platz der Förderrunde ist vergeben.",
                "Alle %(places)d Plätze der Förderrunde sind vergeben.",
                funding_round.places,
            )
            % {"places": funding_round.places}
        )
    used = totals["budget"] or Decimal(0)
    if used + amount > funding_round.budget:
        raise ReviewError(
            _("Das Budget reicht nicht: %(left)s frei, %(amount)s beantragt.")
            % {"left": euro(funding_round.budget - used), "amount": euro(amount)}
        )


def decision_refusal(*, application: Application, kind: str, amount=None, reasons: str = "", now=None) -> str:
    """Why this decision would be refused now ("" if it would go ahead); writes nothing.

    The confirmation pages show it before anybody confirms; the service checks again, under locks.
    """
    try:
        require_deadline_passed(application.funding_round, now)
        _validate(application, kind, amount, reasons)
    except ReviewError as error:
        return error.message
    return ""


def _validate(application, kind, amount, reasons):
    funding_round = application.funding_round
    if application.status not in _ALLOWED_FROM[kind]:
        raise ReviewError(
            _("Ein Antrag mit Status „%(status)s“ kann nicht so entschieden werden.")
            % {"status": application.get_status_display()}
        )
    if kind in (Decision.Kind.AWARD, Decision.Kind.REJECT) and not funding_round.signing_officer.strip():
        # A Bescheid names the authority and the person who signs it (§ 37 Abs. 3 LVwVfG).
        raise ReviewError(
            _(
                "Ein Bescheid braucht die zeichnende Person (§ 37 Abs. 3 LVwVfG). Tragen Sie sie in der "
                "Förderrunde „%(round)s“ ein."
            )
            % {"round": funding_round.name}
        )
    if kind == Decision.Kind.AWARD:
        amount = funding_round.max_per_package if amount is None else Decimal(amount)
        if amount <= 0:
            raise ReviewError(_("Der Betrag muss größer als 0 sein."))
        if amount > funding_round.max_per_package:
            raise ReviewError(
                _("Der Betrag übersteigt den Höchstbetrag je Paket von %(max)s.")
                % {"max": euro(funding_round.max_per_package)}
            )
        return amount
    if kind == Decision.Kind.REJECT and not reasons.strip():
        raise ReviewError(_("Bitte begründen Sie die Ablehnung; die Begründung steht im Bescheid."))
    return None


@transaction.atomic
def propose_decision(*, application: Application, kind: str, by, amount=None, reasons: str = "", now=None) -> Decision:
    """Decide; with the round's four-eyes rule, only propose (another person releases)."""
    _require_staff(by)
    application = _lock_application(application)
    # Locked like in change_round: the four-eyes flag read here cannot change under this proposal.
    funding_round = FundingRound.objects.select_for_update().get(pk=application.funding_round_id)
    require_deadline_passed(funding_round, now)
    amount = _validate(application, kind, amount, reasons)
    if Decision.objects.filter(application=application, status=Decision.Status.PROPOSED).exists():
        raise ReviewError(_("Für diesen Antrag liegt bereits ein Vorschlag zur Freigabe vor."))
    decision = Decision(application=application, kind=kind, amount=amount, reasons=reasons, proposed_by=by)
    decision._history_user = by
    decision.save()
    log_event(application, by, "decision_proposed", kind=kind, amount=str(amount or ""))
    if not funding_round.four_eyes:
        return release_decision(decision=decision, by=by, now=now)
    return decision


@transaction.atomic
def release_decision(*, decision: Decision, by, now=None) -> Decision:
    """Apply a decision to its application; awards within places and budget (round row locked)."""
    _require_staff(by)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    application = _lock_application(decision.application)
    funding_round = FundingRound.objects.select_for_update().get(pk=application.funding_round_id)
    require_deadline_passed(funding_round, now)
    if decision.status != Decision.Status.PROPOSED:
        raise ReviewError(_("Diese Entscheidung ist nicht mehr offen."))
    if funding_round.four_eyes and decision.proposed_by_id == by.pk:
        raise ReviewError(_("Vier-Augen-Prinzip: Eine andere Person muss die Entscheidung freigeben."))
    if application.resubmitted_at and application.resubmitted_at > decision.proposed_at:
        # The proposal rests on content the municipality has changed since (request for missing items).
        raise ReviewError(
            _(
                "Der Antrag wurde nach diesem Vorschlag erneut eingereicht. Verwerfen Sie den Vorschlag und "
                "entscheiden Sie auf Grundlage der aktuellen Fassung neu."
            )
        )
    _validate(application, decision.kind, decision.amount, decision.reasons)
    if decision.kind == Decision.Kind.AWARD:
        _check_caps(funding_round, decision.amount, application)
        application.awarded_amount = decision.amount
    else:
        application.awarded_amount = None
    decision.status = Decision.Status.RELEASED
    decision.released_by = by
    decision.released_at = timezone.now()
    _save(decision, by, ["status", "released_by", "released_at"])
    _transition(application, _RESULT[decision.kind], by, f"decision_{decision.kind}", decision=decision.pk)
    if decision.kind == Decision.Kind.AWARD:
        # Same transaction: facilitation creates the facilitation with the award, or neither exists.
        hooks.application_awarded(application=application, decision=decision, by=by)
    # letters renders the decision letter and announces it by e-mail, on commit.
    hooks.decision_released(decision=decision)
    return decision


@transaction.atomic
def cancel_decision(*, decision: Decision, by) -> Decision:
    _require_staff(by)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.status != Decision.Status.PROPOSED:
        raise ReviewError(_("Nur vorgeschlagene Entscheidungen können verworfen werden."))
    decision.status = Decision.Status.CANCELLED
    _save(decision, by, ["status"])
    return decision


def award_application(*, application, by, amount=None, now=None) -> Decision:
    return propose_decision(application=application, kind=Decision.Kind.AWARD, by=by, amount=amount, now=now)


def reject_application(*, application, by, reasons, now=None) -> Decision:
    return propose_decision(application=application, kind=Decision.Kind.REJECT, by=by, reasons=reasons, now=now)


def waitlist_application(*, application, by, now=None) -> Decision:
    return propose_decision(application=application, kind=Decision.Kind.WAITLIST, by=by, now=now)


def promote_from_waitlist(*, application, by, amount=None, now=None) -> Decision:
    if application.status != Application.Status.WAITLISTED:
        raise ReviewError(_("Nur Anträge auf der Nachrückliste können nachrücken."))
    return award_application(application=application, by=by, amount=amount, now=now)
