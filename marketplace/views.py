"""Project-level views that belong to no app."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponseBase
from django.views.static import serve


def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Serve an uploaded file from MEDIA_ROOT when SERVE_MEDIA is on.

    Django's static file view rejects paths that leave the directory.
    """
    if not settings.SERVE_MEDIA:
        raise Http404("Uploaded files are not served by this process.")
    return serve(request, path, document_root=settings.MEDIA_ROOT)
