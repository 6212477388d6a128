//! Starting the pipeline and its processors, and their lives: a processor's producer (its
//! transactional.id under exactly_once_v2), a crash mid-transaction or at once, a restart with
//! the same or a new transactional.id.

use crate::app::pipeline::Pipeline;
use crate::app::pipeline::Processor;
use crate::app::pipeline::ProcessorPhase;
use crate::app::pipeline::APPLICATION_ID;
use crate::app::pipeline::OUTPUT_TOPIC;
use crate::app::pipeline::PROCESSOR_APP_BASE;
use crate::app::pipeline::STREAMS_TRANSACTION_TIMEOUT_MS;
use crate::app::pipeline::VERIFIER_GROUP;
use crate::config::{PipelineKind, ProcessingGuarantee, ProducerConfig, Setting};
use crate::sim::Sim;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

impl Sim {
    /// The pipeline, when `sim.pipeline=ctp`.
    pub fn pipeline(&self) -> Option<&Pipeline> {
        self.pipeline.as_ref()
    }

    /// Builds the pipeline's processors (after the groups and consumers exist).
    pub(crate) fn start_pipeline(&mut self) {
        if self.config.pipeline.kind.value != PipelineKind::Ctp {
            return;
        }
        let find_group = |s: &Sim, id: &str| s.groups().iter().position(|g| g.group_id == id);
        let (Some(group), Some(verifier_group)) = (
            find_group(self, APPLICATION_ID),
            find_group(self, VERIFIER_GROUP),
        ) else {
            return;
        };
        let Some(output_topic) = self.topics.iter().position(|t| t.name == OUTPUT_TOPIC) else {
            return;
        };
        let input_topic = self
            .config
            .groups
            .get(group)
            .and_then(|g| g.topics.first())
            .and_then(|n| self.topics.iter().position(|t| &t.name == n))
            .unwrap_or(0);
        self.pipeline = Some(Pipeline {
            guarantee: self.config.pipeline.guarantee.value,
            input_topic: input_topic as u32,
            output_topic: output_topic as u32,
            group: group as u32,
            verifier_group: verifier_group as u32,
            processors: Vec::new(),
            origins: Default::default(),
            seen: Default::default(),
            last_seen: BTreeMap::new(),
            verified_next: BTreeMap::new(),
            duplicates: 0,
            out_of_order: 0,
            output_seen: 0,
        });
        let consumers: Vec<u32> = self
            .consumers
            .iter()
            .filter(|c| c.group == group as u32)
            .map(|c| c.index)
            .collect();
        for (i, c) in consumers.into_iter().enumerate() {
            let i = i as u32;
            let tid = self.processor_transactional_id(i, 0);
            let producer = self.create_processor_producer(i, tid.clone());
            if let Some(p) = self.pipeline.as_mut() {
                p.processors.push(Processor {
                    index: i,
                    consumer: c,
                    producer,
                    transactional_id: tid,
                    incarnation: 0,
                    phase: ProcessorPhase::Polling,
                    batch: Vec::new(),
                    batch_offsets: Vec::new(),
                    batch_generation: 0,
                    batch_member_id: String::new(),
                    processed: 0,
                    commits: 0,
                    aborts: 0,
                    crashes: 0,
                    needs_commit: false,
                });
            }
        }
    }

    /// `ctp-processor-<n>` (and `-<k>` for the k-th instance started with a new id), or none
    /// at-least-once.
    pub(crate) fn processor_transactional_id(
        &self,
        processor: u32,
        incarnation: u32,
    ) -> Option<String> {
        if self.config.pipeline.guarantee.value != ProcessingGuarantee::ExactlyOnceV2 {
            return None;
        }
        Some(if incarnation == 0 {
            format!("{APPLICATION_ID}-processor-{processor}")
        } else {
            format!("{APPLICATION_ID}-processor-{processor}-{incarnation}")
        })
    }

    pub(crate) fn create_processor_producer(&mut self, processor: u32, tid: Option<String>) -> u32 {
        let mut pc = ProducerConfig::kafka_default(
            &format!("{APPLICATION_ID}-processor-{processor}-producer"),
            OUTPUT_TOPIC,
        );
        pc.workload.records_per_s = Setting::default(0);
        pc.workload.transaction_records = Setting::default(0);
        pc.transaction_timeout_ms = Setting::default(STREAMS_TRANSACTION_TIMEOUT_MS);
        pc.transactional_id = tid;
        self.create_producer(PROCESSOR_APP_BASE + processor, pc)
    }

    /// The processor a consumer instance is, if any.
    pub(crate) fn processor_of_consumer(&self, c: u32) -> Option<u32> {
        self.pipeline
            .as_ref()?
            .processor_of_consumer(c)
            .map(|x| x.index)
    }

    /// The processor a producer instance writes for (its current one), if any.
    pub(crate) fn processor_of_producer(&self, idx: u32) -> Option<u32> {
        let p = self.pipeline.as_ref()?;
        p.processors
            .iter()
            .find(|x| x.producer == idx)
            .map(|x| x.index)
    }

    /// Processor `pr`, an index the pipeline made itself (from `processor_of_*` or its own
    /// timers); a user's index goes through `checked_processor`.
    pub(crate) fn processor(&self, pr: u32) -> &Processor {
        let pl = self
            .pipeline
            .as_ref()
            .expect("processors exist only while the pipeline runs");
        assert!(
            (pr as usize) < pl.processors.len(),
            "processor {pr} does not exist"
        );
        &pl.processors[pr as usize]
    }

    pub(crate) fn processor_mut(&mut self, pr: u32) -> &mut Processor {
        let pl = self
            .pipeline
            .as_mut()
            .expect("processors exist only while the pipeline runs");
        assert!(
            (pr as usize) < pl.processors.len(),
            "processor {pr} does not exist"
        );
        &mut pl.processors[pr as usize]
    }

    pub(crate) fn set_phase(&mut self, pr: u32, phase: ProcessorPhase) {
        self.processor_mut(pr).phase = phase;
    }

    /// A new producer for a processor: the same transactional.id (`new_id = false`: its
    /// InitProducerId fences the old instance and aborts its open transaction) or a new one.
    pub(crate) fn pipeline_new_producer(&mut self, pr: u32, new_id: bool) {
        let p = self.processor(pr);
        let old = p.producer;
        let incarnation = if new_id {
            p.incarnation + 1
        } else {
            p.incarnation
        };
        self.kill_producer(old);
        let tid = self.processor_transactional_id(pr, incarnation);
        let idx = self.create_processor_producer(pr, tid.clone());
        let p = self.processor_mut(pr);
        p.producer = idx;
        p.transactional_id = tid;
        p.incarnation = incarnation;
    }

    /// A producer process dies: what it had queued or in flight is gone with it.
    pub(crate) fn kill_producer(&mut self, idx: u32) {
        self.with_producer(idx, |p, _| p.kill());
    }

    /// `Change::CrashProcessor`: the processor's process dies (consumer and producer): its
    /// open transaction stays open at the coordinator.
    pub(crate) fn crash_processor(&mut self, pr: u32) -> Result<(), crate::config::ConfigError> {
        let p = self.checked_processor(pr)?;
        if p.phase == ProcessorPhase::Crashed {
            return Err(crate::config::ConfigError::new(
                "processor",
                format!("processor {pr} is already down"),
            ));
        }
        let (c, idx) = (p.consumer, p.producer);
        if self.consumers.get(c as usize).is_some_and(|x| x.alive) {
            self.crash_consumer(c)?;
        }
        self.kill_producer(idx);
        let p = self.processor_mut(pr);
        p.phase = ProcessorPhase::Crashed;
        p.batch.clear();
        p.crashes += 1;
        Ok(())
    }

    /// `Change::RestartProcessor`: the processor starts again, with the same
    /// transactional.id or a new one.
    pub(crate) fn restart_processor(
        &mut self,
        pr: u32,
        new_transactional_id: bool,
    ) -> Result<(), crate::config::ConfigError> {
        let p = self.checked_processor(pr)?;
        if p.phase != ProcessorPhase::Crashed {
            return Err(crate::config::ConfigError::new(
                "processor",
                format!("processor {pr} is running (only a crashed processor restarts)"),
            ));
        }
        let c = p.consumer;
        self.pipeline_new_producer(pr, new_transactional_id);
        self.restart_consumer(c)?;
        self.set_phase(pr, ProcessorPhase::Polling);
        Ok(())
    }

    pub(crate) fn checked_processor(
        &self,
        pr: u32,
    ) -> Result<&Processor, crate::config::ConfigError> {
        let Some(pl) = self.pipeline.as_ref() else {
            return Err(crate::config::ConfigError::new(
                "processor",
                "no pipeline runs: set sim.pipeline=ctp (and reset)",
            ));
        };
        pl.processors.get(pr as usize).ok_or_else(|| {
            crate::config::ConfigError::new(
                "processor",
                format!(
                    "{pr} is out of range: processors are 0 to {}",
                    pl.processors.len().saturating_sub(1)
                ),
            )
        })
    }
}
