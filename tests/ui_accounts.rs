//! The sources overlay with several accounts (README, "Several accounts"): each credential set's
//! APIs and caller, the wrong account and an expired session in the critical colour.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use ratatui::style::{Color, Modifier};
use support::{buffer_to_text, find_cells, render_app, state_at};
use switchyard::model::{AccountPin, Caller};
use switchyard::state::{KeyIntent, Msg, update};
use switchyard::ui::Theme;

fn callers() -> Vec<Caller> {
    vec![
        Caller {
            credentials: "profile tooling".into(),
            apis: vec!["s3".into(), "apigateway".into(), "codepipeline".into()],
            arn: Some("arn:aws:sts::222222222222:assumed-role/ops/me".into()),
            account: Some("222222222222".into()),
            error: None,
            wrong_account: Vec::new(),
        },
        Caller {
            credentials: "role arn:aws:iam::123456789012:role/read".into(),
            apis: vec!["route53".into()],
            arn: Some("arn:aws:sts::123456789012:assumed-role/read/switchyard".into()),
            account: Some("123456789012".into()),
            error: None,
            wrong_account: vec![AccountPin {
                api: "route53".into(),
                key: "aws.route53.account_id".into(),
                account_id: "111111111111".into(),
                services: vec!["checkout".into()],
            }],
        },
        Caller {
            credentials: "profile workload".into(),
            apis: vec!["lambda".into()],
            arn: None,
            account: None,
            error: Some(
                "STS GetCallerIdentity in us-east-1: credentials missing or expired; run `aws \
                 sso login --profile workload`"
                    .into(),
            ),
            wrong_account: Vec::new(),
        },
    ]
}

#[test]
fn the_sources_overlay_lists_each_sets_caller() {
    let (_, mut state, now) = state_at("steady", 0);
    state.fleet.callers = callers();
    update(&mut state, Msg::Key(KeyIntent::ToggleSources), now);
    let buffer = render_app(&state, &Theme::color(), 120, 40, now);
    let text = buffer_to_text(&buffer);
    insta::assert_snapshot!("sources_callers", text);
    for (needle, colour) in [
        ("✓ arn:aws:sts::222222222222", Color::Green),
        ("✗ WRONG ACCOUNT", Color::Red),
        ("✗ STS GetCallerIdentity", Color::Red),
    ] {
        let found = find_cells(&buffer, needle);
        assert_eq!(found.len(), 1, "{needle}:\n{text}");
        assert!(
            found[0]
                .iter()
                .all(|c| c.fg == colour
                    && (colour != Color::Red || c.modifier.contains(Modifier::BOLD))),
            "{needle} in {colour:?}"
        );
    }
    assert!(text.contains("aws sso login --profile workload"), "{text}");
}

#[test]
fn without_several_accounts_the_overlay_has_no_caller_lines() {
    let (_, mut state, now) = state_at("steady", 0);
    update(&mut state, Msg::Key(KeyIntent::ToggleSources), now);
    let text = buffer_to_text(&render_app(&state, &Theme::color(), 120, 40, now));
    assert!(!text.contains("CREDENTIALS"), "{text}");
}
