"""Pages take GET and POST only: a DELETE (or PUT, PATCH) of a page answers 405 with a reason.

Pages change records through their forms and the services behind them; records that history
relies on are ended, closed or corrected there, never deleted. Without this, a function view
that does not check the method would answer a ``DELETE`` as if it were a ``GET``. The API
(``/api/``) has its own answer for each method (core/api/viewsets.py).
"""

from __future__ import annotations

from django.shortcuts import render

PAGE_METHODS = ("GET", "HEAD", "POST", "OPTIONS")


class PageMethodsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in PAGE_METHODS and not request.path.startswith("/api/"):
            response = render(request, "errors/405.html", {"method": request.method}, status=405)
            response["Allow"] = ", ".join(PAGE_METHODS)
            return response
        return self.get_response(request)
