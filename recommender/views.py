from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from recommender.feed import InvalidCursorError, get_home_feed

HOME_PAGE_SIZE = 24


def home(request: HttpRequest) -> HttpResponse:
    """Render the home feed as cards."""
    cursor = request.GET.get("cursor") or None
    try:
        page = get_home_feed(user=request.user, cursor=cursor, page_size=HOME_PAGE_SIZE)
    except InvalidCursorError:
        return render(
            request,
            "recommender/home.html",
            {"error": "This page link is invalid or has expired."},
            status=400,
        )
    return render(request, "recommender/home.html", {"page": page})
