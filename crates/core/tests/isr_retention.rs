//! The broker side of a replica falling behind and of old data going away: acks=all
//! duplicates wait for the high watermark like appends, ISR shrink after
//! replica.lag.time.max.ms, NOT_ENOUGH_REPLICAS(_AFTER_APPEND), and log segments with
//! time/size retention.

use streamscope_core::event::Delivery;
use streamscope_core::{Change, Config, Event, Sim, SimTime};

fn sim(settings: &[(&str, &str)], seed: u64) -> Sim {
    let mut c = Config::preset();
    for (k, v) in settings {
        c.set(k, v).unwrap();
    }
    Sim::new(c, seed).unwrap()
}

fn fence_time(sim: &Sim, broker: u32) -> Option<SimTime> {
    sim.trace().entries().find_map(|e| match e.event {
        Event::BrokerFenced { broker: b, .. } if b == broker => Some(e.time),
        _ => None,
    })
}

/// A follower dies but stays in the ISR until the controller fences it: every acks=all
/// request to the other leaders waits; its retries (request.timeout.ms) reach the leader as
/// idempotent duplicates, and those must wait for the high watermark too instead of being
/// acknowledged at once (Kafka's `DelayedProduce` waits on the original batch's offsets).
#[test]
fn duplicates_with_acks_all_wait_for_the_high_watermark() {
    let mut s = sim(&[("request.timeout.ms", "1500")], 7);
    s.run_until(SimTime(1_000_000));
    let acked_at_crash = s.producers()[0].stats.records_acknowledged;
    s.apply(Change::CrashBroker { broker: 2 }).unwrap();
    s.run_until(SimTime(8_000_000));
    assert!(fence_time(&s, 2).is_none(), "not fenced yet at 8 s");
    let mut dup_requests = 0;
    let mut dup_answered_at_once = 0;
    for e in s.trace().entries() {
        if e.time < SimTime(1_100_000) {
            continue;
        }
        if let Event::Delivered {
            detail:
                Delivery::Appended {
                    duplicates,
                    responded,
                    ..
                },
            ..
        } = e.event
        {
            if duplicates > 0 {
                dup_requests += 1;
                if responded {
                    dup_answered_at_once += 1;
                }
            }
        }
    }
    assert!(
        dup_requests > 0,
        "retries reached the leaders as duplicates"
    );
    assert_eq!(
        dup_answered_at_once, 0,
        "no duplicate answered before the HW"
    );
    // Nothing written after the crash is acknowledged while the dead follower is in the ISR
    // (a few responses may have been in flight at the crash).
    let acked = s.producers()[0].stats.records_acknowledged;
    assert!(
        acked <= acked_at_crash + 50,
        "acknowledged {acked_at_crash} -> {acked} with a dead follower in the ISR"
    );
}
