"""Route 53 errors as AwsError values: codes and HTTP statuses from the botocore model's error
shapes, message texts as Route 53 words them (observed texts where known, else the model's
documentation of the shape). api.py, changes.py and recordsets.py raise these; the gateway
serializes them.
"""

from __future__ import annotations

from cloudlet.aws.errors import AwsError


def invalid_input(message: str) -> AwsError:
    return AwsError("InvalidInput", message, 400)


def invalid_change_batch(messages: list[str]) -> AwsError:
    """A refused change batch; SDKs print the list as `[m1, m2]`."""
    return AwsError(
        "InvalidChangeBatch", "[" + ", ".join(messages) + "]", 400, fields={"messages": list(messages)}
    )


def invalid_name_in_batch(message: str) -> AwsError:
    """A malformed domain name in a change batch (Route 53 sends this one without brackets)."""
    return AwsError("InvalidChangeBatch", message, 400, fields={"messages": [message]})


def no_such_hosted_zone(zone_id: str) -> AwsError:
    return AwsError("NoSuchHostedZone", f"No hosted zone found with ID: {zone_id}", 404)


def no_such_change(change_id: str) -> AwsError:
    return AwsError("NoSuchChange", f"A change with the specified change ID does not exist: {change_id}", 404)


def no_such_health_check(hc_id: str) -> AwsError:
    return AwsError("NoSuchHealthCheck", f"No health check exists with the specified ID {hc_id}", 404)


def hosted_zone_already_exists(name: str, caller_reference: str) -> AwsError:
    return AwsError(
        "HostedZoneAlreadyExists",
        "A hosted zone has already been created with the specified caller reference.",
        409,
    )


def hosted_zone_not_empty() -> AwsError:
    return AwsError(
        "HostedZoneNotEmpty",
        "The specified hosted zone contains non-required resource record sets and so cannot be deleted.",
        400,
    )


def invalid_domain_name(name: str) -> AwsError:
    return AwsError("InvalidDomainName", f"The specified domain name is not valid: {name}", 400)


def no_such_delegation_set(set_id: str) -> AwsError:
    return AwsError(
        "NoSuchDelegationSet",
        f"A reusable delegation set with the specified ID does not exist: {set_id}",
        400,
    )


def delegation_set_already_created() -> AwsError:
    return AwsError(
        "DelegationSetAlreadyCreated",
        "A delegation set with the same owner and caller reference combination has already been created.",
        400,
    )


def delegation_set_in_use(set_id: str) -> AwsError:
    return AwsError(
        "DelegationSetInUse",
        "The specified delegation contains associated hosted zones which must be deleted before the reusable "
        "delegation set can be deleted.",
        400,
    )


def delegation_set_not_available(message: str) -> AwsError:
    return AwsError("DelegationSetNotAvailable", message, 400)


def too_many_hosted_zones(message: str) -> AwsError:
    return AwsError("TooManyHostedZones", message, 400)


def conflicting_domain_exists(message: str) -> AwsError:
    return AwsError("ConflictingDomainExists", message, 400)


def invalid_vpc_id() -> AwsError:
    return AwsError(
        "InvalidVPCId",
        "The VPC ID that you specified either isn't a valid ID or the current account is not authorized to "
        "access this VPC.",
        400,
    )


def public_zone_vpc_association() -> AwsError:
    return AwsError(
        "PublicZoneVPCAssociation",
        "You're trying to associate a VPC with a public hosted zone. Amazon Route 53 doesn't support "
        "associating a VPC with a public hosted zone.",
        400,
    )


def vpc_association_not_found(vpc_id: str) -> AwsError:
    return AwsError(
        "VPCAssociationNotFound",
        f"The specified VPC {vpc_id} and hosted zone are not currently associated.",
        404,
    )


def last_vpc_association() -> AwsError:
    return AwsError(
        "LastVPCAssociation",
        "The VPC that you're trying to disassociate from the private hosted zone is the last VPC that is "
        "associated with the hosted zone. Amazon Route 53 doesn't support disassociating the last VPC from a "
        "hosted zone.",
        400,
    )
