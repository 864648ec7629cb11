//! Unit tests of the event loop's parts: `actions` (the action task and the wait at close) and
//! `journal` (the incident journal read at start, and its writer thread).

mod actions;
mod journal;
