//! Assure's demonstration data: assessments at every stage for the demo organisations.
//! Northfield's hospitals trust published last year's CAF-aligned DSPT and has this year's
//! in progress, with last year's answers carried over, some reviewed, one section given to a
//! colleague, and an evidence library with one expired piece; Eastbrook has submitted Cyber
//! Essentials; Riverside practice is part way through the NDG standards; Oakwood care homes
//! has not started.

use rand::{Rng, SeedableRng, rngs::StdRng};
use time::Duration;
use uuid::Uuid;

use crate::{
    assure::{
        framework::model::Framework,
        rules::{answer::Workflow, cycle::Cycle, evidence::EvidenceKind},
        starting,
        store::{
            assessments::{self as store, NewAnswer},
            evidence::{self, NewEvidence, NewFile},
            frameworks,
        },
    },
    platform::{
        db::{Db, now},
        ids::UserId,
        tenants::{self, Organisation},
    },
};

/// Things a demo security lead might write as the reason for an answer.
const REASONS: [&str; 6] = [
    "Checked against the current policy and the last internal audit.",
    "Confirmed with the IT service desk manager.",
    "In place across all sites; see the evidence library.",
    "Partly in place: the community sites are still to follow.",
    "Not yet in place; included in this year's improvement plan.",
    "Reviewed at the information governance group.",
];

struct Demo<'a> {
    db: &'a Db,
    rng: StdRng,
}

impl Demo<'_> {
    async fn org(&self, ods: &str) -> anyhow::Result<Option<Organisation>> {
        Ok(tenants::by_ods_code(self.db, ods).await?)
    }

    async fn person(&self, org: &Organisation, email: &str) -> anyhow::Result<Option<UserId>> {
        Ok(store::active_member_by_email(self.db, org.id, email)
            .await?
            .map(|(id, _)| id))
    }

    async fn framework(
        &self,
        id: &str,
    ) -> anyhow::Result<Option<(Uuid, std::sync::Arc<Framework>)>> {
        for (framework, version) in frameworks::current_ids(self.db).await? {
            if framework == id {
                return Ok(frameworks::by_version_id(self.db, version)
                    .await?
                    .map(|f| (version, f)));
            }
        }
        Ok(None)
    }

    /// Starts an assessment (carrying last year's answers over) and answers `share` of its
    /// requirements, mostly well.
    async fn assess(
        &mut self,
        org: &Organisation,
        lead: UserId,
        framework: &str,
        cycle: Cycle,
        share: f64,
    ) -> anyhow::Result<Option<(Uuid, std::sync::Arc<Framework>)>> {
        let Some((version, f)) = self.framework(framework).await? else {
            return Ok(None);
        };
        let plan = starting::plan(self.db, org, version, &f, cycle).await?;
        let mut tx = self.db.begin().await?;
        let (id, _) = starting::write(&mut tx, org, &plan, lead).await?;
        let scale = f.about.scale.len();
        for r in f.assessable() {
            // The rest stay unanswered, or (carried over) waiting for review.
            if !self.rng.gen_bool(share) {
                continue;
            }
            let roll: f64 = self.rng.r#gen();
            let level = if roll < 0.6 {
                crate::assure::rules::profile::met_level(&f)
            } else if roll < 0.85 && scale > 2 {
                1
            } else {
                0
            };
            let result = f.about.scale.get(level).map(|l| l.id.clone());
            let reason = REASONS[self.rng.gen_range(0..REASONS.len())];
            store::save_answer(
                &mut tx,
                org.id,
                id,
                &NewAnswer {
                    requirement: &r.id,
                    result: result.as_deref(),
                    workflow: Workflow::Done,
                    justification: reason,
                    indicators: &[],
                    carried_over: false,
                    by: Some(lead),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Some((id, f)))
    }

    async fn submit(
        &self,
        org: &Organisation,
        id: Uuid,
        f: &Framework,
        cycle: Cycle,
        lead: UserId,
        publish: bool,
    ) -> anyhow::Result<()> {
        let rows = store::answers(self.db, org.id, id).await?;
        let mut tx = self.db.begin().await?;
        store::submit(&mut tx, id, lead, &store::snapshot(f, cycle, &rows)).await?;
        if publish {
            store::publish(&mut tx, id).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

pub async fn load(db: &Db) -> anyhow::Result<()> {
    let mut demo = Demo {
        db,
        rng: StdRng::seed_from_u64(2026),
    };
    let this = Cycle::containing(now().date());

    if let Some(trust) = demo.org("RZ1").await?
        && let Some(lead) = demo
            .person(&trust, "lead@northfield-hospitals.example")
            .await?
    {
        if let Some((last, f)) = demo
            .assess(&trust, lead, "caf-dspt", this.previous(), 1.0)
            .await?
        {
            demo.submit(&trust, last, &f, this.previous(), lead, true)
                .await?;
        }
        if let Some((current, _)) = demo.assess(&trust, lead, "caf-dspt", this, 0.3).await? {
            let mut tx = db.begin().await?;
            if let Some(nurse) = demo
                .person(&trust, "nurse@northfield-hospitals.example")
                .await?
            {
                store::assign(&mut tx, current, "B", Some(nurse), lead).await?;
            }
            let today = now().date();
            let policy = evidence::create(
                &mut tx,
                &NewEvidence {
                    organisation: trust.id,
                    title: "Information security policy",
                    kind: EvidenceKind::File,
                    body: "",
                    effective_on: today - Duration::days(120),
                    expires_on: Some(today + Duration::days(245)),
                    owner: lead,
                },
            )
            .await?;
            let text = b"Information security policy (demonstration document).\n";
            evidence::add_revision(
                &mut tx,
                policy,
                &NewFile {
                    filename: "information-security-policy.txt",
                    sha256: &hex::encode(<sha2::Sha256 as sha2::Digest>::digest(text)),
                    content: text,
                    note: "Approved by the board",
                    by: lead,
                },
            )
            .await?;
            let certificate = evidence::create(
                &mut tx,
                &NewEvidence {
                    organisation: trust.id,
                    title: "Cyber Essentials Plus certificate",
                    kind: EvidenceKind::Link,
                    body: "https://intranet.northfield-hospitals.example/cyber-essentials-plus",
                    effective_on: today - Duration::days(400),
                    expires_on: Some(today - Duration::days(35)),
                    owner: lead,
                },
            )
            .await?;
            evidence::link(&mut tx, trust.id, policy, current, "A1.a", lead).await?;
            evidence::link(&mut tx, trust.id, policy, current, "B1.a", lead).await?;
            evidence::link(&mut tx, trust.id, certificate, current, "B4.b", lead).await?;
            tx.commit().await?;
        }
    }
    if let Some(eastbrook) = demo.org("RZ2").await?
        && let Some(lead) = demo
            .person(&eastbrook, "lead@eastbrook-community.example")
            .await?
        && let Some((id, f)) = demo
            .assess(&eastbrook, lead, "cyber-essentials", this, 1.0)
            .await?
    {
        demo.submit(&eastbrook, id, &f, this, lead, false).await?;
    }
    if let Some(practice) = demo.org("Z99901").await?
        && let Some(lead) = demo
            .person(&practice, "lead@riverside-practice.example")
            .await?
    {
        demo.assess(&practice, lead, "ndg-standards", this, 0.4)
            .await?;
    }
    Ok(())
}
