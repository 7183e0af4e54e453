//! Background jobs: email queued with a change is delivered through SMTP, each message once,
//! even with two instances working the same queue.

use std::{collections::HashMap, time::Duration};

use carecert::platform::email::{self, Email};

use crate::on_both;

on_both!(two_instances_deliver_each_email_exactly_once, |app| {
    let second = app.second_instance().await;
    let mut tx = app.db().begin().await.expect("begin");
    for n in 0..40 {
        email::queue(
            &mut tx,
            &Email {
                to: format!("person{n}@example.org"),
                subject: format!("Message {n}"),
                body: "Hello".into(),
            },
        )
        .await
        .expect("queue");
    }
    tx.commit().await.expect("commit");

    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let delivered = count(&app).await;
        if delivered.values().sum::<usize>() >= 40 || tokio::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Give any duplicate time to arrive before judging.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let delivered = count(&app).await;
    assert_eq!(delivered.len(), 40, "every message arrived");
    assert!(
        delivered.values().all(|n| *n == 1),
        "no message was sent twice: {delivered:?}"
    );
    assert_eq!(
        carecert::platform::jobs::queue_depth(app.db())
            .await
            .expect("depth"),
        0
    );
    second.stop().await;
});

async fn count(app: &crate::support::TestApp) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for n in 0..40 {
        let to = format!("person{n}@example.org");
        let got = app.smtp.all_to(&to).await.len();
        if got > 0 {
            seen.insert(to, got);
        }
    }
    seen
}

on_both!(a_failing_mail_server_is_retried_later, |app| {
    // Queue an email to an address the SMTP server accepts but make the job fail first by
    // giving it a payload that cannot be sent (no recipient), and check it is kept for retry
    // with the error recorded rather than lost.
    let mut tx = app.db().begin().await.expect("begin");
    carecert::platform::jobs::enqueue(
        &mut tx,
        carecert::platform::email::JOB_KIND,
        &serde_json::json!({"to": "not an address", "subject": "x", "body": "y"}),
    )
    .await
    .expect("enqueue");
    tx.commit().await.expect("commit");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let row: Option<(i64, Option<String>)> =
            carecert::with_db!(app.db(), |pool| sqlx::query_as(
                "SELECT attempts, last_error FROM jobs WHERE last_error IS NOT NULL"
            )
            .fetch_optional(pool)
            .await)
            .expect("query");
        if let Some((attempts, error)) = row {
            assert_eq!(attempts, 1, "one attempt, then a wait before the next");
            assert!(error.is_some());
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the failure was recorded"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        carecert::platform::jobs::queue_depth(app.db())
            .await
            .expect("depth"),
        1,
        "still queued for a retry"
    );
});
