//! Reading one uploaded file from a `multipart/form-data` form, keeping at most a set number
//! of bytes in memory, with messages a person can act on.

use axum::{extract::Multipart, extract::multipart::MultipartError, http::StatusCode};

/// The largest request body accepted (CSV imports are the largest legitimate uploads).
pub const MAX_BODY_BYTES: usize = 12 * 1024 * 1024;

/// An uploaded file.
pub struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// Reads the field `name`. `what` names the expected file in messages ("a JSON file of the
/// catalogue"). A file over `max_bytes` is read to its end (up to the request limit) and
/// refused; other fields are skipped.
pub async fn read_file(
    mut multipart: Multipart,
    name: &str,
    max_bytes: usize,
    what: &str,
) -> Result<Upload, String> {
    let too_large = || {
        format!(
            "The selected file is larger than {} MB. Choose {what}",
            max_bytes.div_ceil(1024 * 1024)
        )
    };
    let problem = |e: MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            "The file could not be read. Try uploading it again".to_owned()
        }
    };
    let mut found: Option<Result<Upload, String>> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(problem)? {
        if field.name() != Some(name) || found.is_some() {
            continue;
        }
        let filename = field.file_name().unwrap_or_default().trim().to_owned();
        let mut bytes = Vec::new();
        let mut over = false;
        while let Some(chunk) = field.chunk().await.map_err(problem)? {
            if over {
                continue;
            }
            if bytes.len() + chunk.len() > max_bytes {
                over = true;
                bytes = Vec::new();
            } else {
                bytes.extend_from_slice(&chunk);
            }
        }
        found = Some(if over {
            Err(too_large())
        } else if bytes.is_empty() {
            Err(if filename.is_empty() {
                format!("Choose {what}")
            } else {
                format!("The selected file is empty. Choose {what}")
            })
        } else {
            Ok(Upload { filename, bytes })
        });
    }
    found.unwrap_or_else(|| Err(format!("Choose {what}")))
}
