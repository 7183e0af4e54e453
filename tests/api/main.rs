//! Black-box tests: the real server on a random port with a fresh database, driven over
//! HTTP as a browser or API client would. One test binary, to keep link time down.

mod support;

mod access;
mod accounts;
mod alerts_api;
mod alerts_channels;
mod alerts_cli;
mod alerts_demo;
mod alerts_escalation;
mod alerts_feeds;
mod alerts_inbox;
mod alerts_inventory;
mod alerts_manage;
mod alerts_review;
mod alerts_tlp;
mod api;
mod assessment_evidence;
mod assessments;
mod assure_demo;
mod audit_chain;
mod content_sources;
mod course_import;
mod email_secrets;
mod frameworks;
mod home;
mod jobs;
mod joining;
mod live_evidence;
mod log_secrets;
mod operations;
mod organisations;
mod quiz;
mod redirects;
mod setup;
mod staff;
mod staff_import;
mod tenancy;
mod throttling;
mod training;
mod training_dashboard;
mod training_needs;
mod two_step_lock;
