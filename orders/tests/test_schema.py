import yaml
from django.core.management import call_command

ORDERS_PATHS = {
    "/api/v1/favorites/": {"get", "post"},
    "/api/v1/favorites/{listing_pk}/": {"delete"},
    "/api/v1/favorites/counts/": {"get"},
    "/api/v1/cart/": {"get"},
    "/api/v1/cart/items/": {"post"},
    "/api/v1/cart/items/{listing_pk}/": {"delete"},
    "/api/v1/checkout/": {"post"},
    "/api/v1/orders/": {"get"},
    "/api/v1/orders/{id}/": {"get"},
    "/api/v1/orders/{id}/complete/": {"post"},
    "/api/v1/orders/{id}/cancel/": {"post"},
    "/api/v1/orders/{id}/rate/": {"post"},
    "/api/v1/offers/": {"get", "post"},
    "/api/v1/offers/{id}/": {"get"},
    "/api/v1/offers/{id}/accept/": {"post"},
    "/api/v1/offers/{id}/decline/": {"post"},
    "/api/v1/offers/{id}/counter/": {"post"},
    "/api/v1/offers/{id}/withdraw/": {"post"},
    "/api/v1/notifications/": {"get"},
    "/api/v1/notifications/{id}/read/": {"post"},
}


def test_schema_lists_orders_paths(tmp_path):
    schema_file = tmp_path / "schema.yaml"

    # --fail-on-warn raises CommandError on any generator warning or error.
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", schema_file)

    paths = yaml.safe_load(schema_file.read_text())["paths"]
    for path, methods in ORDERS_PATHS.items():
        assert set(paths[path]) == methods, path
