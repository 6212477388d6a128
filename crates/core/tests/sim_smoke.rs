use streamscope_core::{Config, Sim, SimTime};

#[test]
fn preset_runs_and_consumes() {
    let mut sim = Sim::new(Config::preset(), 1).unwrap();
    sim.run_until(SimTime(10_000_000));
    let s = sim.summary();
    std::eprintln!(
        "{:#?}",
        (
            s.records_sent,
            s.records_acknowledged,
            s.records_consumed,
            s.events
        )
    );
    for p in &s.partitions {
        std::eprintln!("{:?}", p);
    }
    for c in &s.consumers {
        std::eprintln!(
            "{} {:?} lag {} consumed {}",
            c.member_id,
            c.partitions.iter().map(|p| p.partition).collect::<Vec<_>>(),
            c.lag,
            c.records_consumed
        );
    }
    assert!(s.records_acknowledged > 1000);
    assert!(s.records_consumed > 1000);
}
