//! The input log as JSON: a fault travels as the text it was given (`crash:broker=1@+2s..+5s`)
//! with the window it was read as; reading it back parses the text again at the input's time
//! (relative times count from there) and refuses it if the window comes out different.

use super::{Input, LoggedInput};
use crate::sim::schedule::parse_fault_at;
use crate::sim::Change;
use crate::time::SimTime;
use alloc::format;
use alloc::string::String;

/// One input as it is written.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum InputWire {
    Change {
        change: Change,
    },
    Fault {
        fault: String,
        at: SimTime,
        until: Option<SimTime>,
    },
    EndFaults,
    Drain,
}

/// A logged input as it is written.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoggedInputWire {
    pub at_event: u64,
    pub at_pop: u64,
    pub at_time: SimTime,
    pub input: InputWire,
}

impl From<LoggedInput> for LoggedInputWire {
    fn from(l: LoggedInput) -> LoggedInputWire {
        let input = match l.input {
            Input::Change { change } => InputWire::Change { change },
            Input::Fault { fault } => InputWire::Fault {
                fault: fault.text,
                at: fault.at,
                until: fault.until,
            },
            Input::EndFaults => InputWire::EndFaults,
            Input::Drain => InputWire::Drain,
        };
        LoggedInputWire {
            at_event: l.at_event,
            at_pop: l.at_pop,
            at_time: l.at_time,
            input,
        }
    }
}

impl TryFrom<LoggedInputWire> for LoggedInput {
    type Error = String;

    fn try_from(w: LoggedInputWire) -> Result<LoggedInput, String> {
        let input = match w.input {
            InputWire::Change { change } => Input::Change { change },
            InputWire::Fault { fault, at, until } => {
                let spec = parse_fault_at(&fault, w.at_time).map_err(|e| format!("fault: {e}"))?;
                if spec.at != at || spec.until != until {
                    return Err(format!(
                        "fault '{fault}' read at {} us starts at {} us{}, but the log says {} us{}: \
                         write the window the text gives",
                        w.at_time.0,
                        spec.at.0,
                        spec.until.map_or(String::new(), |u| format!(" until {} us", u.0)),
                        at.0,
                        until.map_or(String::new(), |u| format!(" until {} us", u.0)),
                    ));
                }
                Input::Fault { fault: spec }
            }
            InputWire::EndFaults => Input::EndFaults,
            InputWire::Drain => Input::Drain,
        };
        Ok(LoggedInput {
            at_event: w.at_event,
            at_pop: w.at_pop,
            at_time: w.at_time,
            input,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, Sim};
    use alloc::string::ToString;
    use alloc::vec::Vec;

    /// A run's log written as JSON and read back is the same log, and replays to the same hash.
    #[test]
    fn a_log_round_trips_through_json_and_replays() {
        let mut sim = Sim::new(Config::preset(), 5).expect("the preset is valid");
        sim.schedule_fault(parse_fault_at("crash:broker=1@2s..4s", sim.now()).expect("valid"))
            .expect("broker 1 exists");
        sim.run_until(SimTime(1_000_000));
        sim.schedule_fault(parse_fault_at("kill:broker=2@+1s..+2s", sim.now()).expect("valid"))
            .expect("broker 2 exists");
        sim.apply(Change::Set {
            name: crate::config::settings::producer::LINGER_MS.name.into(),
            value: "25".into(),
        })
        .expect("linger.ms=25 is valid");
        sim.run_until(SimTime(5_000_000));
        sim.end_faults();
        sim.begin_drain();
        let json = serde_json::to_string(sim.inputs()).expect("the log serialises");
        let back: Vec<LoggedInput> = serde_json::from_str(&json).expect("the log reads back");
        assert_eq!(back, sim.inputs(), "{json}");
        let replayed = Sim::replay(Config::preset(), 5, &back).expect("the log replays");
        assert_eq!(replayed.trace().hash(), sim.trace().hash());
    }

    /// A fault whose written window is not what its text gives is refused, naming both.
    #[test]
    fn a_fault_whose_window_disagrees_with_its_text_is_refused() {
        let json = r#"[{"at_event":0,"at_pop":0,"at_time":0,"input":{"kind":"fault","fault":"crash:broker=1@2s","at":3000000,"until":null}}]"#;
        let err = serde_json::from_str::<Vec<LoggedInput>>(json)
            .expect_err("the window disagrees with the text");
        assert!(err.to_string().contains("starts at 2000000 us"), "{err}");
    }
}
