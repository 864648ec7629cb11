//! Unit tests of the event loop's parts: `actions` (the action task and the wait at close).

mod actions;
