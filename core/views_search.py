"""The top bar's search: suggestions as you type, and the full results page."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.http import ConsoleRequest
from core.search import search

SUGGESTIONS_PER_KIND = 5
RESULTS_PER_KIND = 50


@require_GET
def search_suggest(request: ConsoleRequest):
    """The suggestion list under the search box (an HTML fragment for search.js)."""
    results = search(request.caller, request.GET.get("q", ""), limit=SUGGESTIONS_PER_KIND)
    return render(request, "search/_suggestions.html", {"results": results})


@require_GET
def search_results(request: ConsoleRequest):
    """Every match, kind by kind, for ``?q=``: where Enter in the search box leads."""
    results = search(request.caller, request.GET.get("q", ""), limit=RESULTS_PER_KIND,
                     record_refusals=True)
    return render(request, "search/results.html", {"results": results})
