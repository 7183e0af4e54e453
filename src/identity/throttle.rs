//! Limits on guessing passwords, two-step codes and asking for reset emails, counted in the
//! database so they hold across every instance.
//!
//! Only failures count, and each purpose has its own buckets, so nobody is locked out by
//! other people's mistakes at a shared address, nor by their own successes. Sign-in follows
//! OWASP's device cookie scheme: a browser that has signed in to an account before carries
//! a signed cookie naming it, and its attempts count in a bucket of their own that only
//! slows down (one try a minute after five failures), so an attacker guessing from
//! elsewhere cannot lock the real person out. Attempts without that cookie share one strict
//! bucket per account, whatever address they come from, so guessing stays at a handful an
//! hour however many machines try.

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::{
    identity::store,
    platform::db::{Db, now},
};

/// One bucket of attempts: at most `limit` failures within `window`; after that, either
/// one try each `pace` (a slow-down) or none until the oldest failure leaves the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// The bucket's name in `sign_in_attempts.scope`.
    pub scope: &'static str,
    pub limit: usize,
    pub window: Duration,
    pub pace: Option<Duration>,
}

/// Passwords tried from a browser that has signed in to the account before.
pub const KNOWN_DEVICE: Policy = Policy {
    scope: "sign_in.device",
    limit: 5,
    window: Duration::minutes(15),
    pace: Some(Duration::minutes(1)),
};

/// Passwords tried for an account from anywhere else, all addresses together.
pub const UNKNOWN_DEVICE: Policy = Policy {
    scope: "sign_in.account",
    limit: 5,
    window: Duration::hours(1),
    pace: None,
};

/// Wrong passwords from one address (a hospital's staff may share one, so this is loose).
pub const SIGN_IN_ADDRESS: Policy = Policy {
    scope: "sign_in.address",
    limit: 100,
    window: Duration::minutes(15),
    pace: None,
};

/// Wrong two-step codes for one account (whoever tries already holds the password).
pub const TWO_STEP: Policy = Policy {
    scope: "two_step.account",
    limit: 5,
    window: Duration::minutes(15),
    pace: Some(Duration::minutes(1)),
};

/// Wrong two-step codes from one address.
pub const TWO_STEP_ADDRESS: Policy = Policy {
    scope: "two_step.address",
    limit: 100,
    window: Duration::minutes(15),
    pace: None,
};

/// Reset emails asked for one address. Every request sends an email, so each one counts.
pub const RESET_EMAIL: Policy = Policy {
    scope: "reset.account",
    limit: 5,
    window: Duration::hours(1),
    pace: None,
};

/// Reset emails asked for from one address.
pub const RESET_ADDRESS: Policy = Policy {
    scope: "reset.address",
    limit: 50,
    window: Duration::minutes(15),
    pace: None,
};

/// What a bucket says about one more attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Not before this time.
    WaitUntil(OffsetDateTime),
}

/// Pure rule: may one more attempt go ahead at `at`, given the times of the failures
/// already counted in this bucket?
pub fn judge(policy: &Policy, earlier: &[OffsetDateTime], at: OffsetDateTime) -> Verdict {
    let mut recent: Vec<OffsetDateTime> = earlier
        .iter()
        .copied()
        .filter(|t| *t > at - policy.window)
        .collect();
    if recent.len() < policy.limit {
        return Verdict::Allowed;
    }
    recent.sort();
    let until = match policy.pace {
        Some(pace) => recent[recent.len() - 1] + pace,
        // One more is allowed once enough failures have aged out of the window.
        None => recent[recent.len() - policy.limit] + policy.window,
    };
    if until <= at {
        Verdict::Allowed
    } else {
        Verdict::WaitUntil(until)
    }
}

/// How long to wait, in words a person reads on the page.
pub fn wait_in_words(until: OffsetDateTime, at: OffsetDateTime) -> String {
    let minutes = ((until - at).whole_seconds() + 59).div_euclid(60).max(1);
    if minutes == 1 {
        "1 minute".to_owned()
    } else {
        format!("{minutes} minutes")
    }
}

/// An attempt under way: it is written to its buckets before the secret is checked, so
/// parallel guesses cannot all slip under a limit, and removed again if it succeeds.
#[derive(Debug)]
#[must_use = "an attempt that succeeds must be passed to `succeeded`"]
pub struct Attempt {
    ids: Vec<Uuid>,
}

/// Starts an attempt counted in each of `buckets` (a policy and the subject it counts
/// for: an email address, an account, a device or an address). If any bucket is full,
/// nothing is recorded and the answer is when to try again.
pub async fn begin(
    db: &Db,
    buckets: &[(Policy, &str)],
) -> Result<Result<Attempt, OffsetDateTime>, sqlx::Error> {
    let at = now();
    let mut ids = Vec::with_capacity(buckets.len());
    let mut wait: Option<OffsetDateTime> = None;
    for (policy, subject) in buckets {
        let id = store::add_attempt(db, policy.scope, subject, at).await?;
        ids.push(id);
        let earlier =
            store::attempts_since(db, policy.scope, subject, at - policy.window, id).await?;
        if let Verdict::WaitUntil(until) = judge(policy, &earlier, at) {
            wait = Some(wait.map_or(until, |w| w.max(until)));
        }
    }
    if let Some(until) = wait {
        // Refused before the secret was checked: not a failure, so it is not counted.
        store::delete_attempts(db, &ids).await?;
        return Ok(Err(until));
    }
    Ok(Ok(Attempt { ids }))
}

/// The secret was right: the attempt is not a failure, and the run of failures in
/// `clear` (the account's own buckets) ends.
pub async fn succeeded(
    db: &Db,
    attempt: Attempt,
    clear: &[(Policy, &str)],
) -> Result<(), sqlx::Error> {
    store::delete_attempts(db, &attempt.ids).await?;
    for (policy, subject) in clear {
        store::clear_attempts(db, policy.scope, subject).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minutes_ago(at: OffsetDateTime, minutes: &[i64]) -> Vec<OffsetDateTime> {
        minutes.iter().map(|m| at - Duration::minutes(*m)).collect()
    }

    #[test]
    fn a_known_device_slows_to_one_try_a_minute_after_five_failures() {
        let at = now();
        let four = minutes_ago(at, &[4, 3, 2, 1]);
        assert_eq!(judge(&KNOWN_DEVICE, &four, at), Verdict::Allowed);
        let five_just_now = [four.clone(), vec![at - Duration::seconds(10)]].concat();
        assert_eq!(
            judge(&KNOWN_DEVICE, &five_just_now, at),
            Verdict::WaitUntil(at + Duration::seconds(50))
        );
        // A person who knows their password always gets in within a minute.
        let five = minutes_ago(at, &[5, 4, 3, 2, 1]);
        assert_eq!(judge(&KNOWN_DEVICE, &five, at), Verdict::Allowed);
        let many: Vec<_> = (1..=14).map(|m| at - Duration::minutes(m)).collect();
        assert_eq!(judge(&KNOWN_DEVICE, &many, at), Verdict::Allowed);
    }

    #[test]
    fn unknown_devices_share_a_handful_of_guesses_an_hour() {
        let at = now();
        let four = minutes_ago(at, &[50, 40, 30, 20]);
        assert_eq!(judge(&UNKNOWN_DEVICE, &four, at), Verdict::Allowed);
        let five = minutes_ago(at, &[50, 40, 30, 20, 1]);
        assert_eq!(
            judge(&UNKNOWN_DEVICE, &five, at),
            Verdict::WaitUntil(at + Duration::minutes(10))
        );
        // Failures older than the window no longer count.
        let old = minutes_ago(at, &[70, 65, 61, 20, 1]);
        assert_eq!(judge(&UNKNOWN_DEVICE, &old, at), Verdict::Allowed);
        // However many there were, at most five fall in any hour.
        let flood: Vec<_> = (0..500)
            .map(|s| at - Duration::seconds(s * 7 + 1))
            .collect();
        assert!(matches!(
            judge(&UNKNOWN_DEVICE, &flood, at),
            Verdict::WaitUntil(_)
        ));
    }

    #[test]
    fn a_shared_address_is_limited_loosely() {
        let at = now();
        let ninety_nine = vec![at - Duration::minutes(1); 99];
        assert_eq!(judge(&SIGN_IN_ADDRESS, &ninety_nine, at), Verdict::Allowed);
        let hundred = vec![at - Duration::minutes(1); 100];
        assert_eq!(
            judge(&SIGN_IN_ADDRESS, &hundred, at),
            Verdict::WaitUntil(at + Duration::minutes(14))
        );
    }

    #[test]
    fn waits_are_said_in_whole_minutes() {
        let at = now();
        assert_eq!(wait_in_words(at + Duration::seconds(5), at), "1 minute");
        assert_eq!(wait_in_words(at + Duration::seconds(61), at), "2 minutes");
        assert_eq!(wait_in_words(at + Duration::minutes(10), at), "10 minutes");
    }
}
