//! What the page's controls ask for, as plain data: each control reads the DOM and produces
//! one [`Action`]; `crate::apply` is the one place that applies it (to the world and the twin)
//! and says what happened. Raw text from the page travels as typed, and is parsed (and
//! refused with a message) where it is applied.

use crate::render::Target;
use streamscope_core::sim::history::marks::MarkGroup;
use streamscope_core::Change;

/// What a broker button asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BrokerAction {
    /// The process is killed on a live host (`Change::KillBroker`).
    Kill,
    /// The host is lost: silent (`Change::CrashBroker`).
    LoseHost,
    Restart,
}

/// One thing a control asks the page to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Play / Pause.
    TogglePlay,
    /// One event (or one drain step).
    Step,
    /// The test hook's `step(n)`: `n` events, then one drawing.
    Steps(u64),
    /// Simulated seconds per real second.
    SetSpeed(f64),
    /// The page's "Log tiles" view setting: always large (10-unit) tiles, or (`false`) tiles
    /// that shrink as a log grows. Only the drawing changes, never the world.
    SetLargeTiles(bool),
    /// Reset with the seed as typed.
    Reset {
        raw: String,
    },
    /// Reset with a seed from the OS.
    RandomReset,
    /// A click on the canvas at (x, y) in canvas units.
    Click {
        x: f64,
        y: f64,
    },
    /// Select what the inspector shows (or close it).
    Select(Option<Target>),
    /// Escape: close the inspector if it is open.
    Deselect,
    /// The calculator's inputs changed.
    Calculator,
    /// English <-> Korean.
    ToggleLanguage,
    /// A setting control: `name` = its value (then every control is brought back).
    Setting {
        name: &'static str,
        value: String,
    },
    /// The free setting box: `name=value` as typed.
    FreeSetting {
        raw: String,
    },
    /// The fault box: `--fault` syntax as typed.
    Fault {
        raw: String,
    },
    EndFaults,
    /// "Drain (stop sending)".
    Drain,
    /// "Compare": world B with the settings as typed (`name=value, ...`).
    Compare {
        raw: String,
    },
    /// "Stop comparing".
    StopCompare,
    Broker {
        broker: u32,
        action: BrokerAction,
    },
    /// A consumer-group button: the change built from the form, or why the form is wrong.
    Member(Result<Change, String>),
    /// Add a group (named after the number of groups).
    AddGroup,
    /// Raise the first topic's partition count by one.
    AddPartition,
    /// The rebalance protocol selector picked this strategy list.
    Protocol {
        list: &'static str,
    },
    /// A setting from the Transactions box.
    TxnSetting {
        name: &'static str,
        value: String,
    },
    /// The side-by-side group with the other isolation.level on or off.
    TxnCompare(bool),
    /// Begin / Commit / Abort / Start zombie.
    Txn(Change),
    /// A pipeline setting (applies on Reset).
    PipelineSetting {
        name: &'static str,
        value: String,
    },
    /// Crash the processor numbered as typed, mid-transaction or not.
    CrashProcessor {
        raw: String,
        in_txn: bool,
    },
    /// Restart the processor numbered as typed, with the same or a new transactional.id.
    RestartProcessor {
        raw: String,
        new_id: bool,
    },
    /// The test hook's `apply(name, value)`: the setting, then the controls brought back.
    HookSetting {
        name: String,
        value: String,
    },
    /// The test hook's `runUntilMs(ms)`: run to that simulated time and draw.
    RunUntil {
        ms: f64,
    },
    /// `n` events back ("Step back", ←, the test hook's `back(n)`).
    StepBack(u64),
    /// Back to the head of the run.
    Live,
    /// The world as running to this time left it (the test hook's `seek(time_us)`).
    Seek {
        time_us: f64,
    },
    /// A pointer on the timeline at (x, y) in its units: pressed (a mark near it, else the
    /// time), or dragged while pressed (the time).
    TimelineAt {
        x: f64,
        y: f64,
        drag: bool,
    },
    /// The pointer let go of the timeline.
    TimelineUp,
    /// A key on the focused timeline: Home, End, PageUp, PageDown.
    TimelineKey(&'static str),
    /// The kind previous / next moves by (`None`: any).
    MarkKind(Option<MarkGroup>),
    /// The previous (false) or next (true) mark of that kind.
    JumpKind {
        forward: bool,
    },
    /// "Jump to time" as typed.
    JumpTime {
        raw: String,
    },
    /// The event log's node or kind select, its value as the page holds it.
    LogNode(String),
    LogKind(String),
    /// A click on the log's line of event `event`: right after it, what it names outlined.
    LogLine {
        event: u64,
    },
    /// "Copy link".
    CopyLink,
    /// The address's fragment changed by hand: open the run it names.
    OpenLink {
        fragment: String,
    },
}
