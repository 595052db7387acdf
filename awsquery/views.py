"""The AWS API endpoint at the root path.

A browser opening ``/`` is sent to the console. Requests for the IAM and STS
Query APIs arrive here; until the wire layer answers an action, it says so
in AWS's error shape rather than with an HTML page.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt

from core.decorators import public
from core.ids import request_id

_ERROR = (
    '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
    "<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
    "<RequestId>{request_id}</RequestId></ErrorResponse>"
)


def _is_api_request(request) -> bool:
    return (request.method == "POST" or "Action" in request.GET
            or "HTTP_AUTHORIZATION" in request.META or "X-Amz-Signature" in request.GET)


@public
@csrf_exempt
def endpoint(request):
    """POST / and signed GET /?Action=...; a plain browser GET goes to the console."""
    if not _is_api_request(request):
        return redirect("identities:dashboard")
    if "HTTP_AUTHORIZATION" not in request.META and "X-Amz-Signature" not in request.GET:
        code, message, status = ("MissingAuthenticationToken",
                                 "Request is missing Authentication Token", 403)
    else:
        code, message, status = ("NotImplemented",
                                 "The IAM and STS Query APIs are not served by this build yet.", 501)
    body = _ERROR.format(code=code, message=message, request_id=request_id())
    return HttpResponse(body, status=status, content_type="text/xml")
