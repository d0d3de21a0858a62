//! rill's spec-test harness (being assembled).

pub mod decode;
pub mod expected;
pub mod report;
