//! rill-vm: the register-based interpreter and runtime (issue 4).
