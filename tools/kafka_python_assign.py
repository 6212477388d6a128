#!/usr/bin/env python3
"""Cross-check and benchmark Streamscope's assignors against kafka-python's.

Needs kafka-python (`pip install kafka-python`; written against 3.0.12). Nothing in the Rust test
suite runs this: its output is committed.

  python3 tools/kafka_python_assign.py golden [--cases 300] [--seed 7] [--out PATH]
      Random inputs for range and roundrobin, with kafka-python's outputs as `expected`, written to
      crates/core/tests/vectors/kafka_python_range_roundrobin.json (checked by
      the kafka_python_* tests in crates/core/tests/assignor_vectors.rs).

  python3 tools/kafka_python_assign.py bench --cli target/release/streamscope
      [--members 300] [--partitions 30000] [--topics 10] [--runs 3]
      A second generation with owned partitions: kafka-python's StickyPartitionAssignor in
      process, against `streamscope assign --assignor sticky` as a whole process.

Where kafka-python is known to differ from the Java client, inputs are restricted to where it
agrees:
  - its static/dynamic member grouping (itertools.groupby over the unsorted member list) loses
    members unless all static members come before all dynamic ones: static members are listed
    first;
  - its roundrobin is only checked with identical subscriptions;
  - it puts a member subscribed twice to one topic twice in the range list: no duplicate topics;
  - it sorts names by code point, Java by UTF-16 unit: names are ASCII;
  - group.instance.ids are unique (Java breaks ties by its HashMap order).
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from types import SimpleNamespace

from kafka.coordinator.assignors.range import RangePartitionAssignor
from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
from kafka.coordinator.assignors.sticky.sticky_assignor import StickyPartitionAssignor
from kafka.structs import TopicPartition

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(REPO, "crates", "core", "tests", "vectors", "kafka_python_range_roundrobin.json")
TOPIC_NAMES = ["orders", "payments", "Shipments", "audit-log", "t0", "t1", "_internal-ish", "zz-last",
               "user.events", "metrics-raw", "A-topic", "clickstream"]


class Cluster:
    """The two methods kafka-python's assignors read from ClusterMetadata."""

    def __init__(self, partitions):
        self._partitions = partitions

    def topics(self):
        return set(self._partitions)

    def partitions_for_topic(self, topic):
        if topic not in self._partitions:
            return None
        return set(range(self._partitions[topic]))


def members_for(case, sticky=False):
    out = []
    for m in case["members"]:
        if sticky:
            owned = [TopicPartition(t, p) for t, p in m.get("owned", [])]
            meta = StickyPartitionAssignor._metadata(
                m["topics"], owned if "generation" in m else None, m.get("generation", -1))
        else:
            meta = SimpleNamespace(topics=list(m["topics"]), user_data=b"")
        out.append(SimpleNamespace(member_id=m["id"], group_instance_id=m.get("instance_id"), metadata=meta))
    return out


def to_expected(protocol_assignment):
    expected = {}
    for member_id, a in protocol_assignment.items():
        tps = sorted((t, p) for t, ps in a.assigned_partitions for p in ps)
        expected[member_id] = [[t, p] for t, p in tps]
    return expected


def random_member_id(rng, n):
    return "consumer-%s-%d-%08x" % (rng.choice(["app", "etl", "billing"]), n, rng.getrandbits(32))


def random_case(rng, assignor):
    n_topics = rng.randint(1, 5)
    topics = rng.sample(TOPIC_NAMES, n_topics)
    partitions = {}
    for t in topics:
        r = rng.random()
        partitions[t] = 0 if r < 0.05 else rng.randint(1, 8) if r < 0.5 else rng.randint(1, 60)
    # Sometimes a subscribed topic has no metadata at all.
    subscribable = list(topics)
    if rng.random() < 0.2:
        subscribable.append("missing-topic")
    n_members = rng.randint(1, 25)
    n_static = rng.randint(0, n_members) if rng.random() < 0.5 else 0
    identical = assignor == "roundrobin" or rng.random() < 0.4
    common = rng.sample(subscribable, rng.randint(1, len(subscribable)))
    instance_ids = rng.sample(range(1000), n_static)
    members = []
    used = set()
    for i in range(n_members):
        mid = random_member_id(rng, i)
        while mid in used:
            mid = random_member_id(rng, i)
        used.add(mid)
        subs = list(common) if identical else rng.sample(subscribable, rng.randint(1, len(subscribable)))
        rng.shuffle(subs)
        m = {"id": mid, "topics": subs}
        if i < n_static:
            m["instance_id"] = "%s-%d" % (rng.choice(["host", "instance", "Node"]), instance_ids[i])
        members.append(m)
    note = "%s subscriptions, %d topics, %d members (%d static, listed first)" % (
        "identical" if identical else "mixed", n_topics, n_members, n_static)
    return {"assignor": assignor, "partitions": partitions, "members": members, "note": note}


def golden(args):
    rng = random.Random(args.seed)
    cases = []
    for i in range(args.cases):
        assignor = "range" if i % 2 == 0 else "roundrobin"
        case = random_case(rng, assignor)
        impl = RangePartitionAssignor if assignor == "range" else RoundRobinPartitionAssignor
        result = impl.assign(Cluster(case["partitions"]), members_for(case))
        case["expected"] = to_expected(result)
        cases.append(case)
    with open(args.out, "w") as f:
        json.dump(cases, f, separators=(",", ":"))
        f.write("\n")
    print("wrote %d cases to %s" % (len(cases), args.out))


def bench_case(rng, n_members, n_partitions, n_topics):
    topics = ["topic-%02d" % i for i in range(n_topics)]
    per = n_partitions // n_topics
    partitions = {t: per for t in topics}
    # Generation 1: n_members fresh members, assigned by kafka-python's sticky assignor.
    gen1 = {"partitions": partitions,
            "members": [{"id": "consumer-%04d-%08x" % (i, rng.getrandbits(32)), "topics": topics}
                        for i in range(n_members)]}
    first = StickyPartitionAssignor().assign(Cluster(partitions), members_for(gen1, sticky=True))
    owned = to_expected(first)
    # Generation 2: 5% leave, 5% join; the others send what they own at generation 1.
    leave = set(rng.sample(range(n_members), n_members // 20))
    members = []
    for i, m in enumerate(gen1["members"]):
        if i in leave:
            continue
        members.append({"id": m["id"], "topics": topics, "owned": owned[m["id"]], "generation": 1})
    for j in range(n_members // 20):
        members.append({"id": "consumer-new-%04d-%08x" % (j, rng.getrandbits(32)), "topics": topics})
    return {"partitions": partitions, "members": members}


def check_balanced(assignment, total):
    sizes = [len(v) for v in assignment.values()]
    assigned = sum(sizes)
    return max(sizes) - min(sizes) <= 1 and assigned == total


def bench(args):
    rng = random.Random(args.seed)
    case = bench_case(rng, args.members, args.partitions, args.topics)
    total = sum(case["partitions"].values())
    text = json.dumps(case)
    py_times, cli_times = [], []
    for _ in range(args.runs):
        members = members_for(case, sticky=True)
        t0 = time.perf_counter()
        result = StickyPartitionAssignor().assign(Cluster(case["partitions"]), members)
        py_times.append(time.perf_counter() - t0)
        py = to_expected(result)
        t0 = time.perf_counter()
        proc = subprocess.run([args.cli, "assign", "--assignor", "sticky"], input=text.encode(),
                              capture_output=True, check=True)
        cli_times.append(time.perf_counter() - t0)
        ours = json.loads(proc.stdout)["assignment"]
    kept_py = sum(len(set(map(tuple, py[m["id"]])) & set(map(tuple, m.get("owned", [])))) for m in case["members"])
    kept_ours = sum(len(set(map(tuple, ours[m["id"]])) & set(map(tuple, m.get("owned", [])))) for m in case["members"])
    print(json.dumps({
        "members": len(case["members"]), "partitions": total, "topics": len(case["partitions"]),
        "runs": args.runs,
        "kafka_python_sticky_in_process_s": {"median": statistics.median(py_times), "min": min(py_times)},
        "streamscope_cli_whole_process_s": {"median": statistics.median(cli_times), "min": min(cli_times)},
        "kafka_python_balanced": check_balanced(py, total), "streamscope_balanced": check_balanced(ours, total),
        "kept_owned_kafka_python": kept_py, "kept_owned_streamscope": kept_ours,
        "input_bytes": len(text),
    }, indent=2))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("golden")
    g.add_argument("--cases", type=int, default=300)
    g.add_argument("--seed", type=int, default=7)
    g.add_argument("--out", default=GOLDEN)
    b = sub.add_parser("bench")
    b.add_argument("--cli", required=True, help="path to a release build of streamscope")
    b.add_argument("--members", type=int, default=300)
    b.add_argument("--partitions", type=int, default=30000)
    b.add_argument("--topics", type=int, default=10)
    b.add_argument("--runs", type=int, default=3)
    b.add_argument("--seed", type=int, default=11)
    args = p.parse_args()
    if args.cmd == "golden":
        golden(args)
    else:
        bench(args)


if __name__ == "__main__":
    sys.exit(main())
