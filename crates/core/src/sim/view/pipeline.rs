//! The answers the page asks about the consume-transform-produce pipeline: which processor a
//! consumer instance is, whether a producer instance is a processor's, and the rules of the
//! hidden twin the page runs beside the visible world (the same config with the other
//! processing.guarantee; a processor restart waits in the twin until its processor has
//! crashed there too).

use crate::app::pipeline::state::is_processor_app;
use crate::app::pipeline::state::Processor;
use crate::app::pipeline::state::ProcessorPhase;
use crate::config::{Config, PipelineKind};
use crate::producer::Producer;
use crate::sim::{Change, Sim};

/// Whether a producer instance is a pipeline processor's (its application number is a
/// processor's, never one of the page's producer applications).
pub fn is_processor_producer(p: &Producer) -> bool {
    is_processor_app(p.app)
}

/// The twin's config: `cfg` with the other processing.guarantee, when `cfg` runs the
/// pipeline (`None` otherwise: no twin, nothing to compare).
pub fn twin_config(cfg: &Config) -> Option<Config> {
    if cfg.pipeline.kind.value != PipelineKind::Ctp {
        return None;
    }
    let mut c = cfg.clone();
    c.set(
        crate::config::settings::sim::PROCESSING_GUARANTEE.name,
        cfg.pipeline.guarantee.value.other().name(),
    )
    .ok()?;
    c.validate().ok()?;
    Some(c)
}

impl Processor {
    /// Whether the processor is down (crashed, not restarted yet).
    pub fn is_crashed(&self) -> bool {
        self.phase == ProcessorPhase::Crashed
    }
}

impl Sim {
    /// The pipeline processor that consumer `c` is, if it is one.
    pub fn pipeline_processor_of_consumer(&self, c: u32) -> Option<&Processor> {
        self.pipeline()?.processor_of_consumer(c)
    }

    /// Whether `change`, mirrored from the visible world, must wait in this (twin) world: a
    /// processor restart waits until its processor has crashed here (an in-transaction crash
    /// waits for its own moment between a produce and a commit).
    pub fn twin_change_waits(&self, change: &Change) -> bool {
        match change {
            Change::RestartProcessor { processor, .. } => self
                .pipeline()
                .and_then(|p| p.processors.get(*processor as usize))
                .is_some_and(|p| !p.is_crashed()),
            _ => false,
        }
    }
}
