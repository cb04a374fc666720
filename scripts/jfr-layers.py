#!/usr/bin/env python3
"""Where a benchmark's CPU samples fall, by layer: Cascade, Lettuce, Netty, the JDK, the harness.

    java -cp benchmarks/target/benchmarks.jar org.openjdk.jmh.Main 'CascadeBench.T16.getHit$' \
        -f 1 -wi 1 -w 3s -i 1 -r 15s -prof 'jfr:dir=/tmp/prof;configName=profile'
    scripts/jfr-layers.py /tmp/prof/*/profile.jfr

For each recording it prints the share of Java execution samples whose top frame is in each layer
(where the CPU was), the share with a Cascade frame anywhere on the stack (work done on Cascade's
behalf, Lettuce's included), and the innermost Cascade frames of those samples. Threads in native
code (socket writes, epoll, parking) are counted apart: JFR samples them as NativeMethodSample.
Needs the `jfr` tool of a JDK (JAVA_HOME's, else the one on the PATH).
"""
import collections
import json
import os
import subprocess
import sys

LAYERS = [
    ("dev.cascade.bench.", "harness"),
    ("org.openjdk.jmh.", "harness"),
    ("dev.cascade.", "cascade"),
    ("io.lettuce.", "lettuce"),
    ("io.netty.", "netty"),
]


def layer(frame):
    for prefix, name in LAYERS:
        if frame.startswith(prefix):
            return name
    return "jdk"


def frames_of(event):
    trace = event["values"].get("stackTrace") or {"frames": []}
    return [f["method"]["type"]["name"].replace("/", ".") + "." + f["method"]["name"] for f in trace["frames"]]


def percent(count, total):
    return f"{100 * count / max(total, 1):.0f}%"


def main(paths):
    jfr = os.path.join(os.environ["JAVA_HOME"], "bin", "jfr") if "JAVA_HOME" in os.environ else "jfr"
    for path in paths:
        printed = subprocess.run([jfr, "print", "--json", "--stack-depth", "64", "--events",
                                  "jdk.ExecutionSample,jdk.NativeMethodSample", path],
                                 capture_output=True, text=True, check=True).stdout
        events = json.loads(printed)["recording"]["events"]
        native = sum(1 for e in events if e["type"] == "jdk.NativeMethodSample")
        stacks = [frames_of(e) for e in events if e["type"] == "jdk.ExecutionSample"]
        stacks = [s for s in stacks if s]
        top = collections.Counter(layer(s[0]) for s in stacks)
        with_cascade = [s for s in stacks if any(layer(f) == "cascade" for f in s)]
        innermost = collections.Counter(next(f for f in s if layer(f) == "cascade") for s in with_cascade)
        print(f"{path}: {len(stacks)} Java samples, {native} native-method samples")
        print("  top frame by layer: " + ", ".join(f"{k} {percent(v, len(stacks))}" for k, v in top.most_common()))
        print(f"  a Cascade frame on the stack: {percent(len(with_cascade), len(stacks))}")
        print("  innermost Cascade frames: " + ", ".join(
            f"{k.replace('dev.cascade.', '')} {percent(v, len(stacks))}" for k, v in innermost.most_common(6)))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
