//! What the fuzz targets share for reporting a finding (included by each target with
//! `#[path = "report.rs"] mod report;`).

use std::sync::OnceLock;

/// Whether the environment variable `name` is set to something other than empty or `0`.
pub fn env_flag(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0")
}

/// `RILL_FUZZ_REPORT=1`: print findings instead of panicking, to triage a whole corpus at
/// once (`cargo fuzz run TARGET CORPUS -- -runs=0`).
pub fn report_only() -> bool {
    static REPORT: OnceLock<bool> = OnceLock::new();
    *REPORT.get_or_init(|| env_flag("RILL_FUZZ_REPORT"))
}

/// Reports a finding: printed with `RILL_FUZZ_REPORT`, else a panic (so libFuzzer saves the
/// input).
pub fn finding(report: String) {
    if report_only() {
        eprintln!("{report}");
    } else {
        panic!("{report}");
    }
}

/// A module's bytes in hex, for a report (not shown above 4 KiB).
pub fn hex(bytes: &[u8]) -> String {
    if bytes.len() > 4096 {
        return format!("({} bytes, not shown)", bytes.len());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
