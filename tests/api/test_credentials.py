"""Access keys, console passwords and virtual MFA devices through boto3."""

from __future__ import annotations

import time

import pytest
from django_otp.oath import hotp

from tests.api.helpers import KeyHolder, error_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_new_access_key_signs_requests_until_it_is_deactivated(iam, clients):
    iam.create_user(UserName="carol")

    new = iam.create_access_key(UserName="carol")["AccessKey"]

    assert new["UserName"] == "carol"
    assert new["AccessKeyId"].startswith("AKIA") and len(new["SecretAccessKey"]) == 40
    assert new["Status"] == "Active"
    carol = clients("sts", KeyHolder(None, new["AccessKeyId"], new["SecretAccessKey"]))
    assert carol.get_caller_identity()["Arn"] == "arn:aws:iam::111122223333:user/carol"

    iam.update_access_key(UserName="carol", AccessKeyId=new["AccessKeyId"], Status="Inactive")

    assert error_of(carol.get_caller_identity)["Error"]["Code"] == "InvalidClientTokenId"
    listed = iam.list_access_keys(UserName="carol")["AccessKeyMetadata"]
    assert [(k["AccessKeyId"], k["Status"]) for k in listed] == [(new["AccessKeyId"], "Inactive")]
    assert "SecretAccessKey" not in listed[0]


def test_access_key_last_used_reports_service_and_region(iam, alice):
    iam.list_users()

    last_used = iam.get_access_key_last_used(AccessKeyId=alice.access_key_id)

    assert last_used["UserName"] == "alice"
    assert last_used["AccessKeyLastUsed"]["ServiceName"] == "iam"
    assert last_used["AccessKeyLastUsed"]["Region"] == "us-east-1"
    assert last_used["AccessKeyLastUsed"]["LastUsedDate"] is not None


def test_never_used_key_reports_n_a(iam):
    iam.create_user(UserName="carol")
    key_id = iam.create_access_key(UserName="carol")["AccessKey"]["AccessKeyId"]

    last_used = iam.get_access_key_last_used(AccessKeyId=key_id)["AccessKeyLastUsed"]

    assert last_used["ServiceName"] == "N/A" and last_used["Region"] == "N/A"
    assert "LastUsedDate" not in last_used


def test_third_access_key_is_limit_exceeded_and_delete_frees_a_slot(iam):
    iam.create_user(UserName="carol")
    first = iam.create_access_key(UserName="carol")["AccessKey"]["AccessKeyId"]
    iam.create_access_key(UserName="carol")

    response = error_of(iam.create_access_key, UserName="carol")
    assert response["Error"]["Code"] == "LimitExceeded"
    assert response["Error"]["Message"] == "Cannot exceed quota for AccessKeysPerUser: 2"

    iam.delete_access_key(UserName="carol", AccessKeyId=first)
    iam.create_access_key(UserName="carol")


def test_login_profile_lifecycle(iam):
    iam.create_user(UserName="carol")

    created = iam.create_login_profile(UserName="carol", Password="Login-Pass-Word-12",
                                       PasswordResetRequired=True)["LoginProfile"]
    assert created["UserName"] == "carol" and created["PasswordResetRequired"] is True
    assert iam.get_login_profile(UserName="carol")["LoginProfile"]["UserName"] == "carol"

    iam.update_login_profile(UserName="carol", PasswordResetRequired=False)
    assert iam.get_login_profile(UserName="carol")["LoginProfile"]["PasswordResetRequired"] is False

    iam.delete_login_profile(UserName="carol")
    assert error_of(iam.get_login_profile, UserName="carol")["Error"]["Code"] == "NoSuchEntity"


def test_password_given_to_create_login_profile_never_reaches_the_event_history(iam):
    from audit.models import Event

    iam.create_user(UserName="carol")
    iam.create_login_profile(UserName="carol", Password="Login-Pass-Word-12")

    event = Event.objects.get(action="iam:CreateLoginProfile")
    assert "Login-Pass-Word-12" not in str(event.parameters)


def _codes(seed: bytes) -> tuple[str, str]:
    step = int(time.time()) // 30
    return f"{hotp(seed, step - 1):06d}", f"{hotp(seed, step):06d}"


def test_virtual_mfa_device_is_created_enabled_listed_deactivated_and_deleted(iam):
    import base64

    iam.create_user(UserName="carol")

    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="carol-phone")["VirtualMFADevice"]
    serial = device["SerialNumber"]
    assert serial == "arn:aws:iam::111122223333:mfa/carol-phone"
    assert device["QRCodePNG"].startswith(b"\x89PNG")
    seed = base64.b32decode(device["Base32StringSeed"])

    code1, code2 = _codes(seed)
    iam.enable_mfa_device(UserName="carol", SerialNumber=serial, AuthenticationCode1=code1,
                          AuthenticationCode2=code2)

    assigned = iam.list_mfa_devices(UserName="carol")["MFADevices"]
    assert [d["SerialNumber"] for d in assigned] == [serial]
    assert assigned[0]["UserName"] == "carol"
    virtual = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert virtual[0]["User"]["UserName"] == "carol"
    assert error_of(iam.delete_virtual_mfa_device, SerialNumber=serial)["Error"]["Code"] == \
        "DeleteConflict"

    iam.deactivate_mfa_device(UserName="carol", SerialNumber=serial)
    assert iam.list_mfa_devices(UserName="carol")["MFADevices"] == []
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []


def test_wrong_mfa_codes_are_invalid_authentication_code(iam):
    iam.create_user(UserName="carol")
    serial = iam.create_virtual_mfa_device(
        VirtualMFADeviceName="carol-phone")["VirtualMFADevice"]["SerialNumber"]

    response = error_of(iam.enable_mfa_device, UserName="carol", SerialNumber=serial,
                        AuthenticationCode1="000000", AuthenticationCode2="000000")

    assert response["Error"]["Code"] == "InvalidAuthenticationCode"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_resync_of_an_enabled_device(iam):
    import base64

    iam.create_user(UserName="carol")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="carol-phone")["VirtualMFADevice"]
    seed = base64.b32decode(device["Base32StringSeed"])
    step = int(time.time()) // 30
    iam.enable_mfa_device(UserName="carol", SerialNumber=device["SerialNumber"],
                          AuthenticationCode1=f"{hotp(seed, step - 3):06d}",
                          AuthenticationCode2=f"{hotp(seed, step - 2):06d}")

    iam.resync_mfa_device(UserName="carol", SerialNumber=device["SerialNumber"],
                          AuthenticationCode1=f"{hotp(seed, step):06d}",
                          AuthenticationCode2=f"{hotp(seed, step + 1):06d}")


def test_whole_lists_still_page_by_marker_and_max_items(iam):
    iam.create_user(UserName="carol")
    first = iam.create_access_key(UserName="carol")["AccessKey"]["AccessKeyId"]
    second = iam.create_access_key(UserName="carol")["AccessKey"]["AccessKeyId"]

    page = iam.list_access_keys(UserName="carol", MaxItems=1)
    assert [k["AccessKeyId"] for k in page["AccessKeyMetadata"]] == [first]
    assert page["IsTruncated"] is True
    rest = iam.list_access_keys(UserName="carol", MaxItems=1, Marker=page["Marker"])
    assert [k["AccessKeyId"] for k in rest["AccessKeyMetadata"]] == [second]
    assert rest["IsTruncated"] is False

    pages = iam.get_paginator("list_access_keys").paginate(UserName="carol",
                                                           PaginationConfig={"PageSize": 1})
    assert [k["AccessKeyId"] for p in pages for k in p["AccessKeyMetadata"]] == [first, second]
    assert error_of(iam.list_access_keys, UserName="carol",
                    Marker="forged")["Error"]["Code"] == "InvalidInput"
