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

/// A quiet world (one broker, so no replica fetches; drained; every consumer gone: only timers
/// that make no event remain, the lag sampler's among them) answers `step()` with `None`
/// instead of running timers forever (it hung the page's Step button and the replay test).
#[test]
fn step_returns_on_a_quiet_world() {
    let mut config = streamscope_core::Config::preset();
    config.set("sim.brokers", "1").expect("one broker is valid");
    config
        .set("replication.factor", "1")
        .expect("replication.factor=1 is valid");
    config
        .set("min.insync.replicas", "1")
        .expect("min.insync.replicas=1 is valid");
    let mut sim = streamscope_core::Sim::new(config, 3).expect("the one-broker world is valid");
    sim.run_until(streamscope_core::SimTime(2_000_000));
    sim.begin_drain();
    for consumer in 0..2 {
        sim.apply(streamscope_core::Change::RemoveConsumer { consumer })
            .expect("the preset has consumers 0 and 1");
    }
    let mut events = 0u64;
    while sim.step().is_some() {
        events += 1;
        assert!(events < 1_000_000, "the quiet world keeps making events");
    }
    assert!(events > 0, "the consumers leaving make events");
    assert!(
        sim.now().0 < 3_600_000_000,
        "step() gave up within the hour"
    );
}
