//! rill-lower: translates validated function bodies into register bytecode (issue 4).
