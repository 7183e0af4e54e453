//! Demonstration data for `carecert serve --demo`, and creating the first national
//! administrator (`carecert admin create`). Both write through the same store functions the
//! web pages use.

use uuid::Uuid;

use crate::{
    exec_tx,
    identity::{
        invitations::INVITATION_VALID_FOR,
        passwords,
        store::{self as identity_store, LinkPurpose},
        two_step,
    },
    organisations::{
        domain::OrgType,
        ods::OdsCode,
        store::{self as org_store, NewOrganisation},
    },
    platform::{
        address::EmailAddress,
        authz::Role,
        config::Config,
        db::{Db, Tx, now},
        ids::UserId,
        secrets::SecretBox,
        service::DemoContext,
    },
    staff::store::{self as staff_store, NewMembership},
    with_db,
};

/// The password of every demo account (three random words, as NCSC advises).
pub const DEMO_PASSWORD: &str = "lantern meadow copper";
/// The two-step secret of the demo accounts that need two-step verification.
pub const DEMO_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

pub struct DemoAccount {
    pub email: &'static str,
    pub role: Role,
    pub organisation: &'static str,
}

const NATIONAL_TEAM: (&str, &str) = ("CareCERT national team", "CARECERT");

pub async fn has_admin(db: &Db) -> anyhow::Result<bool> {
    let count: i64 = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships WHERE role = $1 AND active = TRUE"
    )
    .bind(Role::NationalAdmin.as_str())
    .fetch_one(pool)
    .await)?;
    Ok(count > 0)
}

/// The longest-serving active national administrator, if there is one (who the command
/// line acts as when not told).
pub async fn first_national_admin(db: &Db) -> anyhow::Result<Option<UserId>> {
    Ok(with_db!(db, |pool| sqlx::query_scalar(
        "SELECT user_id FROM memberships WHERE role = $1 AND active = TRUE \
         ORDER BY created_at LIMIT 1"
    )
    .bind(Role::NationalAdmin.as_str())
    .fetch_optional(pool)
    .await)?)
}

async fn national_team_id(tx: &mut Tx, db: &Db) -> anyhow::Result<Uuid> {
    if let Some(team) = org_store::national_team(db).await? {
        return Ok(team.id.into());
    }
    Ok(org_store::create(
        tx,
        &NewOrganisation {
            name: NATIONAL_TEAM.0,
            ods_code: &OdsCode::for_type(NATIONAL_TEAM.1, OrgType::NationalTeam)?,
            org_type: OrgType::NationalTeam,
            parent_id: None,
        },
    )
    .await?
    .into())
}

/// Creates a national administrator and returns a one-time link to set their password.
pub async fn create_national_admin(
    db: &Db,
    config: &Config,
    secrets: &SecretBox,
    email: &str,
    name: &str,
) -> anyhow::Result<String> {
    let email: EmailAddress = email.parse()?;
    if name.trim().is_empty() {
        anyhow::bail!("give the administrator's name with --name");
    }
    crate::platform::text::check_one_line(name, "The name").map_err(anyhow::Error::msg)?;
    let mut tx = db.begin().await?;
    let team = national_team_id(&mut tx, db).await?;
    let (user_id, _) = identity_store::ensure_user(&mut tx, email.as_str(), name).await?;
    match staff_store::membership_of(&mut tx, team.into(), user_id).await? {
        Some((id, _, _)) => {
            staff_store::set_role(&mut tx, team.into(), id, Role::NationalAdmin).await?;
            staff_store::set_active(&mut tx, team.into(), id, true).await?;
        }
        None => {
            staff_store::add(
                &mut tx,
                &NewMembership {
                    organisation_id: team.into(),
                    user_id,
                    role: Role::NationalAdmin,
                    staff_group: "it",
                    department: None,
                },
            )
            .await?;
        }
    }
    let token = identity_store::issue_link(
        &mut tx,
        LinkPurpose::Invitation,
        user_id,
        INVITATION_VALID_FOR,
    )
    .await?;
    crate::audit::record(
        &mut tx,
        secrets,
        crate::audit::NewEvent {
            actor_user_id: None,
            actor_label: "command line",
            organisation_id: Some(team.into()),
            event: "role.changed",
            detail: serde_json::json!({ "user": email, "role": Role::NationalAdmin.as_str() }),
            ip: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(format!("{}/invitations/{token}", config.public_url))
}

struct DemoOrg {
    name: &'static str,
    ods: &'static str,
    kind: OrgType,
    parent: Option<&'static str>,
}

const ORGS: [DemoOrg; 9] = [
    DemoOrg {
        name: "Northfield Integrated Care Board",
        ods: "QZ1",
        kind: OrgType::IntegratedCareBoard,
        parent: None,
    },
    DemoOrg {
        name: "Northfield Teaching Hospitals NHS Foundation Trust",
        ods: "RZ1",
        kind: OrgType::NhsTrust,
        parent: Some("QZ1"),
    },
    DemoOrg {
        name: "Riverside Medical Practice",
        ods: "Z99901",
        kind: OrgType::GpPractice,
        parent: Some("QZ1"),
    },
    DemoOrg {
        name: "Oakwood Care Homes",
        ods: "VZ001",
        kind: OrgType::SocialCareProvider,
        parent: Some("QZ1"),
    },
    DemoOrg {
        name: "Eastbrook Community Health NHS Trust",
        ods: "RZ2",
        kind: OrgType::NhsTrust,
        parent: Some("QZ1"),
    },
    DemoOrg {
        name: "Westmoor Ambulance Service NHS Trust",
        ods: "RZ3",
        kind: OrgType::NhsTrust,
        parent: Some("QZ1"),
    },
    DemoOrg {
        name: "Kingsbridge University Hospitals NHS Foundation Trust",
        ods: "RZ4",
        kind: OrgType::NhsTrust,
        parent: Some("QZ1"),
    },
    DemoOrg {
        name: "Northfield Health Informatics Service",
        ods: "XZ1",
        kind: OrgType::Other,
        parent: Some("QZ1"),
    },
    // No security lead: the integrated care board responds for it.
    DemoOrg {
        name: "Millbrook Surgery",
        ods: "Z99902",
        kind: OrgType::GpPractice,
        parent: Some("QZ1"),
    },
];

const PEOPLE: [(&str, &str, Role, &str, &str); 12] = [
    (
        "admin@carecert.example",
        "Priya Shah",
        Role::NationalAdmin,
        "CARECERT",
        "it",
    ),
    (
        "analyst@carecert.example",
        "Tom Okafor",
        Role::NationalAnalyst,
        "CARECERT",
        "it",
    ),
    (
        "lead@northfield-icb.example",
        "Grace Miller",
        Role::SecurityLead,
        "QZ1",
        "it",
    ),
    (
        "lead@northfield-hospitals.example",
        "Sam Patel",
        Role::SecurityLead,
        "RZ1",
        "it",
    ),
    (
        "nurse@northfield-hospitals.example",
        "Aisha Khan",
        Role::Staff,
        "RZ1",
        "clinical",
    ),
    (
        "lead@riverside-practice.example",
        "Owen Davies",
        Role::SecurityLead,
        "Z99901",
        "admin",
    ),
    (
        "receptionist@riverside-practice.example",
        "Ruth Evans",
        Role::Staff,
        "Z99901",
        "admin",
    ),
    (
        "manager@oakwood-care.example",
        "Ben Wright",
        Role::SecurityLead,
        "VZ001",
        "board",
    ),
    (
        "lead@eastbrook-community.example",
        "Nadia Rahman",
        Role::SecurityLead,
        "RZ2",
        "it",
    ),
    (
        "lead@westmoor-ambulance.example",
        "Daniel Osei",
        Role::SecurityLead,
        "RZ3",
        "it",
    ),
    (
        "lead@kingsbridge-hospitals.example",
        "Laura Bennett",
        Role::SecurityLead,
        "RZ4",
        "it",
    ),
    (
        "lead@northfield-his.example",
        "Rob Mensah",
        Role::SecurityLead,
        "XZ1",
        "it",
    ),
];

const STAFF_NAMES: [&str; 12] = [
    "Alex Green",
    "Beth Hughes",
    "Chris Lee",
    "Dana Moss",
    "Eli Brown",
    "Fay Clarke",
    "Gus Hall",
    "Hana Ito",
    "Ian Price",
    "Jo Reid",
    "Kai Ward",
    "Lena Young",
];

/// Loads the demo organisations and people into an empty database. Returns `None` (and
/// changes nothing) if the database already has organisations. `public_url` is where emails
/// queued by the demo data link to; `secrets` seals the demo two-step secret.
pub async fn load(
    db: &Db,
    secrets: &SecretBox,
    public_url: &str,
) -> anyhow::Result<Option<Vec<DemoAccount>>> {
    let existing: i64 = with_db!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM organisations"
    )
    .fetch_one(pool)
    .await)?;
    if existing > 0 {
        return Ok(None);
    }
    let hash = passwords::hash(DEMO_PASSWORD.to_owned()).await?;
    let mut tx = db.begin().await?;
    let team = national_team_id(&mut tx, db).await?;
    let mut ids = vec![(NATIONAL_TEAM.1, team)];
    for org in &ORGS {
        let parent_id = org
            .parent
            .and_then(|p| ids.iter().find(|(c, _)| *c == p).map(|(_, id)| *id));
        let id = org_store::create(
            &mut tx,
            &NewOrganisation {
                name: org.name,
                ods_code: &OdsCode::for_type(org.ods, org.kind)?,
                org_type: org.kind,
                parent_id: parent_id.map(Into::into),
            },
        )
        .await?;
        ids.push((org.ods, id.into()));
    }
    let org_id = |code: &str| ids.iter().find(|(c, _)| *c == code).map(|(_, id)| *id);
    let mut accounts = vec![];
    for (email, name, role, org, group) in PEOPLE {
        let Some(organisation_id) = org_id(org) else {
            continue;
        };
        let (user_id, _) = identity_store::ensure_user(&mut tx, email, name).await?;
        identity_store::set_password(&mut tx, user_id, &hash).await?;
        if role.requires_two_step() {
            exec_tx!(&mut tx, |c| sqlx::query(
                "UPDATE users SET totp_secret = $1, totp_enabled_at = $2 WHERE id = $3"
            )
            .bind(secrets.seal(&two_step::secret_context(user_id), DEMO_TOTP_SECRET))
            .bind(now())
            .bind(user_id)
            .execute(c)
            .await)?;
        }
        staff_store::add(
            &mut tx,
            &NewMembership {
                organisation_id: organisation_id.into(),
                user_id,
                role,
                staff_group: group,
                department: None,
            },
        )
        .await?;
        accounts.push(DemoAccount {
            email,
            role,
            organisation: ORGS
                .iter()
                .find(|o| o.ods == org)
                .map(|o| o.name)
                .unwrap_or(NATIONAL_TEAM.0),
        });
    }
    // A dozen staff in each organisation, some invited but not yet signed up.
    for org in &ORGS {
        let Some(organisation_id) = org_id(org.ods) else {
            continue;
        };
        let domain = org.ods.to_ascii_lowercase();
        for (n, name) in STAFF_NAMES.iter().enumerate() {
            let email = format!(
                "{}@{domain}.example",
                name.to_ascii_lowercase().replace(' ', ".")
            );
            let (user_id, _) = identity_store::ensure_user(&mut tx, &email, name).await?;
            if n % 3 != 0 {
                identity_store::set_password(&mut tx, user_id, &hash).await?;
            }
            let group = ["clinical", "admin", "it", "board"][n % 4];
            staff_store::add(
                &mut tx,
                &NewMembership {
                    organisation_id: organisation_id.into(),
                    user_id,
                    role: Role::Staff,
                    staff_group: group,
                    department: Some(
                        ["Emergency department", "Outpatients", "Finance", "Pharmacy"][n % 4],
                    ),
                },
            )
            .await?;
        }
    }
    tx.commit().await?;
    // Then each service's own demonstration data, in the order the application lists them.
    let (services, _) = crate::app::compose();
    services
        .load_demo(&DemoContext {
            db,
            secrets,
            public_url,
        })
        .await?;
    Ok(Some(accounts))
}

pub fn print(accounts: &[DemoAccount], url: &str) {
    println!("\nDemo data loaded. Sign in at {url}/sign-in with any of these accounts.");
    println!("Password for every account: {DEMO_PASSWORD}");
    println!(
        "Accounts marked * use two-step verification: add this key to an authenticator app: {DEMO_TOTP_SECRET}\n"
    );
    for a in accounts {
        let star = if a.role.requires_two_step() { "*" } else { " " };
        println!(
            "  {star} {:<42} {:<24} {}",
            a.email,
            a.role.label(),
            a.organisation
        );
    }
    println!();
}
