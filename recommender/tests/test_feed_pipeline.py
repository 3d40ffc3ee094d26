import datetime as dt
import random
import uuid
from pathlib import Path

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import UserNeighbourhood
from listings.models import Listing, Product
from moderation.models import Block
from recommender.ml.gnn import load_gnn
from recommender.models import (
    FreshListingVector,
    Impression,
    Interaction,
    ModelVersion,
    NotInterested,
)
from recommender.tasks import build_listing_embeddings_task, train_model_task
from recommender.tests.factories import (
    ListingFactory,
    NeighbourhoodFactory,
    UserFactory,
)
from recommender.tests.scenarios import build_catalog

pytestmark = pytest.mark.django_db

TRAINING_EPOCHS = 20


def _feed(client, **params):
    response = client.get(reverse("feed"), params)
    assert response.status_code == 200, response.content
    return response.json()


def _listing_ids(page):
    return [item["listing"]["id"] for item in page["results"]]


def _view(user, product, *, hours_ago=1):
    return Interaction.objects.create(
        user=user,
        product=product,
        kind=Interaction.Kind.VIEW,
        source=Interaction.Source.SITE,
        occurred_at=timezone.now() - dt.timedelta(hours=hours_ago),
    )


@pytest.fixture
def catalog():
    return build_catalog()


@pytest.fixture
def trained(catalog, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        version_pk = train_model_task.delay("two_tower", None, TRAINING_EPOCHS).get()
    return ModelVersion.objects.get(pk=version_pk)


@pytest.fixture
def camera_fan(catalog):
    buyer = UserFactory(username="camera-fan")
    for hours_ago, product in enumerate(catalog.products["cameras"][:4], start=1):
        _view(buyer, product, hours_ago=hours_ago)
    return buyer


def test_feed_never_shows_filtered_listings(
    client, catalog, trained, django_capture_on_commit_callbacks
):
    rng = random.Random(11)
    sellers = [UserFactory(username=f"other-seller-{n}") for n in range(4)]
    products = [product for group in catalog.products.values() for product in group]
    with django_capture_on_commit_callbacks(execute=True):
        extra = [
            ListingFactory(seller=rng.choice(sellers), product=rng.choice(products))
            for _ in range(30)
        ]
    listings = [listing for group in catalog.listings.values() for listing in group]
    listings += extra
    buyers = [UserFactory(username=f"random-buyer-{n}") for n in range(12)]
    checked_pages = 0

    for buyer in buyers:
        for hours_ago, product in enumerate(rng.sample(products, 4), start=1):
            _view(buyer, product, hours_ago=hours_ago)
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(2):
                ListingFactory(seller=buyer, product=rng.choice(products))
        for listing in rng.sample(listings, 6):
            listing.status = rng.choice(
                [Listing.Status.SOLD, Listing.Status.RESERVED, Listing.Status.HIDDEN]
            )
            listing.save()
        for listing in rng.sample(listings, 4):
            NotInterested.objects.get_or_create(user=buyer, listing=listing)
        bought = rng.choice(listings)
        Interaction.objects.create(
            user=buyer,
            product=bought.product,
            listing=bought,
            kind=Interaction.Kind.PURCHASE,
            source=Interaction.Source.SITE,
            occurred_at=timezone.now(),
        )
        # A block hides listings both ways.
        blocked_by_buyer, blocking_buyer = rng.sample(sellers, 2)
        Block.objects.create(blocker=buyer, blocked=blocked_by_buyer)
        Block.objects.create(blocker=blocking_buyer, blocked=buyer)
        excluded = {blocked_by_buyer.pk, blocking_buyer.pk}

        client.force_login(buyer)
        page = _feed(client, page_size=100)
        shown = Listing.objects.filter(pk__in=_listing_ids(page))
        hidden_from_buyer = set(
            NotInterested.objects.filter(user=buyer).values_list(
                "listing_id", flat=True
            )
        )

        shown_pks = {listing.pk for listing in shown}
        shown_sellers = {listing.seller_id for listing in shown}
        assert page["strategy"] == "two_tower"
        assert page["results"]
        assert {listing.status for listing in shown} == {Listing.Status.ACTIVE}
        assert buyer.pk not in shown_sellers
        assert shown_sellers & excluded == set()
        assert shown_pks & hidden_from_buyer == set()
        assert bought.pk not in shown_pks
        assert bought.product_id not in {listing.product_id for listing in shown}
        products_shown = [listing.product_id for listing in shown]
        assert len(products_shown) == len(set(products_shown))
        checked_pages += 1

        # Reset the statuses, so that each buyer gets a new random state.
        Listing.objects.filter(pk__in=[listing.pk for listing in listings]).update(
            status=Listing.Status.ACTIVE
        )

    assert checked_pages == len(buyers)


def test_created_listing_reaches_similar_user(
    client, catalog, trained, camera_fan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        fresh = ListingFactory(
            product=None,
            title="Canon mirrorless camera body, barely used",
            category=catalog.products["cameras"][0].category,
            price=150,
        )

    client.force_login(camera_fan)
    page = _feed(client, page_size=10)

    assert FreshListingVector.objects.filter(listing=fresh).exists()
    assert fresh.pk in _listing_ids(page)


def test_sold_fresh_listing_leaves_feed(
    client, catalog, trained, camera_fan, django_capture_on_commit_callbacks
):
    product = catalog.products["cameras"][9]
    # The feed shows one listing per product; with the catalog's own listing
    # of this product hidden, the fresh one cannot lose that place to it.
    Listing.objects.filter(product=product).update(status=Listing.Status.HIDDEN)
    with django_capture_on_commit_callbacks(execute=True):
        fresh = ListingFactory(product=product, title="Cam")
    client.force_login(camera_fan)
    assert fresh.pk in _listing_ids(_feed(client, page_size=100))

    with django_capture_on_commit_callbacks(execute=True):
        fresh.status = Listing.Status.SOLD
        fresh.save()
    page = _feed(client, page_size=100)

    assert fresh.pk not in _listing_ids(page)
    assert not FreshListingVector.objects.filter(listing=fresh).exists()


def test_rebuild_takes_over_fresh_vectors(
    catalog, trained, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        fresh = ListingFactory(product=catalog.products["consoles"][0])
    assert FreshListingVector.objects.filter(listing=fresh).count() == 1

    set_pk = build_listing_embeddings_task.delay(trained.pk).get()

    assert not FreshListingVector.objects.filter(listing=fresh).exists()
    indexed = np.load(
        Path(trained.embedding_sets.get(pk=set_pk).index_path) / "ids.npy"
    )
    assert fresh.pk in indexed.tolist()


def test_not_interested_api_hides_and_restores(client, catalog, trained, camera_fan):
    client.force_login(camera_fan)
    first = _feed(client, page_size=5)["results"][0]["listing"]["id"]
    url = reverse("feed-not-interested", args=[first])

    created = client.post(url)
    repeated = client.post(url)
    hidden_page = _feed(client, page_size=100)
    removed = client.delete(url)
    removed_again = client.delete(url)
    restored_page = _feed(client, page_size=100)

    assert created.status_code == 201
    assert created.json() == {"listing": first, "created": True}
    assert repeated.status_code == 200
    assert NotInterested.objects.filter(user=camera_fan).count() == 0
    assert first not in _listing_ids(hidden_page)
    assert removed.status_code == 204
    assert removed_again.status_code == 404
    assert first in _listing_ids(restored_page)


def test_not_interested_rejects_unknown_listing(client, camera_fan):
    client.force_login(camera_fan)

    response = client.post(reverse("feed-not-interested", args=[999999]))

    assert response.status_code == 404
    assert response.json() == {"listing": ["Listing 999999 does not exist."]}


def test_not_interested_requires_sign_in(client, catalog):
    listing = catalog.listings["cameras"][0]

    response = client.post(reverse("feed-not-interested", args=[listing.pk]))

    assert response.status_code in (401, 403)
    assert NotInterested.objects.count() == 0


def test_pages_log_impressions(client, catalog, trained, camera_fan):
    client.force_login(camera_fan)
    request_id = uuid.uuid4()

    first = client.get(
        reverse("feed"), {"page_size": 4}, HTTP_X_REQUEST_ID=str(request_id)
    ).json()
    second = client.get(first["next"]).json()

    logged = list(Impression.objects.order_by("position"))
    assert first["request_id"] == str(request_id)
    assert [row.position for row in logged] == list(range(8))
    assert [row.listing_id for row in logged] == _listing_ids(first) + _listing_ids(
        second
    )
    assert {row.request_id for row in logged[:4]} == {request_id}
    assert str(logged[4].request_id) == second["request_id"]
    assert {row.strategy for row in logged} == {"two_tower"}
    assert {row.two_tower_version_id for row in logged} == {trained.pk}
    assert {row.gnn_version_id for row in logged} == {None}
    assert {row.user_id for row in logged} == {camera_fan.pk}


def test_gnn_scores_candidates_when_promoted(
    client, catalog, trained, camera_fan, settings
):
    settings.RECOMMENDER_FRESHNESS_WEIGHT = 0.0
    settings.RECOMMENDER_CATEGORY_CAP = 100
    settings.RECOMMENDER_SELLER_CAP = 100
    gnn_pk = train_model_task.delay("gnn", None, 5).get()
    gnn = load_gnn(Path(ModelVersion.objects.get(pk=gnn_pk).artifact_path))

    client.force_login(camera_fan)
    page = _feed(client, page_size=100)

    listings = Listing.objects.select_related("product").in_bulk(_listing_ids(page))
    positions = {item: row for row, item in enumerate(gnn.item_ids)}
    history = [positions[p.parent_asin] for p in catalog.products["cameras"][:4]]
    shown = [listings[pk].product.parent_asin for pk in _listing_ids(page)]
    scores = gnn.score([history], np.asarray([positions[a] for a in shown]))[0]
    assert page["strategy"] == "gnn"
    assert page["gnn_version"] == gnn_pk
    assert page["model_version"] == trained.pk
    assert list(scores) == sorted(scores, reverse=True)


def test_feed_without_gnn_keeps_two_tower_order(client, trained, camera_fan):
    client.force_login(camera_fan)

    page = _feed(client, page_size=5)

    assert page["strategy"] == "two_tower"
    assert page["gnn_version"] is None
    assert page["results"][0]["reason"].endswith(" you viewed")


def test_new_user_gets_popular_near_neighbourhood(client, catalog, trained):
    near = NeighbourhoodFactory(name="Mangwon", latitude=37.556, longitude=126.901)
    close = NeighbourhoodFactory(name="Hapjeong", latitude=37.549, longitude=126.913)
    far = NeighbourhoodFactory(name="Busan", latitude=35.18, longitude=129.07)
    consoles = catalog.listings["consoles"]
    Listing.objects.filter(pk=consoles[0].pk).update(neighbourhood=near)
    Listing.objects.filter(pk=consoles[1].pk).update(neighbourhood=close)
    Listing.objects.filter(pk=consoles[2].pk).update(neighbourhood=far)
    client.force_login(UserFactory(username="newcomer"))

    page = _feed(client, page_size=5, neighbourhood=near.pk)
    following = client.get(page["next"]).json()

    assert page["strategy"] == "popularity"
    assert set(_listing_ids(page)[:2]) == {consoles[0].pk, consoles[1].pk}
    assert page["results"][0]["reason"] == "Popular near Mangwon"
    assert page["results"][2]["reason"] == "Popular on the marketplace"
    assert consoles[2].pk not in _listing_ids(page)[:2]
    assert following["strategy"] == "popularity"


def test_home_neighbourhood_is_the_default_for_new_users(client, catalog, trained):
    home = NeighbourhoodFactory(name="Mangwon", latitude=37.556, longitude=126.901)
    far = NeighbourhoodFactory(name="Busan", latitude=35.18, longitude=129.07)
    consoles = catalog.listings["consoles"]
    Listing.objects.filter(pk=consoles[0].pk).update(neighbourhood=home)
    Listing.objects.filter(pk=consoles[1].pk).update(neighbourhood=far)
    newcomer = UserFactory(username="newcomer")
    UserNeighbourhood.objects.create(
        user=newcomer, neighbourhood=home, confirmed_at=timezone.now()
    )
    client.force_login(newcomer)

    page = _feed(client, page_size=5)

    assert page["strategy"] == "popularity"
    assert _listing_ids(page)[0] == consoles[0].pk
    assert page["results"][0]["reason"] == "Popular near Mangwon"
    assert page["results"][1]["reason"] == "Popular on the marketplace"


def test_feed_rejects_unknown_neighbourhood(client):
    response = client.get(reverse("feed"), {"neighbourhood": 987654})

    assert response.status_code == 400
    assert "Neighbourhood 987654 does not exist" in response.json()["neighbourhood"][0]


def test_feed_turns_personal_after_few_views(client, catalog, trained, settings):
    settings.RECOMMENDER_PERSONAL_MIN_ITEMS = 3
    newcomer = UserFactory(username="newcomer")
    client.force_login(newcomer)
    cameras = {listing.pk for listing in catalog.listings["cameras"]}

    strategies = []
    for product in catalog.products["cameras"][:3]:
        strategies.append(_feed(client, page_size=3)["strategy"])
        _view(newcomer, product)
    personal = _feed(client, page_size=3)

    assert strategies == ["popularity", "popularity", "popularity"]
    assert personal["strategy"] == "two_tower"
    assert set(_listing_ids(personal)) <= cameras


def test_unreadable_index_falls_back_to_popularity(
    client, catalog, trained, camera_fan
):
    from recommender.serving import clear_caches

    index_path = Path(trained.embedding_sets.get().index_path)
    (index_path / "index.faiss").unlink()
    clear_caches()
    client.force_login(camera_fan)

    page = _feed(client)

    assert page["strategy"] == "popularity"
    assert len(page["results"]) == 20


def test_reason_leaves_out_products_without_a_title(
    client, catalog, trained, camera_fan
):
    viewed = [product.pk for product in catalog.products["cameras"][:4]]
    Product.objects.filter(pk__in=viewed).update(title="  ")
    client.force_login(camera_fan)

    page = _feed(client, page_size=5)

    assert page["strategy"] == "two_tower"
    assert [item["reason"] for item in page["results"]] == ["Picked for you"] * 5
