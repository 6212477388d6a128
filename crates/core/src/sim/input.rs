//! The input log (issue 13): a run is its config, its seed and its inputs. Every input that can
//! alter a run is logged with where it took effect: a live change through `Sim::apply`, a fault
//! added with `Sim::schedule_fault`, `Sim::end_faults`, and the start of a drain
//! (`Sim::begin_drain`). Kept apart from the audit of changes (`Sim::changes`), which also lists
//! what scheduled faults did by themselves and so cannot be replayed.
//!
//! An input sits between two queue entries: `at_pop` counts the entries taken before it,
//! events and superseded timers alike (a superseded timer moves the clock but is not an
//! event), so a replay takes exactly the same entries, sets the clock to `at_time` and puts the
//! input in (`Sim::replay`). Refused inputs change nothing and are not logged.

use super::schedule::FaultSpec;
use super::{Change, Sim};
use crate::config::{Config, ConfigError};
use crate::time::SimTime;
use alloc::format;

/// One input of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// A live change (`Sim::apply`).
    Change { change: Change },
    /// A fault added to the schedule (`Sim::schedule_fault`).
    Fault { fault: FaultSpec },
    /// Every fault ends now (`Sim::end_faults`).
    EndFaults,
    /// The applications stop sending (`Sim::begin_drain`).
    Drain,
}

/// An input with the place in the run where it took effect. As JSON (feature `serde`), a fault
/// is its text with the window it was read as (`wire`), and is read back by the same parser.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(try_from = "wire::LoggedInputWire", into = "wire::LoggedInputWire")
)]
pub struct LoggedInput {
    /// Events processed before it (the index of the next event).
    pub at_event: u64,
    /// Queue entries taken before it (events and superseded timers).
    pub at_pop: u64,
    /// The simulated time it took effect at.
    pub at_time: SimTime,
    pub input: Input,
}

#[cfg(feature = "serde")]
mod wire;

/// A place in a run: `pop` queue entries taken (events and superseded timers), the clock at
/// `time`, and every input logged at or before it put in. Both only grow along a run (the
/// clock never passes a pending entry), so moments are ordered as the run went; a world's own
/// moment is [`Sim::moment`], and [`Sim::replay_to`] rebuilds the world at any moment of a
/// run from its config, seed and inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Moment {
    pub pop: u64,
    pub time: SimTime,
}

impl LoggedInput {
    /// The moment the input took effect at.
    pub fn moment(&self) -> Moment {
        Moment {
            pop: self.at_pop,
            time: self.at_time,
        }
    }
}

impl Sim {
    /// The input log, in order.
    pub fn inputs(&self) -> &[LoggedInput] {
        &self.inputs
    }

    /// Where the world is in its run.
    pub fn moment(&self) -> Moment {
        Moment {
            pop: self.popped,
            time: self.now,
        }
    }

    pub(crate) fn log_input(&mut self, input: Input) {
        if let Some(last) = self.inputs.last() {
            assert!(
                last.at_pop <= self.popped && last.at_time <= self.now,
                "inputs are logged in the order they take effect"
            );
        }
        self.inputs.push(LoggedInput {
            at_event: self.events_processed,
            at_pop: self.popped,
            at_time: self.now,
            input,
        });
    }

    /// Adds a fault to the schedule (logged as an input). Rejected (and nothing changes) when
    /// it starts in the past or names a broker, producer, consumer or partition that does not
    /// exist.
    pub fn schedule_fault(&mut self, spec: FaultSpec) -> Result<(), ConfigError> {
        self.add_fault(spec.clone())?;
        self.log_input(Input::Fault { fault: spec });
        Ok(())
    }

    /// Ends every fault now (`--until` reached; logged as an input): crashed brokers restart,
    /// links heal, lost responses get through again. Scheduled faults that have not started
    /// are dropped.
    pub fn end_faults(&mut self) {
        self.log_input(Input::EndFaults);
        self.end_every_fault();
    }

    /// Producer applications stop calling `send()` (the start of a drain; logged as an
    /// input): a `send()` blocked on memory completes or times out; records already sent go
    /// on.
    pub fn begin_drain(&mut self) {
        self.log_input(Input::Drain);
        self.stop_applications();
    }

    /// Puts `input` into the run now, as the call it stands for did.
    pub fn put_input(&mut self, input: &Input) -> Result<(), ConfigError> {
        match input {
            Input::Change { change } => self.apply(change.clone()),
            Input::Fault { fault } => self.schedule_fault(fault.clone()),
            Input::EndFaults => {
                self.end_faults();
                Ok(())
            }
            Input::Drain => {
                self.begin_drain();
                Ok(())
            }
        }
    }

    /// The run of `config` and `seed` with `inputs` put in where they took effect, up to the
    /// last of them: the same trace hash at every event index as the run that logged them. An
    /// input that does not fit (out of order, past the end of the run, refused) is an error
    /// naming it (`inputs[i]`), and no world is returned.
    pub fn replay(config: Config, seed: u64, inputs: &[LoggedInput]) -> Result<Sim, ConfigError> {
        Sim::replay_observed(config, seed, inputs, |_| {})
    }

    /// [`Sim::replay`], calling `observe` after every event (the trace's last entry and hash).
    pub fn replay_observed(
        config: Config,
        seed: u64,
        inputs: &[LoggedInput],
        observe: impl FnMut(&Sim),
    ) -> Result<Sim, ConfigError> {
        let end = inputs.last().map_or(
            Moment {
                pop: 0,
                time: SimTime::ZERO,
            },
            LoggedInput::moment,
        );
        let mut sim = Sim::new(config, seed)?;
        sim.advance_with(inputs, end, observe)?;
        Ok(sim)
    }

    /// The world of `config` and `seed` at `moment` of the run whose input log is `inputs`
    /// (the inputs after the moment are not put in). An input log that does not fit, or a
    /// moment the run never had, is an error naming it.
    pub fn replay_to(
        config: Config,
        seed: u64,
        inputs: &[LoggedInput],
        moment: Moment,
    ) -> Result<Sim, ConfigError> {
        let mut sim = Sim::new(config, seed)?;
        sim.advance_with(inputs, moment, |_| {})?;
        Ok(sim)
    }

    /// Moves the world on to `moment` of the run whose whole input log is `inputs` (this
    /// world's own log is its beginning), putting in the inputs up to the moment where they
    /// took effect and calling `observe` after every event. A world already past `moment`, a
    /// log that is not this run's, or a moment the run never had is an error naming it
    /// (`inputs[i]`, or `moment`); the world may then have moved part of the way.
    pub fn advance_with(
        &mut self,
        inputs: &[LoggedInput],
        moment: Moment,
        mut observe: impl FnMut(&Sim),
    ) -> Result<(), ConfigError> {
        let done = self.inputs.len();
        if inputs.get(..done) != Some(&self.inputs[..]) {
            return Err(ConfigError::new(
                "inputs",
                "the world has inputs this log does not begin with: the log is not this run's",
            ));
        }
        if let Some(i) = (1..inputs.len()).find(|&i| inputs[i].moment() < inputs[i - 1].moment()) {
            return Err(ConfigError::new(
                format!("inputs[{i}]"),
                "it takes effect before the input above it: inputs come in the order they took \
                 effect",
            ));
        }
        if moment < self.moment() {
            return Err(ConfigError::new(
                "moment",
                format!(
                    "entry {} at {} us is before the world's entry {} at {} us",
                    moment.pop, moment.time.0, self.popped, self.now.0
                ),
            ));
        }
        for (i, logged) in inputs.iter().enumerate().skip(done) {
            if logged.moment() > moment {
                break;
            }
            let field = format!("inputs[{i}]");
            self.advance_to(logged, &mut observe)
                .map_err(|message| ConfigError::new(field.clone(), message))?;
            self.put_input(&logged.input)
                .map_err(|e| ConfigError::new(field, format!("refused: {e}")))?;
        }
        self.advance_to_moment(moment, &mut observe)
            .map_err(|message| ConfigError::new("moment", message))
    }

    /// Takes queue entries up to `moment` and sets the clock to its time (no input between).
    fn advance_to_moment(
        &mut self,
        moment: Moment,
        observe: &mut impl FnMut(&Sim),
    ) -> Result<(), alloc::string::String> {
        while self.popped < moment.pop {
            match self.next_event_time() {
                Some(at) if at <= moment.time => {
                    if self.take_next() {
                        observe(self);
                    }
                }
                _ => {
                    return Err(format!(
                        "entry {} at {} us: the run has only {} entries by then",
                        moment.pop, moment.time.0, self.popped
                    ))
                }
            }
        }
        if self.next_event_time().is_some_and(|t| t < moment.time) {
            return Err(format!(
                "entry {} at {} us: the run has a later entry before that time",
                moment.pop, moment.time.0
            ));
        }
        self.now = self.now.max(moment.time);
        Ok(())
    }

    /// Takes queue entries up to where `logged` took effect and sets the clock to its time.
    fn advance_to(
        &mut self,
        logged: &LoggedInput,
        observe: &mut impl FnMut(&Sim),
    ) -> Result<(), alloc::string::String> {
        if logged.at_pop < self.popped || logged.at_time < self.now {
            return Err(format!(
                "it takes effect at entry {} ({} us), before the run's entry {} ({} us): inputs \
                 come in the order they took effect",
                logged.at_pop, logged.at_time.0, self.popped, self.now.0
            ));
        }
        while self.popped < logged.at_pop {
            match self.next_event_time() {
                Some(at) if at <= logged.at_time => {
                    if self.take_next() {
                        observe(self);
                    }
                }
                _ => {
                    return Err(format!(
                        "it takes effect at entry {} ({} us), but the run has only {} entries \
                         by then: the log is not this run's",
                        logged.at_pop, logged.at_time.0, self.popped
                    ))
                }
            }
        }
        if self.events_processed != logged.at_event {
            return Err(format!(
                "it takes effect after event {}, but the run is at event {}: the log is not \
                 this run's",
                logged.at_event, self.events_processed
            ));
        }
        if self.next_event_time().is_some_and(|t| t < logged.at_time) {
            return Err(format!(
                "it takes effect at {} us, after an entry the log did not take: the log is \
                 not this run's",
                logged.at_time.0
            ));
        }
        self.now = logged.at_time;
        Ok(())
    }
}
