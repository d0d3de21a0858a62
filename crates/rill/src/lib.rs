//! rill: the façade embedders use, mirroring the WebAssembly JS API (issue 5).
