from django.urls import path

from core.views_search import search_results, search_suggest

app_name = "search"

urlpatterns = [
    path("iam/search/", search_results, name="results"),
    path("iam/search/suggest/", search_suggest, name="suggest"),
]
