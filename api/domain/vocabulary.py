"""Controlled vocabularies: event types, statuses, roles, relations, actor kinds."""

from typing import NamedTuple


class Term(NamedTuple):
    """One entry of a controlled vocabulary."""

    slug: str
    label: str
    description: str


EVENT_TYPES: tuple[Term, ...] = (
    Term("invasion", "Invasion", "Armed forces of one state enter another's territory."),
    Term(
        "curb_expiry",
        "Curb expiry",
        "A sanction, embargo or other restriction lapses at the end of its term.",
    ),
    Term(
        "shipment", "Shipment", "Weapons or other goods are delivered from one party to another."
    ),
    Term(
        "sanctions_announcement",
        "Sanctions announcement",
        "A government or organization announces, imposes or keeps sanctions on a target.",
    ),
    Term("statement", "Statement", "An official or spokesperson makes a public statement."),
    Term("denial", "Denial", "A party denies a claim or report about itself."),
    Term(
        "confirmation",
        "Confirmation",
        "A party confirms, or appears to confirm, a claim or report.",
    ),
    Term("report", "Report", "A media outlet or organization publishes a report of an event."),
    Term("visit", "Visit", "An official visits another party, a site or an exhibition."),
    Term(
        "arms_deal",
        "Arms deal",
        "An agreement to sell or transfer weapons is negotiated or concluded.",
    ),
    Term(
        "milestone",
        "Milestone",
        "A threshold or ranking is reached, such as becoming the most sanctioned country.",
    ),
    Term(
        "weapons_use",
        "Weapons use",
        "A party uses weapons in an armed conflict; how it obtained them is another event.",
    ),
    # General types for the conflict and protest events imported from ACLED and UCDP.
    Term(
        "armed_clash",
        "Armed clash",
        "Armed, organized groups fight each other, neither side's role being the other's target.",
    ),
    Term(
        "attack",
        "Attack",
        "An armed party strikes a target: people, a place or a force (shelling, air strikes, "
        "bombings, violence against civilians).",
    ),
    Term("protest", "Protest", "People gather in public to demonstrate against or for something."),
    Term("riot", "Riot", "A violent demonstration, or mob violence."),
    Term(
        "agreement",
        "Agreement",
        "Parties agree: a ceasefire, a peace deal, a prisoner exchange, a territorial transfer.",
    ),
    Term(
        "development",
        "Strategic development",
        "A non-violent event that shapes a conflict: arrests, a base set up, looting, a change "
        "of group or activity.",
    ),
)

STATUSES: tuple[Term, ...] = (
    Term("confirmed", "Confirmed", "Stated as fact by the sources and not contested by them."),
    Term(
        "reported",
        "Reported",
        "Claimed by a credible source but not confirmed by the parties or by others.",
    ),
    Term("disputed", "Disputed", "Reported, and denied or contested by a party involved."),
)

ROLES: tuple[Term, ...] = (
    Term(
        "initiator",
        "Initiator",
        "Acts on the target: invades, imposes or announces sanctions, uses weapons.",
    ),
    Term(
        "target", "Target", "Is acted on: by the initiator, or by the measure the event is about."
    ),
    Term("supplier", "Supplier", "Sends weapons or goods to the recipient."),
    Term("recipient", "Recipient", "Receives weapons or goods from the supplier."),
    Term("speaker", "Speaker", "Makes a statement, denial or confirmation."),
    Term(
        "subject", "Subject", "Whom or what a statement, denial, confirmation or report is about."
    ),
    Term("reporter", "Reporter", "The outlet that reported the event."),
    Term("participant", "Participant", "Anyone else taking part."),
    Term(
        "mentioned",
        "Mentioned",
        "Named by the event without acting or being acted on in it: the country a ranking "
        "overtakes, the body whose curbs lapse, the state whose weapons another uses.",
    ),
)

RELATIONS: tuple[Term, ...] = (
    Term("confirms", "Confirms", "This event confirms the related one."),
    Term("denies", "Denies", "This event denies the related one."),
    Term("responds_to", "Responds to", "This event is a response to the related one."),
    Term("part_of", "Part of", "This event is part of the related one."),
    Term("follows", "Follows", "This event follows from, or comes after, the related one."),
)

ACTOR_KINDS: tuple[Term, ...] = (
    Term("state", "State", "A sovereign state."),
    Term("organization", "Organization", "An international or non-governmental organization."),
    Term("armed_force", "Armed force", "An armed force or one of its branches."),
    Term("agency", "Agency", "A ministry, department or other government body."),
    Term("person", "Person", "A named individual."),
    Term("media", "Media", "A news outlet, agency or publication."),
)

PRECISIONS: tuple[str, ...] = ("day", "month", "year", "interval")


def slugs(terms: tuple[Term, ...]) -> tuple[str, ...]:
    """Return the slugs of a vocabulary, in declared order."""
    return tuple(term.slug for term in terms)
