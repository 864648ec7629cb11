//! switchyard library.
