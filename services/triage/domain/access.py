"""Who may see and act on which case: role and scope (ward, unit)."""

from shared.auth import Principal

CASE_ROLES = ("officer", "supervisor")


def can_access_case(
    principal: Principal, *, ward_code: str | None, unit: str | None, co_handlers: list[str]
) -> bool:
    """Officers: their unit (lead or co-handler) in their ward; supervisors: their ward and
    the manual-triage pool.

    Cases escalated to the supervisor level (unit "supervisor") are never visible to
    officers, whose own colleagues may be named in them.
    """
    if principal.role == "supervisor":
        # Tips whose ward could not be resolved wait in the manual-triage pool, which every
        # ward supervisor can open and transfer to the right ward.
        return ward_code is None or ward_code == principal.ward_code
    if principal.role == "officer":
        return (
            ward_code is not None
            and ward_code == principal.ward_code
            and unit != "supervisor"
            and principal.unit is not None
            and (unit == principal.unit or principal.unit in co_handlers)
        )
    return False
