//! rill's spec-test harness (being assembled).

pub mod expected;
pub mod report;
