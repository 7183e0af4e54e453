//! Alerts' panels on the home page. A security lead sees the advisories waiting on the
//! organisations they respond for (the inbox's organisations, TLP rules and order); the
//! national team sees what waits for a second analyst and how many organisations are
//! overdue nationally. Nobody else sees an Alerts panel.

use time::OffsetDateTime;

use crate::platform::web::format::date_and_time;
use crate::{
    alerts::{
        access,
        model::ResponseState,
        responding,
        rules::stats::{self, InboxKey},
        store::{
            responses::{self, InboxRow, Overdue},
            review::{self, AwaitingRow},
        },
    },
    platform::{
        AppState,
        authz::Principal,
        db::now,
        error::AppResult,
        ids::{OrgId, UserId},
        web::home::{self, HomeItem, HomePanel, Link, Tag, Tone, order},
    },
};

/// Most advisories listed on a lead's panel; the inbox has the rest.
const LISTED: usize = 5;

pub async fn panels(state: &AppState, p: &Principal) -> AppResult<Vec<HomePanel>> {
    let at = now();
    let mut panels = Vec::new();
    let responds = responding::responder_organisations(&state.db, p).await?;
    if !responds.is_empty() {
        let ids: Vec<OrgId> = responds.iter().map(|(id, _)| *id).collect();
        let mut readable = Vec::new();
        for row in responses::needing_action(&state.db, &ids, at).await? {
            // The inbox's rule: a row is shown only if its TLP label lets this person read
            // the advisory for that organisation.
            let tlp = row.tlp;
            if access::any_allows(
                tlp,
                &access::reader_for(p, row.response.organisation_id, &responds),
            ) {
                readable.push(row);
            }
        }
        panels.push(responses_panel(readable, responds.len() > 1, at));
    }
    if p.is_national() {
        let awaiting = review::awaiting_second_analyst(&state.db).await?;
        panels.push(review_panel(awaiting, p.user_id));
        let overdue = responses::overdue_nationally(&state.db, at).await?;
        panels.push(overdue_panel(overdue));
    }
    Ok(panels)
}

/// The lead's advisories, most urgent first, as the inbox orders them.
fn responses_panel(rows: Vec<InboxRow>, several: bool, at: OffsetDateTime) -> HomePanel {
    let mut keyed: Vec<(InboxKey, &InboxRow)> = rows
        .iter()
        .map(|row| {
            let r = &row.response;
            let due = match r.state {
                ResponseState::Awaiting => r.ack_due_at,
                _ => r.next_update_due_at,
            };
            let key = InboxKey {
                closed: false,
                severity: row.severity,
                due,
                published_at: row.published_at,
            };
            (key, row)
        })
        .collect();
    keyed.sort_by(|a, b| stats::urgency(&a.0, &b.0));
    let awaiting = rows
        .iter()
        .filter(|r| r.response.state == ResponseState::Awaiting)
        .count() as u64;
    let late = keyed
        .iter()
        .filter(|(k, _)| k.due.is_some_and(|d| d <= at))
        .count() as u64;
    let summary = (!rows.is_empty()).then(|| {
        format!(
            "{} awaiting acknowledgement; {} overdue.",
            home::count(awaiting, "advisory", "advisories"),
            late
        )
    });
    let items = keyed
        .into_iter()
        .take(LISTED)
        .map(|(key, row)| response_item(row, key.due, several, at))
        .collect();
    HomePanel {
        title: "Advisories waiting for your response".into(),
        summary,
        items,
        see_all: Link::new("Go to your advisories inbox", "/alerts"),
        order: order::RESPONSES,
    }
}

fn response_item(
    row: &InboxRow,
    due: Option<OffsetDateTime>,
    several: bool,
    at: OffsetDateTime,
) -> HomeItem {
    let awaiting = row.response.state == ResponseState::Awaiting;
    let mut text = format!("{}: {}", row.reference, row.title);
    if several {
        text.push_str(&format!(" ({})", row.org_name));
    }
    let tag = match due {
        Some(d) if d <= at && awaiting => Tag::new("Acknowledgement overdue", Tone::Urgent),
        Some(d) if d <= at => Tag::new("Update overdue", Tone::Urgent),
        Some(d) => Tag::new(
            format!("Acknowledge by {}", date_and_time(d)),
            Tone::Warning,
        ),
        None => Tag::new("Awaiting acknowledgement", Tone::Info),
    };
    HomeItem::new(text, format!("/alerts/{}", row.reference), Some(tag))
}

/// Advisories and revisions waiting for a second analyst. The person who submitted one
/// cannot approve it, so theirs are marked as waiting for someone else.
fn review_panel(rows: Vec<AwaitingRow>, me: UserId) -> HomePanel {
    let summary = (!rows.is_empty()).then(|| {
        format!(
            "{} waiting for a second analyst.",
            home::count(rows.len() as u64, "advisory", "advisories")
        )
    });
    let items = rows
        .into_iter()
        .map(|r| {
            let what = match (&r.reference, r.revision) {
                (Some(reference), true) => format!("Revision of {reference}: {}", r.title),
                _ => format!("New advisory: {}", r.title),
            };
            let tag = if r.submitted_by == Some(me) {
                Tag::new("Submitted by you", Tone::Info)
            } else {
                Tag::new("Ready for your review", Tone::Warning)
            };
            HomeItem::new(what, format!("/alerts/manage/{}", r.advisory_id), Some(tag))
        })
        .collect();
    HomePanel {
        title: "Advisories in review".into(),
        summary,
        items,
        see_all: Link::new("Go to all advisories", "/alerts/manage"),
        order: order::NATIONAL,
    }
}

/// How many organisations have let an acknowledgement deadline pass, nationally.
fn overdue_panel(o: Overdue) -> HomePanel {
    let n = |v: i64| v.max(0) as u64;
    let items = if o.organisations > 0 {
        vec![HomeItem::new(
            format!(
                "{} overdue acknowledging {}",
                home::count(n(o.organisations), "organisation", "organisations"),
                home::count(
                    n(o.advisories),
                    "published advisory",
                    "published advisories"
                )
            ),
            "/alerts/manage",
            Some(Tag::new("Overdue", Tone::Urgent)),
        )]
    } else {
        vec![]
    };
    HomePanel {
        title: "Organisations overdue on advisories".into(),
        summary: None,
        items,
        see_all: Link::new("Go to the national overview", "/alerts/manage"),
        order: order::NATIONAL,
    }
}

#[cfg(test)]
mod tests {
    use time::{Duration, macros::datetime};
    use uuid::Uuid;

    use super::*;
    use crate::alerts::{
        model::{AdvisoryStatus, Severity, Tlp},
        store::responses::ResponseRow,
    };

    const AT: OffsetDateTime = datetime!(2026-03-02 09:00 UTC);

    fn row(reference: &str, state: ResponseState, due: Option<OffsetDateTime>) -> InboxRow {
        let awaiting = state == ResponseState::Awaiting;
        InboxRow {
            response: ResponseRow {
                advisory_id: Uuid::nil(),
                organisation_id: OrgId::from(Uuid::nil()),
                state,
                targeted_at: AT,
                ack_due_at: if awaiting { due } else { None },
                acknowledged_at: None,
                acknowledged_by: None,
                decided_at: None,
                reason: None,
                risk_owner: None,
                update_days: 3,
                next_update_due_at: if awaiting { None } else { due },
                closed_at: None,
                likely_affected: false,
                matches: "[]".to_owned(),
                updated_at: AT,
            },
            reference: reference.to_owned(),
            title: format!("Advisory {reference}"),
            severity: Severity::High,
            tlp: Tlp::Clear,
            status: AdvisoryStatus::Published,
            published_at: AT,
            current_release_at: AT,
            org_name: "Riverside".to_owned(),
        }
    }

    #[test]
    fn the_lead_sees_overdue_advisories_first_with_words_on_each_tag() {
        let panel = responses_panel(
            vec![
                row(
                    "CC-2026-0003",
                    ResponseState::Awaiting,
                    Some(AT + Duration::hours(5)),
                ),
                row(
                    "CC-2026-0002",
                    ResponseState::Remediating,
                    Some(AT - Duration::days(1)),
                ),
                row(
                    "CC-2026-0001",
                    ResponseState::Awaiting,
                    Some(AT - Duration::hours(2)),
                ),
            ],
            false,
            AT,
        );
        let tags: Vec<&str> = panel
            .items
            .iter()
            .filter_map(|i| i.tag.as_ref().map(|t| t.text.as_str()))
            .collect();
        assert_eq!(
            tags,
            [
                "Update overdue",
                "Acknowledgement overdue",
                "Acknowledge by 2 March 2026 at 14:00 UTC"
            ]
        );
        assert_eq!(panel.items[1].href, "/alerts/CC-2026-0001");
        assert_eq!(
            panel.summary.as_deref(),
            Some("2 advisories awaiting acknowledgement; 2 overdue.")
        );
    }

    #[test]
    fn nothing_waiting_leaves_the_panel_empty() {
        let panel = responses_panel(vec![], true, AT);
        assert!(panel.items.is_empty() && panel.summary.is_none());
        assert!(overdue_panel(Overdue::default()).items.is_empty());
    }

    #[test]
    fn an_analyst_is_told_which_reviews_wait_for_someone_else() {
        let me = UserId::from(Uuid::from_u128(1));
        let awaiting = |by: u128, reference: Option<&str>| AwaitingRow {
            advisory_id: Uuid::from_u128(9),
            title: "OpenSSL".into(),
            reference: reference.map(str::to_owned),
            submitted_by: Some(UserId::from(Uuid::from_u128(by))),
            submitted_at: Some(AT),
            revision: reference.is_some(),
        };
        let panel = review_panel(
            vec![awaiting(1, None), awaiting(2, Some("CC-2026-0004"))],
            me,
        );
        let shown: Vec<(&str, &str)> = panel
            .items
            .iter()
            .map(|i| {
                (
                    i.text.as_str(),
                    i.tag.as_ref().map_or("", |t| t.text.as_str()),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("New advisory: OpenSSL", "Submitted by you"),
                ("Revision of CC-2026-0004: OpenSSL", "Ready for your review")
            ]
        );
    }

    #[test]
    fn the_overdue_count_is_one_line_for_the_whole_country() {
        let panel = overdue_panel(Overdue {
            organisations: 1,
            advisories: 3,
        });
        assert_eq!(
            panel.items[0].text,
            "1 organisation overdue acknowledging 3 published advisories"
        );
    }
}
