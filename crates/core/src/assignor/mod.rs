//! Consumer group partition assignors (placeholder; being written).
