//! The plan made again when the confirmation is typed, from the state as it is then and with the
//! dialog's parameters (action, service, target; approvals carry the console's summaries). A
//! dialog can stand open for minutes: only a plan that still says the same (the calls, the
//! effect, each preflight check's verdict) executes; a changed one replaces the shown one and is
//! read and confirmed again.

use super::State;
use super::dialog::{APPROVE_SUMMARY, REJECT_SUMMARY, Stage};
use crate::action::{ActionKind, Plan, PlanError, plan};
use crate::assess::preflight::Preflight;
use crate::model::Timestamp;
use crate::source::call::Call;

/// What the dialog says when the plan made at Enter differs from the one shown.
pub const PLAN_CHANGED: &str =
    "the plan changed while the dialog was open: read it again and confirm";

/// The plan for `shown`'s action, service and target, made from the state now.
fn again(state: &State, shown: &Plan, now: Timestamp) -> Result<Plan, PlanError> {
    let service = shown.service.as_str();
    match shown.action {
        ActionKind::Failover => plan::failover(&state.fleet, service, &shown.target, now),
        ActionKind::Failback => plan::failback(&state.fleet, service, now),
        ActionKind::Approve => plan::approval(&state.fleet, service, true, APPROVE_SUMMARY, now),
        ActionKind::Reject => plan::approval(&state.fleet, service, false, REJECT_SUMMARY, now),
    }
}

/// Enter with the exact confirmation: `Ok(plan)`, the plan made now, to execute (it says what
/// the shown one said); or `Err(stage)`, the step to show instead (the changed plan, or why no
/// plan can be made now). `reason` is the forced reason typed at the previous step.
pub(super) fn on_confirm(
    state: &State,
    shown: &Plan,
    reason: Option<String>,
    now: Timestamp,
) -> Result<Box<Plan>, Stage> {
    let current = match again(state, shown, now) {
        Ok(plan) => plan,
        Err(e) => {
            return Err(Stage::Unplanned {
                error: format!("{e} (the state changed while the dialog was open)"),
            });
        }
    };
    let changed = changes(shown, &current);
    if changed.is_empty() {
        return Ok(Box::new(current));
    }
    let note = Some(format!("{PLAN_CHANGED} (changed: {})", changed.join("; ")));
    let plan = Box::new(current);
    Err(match (plan.preflight.passed(), reason) {
        // Not passing now, and no reason yet: the reason comes first, as when it opened.
        (false, None) => Stage::Reason {
            plan,
            reason: String::new(),
            note,
        },
        (false, Some(reason)) => Stage::Confirm {
            plan,
            reason: Some(reason),
            typed: String::new(),
            note,
        },
        // Passing now: nothing is forced any more.
        (true, _) => Stage::Confirm {
            plan,
            reason: None,
            typed: String::new(),
            note,
        },
    })
}

/// What differs between the plan shown and the plan made now, in words; empty: the same.
fn changes(shown: &Plan, current: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    if !same_calls(&shown.calls, &current.calls) {
        out.push("the calls".to_string());
    }
    if shown.effect != current.effect {
        out.push("the effect".to_string());
    }
    out.extend(
        verdicts(&shown.preflight, &current.preflight)
            .into_iter()
            .map(|c| format!("preflight {c}")),
    );
    out
}

/// Each preflight check whose verdict changed, appeared or went ("target health check ok → FAIL").
/// The details are not compared: they carry ages that move on by the second.
fn verdicts(shown: &Preflight, current: &Preflight) -> Vec<String> {
    let mut out = Vec::new();
    for check in &current.checks {
        match shown.checks.iter().find(|c| c.name == check.name) {
            Some(old) if old.status == check.status => {}
            Some(old) => out.push(format!(
                "{} {} → {}",
                check.name,
                old.status.label(),
                check.status.label()
            )),
            None => out.push(format!("{} {} (new)", check.name, check.status.label())),
        }
    }
    for old in &shown.checks {
        if !current.checks.iter().any(|c| c.name == old.name) {
            out.push(format!("{} (no longer checked)", old.name));
        }
    }
    out
}

/// The same calls, except that an approval's summary is compared with its numbers left out: it
/// carries the replication lag as of now, which grows by the second; the verdict and the reasons
/// still count.
fn same_calls(shown: &[Call], current: &[Call]) -> bool {
    shown.len() == current.len()
        && shown.iter().zip(current).all(|pair| match pair {
            (
                Call::PutApprovalResult {
                    region,
                    pipeline_name,
                    stage_name,
                    action_name,
                    result,
                    token,
                },
                Call::PutApprovalResult {
                    region: region2,
                    pipeline_name: pipeline_name2,
                    stage_name: stage_name2,
                    action_name: action_name2,
                    result: result2,
                    token: token2,
                },
            ) => {
                (region, pipeline_name, stage_name, action_name, token)
                    == (region2, pipeline_name2, stage_name2, action_name2, token2)
                    && result.status == result2.status
                    && same_words(&result.summary, &result2.summary)
            }
            (a, b) => a == b,
        })
}

/// Two summaries that differ only in their numbers ("pending for 59s" and "pending for 1m 5s").
/// A summary cut to CodePipeline's limit ends in "…" where the numbers' length put it, so a cut
/// one is compared up to the shorter of the two.
fn same_words(a: &str, b: &str) -> bool {
    let cut = a.ends_with('…') || b.ends_with('…');
    let (a, b) = (words(a), words(b));
    if cut {
        let n = a.len().min(b.len()).saturating_sub(1);
        a[..n] == b[..n]
    } else {
        a == b
    }
}

/// The words of a text, each run of words with a digit in it as one `#`.
fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        if word.chars().any(|c| c.is_ascii_digit()) {
            if out.last().is_none_or(|l| l != "#") {
                out.push("#".to_string());
            }
        } else {
            out.push(word.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_that_differ_only_in_numbers_are_the_same() {
        let at = |lag: &str| {
            format!(
                "approved in the switchyard console [switchyard: replication: NOT READY \
                 (builds/sample-1235.zip in us-west-2: replication pending for {lag})]"
            )
        };
        assert!(same_words(&at("59s"), &at("1m 5s")));
        assert!(same_words(&at("2m"), &at("3h 10m")));
        assert!(!same_words(
            &at("2m"),
            "approved in the switchyard console [switchyard: replication: ready in every region]"
        ));
        assert!(!same_words(
            &at("2m"),
            &at("2m").replace("pending for 2m", "failed (S3 does not retry it)")
        ));
        // Cut to the limit at different places: the same up to the cut.
        assert!(same_words("a b 12s c d…", "a b 1m 2s c…"));
        assert!(!same_words("a b 12s c d…", "a x 1m 2s c…"));
    }
}
