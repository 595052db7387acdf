"""Virtual MFA devices: Create, Enable (two consecutive codes), Deactivate,
Resync, List, Delete."""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_otp.oath import TOTP

from audit.recording import operation
from core.caller import Caller
from core.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidAuthenticationCode,
    LimitExceeded,
    NoSuchEntity,
)
from identities import sessions, validation
from identities.models import MFADevice, User
from identities.operations.users import own_or_named_user
from policies.authz import authorize

# How far (in 30-second steps) a new device's clock may be off when enabled
# or resynchronised; AWS accepts a generous window for the two codes.
ENABLE_WINDOW_STEPS = 10
RESYNC_WINDOW_STEPS = 40
MAX_MFA_DEVICES_PER_USER = 8


@dataclass(frozen=True)
class NewVirtualMFADevice:
    device: MFADevice
    base32_seed: str

    def otpauth_url(self, account_label: str, user_label: str) -> str:
        from urllib.parse import quote

        label = quote(f"{account_label}:{user_label}")
        return (f"otpauth://totp/{label}?secret={self.base32_seed}"
                f"&issuer={quote('IAM Console')}&digits=6&period=30")


def mfa_arn(account_id: str, name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{account_id}:mfa{path}{name}"


@operation("iam:CreateVirtualMFADevice")
def create_virtual_mfa_device(caller: Caller, *, virtual_mfa_device_name: str, path: str = "/",
                              tags: list | None = None, seed: bytes | None = None
                              ) -> NewVirtualMFADevice:
    """CreateVirtualMFADevice: an unassigned device whose seed is returned once.

    ``seed`` lets the console create the device from the seed it showed the
    user during setup, so that an abandoned setup leaves nothing behind.
    """
    validation.name(virtual_mfa_device_name, field="virtualMFADeviceName", max_length=226)
    path = validation.path(path)
    serial = mfa_arn(caller.account_id, virtual_mfa_device_name, path)
    authorize(caller, "iam:CreateVirtualMFADevice", serial)
    seed = seed or secrets.token_bytes(20)
    device = MFADevice(account_id=caller.account_id, name=virtual_mfa_device_name, path=path,
                       serial_number=serial, confirmed=False, tags=validation.tags(tags))
    device.set_seed(seed)
    try:
        with transaction.atomic():
            device.save()
    except IntegrityError as exc:
        raise EntityAlreadyExists("MFADevice entity at the same path and name already exists.") from exc
    return NewVirtualMFADevice(device=device, base32_seed=base64.b32encode(seed).decode())


@operation("iam:EnableMFADevice")
def enable_mfa_device(caller: Caller, *, serial_number: str, authentication_code1: str,
                      authentication_code2: str, user_name: str | None = None) -> MFADevice:
    """EnableMFADevice: assign a device after two consecutive codes from it."""
    user = _device_owner(caller, user_name, "iam:EnableMFADevice")
    User.objects.select_for_update().filter(pk=user.pk).first()
    device = (MFADevice.objects.select_for_update()
              .filter(serial_number=serial_number, account_id=caller.account_id).first())
    if device is None:
        raise NoSuchEntity(f"VirtualMFADevice with serial number {serial_number} doesn't exist.")
    if device.user_id is not None:
        raise EntityAlreadyExists("MFA Device is already in use.")
    if MFADevice.objects.filter(user=user).count() >= MAX_MFA_DEVICES_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for MFADevicesPerUser: {MAX_MFA_DEVICES_PER_USER}")
    step = consecutive_step(device.seed, authentication_code1, authentication_code2,
                            window=ENABLE_WINDOW_STEPS)
    if step is None:
        raise InvalidAuthenticationCode(
            "Authentication code for device is not valid: enter two consecutive codes.")
    device.user = user
    device.confirmed = True
    device.enabled_at = timezone.now()
    device.last_t = step + 1
    device.drift = step + 1 - _current_step()
    device.save()
    _end_sessions(user)
    return device


@operation("iam:ResyncMFADevice")
def resync_mfa_device(caller: Caller, *, user_name: str | None = None, serial_number: str,
                      authentication_code1: str, authentication_code2: str) -> MFADevice:
    """ResyncMFADevice: learn a drifted device clock from two consecutive codes."""
    user = _device_owner(caller, user_name, "iam:ResyncMFADevice")
    device = (MFADevice.objects.select_for_update()
              .filter(serial_number=serial_number, user=user).first())
    if device is None:
        raise NoSuchEntity(f"MFA Device with serial number {serial_number} does not exist.")
    step = consecutive_step(device.seed, authentication_code1, authentication_code2,
                            window=RESYNC_WINDOW_STEPS)
    if step is None or step + 1 <= device.last_t:
        raise InvalidAuthenticationCode("Authentication code for device is not valid.")
    device.last_t = step + 1
    device.drift = step + 1 - _current_step()
    device.save(update_fields=["last_t", "drift"])
    return device


@operation("iam:DeactivateMFADevice")
def deactivate_mfa_device(caller: Caller, *, serial_number: str,
                          user_name: str | None = None) -> None:
    """DeactivateMFADevice: unassign the device from the user (it stays, unassigned)."""
    user = _device_owner(caller, user_name, "iam:DeactivateMFADevice")
    updated = (MFADevice.objects.filter(serial_number=serial_number, user=user)
               .update(user=None, confirmed=False, enabled_at=None))
    if not updated:
        raise NoSuchEntity(f"MFA Device with serial number {serial_number} does not exist.")
    _end_sessions(user)


@operation("iam:DeleteVirtualMFADevice")
def delete_virtual_mfa_device(caller: Caller, *, serial_number: str) -> None:
    """DeleteVirtualMFADevice: only once it is deactivated."""
    device = (MFADevice.objects.select_for_update()
              .filter(serial_number=serial_number, account_id=caller.account_id).first())
    authorize(caller, "iam:DeleteVirtualMFADevice",
              device.serial_number if device else serial_number)
    if device is None:
        raise NoSuchEntity(f"VirtualMFADevice with serial number {serial_number} doesn't exist.")
    if device.user_id is not None:
        raise DeleteConflict("MFA Device is still in use.")
    device.delete()


@operation("iam:ListMFADevices")
def list_mfa_devices(caller: Caller, *, user_name: str | None = None) -> list[MFADevice]:
    """ListMFADevices: the devices assigned to a user (the caller by default)."""
    if not user_name and caller.is_root:
        authorize(caller, "iam:ListMFADevices", caller.principal_arn)
        user = caller.user
    else:
        user = own_or_named_user(caller, user_name, "iam:ListMFADevices")
    return list(MFADevice.objects.filter(user=user, confirmed=True).order_by("enabled_at"))


@operation("iam:ListVirtualMFADevices")
def list_virtual_mfa_devices(caller: Caller, *, assignment_status: str = "Any") -> list[MFADevice]:
    """ListVirtualMFADevices: Assigned, Unassigned or Any."""
    authorize(caller, "iam:ListVirtualMFADevices", f"arn:aws:iam::{caller.account_id}:mfa/")
    devices = MFADevice.objects.filter(account_id=caller.account_id).select_related("user")
    if assignment_status == "Assigned":
        devices = devices.filter(user__isnull=False)
    elif assignment_status == "Unassigned":
        devices = devices.filter(user__isnull=True)
    return list(devices.order_by("serial_number"))


def consecutive_step(seed: bytes, code1: str, code2: str, *, window: int) -> int | None:
    """The step t where ``code1`` is the code at t and ``code2`` at t + 1, near now."""
    if not all(isinstance(c, str) and c.isascii() and c.isdigit() and len(c) == 6
               for c in (code1, code2)):
        return None
    now = _current_step()
    for offset in sorted(range(-window, window + 1), key=abs):
        step = now + offset
        if _code_at(seed, step) == int(code1) and _code_at(seed, step + 1) == int(code2):
            return step
    return None


def _code_at(seed: bytes, step: int) -> int:
    totp = TOTP(seed, step=MFADevice.STEP, digits=MFADevice.DIGITS)
    totp.time = step * MFADevice.STEP
    return totp.token()


def _current_step() -> int:
    return int(time.time()) // MFADevice.STEP


def _device_owner(caller: Caller, user_name: str | None, action: str) -> User:
    if not user_name and caller.is_root:
        authorize(caller, action, caller.principal_arn)
        return caller.user
    return own_or_named_user(caller, user_name, action)


def _end_sessions(user: User) -> None:
    """An MFA change ends the user's console sessions (the session hash follows it)."""
    sessions.invalidate(user)
