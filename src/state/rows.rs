//! The rows each panel lists, after the filter: shared by the renderer (what to draw) and by
//! `update` (how far the selection may move), so both always agree.

use super::{Panel, State};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    /// One service in one region (indices into `State::services` and its `regions`).
    Region {
        service: usize,
        region: usize,
    },
    Function {
        service: usize,
        region: usize,
        function: usize,
    },
    Service {
        service: usize,
    },
}

pub fn rows(state: &State, panel: Panel) -> Vec<Row> {
    let filter = state.view.filter.to_lowercase();
    let matches = |parts: &[&str]| {
        filter.is_empty() || parts.iter().any(|p| p.to_lowercase().contains(&filter))
    };
    let mut rows = Vec::new();
    for (si, svc) in state.fleet.services.iter().enumerate() {
        let name = svc.service.name.as_str();
        match panel {
            Panel::Pipeline => {
                if svc.service.pipeline.is_some() {
                    let pipeline = svc.service.pipeline.as_deref().unwrap_or_default();
                    if matches(&[name, pipeline]) {
                        rows.push(Row::Service { service: si });
                    }
                }
            }
            Panel::Health | Panel::Replication | Panel::Domains => {
                for (ri, region) in svc.regions.iter().enumerate() {
                    if matches(&[name, &region.region]) {
                        rows.push(Row::Region {
                            service: si,
                            region: ri,
                        });
                    }
                }
            }
            Panel::Lambda => {
                for (ri, region) in svc.regions.iter().enumerate() {
                    for (fi, function) in svc.service.functions.iter().enumerate() {
                        if matches(&[name, &region.region, function]) {
                            rows.push(Row::Function {
                                service: si,
                                region: ri,
                                function: fi,
                            });
                        }
                    }
                }
            }
        }
    }
    rows
}
