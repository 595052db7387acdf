"""WSGI entry point (gunicorn iamconsole.wsgi).

API calls to ``/`` take the API's short middleware chain (awsquery.wsgi);
everything else goes through the console's.
"""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iamconsole.settings")
console = get_wsgi_application()  # sets Django up first

from awsquery.wsgi import ApiHandler, is_api_call  # noqa: E402  (needs Django set up)

api = ApiHandler()


def application(environ, start_response):
    handler = api if is_api_call(environ) else console
    return handler(environ, start_response)
