//! TxnOffsetCommit at the group coordinator (KIP-447): the generation and member checks, the
//! producer's check at its transaction coordinator (`GroupCall::VerifyTxnOffsetCommit`), the
//! offsets held pending until their transaction ends, then committed or dropped with it.
//!
//! Simplified: the group is validated before the transaction coordinator adds the group's
//! partition (transaction.version 2), so a refused commit adds nothing; Kafka verifies (and
//! adds) first and validates the group in the write that follows.

use crate::coordinator::group::context::{GroupCall, GroupCtx};
use crate::coordinator::group::state::{GroupCoordinators, TxnOffsetCommitRequest};
use crate::event::Delivery;
use crate::net::{Body, GroupError, KafkaError, Node};

impl GroupCoordinators {
    // ----- transactional offset commits (KIP-447; see `app::pipeline`) -----

    /// TxnOffsetCommit at broker `b`: refused NOT_COORDINATOR unless `b` leads the group's
    /// offsets partition; otherwise the group's answer is computed and the producer is
    /// verified at its transaction coordinator, whose verdict completes the request
    /// (`on_txn_offset_commit_verified`). `None`: it waits for that verdict.
    pub(crate) fn on_txn_offset_commit(
        &mut self,
        ctx: &mut GroupCtx,
        b: u32,
        from: Node,
        body: Body,
    ) -> Option<Delivery> {
        let Body::TxnOffsetCommit {
            transactional_id,
            producer_id,
            epoch,
            group,
            member_id,
            generation,
            instance_id,
            offsets,
            ..
        } = body
        else {
            unreachable!("dispatch passes only TxnOffsetCommit requests here");
        };
        let g = self.group(group);
        if self.offsets_leader(g.offsets_partition) != Some(b) {
            txn_offset_commit_reply(ctx, b, from, Some(GroupError::NotCoordinator), None);
            return Some(Delivery::GroupRefused {
                error: GroupError::NotCoordinator,
            });
        }
        let group_error =
            g.validate_offset_commit(&member_id, generation, instance_id.as_deref(), true);
        ctx.out
            .call(GroupCall::VerifyTxnOffsetCommit(TxnOffsetCommitRequest {
                broker: b,
                from,
                transactional_id,
                producer_id,
                epoch,
                group,
                member_id,
                generation,
                instance_id,
                offsets,
                add_partition: group_error.is_none(),
            }));
        None
    }

    /// The transaction coordinator's verdict on a TxnOffsetCommit's producer (`Err`: the
    /// producer is refused, fenced or its transaction not open): the producer's error first,
    /// then the group's (unknown member, fenced instance, stale generation); the offsets wait
    /// as pending until the transaction ends.
    pub(crate) fn on_txn_offset_commit_verified(
        &mut self,
        ctx: &mut GroupCtx,
        req: TxnOffsetCommitRequest,
        verdict: Result<(), KafkaError>,
    ) -> Delivery {
        let (b, from) = (req.broker, req.from);
        if let Err(e) = verdict {
            txn_offset_commit_reply(ctx, b, from, None, Some(e));
            return Delivery::Txn {
                state: None,
                error: Some(e),
            };
        }
        let g = self.group_mut(req.group);
        let error = g.validate_offset_commit(
            &req.member_id,
            req.generation,
            req.instance_id.as_deref(),
            true,
        );
        assert_eq!(
            error.is_none(),
            req.add_partition,
            "group {}: the group's answer changed while its producer was verified",
            req.group
        );
        if let Some(e) = error {
            txn_offset_commit_reply(ctx, b, from, Some(e), None);
            return Delivery::GroupRefused { error: e };
        }
        let pending = g.pending_txn_offsets.entry(req.producer_id).or_default();
        for (tp, o) in req.offsets {
            pending.insert(tp, o);
        }
        txn_offset_commit_reply(ctx, b, from, None, None);
        Delivery::Group
    }

    /// The transaction of `producer_id` ends: its pending offsets in `groups` become the
    /// committed offsets (commit) or are dropped (abort).
    pub(crate) fn complete_txn_offsets(
        &mut self,
        ctx: &mut GroupCtx,
        producer_id: i64,
        groups: &[u32],
        commit: bool,
    ) {
        for &gi in groups {
            let g = self.group_mut(gi);
            let Some(offsets) = g.pending_txn_offsets.remove(&producer_id) else {
                // The transaction committed no offsets of this group.
                continue;
            };
            if commit {
                for (tp, o) in &offsets {
                    g.committed.insert(*tp, *o);
                }
                ctx.out.call(GroupCall::ShowCommittedOffsets {
                    group: gi,
                    offsets: offsets.into_iter().collect(),
                });
            }
        }
    }
}

/// The TxnOffsetCommit response from broker `b` to the producer `to`.
fn txn_offset_commit_reply(
    ctx: &mut GroupCtx,
    b: u32,
    to: Node,
    error: Option<GroupError>,
    producer_error: Option<KafkaError>,
) {
    ctx.out.send(
        Node::Broker(b),
        to,
        Body::TxnOffsetCommitResponse {
            error,
            producer_error,
        },
    );
}
