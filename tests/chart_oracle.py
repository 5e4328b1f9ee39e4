"""Chart feeds counted the obvious way, from event records: what every feed must answer."""

import itertools
from collections import Counter, defaultdict

from fixture_oracle import label, labels_between, span


def oracle_histogram(events, interval, group, *, start=None, end=None, exclude=False):
    """Count events per bucket label of their start, per group key, the obvious way."""
    firsts = [span(e["date"])[0] for e in events]
    first = start or min(firsts)
    last = end or max(firsts)
    labels = labels_between(first, last, interval)
    counts, imprecise, before = defaultdict(Counter), defaultdict(Counter), Counter()
    for event in events:
        a, b = span(event["date"])
        for key in group(event):
            if label(a, interval) not in labels:
                before[key] += 1
                continue
            if label(a, interval) != label(b, interval):
                imprecise[key][label(a, interval)] += 1
                if exclude:
                    continue
            counts[key][label(a, interval)] += 1
    return labels, counts, imprecise, before


GROUPS = {
    "type": lambda e: [e["type"]],
    "status": lambda e: [e["status"]],
    "none": lambda e: ["all"],
    "actor": lambda e: sorted({a["id"] for a in e["actors"]}),
}


def oracle_actors(events, roles=()):
    stats = defaultdict(
        lambda: {"events": set(), "roles": defaultdict(set), "types": defaultdict(set)}
    )
    for event in events:
        for actor in event["actors"]:
            if roles and actor["role"] not in roles:
                continue
            entry = stats[actor["id"]]
            entry["events"].add(event["id"])
            entry["roles"][actor["role"]].add(event["id"])
            entry["types"][event["type"]].add(event["id"])
    return stats


def oracle_network(events):
    weights, types = Counter(), defaultdict(Counter)
    for event in events:
        roles = defaultdict(set)
        for actor in event["actors"]:
            roles[actor["role"]].add(actor["id"])
        links = set()
        for source_role, target_role in (("supplier", "recipient"), ("initiator", "target")):
            for s, t in itertools.product(roles[source_role], roles[target_role]):
                if s != t:
                    links.add((s, t, True))
        directed = {frozenset((s, t)) for s, t, _ in links}
        ids = sorted({actor["id"] for actor in event["actors"]})
        for s, t in itertools.combinations(ids, 2):
            if frozenset((s, t)) not in directed:
                links.add((s, t, False))
        for link in links:
            weights[link] += 1
            types[link][event["type"]] += 1
    return weights, types
