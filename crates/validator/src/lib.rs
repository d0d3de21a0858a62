//! rill-validator: module and function validation for WebAssembly 3.0, fed section by section (issue 3).
