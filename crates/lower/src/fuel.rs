//! Fuel metering: what each operator costs, and where the lowering charges it.
//!
//! Code lowered with [`Options::fuel`](crate::Options::fuel) pays for the operators it runs
//! out of the store's fuel, and stops ("out of fuel") when the fuel left cannot pay. The
//! schedule depends only on the module, never on the machine, the build or the timing, so
//! the same program given the same fuel stops at the same instruction on every run.
//!
//! # The schedule
//!
//! - Every operator of a function body costs 1 ([`operator_cost`]), except the ones that
//!   only mark structure (`block`, `loop`, `else`, `end`, `try_table`, `try`, `catch`,
//!   `catch_all`, `delegate`), which cost 0. A branch costs 1 wherever it goes; a call
//!   costs 1, and the callee pays for its own body.
//! - The bulk operators `memory.fill`, `memory.copy`, `memory.init`, `table.fill`,
//!   `table.copy` and `table.init` cost 1 more per [`BULK_UNITS_PER_FUEL`] bytes or
//!   elements they touch ([`bulk_cost`]), charged when they start, before they change
//!   anything.
//! - Host functions cost nothing beyond the call: they run outside the interpreter.
//!
//! # Where it is charged
//!
//! Not per instruction: a `ConsumeFuel` instruction at the start of each *region* takes
//! the cost of every operator of that region at once. Regions start at a function's entry,
//! at a loop's head (so each iteration pays again) and at each arm of an `if`. A region
//! holds the operators of its construct that are not inside a nested region: the code
//! after a nested `block`, `if` or `loop` ends belongs to the region around it, which has
//! already paid for it (it runs at most once each time that region starts, since the only
//! backward jumps go to loop heads). An operator a branch skips has still been paid for:
//! the schedule charges the region, not the path through it.
//!
//! When the fuel left cannot pay a region's charge, the code stops before the region's
//! first operator, and no fuel is taken: given more fuel, it can resume right there.

/// Bytes (memory) or elements (tables) a bulk operator handles per unit of fuel, beyond
/// its base cost of 1.
pub const BULK_UNITS_PER_FUEL: u64 = 64;

/// The fuel an operator costs where it appears in a body (the bulk operators' length
/// cost comes on top, when they run: [`bulk_cost`]).
pub fn operator_cost(op: &rill_decoder::Operator<'_>) -> u32 {
    use rill_decoder::Operator as O;
    match op {
        O::Block { .. }
        | O::Loop { .. }
        | O::Else
        | O::End
        | O::TryTable { .. }
        | O::Try { .. }
        | O::Catch { .. }
        | O::CatchAll
        | O::Delegate { .. } => 0,
        _ => 1,
    }
}

/// The fuel a bulk operator costs at run time for touching `n` bytes or elements.
pub fn bulk_cost(n: u64) -> u64 {
    n / BULK_UNITS_PER_FUEL
}
