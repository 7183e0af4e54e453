//! The national team's advisory pages: the list of advisories with a national overview,
//! writing and editing drafts, submitting for review, publication by a second analyst,
//! revisions (each with what changed, re-notifying only when asked; those that loosen the
//! TLP label, widen the audience or change remediation wait for a second analyst's
//! approval) and withdrawal.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    alerts::{
        access,
        model::{AdvisoryContent, AdvisoryStatus, Audience, Severity, Tlp},
        publishing::{self, PublishError},
        rules::{self, content, deadlines, stats},
        store::{advisories, responses, review},
        views::{self, AdvisoryView},
    },
    audit::{self, NewEvent},
    organisations::{domain::OrgType, store as org_store},
    platform::{
        AppState,
        authz::{Principal, Rule},
        db::now,
        error::{AppError, AppResult},
        web::{
            client::ClientIp,
            cookies::redirect_with_notice,
            forms::FormErrors,
            page::render,
            routes::Route,
            shell::{Shell, Viewer},
        },
    },
};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/alerts/manage", Rule::NationalStaff, list),
        Route::get("/alerts/manage/new", Rule::NationalStaff, new_form),
        Route::post("/alerts/manage/new", Rule::NationalStaff, create),
        Route::get("/alerts/manage/{advisory_id}", Rule::NationalStaff, show),
        Route::get(
            "/alerts/manage/{advisory_id}/edit",
            Rule::NationalStaff,
            edit_form,
        ),
        Route::post(
            "/alerts/manage/{advisory_id}/edit",
            Rule::NationalStaff,
            save,
        ),
        Route::post(
            "/alerts/manage/{advisory_id}/submit",
            Rule::NationalStaff,
            submit,
        ),
        Route::post(
            "/alerts/manage/{advisory_id}/return",
            Rule::NationalStaff,
            send_back,
        ),
        Route::post(
            "/alerts/manage/{advisory_id}/publish",
            Rule::NationalStaff,
            publish,
        ),
        Route::get(
            "/alerts/manage/{advisory_id}/revise",
            Rule::NationalStaff,
            revise_form,
        ),
        Route::post(
            "/alerts/manage/{advisory_id}/revise",
            Rule::NationalStaff,
            revise,
        ),
        Route::post(
            "/alerts/manage/{advisory_id}/revision/approve",
            Rule::NationalStaff,
            approve_revision,
        ),
        Route::post(
            "/alerts/manage/{advisory_id}/revision/discard",
            Rule::NationalStaff,
            discard_revision,
        ),
        Route::post(
            "/alerts/manage/{advisory_id}/withdraw",
            Rule::NationalStaff,
            withdraw,
        ),
    ]
}

fn manage_shell(viewer: &Viewer, title: &str) -> Shell {
    viewer
        .shell(title)
        .crumb("Home", "/")
        .crumb("Advisories", "/alerts/manage")
}

// ---- The list and national overview -------------------------------------------------

struct LiveRow {
    id: Uuid,
    reference: String,
    title: String,
    severity: &'static str,
    severity_tag: &'static str,
    published: String,
    targeted: i64,
    acknowledged_percent: u32,
    overdue: i64,
    likely_silent: i64,
}

struct OtherRow {
    id: Uuid,
    label: String,
    title: String,
    severity: &'static str,
    when: String,
}

#[derive(Template)]
#[template(path = "alerts/manage_list.html")]
struct ListPage {
    shell: Shell,
    live: Vec<LiveRow>,
    review: Vec<OtherRow>,
    drafts: Vec<OtherRow>,
    withdrawn: Vec<OtherRow>,
    total_targeted: i64,
    total_acknowledged_percent: u32,
    total_overdue: i64,
}

impl ListPage {
    fn sections(&self) -> [(&'static str, &Vec<OtherRow>, &'static str); 3] {
        [
            (
                "Awaiting review",
                &self.review,
                "Nothing is waiting for review.",
            ),
            ("Drafts", &self.drafts, "There are no drafts."),
            ("Withdrawn", &self.withdrawn, "Nothing has been withdrawn."),
        ]
    }
}

fn other_row(a: &advisories::AdvisoryRow) -> OtherRow {
    OtherRow {
        id: a.id,
        label: a.label().to_owned(),
        title: a.title.clone(),
        severity: a.severity.label(),
        when: views::date_time(a.updated_at),
    }
}

pub async fn list(State(state): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    let all = advisories::list(
        &state.db,
        &[
            AdvisoryStatus::Draft,
            AdvisoryStatus::InReview,
            AdvisoryStatus::Published,
            AdvisoryStatus::Withdrawn,
        ],
    )
    .await?;
    let summaries = responses::summary_by_advisory(&state.db, now()).await?;
    let mut page = ListPage {
        shell: manage_shell(&viewer, "Advisories"),
        live: vec![],
        review: vec![],
        drafts: vec![],
        withdrawn: vec![],
        total_targeted: 0,
        total_acknowledged_percent: 0,
        total_overdue: 0,
    };
    let mut total_ack = 0;
    for a in &all {
        match a.status {
            AdvisoryStatus::Draft => page.drafts.push(other_row(a)),
            AdvisoryStatus::InReview => page.review.push(other_row(a)),
            AdvisoryStatus::Withdrawn => page.withdrawn.push(other_row(a)),
            AdvisoryStatus::Published => {
                let s = summaries.iter().find(|s| s.advisory_id == a.id);
                let (targeted, acked, overdue, likely_silent) = s
                    .map(|s| (s.targeted, s.acknowledged, s.overdue, s.likely_silent))
                    .unwrap_or_default();
                page.total_targeted += targeted;
                total_ack += acked;
                page.total_overdue += overdue;
                let severity = a.severity;
                page.live.push(LiveRow {
                    id: a.id,
                    reference: a.label().to_owned(),
                    title: a.title.clone(),
                    severity: severity.label(),
                    severity_tag: views::severity_tag(severity),
                    published: a.published_at.map(views::date_time).unwrap_or_default(),
                    targeted,
                    acknowledged_percent: stats::percent(acked as usize, targeted as usize),
                    overdue,
                    likely_silent,
                });
            }
        }
    }
    page.total_acknowledged_percent =
        stats::percent(total_ack as usize, page.total_targeted as usize);
    Ok(render(&page)?.into_response())
}

// ---- The advisory form ---------------------------------------------------------------

/// The advisory form as typed, kept whole so a page with errors shows it back.
#[derive(Debug, Clone, Default)]
pub struct FormValues {
    pub title: String,
    pub severity: String,
    pub severity_reason: String,
    pub tlp: String,
    pub summary: String,
    pub actively_exploited: bool,
    pub in_kev: bool,
    pub affected: String,
    pub cves: String,
    pub remediation: String,
    pub workarounds: String,
    pub references: String,
    pub audience: String,
    pub audience_types: Vec<String>,
    pub audience_orgs: String,
    pub ack_required: bool,
    pub ack_hours: String,
    /// For revisions: what changed, and whether to tell organisations.
    pub change_summary: String,
    pub notify: bool,
}

impl FormValues {
    fn from_fields(fields: &[(String, String)]) -> Self {
        let one = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.replace("\r\n", "\n"))
                .unwrap_or_default()
        };
        FormValues {
            title: one("title").trim().to_owned(),
            severity: one("severity"),
            severity_reason: one("severity_reason").trim().to_owned(),
            tlp: one("tlp"),
            summary: one("summary").trim().to_owned(),
            actively_exploited: one("actively_exploited") == "yes",
            in_kev: one("in_kev") == "yes",
            affected: one("affected"),
            cves: one("cves"),
            remediation: one("remediation"),
            workarounds: one("workarounds"),
            references: one("references"),
            audience: one("audience"),
            audience_types: fields
                .iter()
                .filter(|(k, _)| k == "audience_types")
                .map(|(_, v)| v.clone())
                .collect(),
            audience_orgs: one("audience_orgs"),
            ack_required: one("ack_required") == "yes",
            ack_hours: one("ack_hours").trim().to_owned(),
            change_summary: one("change_summary").trim().to_owned(),
            notify: one("notify") == "yes",
        }
    }

    /// A blank form with the defaults for a new advisory.
    fn blank() -> Self {
        FormValues {
            severity: Severity::High.as_str().into(),
            tlp: Tlp::Clear.as_str().into(),
            audience: "all".into(),
            ack_required: true,
            ..FormValues::default()
        }
    }

    async fn of(state: &AppState, c: &AdvisoryContent) -> AppResult<Self> {
        let (audience, types, orgs) = match &c.audience {
            Audience::All => ("all", vec![], String::new()),
            Audience::Types(t) => (
                "types",
                t.iter().map(|t| t.as_str().to_owned()).collect(),
                String::new(),
            ),
            Audience::Organisations(ids) => {
                let mut codes = Vec::new();
                for id in ids {
                    if let Some(o) = org_store::by_id(&state.db, *id).await? {
                        codes.push(String::from(o.ods_code));
                    }
                }
                ("list", vec![], codes.join("\n"))
            }
        };
        Ok(FormValues {
            title: c.title.clone(),
            severity: c.severity.as_str().into(),
            severity_reason: c.severity_reason.clone(),
            tlp: c.tlp.as_str().into(),
            summary: c.summary.clone(),
            actively_exploited: c.actively_exploited,
            in_kev: c.in_kev,
            affected: content::format_affected(&c.affected),
            cves: content::format_cves(&c.cves),
            remediation: content::format_steps(&c.remediation),
            workarounds: content::format_steps(&c.workarounds),
            references: content::format_references(&c.references),
            audience: audience.into(),
            audience_types: types,
            audience_orgs: orgs,
            ack_required: c.ack_required,
            ack_hours: c.ack_hours.map(|h| h.to_string()).unwrap_or_default(),
            change_summary: String::new(),
            notify: false,
        })
    }

    /// The content the form describes, or every problem with it.
    async fn content(&self, state: &AppState) -> AppResult<Result<AdvisoryContent, FormErrors>> {
        let mut errors = FormErrors::new();
        let severity = self.severity.parse::<Severity>().ok();
        if severity.is_none() {
            errors.add("severity", "Choose a severity");
        }
        let tlp = self.tlp.parse::<Tlp>().ok();
        if tlp.is_none() {
            errors.add("tlp", "Choose a TLP label");
        }
        let line_errors =
            |field: &str, list: Vec<content::LineError>, errors: &mut FormErrors, what: &str| {
                for e in list.into_iter().take(5) {
                    errors.add(field, format!("{what}, {e}"));
                }
            };
        let affected = content::parse_affected(&self.affected).unwrap_or_else(|e| {
            line_errors("affected", e, &mut errors, "Affected products");
            vec![]
        });
        let cves = content::parse_cves(&self.cves).unwrap_or_else(|e| {
            line_errors("cves", e, &mut errors, "Vulnerabilities");
            vec![]
        });
        let references = content::parse_references(&self.references).unwrap_or_else(|e| {
            line_errors("references", e, &mut errors, "References");
            vec![]
        });
        let audience = match self.audience.as_str() {
            "all" => Audience::All,
            "types" => {
                let types: Vec<OrgType> = self
                    .audience_types
                    .iter()
                    .filter_map(|t| t.parse::<OrgType>().ok())
                    .filter(|t| OrgType::REGISTRABLE.contains(t))
                    .collect();
                if types.is_empty() {
                    errors.add("audience_types", "Choose at least one type of organisation");
                }
                Audience::Types(types)
            }
            "list" => {
                let mut ids = Vec::new();
                let mut unknown = Vec::new();
                for code in self
                    .audience_orgs
                    .split(|c: char| c == '\n' || c == ',' || c.is_whitespace())
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .take(2000)
                {
                    match org_store::by_ods_code(&state.db, &code.to_ascii_uppercase()).await? {
                        Some(o) if !o.is_national_team() => {
                            if !ids.contains(&o.id) {
                                ids.push(o.id);
                            }
                        }
                        _ => unknown.push(code.to_owned()),
                    }
                }
                if !unknown.is_empty() {
                    errors.add(
                        "audience_orgs",
                        format!(
                            "No organisation has the ODS code{} {}",
                            if unknown.len() == 1 { "" } else { "s" },
                            unknown.join(", ")
                        ),
                    );
                } else if ids.is_empty() {
                    errors.add(
                        "audience_orgs",
                        "Enter the ODS code of at least one organisation",
                    );
                }
                Audience::Organisations(ids)
            }
            _ => {
                errors.add("audience", "Choose who the advisory is for");
                Audience::All
            }
        };
        let ack_hours = if self.ack_required && self.ack_hours.is_empty() {
            Some(default_hours(
                severity.unwrap_or(Severity::High),
                state.config.alert_ack_hours,
            ))
        } else if self.ack_required {
            match self.ack_hours.parse::<u32>() {
                Ok(h) => Some(h),
                Err(_) => {
                    errors.add(
                        "ack_hours",
                        "Enter the hours allowed to acknowledge as a whole number, like 48",
                    );
                    None
                }
            }
        } else {
            None
        };
        let c = AdvisoryContent {
            title: self.title.clone(),
            severity: severity.unwrap_or(Severity::High),
            severity_reason: self.severity_reason.clone(),
            tlp: tlp.unwrap_or(Tlp::Clear),
            summary: self.summary.clone(),
            actively_exploited: self.actively_exploited,
            in_kev: self.in_kev,
            affected,
            cves,
            remediation: content::parse_steps(&self.remediation),
            workarounds: content::parse_steps(&self.workarounds),
            references,
            audience,
            ack_required: self.ack_required,
            ack_hours,
        };
        for (field, message) in content::check(&c) {
            if !errors.has(field) {
                errors.add(field, message);
            }
        }
        Ok(if errors.is_empty() {
            Ok(c)
        } else {
            Err(errors)
        })
    }
}

#[derive(Template)]
#[template(path = "alerts/manage_form.html")]
struct FormPage {
    shell: Shell,
    heading: String,
    action: String,
    button: &'static str,
    revising: bool,
    form: FormValues,
    errors: FormErrors,
    severities: Vec<(&'static str, &'static str)>,
    tlps: Vec<(&'static str, &'static str)>,
    types: Vec<(&'static str, &'static str, bool)>,
    default_hours: u32,
}

/// Which form is shown: new advisory, draft edit or revision.
struct FormKind<'a> {
    heading: &'a str,
    action: String,
    button: &'static str,
    revising: bool,
}

impl<'a> FormKind<'a> {
    fn new_advisory() -> Self {
        FormKind {
            heading: "Write an advisory",
            action: "/alerts/manage/new".into(),
            button: "Save draft",
            revising: false,
        }
    }

    fn edit(id: Uuid) -> Self {
        FormKind {
            heading: "Edit the draft",
            action: format!("/alerts/manage/{id}/edit"),
            button: "Save draft",
            revising: false,
        }
    }

    fn revise(id: Uuid, heading: &'a str) -> Self {
        FormKind {
            heading,
            action: format!("/alerts/manage/{id}/revise"),
            button: "Publish revision",
            revising: true,
        }
    }
}

fn form_page(
    viewer: &Viewer,
    kind: FormKind<'_>,
    form: FormValues,
    errors: FormErrors,
    default_hours: u32,
) -> AppResult<Response> {
    let FormKind {
        heading,
        action,
        button,
        revising,
    } = kind;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let types = OrgType::REGISTRABLE
        .iter()
        .map(|t| {
            (
                t.as_str(),
                t.label(),
                form.audience_types.iter().any(|x| x == t.as_str()),
            )
        })
        .collect();
    let page = FormPage {
        shell: manage_shell(viewer, heading).with_errors(!errors.is_empty()),
        heading: heading.to_owned(),
        action,
        button,
        revising,
        form,
        errors,
        severities: Severity::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        tlps: Tlp::ALL.iter().map(|t| (t.as_str(), t.meaning())).collect(),
        types,
        default_hours,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn new_form(State(state): State<AppState>, viewer: Viewer) -> AppResult<Response> {
    form_page(
        &viewer,
        FormKind::new_advisory(),
        FormValues::blank(),
        FormErrors::new(),
        state.config.alert_ack_hours,
    )
}

fn actor<'a>(state: &'a AppState, p: &'a Principal, ip: &'a str) -> publishing::Actor<'a> {
    publishing::Actor {
        user_id: p.user_id,
        label: &p.email,
        ip: Some(ip),
        secrets: &state.secrets,
    }
}

fn event<'a>(
    p: &'a Principal,
    ip: &'a str,
    event: &'a str,
    detail: serde_json::Value,
) -> NewEvent<'a> {
    NewEvent {
        actor_user_id: Some(p.user_id),
        actor_label: &p.email,
        organisation_id: None,
        event,
        detail,
        ip: Some(ip),
    }
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let form = FormValues::from_fields(&fields);
    let c = match form.content(&state).await? {
        Ok(c) => c,
        Err(errors) => {
            return form_page(
                &viewer,
                FormKind::new_advisory(),
                form,
                errors,
                state.config.alert_ack_hours,
            );
        }
    };
    let mut tx = state.db.begin().await?;
    let id = advisories::create_draft(&mut tx, &c, None, p.user_id).await?;
    audit::record(
        &mut tx,
        &state.secrets,
        event(
            p,
            &ip,
            "alerts.draft_created",
            serde_json::json!({"advisory": id, "title": c.title}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/alerts/manage/{id}"),
        "Draft saved",
    ))
}

async fn load(state: &AppState, id: Uuid) -> AppResult<advisories::AdvisoryRow> {
    advisories::find(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let row = load(&state, id).await?;
    if row.status != AdvisoryStatus::Draft {
        return Err(AppError::Conflict(
            "Only a draft can be edited. Return it from review first, or revise the published advisory.".into(),
        ));
    }
    let form = FormValues::of(&state, &row.content).await?;
    form_page(
        &viewer,
        FormKind::edit(id),
        form,
        FormErrors::new(),
        state.config.alert_ack_hours,
    )
}

pub async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<Uuid>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let row = load(&state, id).await?;
    if row.status != AdvisoryStatus::Draft {
        return Err(AppError::Conflict("Only a draft can be edited.".into()));
    }
    let form = FormValues::from_fields(&fields);
    let c = match form.content(&state).await? {
        Ok(c) => c,
        Err(errors) => {
            return form_page(
                &viewer,
                FormKind::edit(id),
                form,
                errors,
                state.config.alert_ack_hours,
            );
        }
    };
    let mut tx = state.db.begin().await?;
    advisories::save_draft(&mut tx, id, &c, p.user_id).await?;
    audit::record(
        &mut tx,
        &state.secrets,
        event(
            p,
            &ip,
            "alerts.draft_saved",
            serde_json::json!({"advisory": id}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/alerts/manage/{id}"),
        "Draft saved",
    ))
}

// ---- One advisory ----------------------------------------------------------------------

#[derive(Template)]
#[template(path = "alerts/manage_show.html")]
struct ShowPage {
    shell: Shell,
    id: Uuid,
    adv: AdvisoryView,
    status: AdvisoryStatus,
    /// Whether this person may publish it (they neither wrote, edited nor submitted it).
    can_publish: bool,
    author: String,
    submitter: Option<String>,
    /// Everyone who wrote or edited the draft (before publication).
    editors: String,
    pending: Option<PendingView>,
    likely_affected: usize,
    public: bool,
}

/// A revision waiting for a second analyst's approval, as the advisory's page shows it.
struct PendingView {
    summary: String,
    reasons: Vec<String>,
    editors: String,
    submitted_at: String,
    /// Whether this person may approve it (they neither submitted nor edited it).
    can_approve: bool,
    /// False when the advisory was revised after this was submitted.
    current: bool,
    adv: AdvisoryView,
}

async fn pending_view(
    state: &AppState,
    row: &advisories::AdvisoryRow,
    current: &AdvisoryContent,
    viewer: Uuid,
) -> AppResult<Option<PendingView>> {
    let Some(pending) = review::pending(&state.db, row.id).await? else {
        return Ok(None);
    };
    let content = pending.content.clone();
    let editors = review::editor_names(&state.db, row.id, pending.number).await?;
    let mut authors: Vec<Uuid> = editors.iter().map(|(id, _)| *id).collect();
    authors.push(pending.submitted_by);
    Ok(Some(PendingView {
        summary: pending.summary.clone(),
        reasons: rules::review::revision_review_reasons(current, &content)
            .into_iter()
            .map(|r| r.message())
            .collect(),
        editors: names(&editors),
        submitted_at: views::date_time(pending.submitted_at),
        can_approve: rules::review::may_approve(viewer, &authors),
        current: pending.number == row.revision + 1,
        adv: AdvisoryView::new(row, &content, &[]),
    }))
}

fn names(people: &[(Uuid, String)]) -> String {
    people
        .iter()
        .map(|(_, n)| n.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

async fn name_of(state: &AppState, id: Option<Uuid>) -> AppResult<Option<String>> {
    let Some(id) = id else { return Ok(None) };
    let name: Option<String> = crate::with_db!(&state.db, |pool| sqlx::query_scalar(
        "SELECT name FROM users WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    Ok(name)
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let row = load(&state, id).await?;
    let content = row.content.clone();
    let revisions = advisories::revisions(&state.db, id).await?;
    let mut tx = state.db.begin().await?;
    let likely = publishing::find_matches(&mut tx, &content.affected, None)
        .await?
        .len();
    drop(tx);
    let draft_editors = review::editor_names(&state.db, id, row.revision + 1).await?;
    let mut authors: Vec<Uuid> = draft_editors.iter().map(|(id, _)| *id).collect();
    authors.push(row.created_by);
    authors.extend(row.submitted_by);
    let page = ShowPage {
        shell: manage_shell(&viewer, &format!("{}: {}", row.label(), row.title)),
        id,
        adv: AdvisoryView::new(&row, &content, &revisions),
        status: row.status,
        can_publish: rules::review::may_approve(p.user_id, &authors),
        editors: names(&draft_editors),
        pending: pending_view(&state, &row, &content, p.user_id).await?,
        author: name_of(&state, Some(row.created_by))
            .await?
            .unwrap_or_default(),
        submitter: name_of(&state, row.submitted_by).await?,
        likely_affected: likely,
        public: access::is_public(&row),
    };
    Ok(render(&page)?.into_response())
}

fn refused(e: PublishError) -> AppError {
    match e {
        PublishError::NotFound => AppError::NotFound,
        PublishError::Refused(m) | PublishError::Invalid(m) => AppError::Conflict(m),
        PublishError::Db(e) => e.into(),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    move_review(
        &state,
        &viewer,
        &ip,
        id,
        true,
        "Submitted for review. Another analyst must check and publish it.",
    )
    .await
}

pub async fn send_back(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    move_review(&state, &viewer, &ip, id, false, "Returned to draft").await
}

async fn move_review(
    state: &AppState,
    viewer: &Viewer,
    ip: &str,
    id: Uuid,
    submit: bool,
    notice: &str,
) -> AppResult<Response> {
    let p = viewer.user()?;
    publishing::change_review(&state.db, id, submit, &actor(state, p, ip))
        .await
        .map_err(refused)?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/alerts/manage/{id}"),
        notice,
    ))
}

pub async fn publish(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let out = publishing::publish(
        &state.db,
        id,
        &actor(&state, p, &ip),
        now(),
        &state.config.public_url,
    )
    .await
    .map_err(refused)?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/alerts/manage/{id}/dashboard"),
        &format!(
            "Published {} to {} organisations ({} likely affected). {} emails queued.",
            out.reference, out.organisations, out.likely_affected, out.emails
        ),
    ))
}

// ---- Revisions and withdrawal ---------------------------------------------------------

pub async fn revise_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let row = load(&state, id).await?;
    if row.status != AdvisoryStatus::Published {
        return Err(AppError::Conflict(
            "Only a published advisory can be revised.".into(),
        ));
    }
    let form = FormValues::of(&state, &row.content).await?;
    form_page(
        &viewer,
        FormKind::revise(id, &format!("Revise {}", row.label())),
        form,
        FormErrors::new(),
        state.config.alert_ack_hours,
    )
}

pub async fn revise(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<Uuid>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let row = load(&state, id).await?;
    let heading = format!("Revise {}", row.label());
    let form = FormValues::from_fields(&fields);
    let mut result = form.content(&state).await?;
    if form.change_summary.is_empty() || form.change_summary.chars().count() > 500 {
        let message = "Say what changed in this revision, in 500 characters or fewer";
        match &mut result {
            Ok(_) => {
                let mut e = FormErrors::new();
                e.add("change_summary", message);
                result = Err(e);
            }
            Err(e) => e.add("change_summary", message),
        }
    }
    let c = match result {
        Ok(c) => c,
        Err(errors) => {
            return form_page(
                &viewer,
                FormKind::revise(id, &heading),
                form,
                errors,
                state.config.alert_ack_hours,
            );
        }
    };
    let revision = publishing::Revision {
        content: &c,
        summary: &form.change_summary,
        notify: form.notify,
    };
    let revised = publishing::revise(
        &state.db,
        id,
        &revision,
        &actor(&state, p, &ip),
        now(),
        &state.config.public_url,
    )
    .await
    .map_err(refused)?;
    let notice = match revised {
        publishing::Revised::Published(out) => {
            format!("Revision published. {}", told(form.notify, out.emails))
        }
        publishing::Revised::AwaitingReview(reasons) => format!(
            "Revision submitted for review, not yet published: another analyst must approve it. {}",
            reasons
                .iter()
                .map(|r| r.message())
                .collect::<Vec<_>>()
                .join(" ")
        ),
    };
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/alerts/manage/{id}"),
        &notice,
    ))
}

fn told(notify: bool, emails: usize) -> String {
    if notify {
        format!("{emails} emails queued.")
    } else {
        "Organisations were not emailed.".to_owned()
    }
}

pub async fn approve_revision(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let pending = review::pending(&state.db, id).await?;
    let out = publishing::approve_revision(
        &state.db,
        id,
        &actor(&state, p, &ip),
        now(),
        &state.config.public_url,
    )
    .await
    .map_err(refused)?;
    let notify = pending.is_some_and(|r| r.notify);
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/alerts/manage/{id}"),
        &format!(
            "Revision approved and published. {}",
            told(notify, out.emails)
        ),
    ))
}

pub async fn discard_revision(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    publishing::discard_revision(&state.db, id, &actor(&state, p, &ip))
        .await
        .map_err(refused)?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/alerts/manage/{id}"),
        "Revision discarded. The advisory is as it was published.",
    ))
}

#[derive(Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    reason: String,
}

pub async fn withdraw(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<Uuid>,
    Form(form): Form<WithdrawForm>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let reason = form.reason.trim();
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(AppError::BadRequest(
            "Give the reason for withdrawing the advisory, in 1000 characters or fewer".into(),
        ));
    }
    let told = publishing::withdraw(
        &state.db,
        id,
        reason,
        &actor(&state, p, &ip),
        now(),
        &state.config.public_url,
    )
    .await
    .map_err(refused)?;
    Ok(redirect_with_notice(
        state.config.is_https(),
        &format!("/alerts/manage/{id}"),
        &format!("Advisory withdrawn. {told} emails queued to organisations still responding."),
    ))
}

/// Default acknowledgement hours for a severity, given the configured hours for critical
/// and high (shown as the form's hint).
pub fn default_hours(severity: Severity, configured: u32) -> u32 {
    let policy = deadlines::AckPolicy {
        critical_hours: configured,
        high_hours: configured,
        ..deadlines::AckPolicy::default()
    };
    policy.default_hours(severity)
}
