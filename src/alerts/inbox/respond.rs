//! Recording a response submitted from the advisory page, for one organisation or several.

use super::*;

// ---- Recording a response -------------------------------------------------------------

/// "A", "A and B", "A, B and C", or the first few and how many more.
pub(super) fn name_list(names: &[String]) -> String {
    let shown: Vec<&str> = names
        .iter()
        .take(NAMES_LISTED)
        .map(String::as_str)
        .collect();
    let more = names.len().saturating_sub(NAMES_LISTED);
    match (shown.as_slice(), more) {
        ([], _) => String::new(),
        ([only], 0) => (*only).to_owned(),
        ([init @ .., last], 0) => format!("{} and {last}", init.join(", ")),
        (all, more) => format!("{} and {more} more", all.join(", ")),
    }
}

/// The notice after acting for several organisations: what was done for whom, and why
/// the others were skipped.
pub(super) fn bulk_notice(what: &str, bulk: &Bulk) -> String {
    let mut out = format!("{what} for {}.", name_list(&bulk.done));
    let mut reasons: Vec<(&str, Vec<String>)> = Vec::new();
    for (name, why) in &bulk.skipped {
        match reasons.iter_mut().find(|(w, _)| w == why) {
            Some((_, names)) => names.push(name.clone()),
            None => reasons.push((why, vec![name.clone()])),
        }
    }
    for (why, names) in reasons {
        out.push_str(&format!(" Not done for {}: {why}.", name_list(&names)));
    }
    out
}

/// Whether a refusal is about what was written (422) rather than where the response
/// stands (409).
pub(super) fn is_input_problem(e: &ResponseError) -> bool {
    matches!(
        e,
        ResponseError::MissingReason(_)
            | ResponseError::TooLong { .. }
            | ResponseError::UpdateDays(_)
    )
}

/// `POST /alerts/{reference}/respond`
pub async fn respond(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(reference): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let p = viewer.user()?;
    let adv = readable(&state, &viewer, &reference).await?;
    let submitted = Submitted::from_fields(fields);
    let (targets, _) = split_addressed(&state.db, p, &adv).await?;
    let chosen: Vec<(OrgId, String)> = if submitted.organisations.iter().any(|o| o == ALL) {
        targets.clone()
    } else {
        let mut chosen = Vec::new();
        for raw in &submitted.organisations {
            let id = raw
                .trim()
                .parse::<OrgId>()
                .map_err(|_| AppError::NotFound)?;
            let found = targets
                .iter()
                .find(|(t, _)| *t == id)
                .ok_or(AppError::NotFound)?;
            if !chosen.iter().any(|(c, _): &(OrgId, String)| *c == id) {
                chosen.push(found.clone());
            }
        }
        chosen
    };
    if targets.is_empty() {
        return Err(AppError::NotFound);
    }
    let prefix = match chosen.as_slice() {
        [(org, _)] if submitted.form != BULK => panel_prefix(*org),
        _ => BULK.to_owned(),
    };
    let mut errors = FormErrors::new();
    if chosen.is_empty() {
        errors.add(
            &field_id(&prefix, "organisation"),
            "Select at least one organisation to respond for",
        );
    }
    let action = match read_action(&submitted, &prefix) {
        Ok(action) => Some(action),
        Err(found) => {
            for e in found.iter() {
                errors.add(&e.field, e.message.clone());
            }
            None
        }
    };
    let fail = |errors: FormErrors, status: StatusCode, values: Submitted| Failed {
        prefix: prefix.clone(),
        values,
        errors,
        status,
    };
    let Some(action) = action.filter(|_| errors.is_empty()) else {
        let failed = fail(errors, StatusCode::UNPROCESSABLE_ENTITY, submitted);
        return advisory_page(&state, &viewer, &adv, Some(failed)).await;
    };
    let what = workflow::event_label(&action);
    let at = now();
    let back = format!("/alerts/{}", adv.label());
    if let [(org, name)] = chosen.as_slice() {
        return match responding::record(
            &state.db,
            &state.secrets,
            p,
            &ip,
            adv.id,
            *org,
            &action,
            at,
        )
        .await
        {
            Ok(next) => Ok(redirect_with_notice(
                state.config.is_https(),
                &back,
                &format!("{what} for {name}. Status: {}", next.label()),
            )),
            Err(RespondError::NotAddressed) => Err(AppError::NotFound),
            Err(RespondError::Db(e)) => Err(e.into()),
            Err(RespondError::Rule(e)) => {
                let status = if is_input_problem(&e) {
                    StatusCode::UNPROCESSABLE_ENTITY
                } else {
                    StatusCode::CONFLICT
                };
                let mut errors = FormErrors::new();
                errors.add(&prefix, format!("{name}: {e}"));
                let failed = fail(errors, status, submitted);
                advisory_page(&state, &viewer, &adv, Some(failed)).await
            }
        };
    }
    let bulk = responding::record_many(
        &state.db,
        &state.secrets,
        p,
        &ip,
        adv.id,
        &chosen,
        &action,
        at,
    )
    .await?;
    if bulk.done.is_empty() {
        let mut errors = FormErrors::new();
        for (name, why) in &bulk.skipped {
            let index = targets.iter().position(|(_, n)| n == name).unwrap_or(0);
            errors.add(
                &field_id(BULK, &format!("organisation-{}", index + 1)),
                format!("{name}: {why}"),
            );
        }
        let failed = fail(errors, StatusCode::CONFLICT, submitted);
        return advisory_page(&state, &viewer, &adv, Some(failed)).await;
    }
    Ok(redirect_with_notice(
        state.config.is_https(),
        &back,
        &bulk_notice(what, &bulk),
    ))
}
