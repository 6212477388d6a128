//! `streamscope partition` (placeholder; being written).
use crate::CliError;

#[derive(clap::Args)]
pub struct Args {}

pub fn main(_args: Args) -> Result<(), CliError> {
    Err(CliError::io("not implemented yet"))
}
