//! Alerts demonstration data for `serve --demo`: advisories at every point of their life
//! (live, revised, withdrawn, in review, a draft imported from the CISA KEV catalogue; TLP
//! CLEAR, GREEN and AMBER), the demo organisations' responses at every step with some
//! deadlines missed, and software inventories that make some organisations likely affected.
//!
//! What the advisories say is content, in `content/advisories/*.toml` with dated sources
//! (`advisories.rs` describes the files); `carecert content check` checks those files.
//!
//! Everything goes through the functions the pages use (publishing, responding, the escalation
//! scan, the inventory upload) with times in the past, so the inboxes, dashboards, emails and
//! feeds read as if the service had been running for a month.

mod advisories;
mod timeline;

pub use advisories::check_folder;

use std::collections::HashMap;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    alerts::{
        escalation, inventory_files, kev,
        model::AdvisoryContent,
        publishing, responding,
        store::{advisories as store, inventory},
    },
    exec_tx,
    identity::store as identity_store,
    platform::{
        authz::Principal,
        db::{Db, now},
        ids::OrgId,
        secrets::SecretBox,
    },
    with_db,
};

use timeline::{ADMIN, ANALYST, Clock, RESPONDERS, Step};

/// Where the audit log says demo responses came from (an address kept for documentation).
const DEMO_IP: &str = "192.0.2.10";

/// Each organisation's last inventory upload: ODS code, file name, the file, and how many
/// hours before the demo was loaded it was uploaded.
const INVENTORIES: [(&str, &str, &str, i64); 6] = [
    (
        "RZ1",
        "northfield-hospitals.csv",
        include_str!("demo/inventories/northfield-hospitals.csv"),
        4 * 24,
    ),
    (
        "RZ2",
        "eastbrook-community.csv",
        include_str!("demo/inventories/eastbrook-community.csv"),
        4,
    ),
    (
        "RZ3",
        "westmoor-ambulance.csv",
        include_str!("demo/inventories/westmoor-ambulance.csv"),
        6 * 24,
    ),
    (
        "RZ4",
        "kingsbridge-hospitals.csv",
        include_str!("demo/inventories/kingsbridge-hospitals.csv"),
        5,
    ),
    (
        "XZ1",
        "northfield-his.csv",
        include_str!("demo/inventories/northfield-his.csv"),
        8 * 24,
    ),
    (
        "Z99901",
        "riverside-practice.csv",
        include_str!("demo/inventories/riverside-practice.csv"),
        15 * 24,
    ),
];

/// The demo people and organisations, looked up once.
struct Cast {
    people: HashMap<&'static str, Principal>,
    organisations: HashMap<String, OrgId>,
}

impl Cast {
    async fn load(db: &Db) -> anyhow::Result<Self> {
        let mut people = HashMap::new();
        let emails = RESPONDERS.iter().map(|(_, e)| *e).chain([ANALYST, ADMIN]);
        for email in emails {
            if people.contains_key(email) {
                continue;
            }
            let user = identity_store::user_by_email(db, email)
                .await?
                .ok_or_else(|| anyhow::anyhow!("The demo account {email} is missing"))?;
            let memberships = identity_store::memberships_of(db, user.id).await?;
            people.insert(
                email,
                Principal {
                    user_id: user.id,
                    name: user.name,
                    email: user.email,
                    memberships,
                    two_step_enrolled: true,
                    two_step_verified: true,
                },
            );
        }
        let organisations: Vec<(String, OrgId)> = with_db!(db, |pool| sqlx::query_as(
            "SELECT ods_code, id FROM organisations"
        )
        .fetch_all(pool)
        .await)?;
        Ok(Cast {
            people,
            organisations: organisations.into_iter().collect(),
        })
    }

    fn person(&self, email: &str) -> anyhow::Result<&Principal> {
        self.people
            .get(email)
            .ok_or_else(|| anyhow::anyhow!("The demo account {email} is missing"))
    }

    fn organisation(&self, ods: &str) -> anyhow::Result<OrgId> {
        self.organisations
            .get(ods)
            .copied()
            .ok_or_else(|| anyhow::anyhow!("The demo organisation {ods} is missing"))
    }

    fn responder(&self, ods: &str) -> anyhow::Result<&Principal> {
        let email = RESPONDERS
            .iter()
            .find(|(code, _)| *code == ods)
            .map(|(_, email)| *email)
            .ok_or_else(|| anyhow::anyhow!("No demo responder for {ods}"))?;
        self.person(email)
    }
}

/// A demo person as the actor of an audited change.
fn actor<'a>(p: &'a Principal, secrets: &'a SecretBox) -> publishing::Actor<'a> {
    publishing::Actor {
        user_id: p.user_id,
        label: &p.email,
        ip: Some(DEMO_IP),
        secrets,
    }
}

/// Adds the Alerts demo data, unless there are advisories already.
pub async fn load(db: &Db, secrets: &SecretBox, url: &str) -> anyhow::Result<()> {
    let existing: i64 = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM alert_advisories"
    )
    .fetch_one(pool)
    .await)?;
    if existing > 0 {
        return Ok(());
    }
    let cast = Cast::load(db).await?;
    let clock = Clock { now: now() };
    let demo = Demo {
        db,
        secrets,
        cast: &cast,
        url,
    };
    let ids = timeline::Advisories {
        openssl: demo
            .write(
                advisories::content("openssl")?,
                ANALYST,
                clock.day(26, 8, 40),
            )
            .await?,
        moveit: demo
            .write(advisories::content("moveit")?, ADMIN, clock.day(20, 7, 50))
            .await?,
        log4j: demo
            .write(
                advisories::content("log4j-first")?,
                ANALYST,
                clock.day(12, 8, 0),
            )
            .await?,
        citrix: demo
            .write(
                advisories::content("citrix-bleed")?,
                ANALYST,
                clock.day(3, 7, 30),
            )
            .await?,
        phishing: demo
            .write(advisories::content("phishing")?, ADMIN, clock.day(2, 7, 20))
            .await?,
        fortios: demo
            .write(
                advisories::content("fortios")?,
                ANALYST,
                clock.hours_ago(33),
            )
            .await?,
    };
    for (at, step) in timeline::steps(&ids, clock, timeline::Changes::builtin()?) {
        demo.run(at, step).await?;
    }
    demo.write(
        advisories::content("exchange")?,
        ANALYST,
        clock.hours_ago(5),
    )
    .await?;
    demo.import_kev_draft(clock.hours_ago(3)).await?;
    for (ods, filename, file, hours) in INVENTORIES {
        demo.upload(ods, filename, file, clock.hours_ago(hours))
            .await?;
    }
    Ok(())
}

struct Demo<'a> {
    db: &'a Db,
    secrets: &'a SecretBox,
    cast: &'a Cast,
    url: &'a str,
}

impl Demo<'_> {
    /// Writes an advisory and submits it for review, as its author would: `created` is when
    /// the draft was started and the submission follows an hour later.
    async fn write(
        &self,
        content: AdvisoryContent,
        author: &str,
        created: OffsetDateTime,
    ) -> anyhow::Result<Uuid> {
        let by = self.cast.person(author)?.user_id;
        let mut tx = self.db.begin().await?;
        let id = store::create_draft(&mut tx, &content, None, by).await?;
        store::set_review(&mut tx, id, Some(by)).await?;
        let submitted = created.saturating_add(time::Duration::hours(1));
        // The store stamps drafts with the current time; the story needs them dated.
        exec_tx!(&mut tx, |c| sqlx::query(
            "UPDATE alert_advisories SET created_at = $2, submitted_at = $3, updated_at = $3 \
             WHERE id = $1"
        )
        .bind(id)
        .bind(created)
        .bind(submitted)
        .execute(c)
        .await)?;
        tx.commit().await?;
        Ok(id)
    }

    /// A draft made from a CISA KEV entry, as the catalogue import makes it.
    async fn import_kev_draft(&self, at: OffsetDateTime) -> anyhow::Result<()> {
        let entry = advisories::kev_pan_os();
        let by = self.cast.person(ANALYST)?.user_id;
        let mut tx = self.db.begin().await?;
        let id =
            store::create_draft(&mut tx, &kev::to_draft(&entry), Some(&entry.cve_id), by).await?;
        exec_tx!(&mut tx, |c| sqlx::query(
            "UPDATE alert_advisories SET created_at = $2, updated_at = $2 WHERE id = $1"
        )
        .bind(id)
        .bind(at)
        .execute(c)
        .await)?;
        tx.commit().await?;
        Ok(())
    }

    async fn run(&self, at: OffsetDateTime, step: Step) -> anyhow::Result<()> {
        match step {
            Step::Publish { advisory, reviewer } => {
                let reviewer = actor(self.cast.person(reviewer)?, self.secrets);
                publishing::publish(self.db, advisory, &reviewer, at, self.url).await?;
            }
            Step::Respond {
                advisory,
                ods,
                action,
            } => {
                let who = self.cast.responder(ods)?;
                let org = self.cast.organisation(ods)?;
                responding::record(
                    self.db,
                    self.secrets,
                    who,
                    DEMO_IP,
                    advisory,
                    org,
                    &action,
                    at,
                )
                .await?;
            }
            Step::Revise {
                advisory,
                content,
                summary,
                by,
            } => {
                let by = actor(self.cast.person(by)?, self.secrets);
                let revision = publishing::Revision {
                    content: &content,
                    summary: &summary,
                    notify: true,
                };
                let revised =
                    publishing::revise(self.db, advisory, &revision, &by, at, self.url).await?;
                if let publishing::Revised::AwaitingReview(_) = revised {
                    // A change a second analyst must check: the administrator approves it,
                    // as they would on the advisory's page.
                    let second = actor(self.cast.person(ADMIN)?, self.secrets);
                    publishing::approve_revision(self.db, advisory, &second, at, self.url).await?;
                }
            }
            Step::Withdraw { advisory, reason } => {
                let by = actor(self.cast.person(ADMIN)?, self.secrets);
                publishing::withdraw(self.db, advisory, &reason, &by, at, self.url).await?;
            }
            Step::Scan => {
                escalation::scan(self.db, self.url, at).await?;
            }
        }
        Ok(())
    }

    /// Uploads an inventory file for `ods`, as its security lead would on the inventory page.
    async fn upload(
        &self,
        ods: &str,
        filename: &str,
        file: &str,
        at: OffsetDateTime,
    ) -> anyhow::Result<()> {
        let items = inventory_files::parse(filename, file.as_bytes())
            .map_err(|e| anyhow::anyhow!("The demo inventory {filename} is not valid: {e}"))?
            .items;
        let org = self.cast.organisation(ods)?;
        let by = self.cast.responder(ods)?.user_id;
        let mut tx = self.db.begin().await?;
        inventory::replace(
            &mut tx,
            org,
            filename,
            inventory_files::Format::Csv,
            &items,
            by,
            at,
        )
        .await?;
        publishing::rematch_organisation(&mut tx, org).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::{model::AffectedProduct, rules::matching};

    fn inventory(ods: &str) -> Vec<crate::alerts::model::InventoryItem> {
        let (_, name, file, _) = INVENTORIES.iter().find(|i| i.0 == ods).unwrap();
        inventory_files::parse(name, file.as_bytes()).unwrap().items
    }

    /// The versions of `ods`'s items that are affected by `products`.
    fn affected(ods: &str, products: &[AffectedProduct]) -> Vec<String> {
        let items = inventory(ods);
        matching::match_inventory(&items, products)
            .into_iter()
            .map(|m| format!("{} {}", items[m.item].product, items[m.item].version))
            .collect()
    }

    #[test]
    fn every_demo_inventory_reads_as_an_upload_and_is_a_realistic_size() {
        for (ods, _, _, _) in INVENTORIES {
            let items = inventory(ods);
            assert!((30..=80).contains(&items.len()), "{ods}: {}", items.len());
        }
    }

    #[test]
    fn inventories_inside_the_affected_ranges_match_and_patched_ones_do_not() {
        let citrix = advisories::content("citrix-bleed").unwrap().affected;
        assert_eq!(affected("RZ1", &citrix), ["NetScaler ADC 13.1-49.13"]);
        assert_eq!(affected("RZ2", &citrix), ["NetScaler ADC 13.1-49.13"]);
        assert_eq!(affected("RZ3", &citrix), ["NetScaler ADC 13.0-91.13"]);
        assert_eq!(affected("XZ1", &citrix), ["NetScaler Gateway 12.1-65.25"]);
        assert!(affected("RZ4", &citrix).is_empty(), "13.1-49.15 is fixed");

        let log4j = advisories::content("log4j-second").unwrap().affected;
        assert_eq!(
            affected("RZ1", &log4j),
            ["log4j-core 2.14.1", "log4j-core 2.16.0"]
        );
        assert_eq!(affected("RZ3", &log4j), ["log4j-core 2.12.2"]);
        assert!(affected("RZ4", &log4j).is_empty());

        let fortios = advisories::content("fortios").unwrap().affected;
        assert_eq!(affected("RZ1", &fortios), ["FortiOS 7.0.12"]);
        assert_eq!(affected("RZ4", &fortios), ["FortiOS 7.2.6"]);
        assert!(affected("XZ1", &fortios).is_empty());

        let moveit = advisories::content("moveit").unwrap().affected;
        for (ods, _, _, _) in INVENTORIES {
            assert!(
                affected(ods, &moveit).is_empty(),
                "{ods} has patched MOVEit"
            );
        }
        let exchange = advisories::content("exchange").unwrap().affected;
        assert_eq!(affected("RZ1", &exchange), ["Exchange Server 15.2.1258.28"]);
        assert!(affected("RZ4", &exchange).is_empty(), "CU14 is fixed");
    }

    #[test]
    fn every_inventory_belongs_to_an_organisation_with_someone_to_upload_it() {
        for (ods, _, _, _) in INVENTORIES {
            assert!(RESPONDERS.iter().any(|(code, _)| *code == ods), "{ods}");
        }
    }
}
