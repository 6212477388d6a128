#!/usr/bin/env python3
"""Writes the keyword arguments kafka-python's KafkaProducer and KafkaConsumer accept (the keys of
their DEFAULT_CONFIG), for the export test (crates/core/tests/export.rs checks every keyword the
page's kafka-python export writes against them).

Needs kafka-python (`pip install kafka-python`; written against 3.0.12). Nothing in the Rust test
suite runs this: its output is committed.

  python3 tools/kafka_python_config.py > crates/core/tests/golden/kafka_python_config.json
"""
import json

import kafka
from kafka import KafkaConsumer, KafkaProducer

print(json.dumps({
    "kafka_python_version": kafka.__version__,
    "producer": sorted(KafkaProducer.DEFAULT_CONFIG),
    "consumer": sorted(KafkaConsumer.DEFAULT_CONFIG),
}, indent=1))
