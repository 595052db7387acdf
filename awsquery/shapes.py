"""botocore's service models for IAM and STS: the wire contract, read once per process.

The same JSON files that drive boto3's serializer and parser drive ours, so a
parameter name, a list encoding or a result wrapper cannot drift from what
the clients send and expect.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel


@dataclass(frozen=True)
class Service:
    name: str  # the SigV4 scope name: "iam" or "sts"
    version: str
    namespace: str


SERVICES: dict[str, Service] = {
    "iam": Service("iam", "2010-05-08", "https://iam.amazonaws.com/doc/2010-05-08/"),
    "sts": Service("sts", "2011-06-15", "https://sts.amazonaws.com/doc/2011-06-15/"),
}


def service_for_version(version: str | None) -> Service | None:
    for service in SERVICES.values():
        if service.version == version:
            return service
    return None


@lru_cache(maxsize=None)
def service_model(service: str) -> ServiceModel:
    return ServiceModel(Loader().load_service_model(service, "service-2"), service_name=service)


@lru_cache(maxsize=1024)
def operation_model(service: str, action: str) -> OperationModel | None:
    """The model of ``action``, or None when the service has no such action."""
    model = service_model(service)
    if action not in model.operation_names:
        return None
    return model.operation_model(action)


def result_wrapper(operation: OperationModel) -> str | None:
    output = operation.output_shape
    return output.serialization.get("resultWrapper") if output is not None else None
