"""STS: who the caller is. Every access key maps to the configured account (local emulation has
one account); temporary-credential operations are not built yet and answer NotImplemented."""

from __future__ import annotations

from typing import Any

from cloudlet.services.base import RequestContext, ServiceApi


class StsApi(ServiceApi):
    service_name = "sts"
    name = "sts"

    def get_caller_identity(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        # With no IAM users, every key is the account's root principal, as for root access keys on AWS.
        return {
            "UserId": ctx.account_id,
            "Account": ctx.account_id,
            "Arn": f"arn:aws:iam::{ctx.account_id}:root",
        }
