//! The canvas renderer: draws only what the core's per-frame view says
//! (`streamscope_core::sim::view::Frame`, read once per frame by `Sim::frame`), at the current
//! simulated time. Messages in flight are placed by interpolating between their send and
//! delivery times; nothing moves that the core did not do. Holds no Kafka logic: every rule it
//! shows (a group's phase, a zombie, the wait at the LSO, lag) is a core answer in the frame.
//!
//! This module only runs the frame: [`draw`] is the one place that reads the `Sim` (its frame,
//! and the trace for `crate::rebalance`); every part takes the frame. The parts, bottom up, are
//! `paint` (colours and drawing helpers), `hits` (what a click points at), `layout` (where
//! things go), `pixels` (dense tiles as one image), `marks` (the flat record of what was drawn, for the test hook), `state` (what is
//! kept between frames), then the columns and what flies between them (`producers`,
//! `in_flight`, `accumulator`, `cluster` with its rows in `replica` and their logs in `log_strip`, `txn`, `groups`,
//! `group_chart`, `members`, `consumers`, `txn_messages`, `messages`, and `outline`: what the
//! event log's clicked line names). The parts import each other, never this module.

mod accumulator;
mod cluster;
mod consumers;
mod group_chart;
mod groups;
mod hits;
mod in_flight;
mod layout;
mod log_strip;
mod marks;
mod members;
mod messages;
mod outline;
mod paint;
mod pixels;
mod producers;
mod replica;
mod state;
mod txn;
mod txn_messages;

pub use hits::{Hit, Hits, Target, MAX_HITS};
pub use in_flight::request_line;
pub use layout::{Layout, BUTTON_ROOM, HEIGHT, WIDTH};
pub use marks::{GroupMark, ReplicaMark, TxnMarks};
pub use paint::{human_bytes, key_colour};
pub use producers::{compression_text, producer_status};
pub use state::{NodeBox, View};
pub use txn_messages::{is_txn_kind, message_label};

use crate::i18n::Lang;
use streamscope_core::Sim;
use web_sys::CanvasRenderingContext2d as Ctx;

/// Draws the whole frame and records its hit boxes and marks in `view`: reads the core's
/// frame once (into the last frame's vectors), then every part draws from it.
pub fn draw(ctx: &Ctx, sim: &Sim, lang: Lang, view: &mut View) {
    let f = sim.frame_with(core::mem::take(&mut view.frame_buffers));
    let l = Layout::new(&f);
    view.hits.clear();
    view.pixels.new_frame();
    view.nodes.clear();
    view.observe(&f, l.partitions);
    view.rebalance.observe(sim);
    let dashes = paint::Dashes::new();
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, WIDTH, HEIGHT);
    view.txn.observe(&f);
    producers::draw_headers(ctx, &f, &l, lang, view.txn.marks.world);
    let below_producers = producers::draw_producers(ctx, &f, &l, lang, view);
    in_flight::draw_in_flight(ctx, &f, &l, lang, below_producers);
    accumulator::draw_accumulator(ctx, &f, &l, lang, view, &dashes);
    accumulator::draw_lane(ctx, &f, &l, &dashes);
    cluster::draw_brokers(ctx, &f, &l, lang, view);
    groups::draw_groups(ctx, &f, &l, lang, view);
    consumers::draw_consumers(ctx, &f, &l, lang, view);
    messages::draw_messages(ctx, &f, &l, view, &dashes);
    members::draw_group_messages(ctx, &f, &l);
    outline::note_nodes(&f, &l, view);
    outline::draw_highlight(ctx, view);
    view.frame_buffers = f.into_buffers();
}
