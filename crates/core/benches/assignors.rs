//! Each assignor on 2,000 members x 200,000 partitions (20 topics x 10,000) with equal
//! subscriptions: a first generation (no ownership) and, for the sticky assignors, a second
//! generation where 50 members left, 50 joined and the rest own their first-generation
//! partitions. `cargo bench -p streamscope-core --bench assignors`.
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Duration;
use streamscope_core::assignor::{assign, AssignorKind, MemberSubscription};

const MEMBERS: usize = 2_000;
const TOPICS: usize = 20;
const PER_TOPIC: u32 = 10_000;

fn group() -> (BTreeMap<String, u32>, Vec<MemberSubscription>) {
    let topics: Vec<String> = (0..TOPICS).map(|i| format!("topic-{i:02}")).collect();
    let partitions = topics.iter().map(|t| (t.clone(), PER_TOPIC)).collect();
    let members = (0..MEMBERS)
        .map(|i| {
            MemberSubscription::new(
                format!(
                    "consumer-{i}-{:08x}",
                    (i as u32).wrapping_mul(2_654_435_761)
                ),
                topics.clone(),
            )
        })
        .collect();
    (partitions, members)
}

fn second_generation(
    kind: AssignorKind,
    partitions: &BTreeMap<String, u32>,
    members: &[MemberSubscription],
) -> Vec<MemberSubscription> {
    let first = assign(kind, partitions, members).expect("first generation");
    let mut next: Vec<MemberSubscription> = members
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 40 != 7)
        .map(|(_, m)| MemberSubscription {
            owned: first[&m.member_id].clone(),
            generation: Some(1),
            ..m.clone()
        })
        .collect();
    let topics = members[0].topics.clone();
    next.extend(
        (0..MEMBERS / 40)
            .map(|i| MemberSubscription::new(format!("consumer-new-{i}"), topics.clone())),
    );
    next
}

fn bench(c: &mut Criterion) {
    let (partitions, members) = group();
    let mut g = c.benchmark_group("assign_2000x200000");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_millis(500));
    for kind in AssignorKind::ALL {
        g.bench_with_input(
            BenchmarkId::new("first-generation", kind.name()),
            &kind,
            |b, &kind| b.iter(|| black_box(assign(kind, &partitions, &members).expect("assign"))),
        );
    }
    for kind in [AssignorKind::Sticky, AssignorKind::CooperativeSticky] {
        let next = second_generation(kind, &partitions, &members);
        g.bench_with_input(
            BenchmarkId::new("second-generation", kind.name()),
            &kind,
            |b, &kind| b.iter(|| black_box(assign(kind, &partitions, &next).expect("assign"))),
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
