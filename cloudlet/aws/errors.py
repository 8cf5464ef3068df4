"""The one error type handlers raise; the gateway serializes it per protocol (see protocols/)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class AwsError(Exception):
    """An AWS API error: `code` is the error shape name the service's model uses
    (e.g. "NoSuchHostedZone", "ValidationException"), `message` AWS's text.

    `fields` carries extra members of the error shape (e.g. DynamoDB's
    CancellationReasons, Route 53 InvalidChangeBatch's `messages`).
    """

    code: str
    message: str = ""
    status: int = 400
    sender_fault: bool = True
    fields: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        Exception.__init__(self, f"{self.code}: {self.message}")

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def internal_failure() -> AwsError:
    return AwsError(
        "InternalFailure",
        "The request processing has failed because of an unknown error, exception or failure.",
        500,
        False,
    )


def unknown_operation(service: str, operation: str) -> AwsError:
    """An operation in the model that cloudlet does not implement yet."""
    return AwsError(
        "NotImplemented",
        f"The operation {operation} of service {service} is not supported by cloudlet yet.",
        501,
        False,
    )
