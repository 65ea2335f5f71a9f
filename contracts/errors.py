"""The one error type of the contract package."""


class ContractError(ValueError):
    """A topic or payload that does not follow the contract; the message says why."""
