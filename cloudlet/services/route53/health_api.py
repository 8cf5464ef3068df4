"""Route 53 health-check operations: a mixin of Route53Api.

CreateHealthCheck, GetHealthCheck, ListHealthChecks, UpdateHealthCheck, DeleteHealthCheck,
GetHealthCheckStatus, GetHealthCheckLastFailureReason, GetHealthCheckCount. Checks are stored
by health_store.py; every committed change publishes "route53.healthcheck" so the health plane
(health.py, component "health") restarts that check's probers. Status and failure reasons come
from the health plane's in-memory observations. Tags (ChangeTagsForResource with
ResourceType=healthcheck) live in store.py's tags under kind "healthcheck".
"""

from __future__ import annotations

import uuid
from typing import Any

from cloudlet.aws.errors import AwsError
from cloudlet.services.base import Deps, RequestContext
from cloudlet.services.route53 import health_store
from cloudlet.services.route53 import store as r53store
from cloudlet.services.route53.health_model import (
    MAX_HEALTH_CHECKS,
    HealthCheck,
    InvalidHealthCheck,
    apply_update,
    config_from_api,
)


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidInput", message, 400)


def _no_such(hc_id: str) -> AwsError:
    return AwsError("NoSuchHealthCheck", f"No health check exists with the specified ID {hc_id}", 404)


class HealthCheckApi:
    deps: Deps

    def _health_check(self, txn: Any, ctx: RequestContext, hc_id: Any) -> HealthCheck:
        hc_id = str(hc_id or "")
        if not hc_id or len(hc_id) > 64:
            raise _invalid("HealthCheckId must be 1 to 64 characters")
        hc = health_store.get_health_check(txn, hc_id, ctx.account_id)
        if hc is None:
            raise _no_such(hc_id)
        return hc

    def _health_changed(self, txn: Any, hc_id: str) -> None:
        seq = txn.seq
        txn.after_commit(
            lambda: self.deps.events.publish(health_store.EVENT, {"health_check_id": hc_id, "seq": seq})
        )

    def create_health_check(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = str(params.get("CallerReference") or "")
        if not 1 <= len(ref) <= 64:
            raise _invalid("CallerReference must be 1 to 64 characters")
        try:
            cfg = config_from_api(params.get("HealthCheckConfig"))
        except InvalidHealthCheck as e:
            raise _invalid(str(e)) from None
        with self.deps.store.write() as txn:
            existing_id = r53store.get_caller_ref(txn, ctx.account_id, health_store.REF_KIND, ref)
            if existing_id is not None:
                existing = health_store.get_health_check(txn, existing_id, ctx.account_id)
                # AWS: same reference and same settings returns the existing check; a different
                # configuration, or the reference of a deleted check, is refused
                if existing is not None and existing.config == cfg:
                    return self._hc_created(existing)
                raise AwsError(
                    "HealthCheckAlreadyExists",
                    f"A health check with the caller reference {ref} already exists, or was deleted, and its "
                    "settings differ from the ones in this request.",
                    409,
                )
            if cfg.is_calculated:
                self._check_children(txn, ctx, cfg.child_health_checks)
            if len(health_store.account_health_checks(txn, ctx.account_id)) >= MAX_HEALTH_CHECKS:
                raise AwsError(
                    "TooManyHealthChecks",
                    f"This health check can't be created because the current account has reached the limit "
                    f"({MAX_HEALTH_CHECKS}) on the number of active health checks.",
                    400,
                )
            hc = HealthCheck(str(uuid.uuid4()), ctx.account_id, ref, cfg, 1, self.deps.clock.now())
            health_store.put_health_check(txn, hc)
            r53store.put_caller_ref(txn, ctx.account_id, health_store.REF_KIND, ref, hc.id)
            self._health_changed(txn, hc.id)
        return self._hc_created(hc)

    @staticmethod
    def _hc_created(hc: HealthCheck) -> dict[str, Any]:
        return {
            "HealthCheck": hc.to_api(),
            "Location": f"https://route53.amazonaws.com/2013-04-01/healthcheck/{hc.id}",
        }

    @staticmethod
    def _check_children(txn: Any, ctx: RequestContext, children: tuple[str, ...]) -> None:
        for child_id in children:
            child = health_store.get_health_check(txn, child_id, ctx.account_id)
            if child is None:
                raise _invalid(f"Child health check {child_id} does not exist")
            if child.config.is_calculated:
                raise _invalid(
                    f"Child health check {child_id} is a CALCULATED health check; they cannot be nested"
                )

    def get_health_check(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.deps.store.read() as txn:
            hc = self._health_check(txn, ctx, params.get("HealthCheckId"))
        return {"HealthCheck": hc.to_api()}

    def list_health_checks(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        marker = str(params.get("Marker") or "")
        raw = params.get("MaxItems")
        try:
            limit = 100 if raw in (None, "") else int(raw)
        except (TypeError, ValueError):
            raise _invalid("MaxItems must be an integer") from None
        limit = max(1, min(limit, 1000))
        with self.deps.store.read() as txn:
            checks = health_store.account_health_checks(txn, ctx.account_id, marker)
        page = checks[:limit]
        out: dict[str, Any] = {
            "HealthChecks": [hc.to_api() for hc in page],
            "Marker": marker,
            "IsTruncated": len(checks) > limit,
            "MaxItems": str(limit),
        }
        if len(checks) > limit:
            out["NextMarker"] = checks[limit].id
        return out

    def update_health_check(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.deps.store.write() as txn:
            hc = self._health_check(txn, ctx, params.get("HealthCheckId"))
            version = params.get("HealthCheckVersion")
            if version is not None and int(version) != hc.version:
                raise AwsError(
                    "HealthCheckVersionMismatch",
                    "The value of HealthCheckVersion in the request doesn't match the value of "
                    "HealthCheckVersion in the health check.",
                    409,
                )
            try:
                cfg = apply_update(hc.config, params)
            except InvalidHealthCheck as e:
                raise _invalid(str(e)) from None
            if cfg.is_calculated:
                if hc.id in cfg.child_health_checks:
                    raise _invalid("A calculated health check cannot be its own child")
                self._check_children(txn, ctx, cfg.child_health_checks)
            updated = HealthCheck(hc.id, hc.account_id, hc.caller_reference, cfg, hc.version + 1, hc.created)
            health_store.put_health_check(txn, updated)
            self._health_changed(txn, hc.id)
        return {"HealthCheck": updated.to_api()}

    def delete_health_check(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.deps.store.write() as txn:
            hc = self._health_check(txn, ctx, params.get("HealthCheckId"))
            used = health_store.record_using(txn, hc.id)
            if used is not None:
                raise AwsError(
                    "HealthCheckInUse",
                    f"The health check with id {hc.id} is still referenced from parameter HealthCheckId of the "
                    f"resource record set with name {used[0]} and type {used[1]}.",
                    400,
                )
            parents = health_store.parents_of(txn, hc.id)
            if parents:
                raise AwsError(
                    "HealthCheckInUse",
                    f"The health check with id {hc.id} is still referenced as a child of calculated health "
                    f"check {parents[0]}.",
                    400,
                )
            health_store.delete_health_check(txn, hc)
            self._health_changed(txn, hc.id)
        return {}

    def _observations(self, ctx: RequestContext, params: dict[str, Any], failures: bool) -> dict[str, Any]:
        with self.deps.store.read() as txn:
            hc = self._health_check(txn, ctx, params.get("HealthCheckId"))
        plane = self.deps.services.get("health")
        observe = getattr(plane, "observations", None)
        return {"HealthCheckObservations": observe(hc.id, failures) if observe is not None else []}

    def get_health_check_status(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._observations(ctx, params, failures=False)

    def get_health_check_last_failure_reason(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return self._observations(ctx, params, failures=True)

    def get_health_check_count(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.deps.store.read() as txn:
            return {"HealthCheckCount": len(health_store.account_health_checks(txn, ctx.account_id))}
