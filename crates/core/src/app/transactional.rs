//! The transactional producing application: it drives the producer's public calls
//! (`initTransactions`, `beginTransaction`, `send`, `commitTransaction`, `abortTransaction`)
//! as a Java application would, with `sim.transaction.records` records per transaction and
//! `sim.transaction.abort.percent` of them aborted; the page's Begin / Commit / Abort and its
//! zombie (an old instance that keeps sending after a new one fenced it).

use crate::app::pipeline::state::is_processor_app;
use crate::event::Event;
use crate::producer::transaction::ClientTxnState;
use crate::producer::transaction::TxnCall;
use crate::sim::{Pending, Sim};
use crate::time::SimTime;

impl Sim {
    /// One step of a transactional application (the current instance on its `ProduceTick`,
    /// a zombie on its own timer): begin, commit or abort as its workload says, or `None`
    /// with `send` set when it sends a record now. `None` and no send: it waits (for
    /// initTransactions or the end of a transaction, or for the page in manual mode).
    pub(crate) fn txn_app_step(&mut self, idx: u32) -> (Option<Event>, bool) {
        let app = self.txn_app(idx);
        let p = self.producer_mut(idx);
        let n = p.config.workload.transaction_records.value;
        let abort_percent = p.config.workload.transaction_abort_percent.value;
        let Some(t) = p.txn.as_ref() else {
            return (None, true);
        };
        match t.state {
            ClientTxnState::Ready if n > 0 => {
                let will_abort = abort_percent > 0 && p.rng.percent(abort_percent);
                self.txn_app_begin(idx, will_abort);
                self.txn_next_tick(idx, None);
                let ev = Event::TransactionCall {
                    producer: idx,
                    call: TxnCall::Begin,
                };
                (Some(ev), false)
            }
            ClientTxnState::InTransaction if n > 0 && app.records >= n => {
                let commit = !app.will_abort;
                self.txn_end(idx, commit);
                let call = if commit {
                    TxnCall::Commit
                } else {
                    TxnCall::Abort
                };
                let ev = Event::TransactionCall {
                    producer: idx,
                    call,
                };
                (Some(ev), false)
            }
            ClientTxnState::InTransaction => (None, true),
            _ => (None, false),
        }
    }

    /// A zombie's application step (its sends go through the same path as the current
    /// instance's).
    pub(crate) fn txn_app_tick(&mut self, idx: u32) -> Option<Event> {
        let (ev, send) = self.txn_app_step(idx);
        if send {
            return Some(self.app_send(idx));
        }
        ev
    }

    /// Schedules the next application step of a transactional instance: its application's
    /// tick when it is the current instance, else its own (zombie) timer. `after`: the last
    /// record's creation (the rate counts from it), else now.
    pub(crate) fn txn_next_tick(&mut self, idx: u32, after: Option<SimTime>) {
        let p = self.producer(idx);
        let app = p.app;
        let Some(dt) = self.produce_interval(app) else {
            return;
        };
        let at = after.unwrap_or(self.now).plus(dt).max(self.now);
        if self.app_producer.get(app as usize) == Some(&idx) {
            self.schedule_tick(app, at);
        } else if !self.draining && self.producers[idx as usize].txn.is_some() {
            self.schedule_zombie_tick(idx, at);
        }
    }

    /// The application carries on at once (a blocking call returned).
    pub(crate) fn txn_resume(&mut self, idx: u32) {
        let p = self.producer(idx);
        let app = p.app;
        if self.app_producer.get(app as usize) == Some(&idx) {
            if self
                .app_next_send
                .get(app as usize)
                .copied()
                .flatten()
                .is_none()
            {
                self.schedule_tick(app, self.now);
            }
        } else if !self.draining
            && p.state == crate::producer::ProducerState::Running
            && p.txn.is_some()
        {
            self.schedule_zombie_tick(idx, self.now);
        }
    }

    /// A zombie instance's next application step, at `at` (replacing any other).
    fn schedule_zombie_tick(&mut self, idx: u32, at: SimTime) {
        self.txn_apps.entry(idx).or_default().tick_at = Some(at);
        self.schedule(at, Pending::ZombieTick { producer: idx, at });
    }

    /// A zombie's application step is due: it runs unless a later plan replaced it or the
    /// application is inside a blocked `send()` or `send().get()`.
    pub(crate) fn on_zombie_tick(&mut self, idx: u32, at: SimTime) -> Option<Event> {
        let p = self.producers.get(idx as usize)?;
        p.txn.as_ref()?;
        let app = self.txn_apps.get_mut(&idx)?;
        if app.tick_at != Some(at) {
            return None;
        }
        app.tick_at = None;
        if p.blocked.is_some() || p.awaiting_ack.is_some() {
            return None;
        }
        self.txn_app_tick(idx)
    }

    /// The application's view of instance `idx` (nothing sent, no abort planned, before its
    /// first transaction).
    pub(crate) fn txn_app(&self, idx: u32) -> crate::app::txn_state::TxnAppInstance {
        self.txn_apps.get(&idx).copied().unwrap_or_default()
    }

    /// beginTransaction(), and the application's count of the transaction's records starts
    /// again; it will abort the transaction when `will_abort`.
    fn txn_app_begin(&mut self, idx: u32, will_abort: bool) {
        self.txn_begin(idx);
        let app = self.txn_apps.entry(idx).or_default();
        app.records = 0;
        app.will_abort = will_abort;
    }

    /// `send()` appended a record of a transactional instance: it is in the open transaction.
    pub(crate) fn txn_app_record_sent(&mut self, idx: u32) {
        self.txn_apps.entry(idx).or_default().records += 1;
    }

    // ----- live changes -----

    /// The page begins, commits or aborts the application's transaction; refused (and
    /// nothing changes) when the producer is not transactional or not in a state that allows
    /// the call (Kafka's `IllegalStateException`).
    pub(crate) fn txn_change(
        &mut self,
        app: u32,
        call: TxnCall,
    ) -> Result<(), crate::config::ConfigError> {
        let idx = self.transactional_instance(app)?;
        let state = self.producers[idx as usize]
            .txn
            .as_ref()
            .map_or(ClientTxnState::Fatal, |t| t.state);
        let want = match call {
            TxnCall::Begin => ClientTxnState::Ready,
            _ => ClientTxnState::InTransaction,
        };
        if state != want {
            return Err(crate::config::ConfigError::new(
                "transaction",
                alloc::format!(
                    "{}: the producer is {}, and this needs {} (Kafka throws IllegalStateException: Invalid transition attempted)",
                    match call {
                        TxnCall::Begin => "beginTransaction()",
                        TxnCall::Commit => "commitTransaction()",
                        TxnCall::Abort => "abortTransaction()",
                    },
                    state.name(),
                    want.name()
                ),
            ));
        }
        match call {
            TxnCall::Begin => {
                self.txn_app_begin(idx, false);
                self.txn_resume(idx);
            }
            TxnCall::Commit => self.txn_end(idx, true),
            TxnCall::Abort => self.txn_end(idx, false),
        }
        Ok(())
    }

    /// A second instance with the same transactional.id starts (initTransactions): it takes
    /// over the application, and the running one carries on as a zombie until it is fenced.
    pub(crate) fn start_zombie(&mut self, app: u32) -> Result<(), crate::config::ConfigError> {
        let old = self.transactional_instance(app)?;
        let cfg = self.config.producers[app as usize].clone();
        let new = self.create_producer(app, cfg);
        self.app_producer[app as usize] = new;
        self.txn_resume(old);
        Ok(())
    }

    /// The run drains: every transactional application ends its open transaction (commit,
    /// or abort when it meant to).
    pub(crate) fn txn_drain(&mut self) {
        for idx in 0..self.producers.len() as u32 {
            let p = &self.producers[idx as usize];
            let Some(t) = p.txn.as_ref() else {
                continue;
            };
            if t.state == ClientTxnState::InTransaction
                && p.state == crate::producer::ProducerState::Running
                && !is_processor_app(p.app)
            {
                let commit = !self.txn_app(idx).will_abort;
                self.txn_end(idx, commit);
            }
        }
    }

    pub(crate) fn transactional_instance(
        &self,
        app: u32,
    ) -> Result<u32, crate::config::ConfigError> {
        let idx = *self.app_producer.get(app as usize).ok_or_else(|| {
            crate::config::ConfigError::new(
                "producer",
                alloc::format!(
                    "{app} is not a producer application: there are {}",
                    self.app_producer.len()
                ),
            )
        })?;
        if self.producers[idx as usize].txn.is_none() {
            return Err(crate::config::ConfigError::new(
                crate::config::settings::producer::TRANSACTIONAL_ID.name,
                alloc::format!(
                    "producer {app} has no transactional.id (Kafka: TransactionalId must be set to use transactions)"
                ),
            ));
        }
        Ok(idx)
    }
}
