//! Guarded actions. So far: the audit log every action writes (the plans, preflight,
//! confirmation and execution come with the actions themselves).

pub mod audit;
