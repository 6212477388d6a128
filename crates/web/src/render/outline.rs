//! What the event log's clicked line names, outlined on the canvas (a broker's, a producer's
//! or a consumer's box, a partition's rows, a record's dot), and the boxes of the nodes, so
//! that a click on one can filter the log to it. Drawn last, over the frame.

use super::hits::Target;
use super::layout::Layout;
use super::state::{NodeBox, View};
use streamscope_core::net::Node;
use streamscope_core::sim::view::event_words::Subjects;
use streamscope_core::sim::view::Frame;
use web_sys::CanvasRenderingContext2d as Ctx;

const OUTLINE: &str = "#fb8500";
/// The guided scenario's step's objects (`View::guide`).
const GUIDE_OUTLINE: &str = "#7c3aed";

/// Notes the brokers' and consumers' boxes (the producers' are noted as they are drawn).
pub fn note_nodes(f: &Frame, l: &Layout, view: &mut View) {
    for b in &f.brokers {
        view.nodes.push(NodeBox {
            x: l.broker_x,
            y: l.broker_y(b.id),
            w: l.broker_w,
            h: l.broker_h,
            node: Node::Broker(b.id),
        });
    }
    for c in &f.consumers {
        view.nodes.push(NodeBox {
            x: l.cons_x,
            y: l.consumer_y(c.index),
            w: l.cons_w,
            h: l.cons_h,
            node: Node::Consumer(c.index),
        });
    }
}

/// Outlines what the highlighted line names, and what the guided scenario's step talks about.
pub fn draw_highlight(ctx: &Ctx, view: &View) {
    for s in &view.guide {
        outline(ctx, view, s, GUIDE_OUTLINE, 4.0);
    }
    if let Some(s) = view.highlight.as_ref() {
        outline(ctx, view, s, OUTLINE, 0.0);
    }
}

/// Outlines the nodes and the rows or dots `s` names, `pad` further out than the log's.
fn outline(ctx: &Ctx, view: &View, s: &Subjects, colour: &str, pad: f64) {
    ctx.set_stroke_style_str(colour);
    ctx.set_line_width(3.0);
    for n in view.nodes.iter().filter(|n| s.names(n.node)) {
        ctx.stroke_rect(
            n.x - 2.0 - pad,
            n.y - 2.0 - pad,
            n.w + 4.0 + 2.0 * pad,
            n.h + 4.0 + 2.0 * pad,
        );
    }
    for h in view.hits.boxes() {
        let hit = match h.target {
            Target::Record(id) => s.record == Some(id),
            Target::Partition {
                topic, partition, ..
            } => s
                .partition
                .is_some_and(|tp| tp.topic == topic && tp.partition == partition),
            Target::Marker { .. } => false,
        };
        if hit {
            let p = 1.5 + pad / 2.0;
            ctx.stroke_rect(h.x - p, h.y - p, h.w + 2.0 * p, h.h + 2.0 * p);
        }
    }
    ctx.set_line_width(1.0);
}
