//! A multipart form (a form with a file input) read whole: its text fields and its files. The
//! two upload forms (request intake, imports) need every field before they can act — the CSRF
//! token first of all, which may come after the file — and the service takes the file as bytes.

use std::collections::HashMap;

use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;

use crate::page::PageError;
use crate::session::{Posted, Signed};

/// A file sent with a form.
#[derive(Debug, Clone, Default)]
pub(crate) struct UploadedFile {
    /// The name the browser gave (may be empty).
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A multipart form read whole.
#[derive(Debug, Default)]
pub(crate) struct Upload {
    fields: HashMap<String, String>,
    files: HashMap<String, UploadedFile>,
}

impl Upload {
    /// Reads every part of the form, then checks its CSRF token (field `csrf`) against the
    /// session's: nothing in the form is acted on before that.
    pub(crate) async fn read_checked(
        signed: &Signed,
        mut multipart: Multipart,
    ) -> Result<Upload, PageError> {
        let mut upload = Upload::default();
        let unreadable = |error: MultipartError| {
            PageError::new(
                error.status(),
                "Invalid form",
                format!("The form could not be read: {}", error.body_text()),
            )
            .in_frame(signed.frame(""))
        };
        while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
            let Some(name) = field.name().map(str::to_owned) else {
                continue;
            };
            // A file input sends a file name (empty when no file was chosen); text inputs none.
            match field.file_name().map(str::to_owned) {
                Some(file_name) => {
                    let bytes = field.bytes().await.map_err(unreadable)?;
                    upload.files.insert(
                        name,
                        UploadedFile {
                            name: file_name,
                            // Takes the buffer over when it is not shared: no copy of a large file.
                            bytes: Vec::from(bytes),
                        },
                    );
                }
                None => {
                    let text = field.text().await.map_err(unreadable)?;
                    upload.fields.insert(name, text);
                }
            }
        }
        Posted::check_csrf(signed, upload.field("csrf"))?;
        Ok(upload)
    }

    /// A text field's value ("" if the form did not send it).
    pub(crate) fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    /// The file sent in `name`, if one was chosen (an empty file counts as none).
    pub(crate) fn file(&self, name: &str) -> Option<&UploadedFile> {
        self.files.get(name).filter(|file| !file.bytes.is_empty())
    }

    /// The file sent in `name`, taken out of the form (a large upload is not copied).
    pub(crate) fn take_file(&mut self, name: &str) -> Option<UploadedFile> {
        self.files
            .remove(name)
            .filter(|file| !file.bytes.is_empty())
    }
}

/// The answer to a body that is not a multipart form at all.
pub(crate) fn not_multipart(signed: &Signed) -> PageError {
    PageError::new(
        StatusCode::BAD_REQUEST,
        "Invalid form",
        "This form must be sent as multipart/form-data (it carries a file). Nothing was saved.",
    )
    .in_frame(signed.frame(""))
}

#[cfg(test)]
impl Upload {
    /// A form as if sent, for unit tests of the pages that read one.
    pub(crate) fn set_field(&mut self, name: &str, value: &str) {
        self.fields.insert(name.to_owned(), value.to_owned());
    }
}
