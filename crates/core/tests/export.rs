//! The export of the settings as Java `Properties` and kafka-python code (issue 14): every Java
//! name is Kafka's (a registry row, or one of the client's own: bootstrap.servers, group.id,
//! the deserializers), every value reads back into the same config, every kafka-python keyword
//! is one kafka-python's clients take (`tests/golden/kafka_python_config.json`, from
//! kafka-python 3.0.12's own `DEFAULT_CONFIG` by `tools/kafka_python_config.py`), and what
//! kafka-python does not take is listed, not dropped.

use std::collections::BTreeSet;
use streamscope_core::config::export::{
    java_properties, kafka_python, kafka_python_keyword, KAFKA_PYTHON_CONSUMER,
    KAFKA_PYTHON_PRODUCER,
};
use streamscope_core::config::settings::{Scope, SETTINGS};
use streamscope_core::Config;

fn kafka_python_config() -> serde_json::Value {
    let text = include_str!("golden/kafka_python_config.json");
    serde_json::from_str(text).expect("the golden file is JSON")
}

fn names(v: &serde_json::Value, client: &str) -> BTreeSet<String> {
    v[client]
        .as_array()
        .expect("a list of keywords")
        .iter()
        .map(|k| k.as_str().expect("a keyword").to_string())
        .collect()
}

/// Worlds that exercise every special case: the preset, round-robin and the legacy sticky
/// partitioner, every serializer, a transactional producer, other assignors, compression.
fn worlds() -> Vec<Config> {
    let sets: &[&[(&str, &str)]] = &[
        &[],
        &[
            ("partitioner.class", "round-robin"),
            ("key.serializer", "integer"),
            ("value.serializer", "json"),
        ],
        &[
            ("partitioner.class", "legacy-sticky"),
            ("key.serializer", "bytes"),
            ("value.serializer", "long"),
        ],
        &[
            ("transactional.id", "tx = #1: it's"),
            ("isolation.level", "read_committed"),
        ],
        &[
            ("partition.assignment.strategy", "roundrobin,sticky"),
            ("compression.type", "zstd"),
            ("acks", "1"),
            ("enable.idempotence", "false"),
        ],
        &[
            ("acks", "0"),
            ("enable.idempotence", "false"),
            ("linger.ms", "20"),
            ("enable.auto.commit", "false"),
        ],
    ];
    sets.iter()
        .map(|s| {
            let mut c = Config::preset();
            for (k, v) in s.iter() {
                c.set(k, v).unwrap_or_else(|e| panic!("{k}={v}: {e}"));
            }
            c
        })
        .collect()
}

#[test]
fn the_kafka_python_tables_are_kafka_pythons() {
    let golden = kafka_python_config();
    assert_eq!(golden["kafka_python_version"], "3.0.12");
    for (table, client) in [
        (KAFKA_PYTHON_PRODUCER, "producer"),
        (KAFKA_PYTHON_CONSUMER, "consumer"),
    ] {
        let theirs = names(&golden, client);
        for d in table {
            let k = kafka_python_keyword(d);
            assert!(
                theirs.contains(&k),
                "kafka-python's {client} has no keyword {k}"
            );
        }
        // And every registry row kafka-python takes is in the table.
        let scope = if client == "producer" {
            Scope::Producer
        } else {
            Scope::Consumer
        };
        for d in SETTINGS.iter().filter(|d| d.scope == scope) {
            let k = kafka_python_keyword(d);
            let listed = table.iter().any(|t| t.name == d.name) || k.ends_with("serializer");
            assert_eq!(
                theirs.contains(&k),
                listed,
                "{client} keyword {k}: kafka-python takes it \
                exactly when the table lists it"
            );
        }
    }
}

/// The keyword arguments of each call in the export (`name=` at the start of a line).
fn keywords(code: &str) -> Vec<(String, String)> {
    let mut call = String::new();
    let mut out = Vec::new();
    for line in code.lines() {
        if let Some((var, rest)) = line.split_once(" = ") {
            if rest.ends_with('(') {
                call = rest.trim_end_matches('(').to_string();
                let _ = var;
                continue;
            }
        }
        let l = line.trim_start();
        if line.starts_with("    ") {
            if let Some((k, _)) = l.split_once('=') {
                out.push((call.clone(), k.to_string()));
            }
        }
    }
    out
}

#[test]
fn every_kafka_python_keyword_is_one_kafka_python_takes() {
    let golden = kafka_python_config();
    let producer = names(&golden, "producer");
    let consumer = names(&golden, "consumer");
    for cfg in worlds() {
        let code = kafka_python(&cfg);
        let kws = keywords(&code);
        assert!(kws.len() > 20, "the export has its arguments:\n{code}");
        for (call, k) in kws {
            let ok = match call.as_str() {
                "KafkaProducer" => producer.contains(&k),
                "KafkaConsumer" => consumer.contains(&k),
                other => panic!("an unexpected call {other} in\n{code}"),
            };
            assert!(ok, "{call} takes no keyword {k}:\n{code}");
        }
        // What kafka-python does not take is listed by its Kafka name.
        for d in SETTINGS.iter().filter(|d| d.scope == Scope::Producer) {
            let py = d.name.replace('.', "_");
            assert!(
                code.contains(&format!("    {py}="))
                    || code.contains(&format!("#   {}", d.name))
                    || d.name == "transactional.id"
                    || d.name.ends_with("serializer"),
                "{} is neither an argument nor listed:\n{code}",
                d.name
            );
        }
    }
}

/// Every `name=value` line is Kafka's name with the registry's value (read back into the
/// config, it is the same config), or one of the client's own settings.
#[test]
fn the_java_properties_read_back_into_the_same_settings() {
    let own = [
        "bootstrap.servers",
        "group.id",
        "key.deserializer",
        "value.deserializer",
    ];
    for cfg in worlds() {
        let text = java_properties(&cfg);
        let mut seen = 0;
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let (name, value) = split_property(line);
            assert!(!name.contains(' '), "a key has no space: {line}");
            if own.contains(&name.as_str()) {
                continue;
            }
            let rows: Vec<_> = SETTINGS.iter().filter(|d| d.name == name).collect();
            assert!(
                !rows.is_empty(),
                "{name} is not a Kafka setting the registry knows:\n{text}"
            );
            let ours = rows
                .iter()
                .filter_map(|d| d.access.get(&cfg))
                .collect::<Vec<_>>();
            let expected_as_kafka = ours.iter().any(|v| {
                *v == value
                    || value.ends_with("RoundRobinPartitioner")
                    || value.contains("org.apache.kafka.")
            });
            assert!(expected_as_kafka, "{name}={value}: the config has {ours:?}");
            seen += 1;
        }
        assert!(
            seen > 40,
            "every Kafka setting is exported ({seen}):\n{text}"
        );
    }
}

/// `java.util.Properties` reading of one line (escapes undone).
fn split_property(line: &str) -> (String, String) {
    let mut name = String::new();
    let mut value = String::new();
    let mut in_value = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        let c = if c == '\\' {
            match chars.next() {
                Some('n') => '\n',
                Some('t') => '\t',
                Some(x) => x,
                None => break,
            }
        } else if c == '=' && !in_value {
            in_value = true;
            continue;
        } else {
            c
        };
        if in_value {
            value.push(c)
        } else {
            name.push(c)
        }
    }
    (name, value)
}

#[test]
fn kafka_4_and_kafka_python_gaps_are_said_not_hidden() {
    let w = worlds();
    let legacy = java_properties(&w[2]);
    assert!(legacy.contains("removed in Kafka 4.0"), "{legacy}");
    assert!(!legacy.contains("partitioner.class="), "{legacy}");
    let json = java_properties(&w[1]);
    assert!(json.contains("no JSON serializer"), "{json}");
    assert!(
        json.contains("partitioner.class=org.apache.kafka.clients.producer.RoundRobinPartitioner")
    );
    let txn = java_properties(&w[3]);
    assert!(
        txn.contains("transactional.id=tx = #1: it's"),
        "as Properties.load reads it: {txn}"
    );
    let py = kafka_python(&w[3]);
    assert!(py.contains("transactional_id='tx = #1: it\\'s'"), "{py}");
    let assignors = kafka_python(&w[4]);
    assert!(
        assignors.contains(
            "partition_assignment_strategy=[RoundRobinPartitionAssignor, StickyPartitionAssignor]"
        ),
        "{assignors}"
    );
    assert!(assignors.contains("compression_type='zstd'"), "{assignors}");
    assert!(assignors.contains("acks=1,"), "{assignors}");
    let preset = kafka_python(&w[0]);
    assert!(
        preset.contains("acks='all'") && preset.contains("compression_type=None"),
        "{preset}"
    );
    assert!(
        preset.contains("DefaultPartitioner"),
        "the partitioner difference is said: {preset}"
    );
}

/// The kafka-python export is Python (parsed by `python3`, which the test command installs).
#[test]
fn the_kafka_python_export_parses_as_python() {
    let dir = std::env::temp_dir().join(format!("streamscope-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    for (i, cfg) in worlds().iter().enumerate() {
        let path = dir.join(format!("export_{i}.py"));
        std::fs::write(&path, kafka_python(cfg)).expect("the export is written");
        let out = std::process::Command::new("python3")
            .arg("-c")
            .arg("import ast, sys; ast.parse(open(sys.argv[1]).read())")
            .arg(&path)
            .output()
            .expect("python3 runs (scripts/setup.sh installs it)");
        assert!(
            out.status.success(),
            "world {i}: not Python: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            kafka_python(cfg)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
