"""Ratings after a completed order and the trust score they move."""

import logging
from collections.abc import Sequence
from decimal import Decimal
from typing import Final

from django.db import IntegrityError, transaction
from django.db.models import Count

from accounts.models import NEUTRAL_TRUST_SCORE, User
from notifications.models import Notification
from notifications.services import notify_user
from orders.models import Order, Rating
from orders.services.errors import ConflictError, InvalidInputError

logger = logging.getLogger(__name__)

# Trust score: the neutral 36.5 plus one bounded step per rating received,
# clamped to the column's range 0.0 to 99.9. Bad ratings weigh more than
# good ones, so that a few bad trades are not buried under many good
# ones: 100 five-star ratings add 50.0, 10 one-star ratings take 10.0.
TRUST_STEP_BY_SCORE: Final[dict[int, Decimal]] = {
    5: Decimal("0.5"),
    4: Decimal("0.2"),
    3: Decimal("0.0"),
    2: Decimal("-0.5"),
    1: Decimal("-1.0"),
}
MIN_TRUST_SCORE: Final = Decimal("0.0")
MAX_TRUST_SCORE: Final = Decimal("99.9")
MAX_TAGS: Final = 5


def compute_trust_score(score_counts: dict[int, int]) -> Decimal:
    """Return the trust score for the given number of ratings per score."""
    total = NEUTRAL_TRUST_SCORE + sum(
        (TRUST_STEP_BY_SCORE[score] * count for score, count in score_counts.items()),
        Decimal("0"),
    )
    return min(max(total, MIN_TRUST_SCORE), MAX_TRUST_SCORE)


def recompute_trust_score(*, user_pk: int) -> Decimal:
    """Recompute a user's trust score from all ratings they received.

    Recomputing rather than adding a step keeps the score right after a
    rating is deleted or a step changes. The caller holds the user's row
    lock, so two ratings of one user cannot overwrite each other's result.
    """
    rows = (
        Rating.objects.filter(ratee_id=user_pk)
        .values("score")
        .annotate(count=Count("pk"))
        .values_list("score", "count")
    )
    score = compute_trust_score(dict(rows))
    User.objects.filter(pk=user_pk).update(trust_score=score)
    return score


def _check_score(score: object) -> int:
    if (
        not isinstance(score, int)
        or isinstance(score, bool)
        or not Rating.MIN_SCORE <= score <= Rating.MAX_SCORE
    ):
        raise InvalidInputError(
            {
                "score": [
                    f"Score {score!r} is invalid; give a whole number from "
                    f"{Rating.MIN_SCORE} to {Rating.MAX_SCORE}."
                ]
            }
        )
    return score


def _check_tags(tags: Sequence[object]) -> list[str]:
    valid = set(Rating.Tag.values)
    unknown = [tag for tag in tags if tag not in valid]
    if unknown:
        raise InvalidInputError(
            {
                "tags": [
                    f"Unknown tags {unknown!r}; use any of {', '.join(sorted(valid))}."
                ]
            }
        )
    unique = list(dict.fromkeys(str(tag) for tag in tags))
    if len(unique) > MAX_TAGS:
        raise InvalidInputError(
            {"tags": [f"{len(unique)} tags were given; the maximum is {MAX_TAGS}."]}
        )
    return unique


@transaction.atomic
def rate_order(
    *,
    order: Order,
    rater: User,
    score: int,
    tags: Sequence[str] = (),
    comment: str = "",
) -> Rating:
    """Rate the other party of a completed order, once per party.

    Raises:
        InvalidInputError: for a bad score, unknown tags or a long comment.
        ConflictError: when `rater` is not a party of the order, the order
            is not completed, or `rater` already rated it.
    """
    score = _check_score(score)
    clean_tags = _check_tags(tags)
    max_comment = Rating._meta.get_field("comment").max_length or 500
    if len(comment) > max_comment:
        raise InvalidInputError(
            {
                "comment": [
                    f"Comment has {len(comment)} characters; the maximum is "
                    f"{max_comment}."
                ]
            }
        )
    if rater.pk not in (order.buyer_id, order.seller_id):
        raise ConflictError(f"Only the buyer or the seller can rate order {order.pk}.")
    ratee_pk = order.seller_id if rater.pk == order.buyer_id else order.buyer_id

    # Lock the person rated first: it serializes the recomputation below.
    User.objects.select_for_update(no_key=True).filter(pk=ratee_pk).get()
    locked = Order.objects.get(pk=order.pk)
    if locked.status != Order.Status.COMPLETED:
        raise ConflictError(
            f"Cannot rate order {locked.pk} because it is {locked.status}; rate "
            "it after it is completed."
        )
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                order=locked,
                rater=rater,
                ratee_id=ratee_pk,
                score=score,
                tags=clean_tags,
                comment=comment,
            )
    except IntegrityError as error:
        raise ConflictError(
            f"You already rated order {locked.pk}; each party rates once."
        ) from error
    trust_score = recompute_trust_score(user_pk=ratee_pk)

    notify_user(
        user=ratee_pk,
        kind=Notification.Kind.RATING_RECEIVED,
        message=f"{rater} rated order {locked.pk} with {score} of 5.",
        data={"order": locked.pk, "rating": rating.pk},
    )
    logger.info(
        "User %s rated user %s on order %s; trust score now %s",
        rater.pk,
        ratee_pk,
        locked.pk,
        trust_score,
    )
    return rating
