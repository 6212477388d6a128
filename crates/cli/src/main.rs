//! `streamscope`: the simulator without the browser. Holds no Kafka logic: every subcommand
//! parses its input, calls `streamscope-core`, and prints.

mod assign;
mod assign_consumer;
mod campaign;
mod compare;
mod link;
mod partition;
mod run;
mod scenario;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// A failure the user can act on: the message says what was wrong and what to do.
#[derive(Debug)]
pub struct CliError {
    /// 2 for bad input (flags, settings, stdin), 1 for anything else.
    pub code: u8,
    pub message: String,
}

impl CliError {
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            code: 2,
            message: message.into(),
        }
    }
    pub fn io(message: impl Into<String>) -> Self {
        CliError {
            code: 1,
            message: message.into(),
        }
    }
}

#[derive(Parser)]
#[command(
    name = "streamscope",
    version,
    about = "Apache Kafka's producer and consumer internals, simulated deterministically"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the simulated world headless and print what happened.
    Run(run::Args),
    /// Print the partition the Java client's key hashing picks for each key on standard input.
    Partition(partition::Args),
    /// Compute a consumer group assignment exactly as Kafka's assignors do (JSON on stdin):
    /// the client's (--protocol classic) or the group coordinator's (--protocol consumer).
    Assign(assign::Args),
    /// Run many seeds over a grid of settings with random faults and tabulate what Kafka
    /// kept, lost and duplicated.
    Campaign(campaign::Args),
    /// Run world A and world B (A with --b settings) on the same seed and faults and print
    /// their metrics side by side with B - A.
    Compare(compare::Args),
    /// List the guided scenarios.
    Scenarios(scenario::ListArgs),
    /// Check a guided scenario: play its steps and check every claim its narration makes.
    Scenario(scenario::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(a) => run::main(a),
        Command::Partition(a) => partition::main(a),
        Command::Assign(a) => assign::main(a),
        Command::Campaign(a) => campaign::main(a),
        Command::Compare(a) => compare::main(a),
        Command::Scenarios(a) => scenario::list(a),
        Command::Scenario(a) => scenario::main(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("streamscope: {}", e.message);
            ExitCode::from(e.code)
        }
    }
}
