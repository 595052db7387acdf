"""URLs: the API at the root, sign-in under /signin, the console under /iam/."""

from django.urls import include, path

from awsquery.views import endpoint
from core.views import healthz

urlpatterns = [
    path("", endpoint, name="api"),
    path("healthz", healthz, name="healthz"),
    path("", include("identities.urls")),
    path("", include("policies.urls")),
    path("", include("sts.urls")),
    path("", include("core.urls_search")),
    path("", include("audit.urls")),
]
