//! Storage of the Alerts service. All SQL of the service lives here.

pub mod advisories;
pub mod channels;
pub mod evidence;
pub mod inventory;
pub mod notices;
pub mod responses;
pub mod review;
pub mod scope;
