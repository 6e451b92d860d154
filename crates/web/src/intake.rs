//! The request intake page (`/requests/new`, DESIGN §5.2 and §5.6): a request typed into the
//! form's fields, pasted as JSON into the `request` textarea, or uploaded as a file (`file`) —
//! a JSON request, or FollowTheMoney entities whose persons become the parties while the form
//! gives the rest.
//!
//! The form is turned into the request's JSON and parsed by `haven_domain::parse_request`, the
//! same parser as the API and the command line, so the rules live in one place; its error names
//! a JSON field (`parties[1].birth_date`), which is mapped back to the input the person typed
//! into and shown next to it, with everything they typed kept. Nothing is stored unless the
//! request parses: the service records the case only on success.

use askama::Template;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use haven_access::Action;
use haven_domain::ftm::Converter;
use haven_domain::{
    Format, MeasureKind, OffenceCategory, PartyRole, RecordError, Request, RequestKind,
    detect_format, parse_request,
};
use serde_json::{Map, Value, json};

use crate::page::{Choice, Frame, PageError, render};
use crate::session::Signed;
use crate::upload::{Upload, not_multipart};
use crate::{WebState, blocking};

/// How many parties and measures the form has room for (a longer request comes as JSON).
const PARTY_SLOTS: usize = 3;
const MEASURE_SLOTS: usize = 4;

/// One input of the form: what the person typed, its error, and for a select its options.
#[derive(Debug, Clone)]
struct Field {
    id: String,
    value: String,
    error: Option<String>,
    options: Vec<Choice>,
}

impl Field {
    fn text(id: impl Into<String>, upload: Option<&Upload>) -> Field {
        let id = id.into();
        let value = upload.map_or("", |u| u.field(&id)).to_owned();
        Field {
            id,
            value,
            error: None,
            options: Vec::new(),
        }
    }

    /// A select over wire names; `empty` is the label of a leading "none chosen" option.
    fn select(
        id: impl Into<String>,
        upload: Option<&Upload>,
        values: &[&str],
        empty: Option<&str>,
        default: &str,
    ) -> Field {
        let mut field = Field::text(id, upload);
        if upload.is_none() {
            field.value = default.to_owned();
        }
        let mut options: Vec<Choice> = empty
            .map(|label| Choice {
                value: String::new(),
                label: label.to_owned(),
                selected: false,
            })
            .into_iter()
            .collect();
        options.extend(values.iter().map(|&value| Choice::wire(value, false)));
        for option in &mut options {
            option.selected = option.value == field.value;
        }
        field.options = options;
        field
    }

    fn is_blank(&self) -> bool {
        self.value.trim().is_empty()
    }
}

/// The inputs of one party.
#[derive(Debug, Clone)]
struct PartyFields {
    number: usize,
    role: Field,
    names: Field,
    birth_date: Field,
    nationalities: Field,
}

impl PartyFields {
    /// Whether the person filled in anything about this party (the role alone has a default).
    fn is_filled(&self) -> bool {
        !(self.names.is_blank() && self.birth_date.is_blank() && self.nationalities.is_blank())
    }
}

/// The inputs of one measure.
#[derive(Debug, Clone)]
struct MeasureFields {
    number: usize,
    label: String,
    party_label: String,
    kind: Field,
    party: Field,
}

/// The whole form, as shown and as sent back.
#[derive(Debug, Clone)]
struct RequestForm {
    reference: Field,
    kind: Field,
    requesting_state: Field,
    received_on: Field,
    offence_description: Field,
    offence_category: Field,
    eio_authority: Field,
    parties: Vec<PartyFields>,
    measures: Vec<MeasureFields>,
    request: Field,
    file: Field,
}

fn wire_names<T: Copy>(all: &[T], name: impl Fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|&value| name(value)).collect()
}

impl RequestForm {
    /// The form empty (`upload` is `None`) or as the person sent it.
    fn new(upload: Option<&Upload>) -> RequestForm {
        let kinds = wire_names(RequestKind::ALL, RequestKind::as_str);
        let categories = wire_names(OffenceCategory::ALL, OffenceCategory::as_str);
        let roles = wire_names(PartyRole::ALL, PartyRole::as_str);
        let measure_kinds = wire_names(MeasureKind::ALL, MeasureKind::as_str);
        let party_numbers: Vec<String> = (0..PARTY_SLOTS).map(|i| i.to_string()).collect();
        let parties = (1..=PARTY_SLOTS)
            .map(|number| PartyFields {
                number,
                role: Field::select(
                    format!("party{number}_role"),
                    upload,
                    &roles,
                    None,
                    if number == 1 { "subject" } else { "other" },
                ),
                names: Field::text(format!("party{number}_names"), upload),
                birth_date: Field::text(format!("party{number}_birth_date"), upload),
                nationalities: Field::text(format!("party{number}_nationalities"), upload),
            })
            .collect();
        let measures = (1..=MEASURE_SLOTS)
            .map(|number| {
                let mut party = Field::select(
                    format!("measure{number}_party"),
                    upload,
                    &party_numbers.iter().map(String::as_str).collect::<Vec<_>>(),
                    Some("no party"),
                    "",
                );
                // The value is the JSON index; people count parties from 1.
                for option in party.options.iter_mut().skip(1) {
                    let index: usize = option.value.parse().unwrap_or_default();
                    option.label = format!("party {}", index + 1);
                }
                MeasureFields {
                    number,
                    label: format!("Measure {number}"),
                    party_label: format!("Measure {number} aimed at"),
                    kind: Field::select(
                        format!("measure{number}_kind"),
                        upload,
                        &measure_kinds,
                        Some("none"),
                        "",
                    ),
                    party,
                }
            })
            .collect();
        RequestForm {
            reference: Field::text("reference", upload),
            kind: Field::select("kind", upload, &kinds, None, "mla"),
            requesting_state: Field::text("requesting_state", upload),
            received_on: Field::text("received_on", upload),
            offence_description: Field::text("offence_description", upload),
            offence_category: Field::select(
                "offence_category",
                upload,
                &categories,
                Some("none"),
                "",
            ),
            eio_authority: Field::text("eio_authority", upload),
            parties,
            measures,
            request: Field::text("request", upload),
            file: Field::text("file", None),
        }
    }

    fn fields_mut(&mut self) -> impl Iterator<Item = &mut Field> {
        let top = [
            &mut self.reference,
            &mut self.kind,
            &mut self.requesting_state,
            &mut self.received_on,
            &mut self.offence_description,
            &mut self.offence_category,
            &mut self.eio_authority,
            &mut self.request,
            &mut self.file,
        ];
        let parties = self.parties.iter_mut().flat_map(|p| {
            [
                &mut p.role,
                &mut p.names,
                &mut p.birth_date,
                &mut p.nationalities,
            ]
        });
        let measures = self
            .measures
            .iter_mut()
            .flat_map(|m| [&mut m.kind, &mut m.party]);
        top.into_iter().chain(parties).chain(measures)
    }

    /// Puts `message` next to the input `id`.
    fn set_error(&mut self, id: &str, message: String) {
        if let Some(field) = self.fields_mut().find(|field| field.id == id) {
            field.error = Some(message);
        }
    }

    fn has_errors(&mut self) -> bool {
        self.fields_mut().any(|field| field.error.is_some())
    }

    /// The request's JSON from the form's fields, with `parties` instead of the form's party
    /// fields when a file supplied them; and which form slot each JSON party and measure came
    /// from, so an error can be put back next to its input.
    fn to_json(&self, parties: Option<Vec<Value>>) -> (Value, Slots) {
        let mut slots = Slots {
            parties_from_file: parties.is_some(),
            ..Slots::default()
        };
        let mut request = Map::new();
        // Required fields are sent even when blank, so the parser names them.
        for field in [
            &self.reference,
            &self.kind,
            &self.requesting_state,
            &self.received_on,
        ] {
            request.insert(field.id.clone(), json!(field.value.trim()));
        }
        if !(self.offence_description.is_blank() && self.offence_category.is_blank()) {
            request.insert(
                "offences".into(),
                json!([{
                    "description": self.offence_description.value.trim(),
                    "category": self.offence_category.value,
                }]),
            );
        }
        let parties = parties.unwrap_or_else(|| {
            self.parties
                .iter()
                .filter(|party| party.is_filled())
                .map(|party| {
                    slots.parties.push(party.number);
                    party_json(party)
                })
                .collect()
        });
        request.insert("parties".into(), Value::Array(parties));
        let measures: Vec<Value> = self
            .measures
            .iter()
            .filter(|measure| !measure.kind.is_blank())
            .map(|measure| {
                slots.measures.push(measure.number);
                let mut object = Map::new();
                object.insert("kind".into(), json!(measure.kind.value));
                if !measure.party.is_blank() {
                    // A number as the parser expects; anything else is sent as typed, so the
                    // parser's error names it.
                    let party = measure
                        .party
                        .value
                        .parse::<u64>()
                        .map_or_else(|_| json!(measure.party.value), |index| json!(index));
                    object.insert("party".into(), party);
                }
                Value::Object(object)
            })
            .collect();
        if !measures.is_empty() {
            request.insert("measures".into(), Value::Array(measures));
        }
        if !self.eio_authority.is_blank() {
            request.insert(
                "eio".into(),
                json!({"issuing_authority": self.eio_authority.value.trim()}),
            );
        }
        (Value::Object(request), slots)
    }
}

fn party_json(party: &PartyFields) -> Value {
    let mut object = Map::new();
    object.insert("role".into(), json!(party.role.value));
    let names: Vec<&str> = party
        .names
        .value
        .lines()
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .collect();
    object.insert("names".into(), json!(names));
    if !party.birth_date.is_blank() {
        object.insert("birth_date".into(), json!(party.birth_date.value.trim()));
    }
    let nationalities: Vec<&str> = party
        .nationalities
        .value
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|code| !code.is_empty())
        .collect();
    if !nationalities.is_empty() {
        object.insert("nationalities".into(), json!(nationalities));
    }
    Value::Object(object)
}

/// Which form slot (numbered from 1) each JSON party and measure came from.
#[derive(Debug, Default)]
struct Slots {
    parties: Vec<usize>,
    measures: Vec<usize>,
    parties_from_file: bool,
}

impl Slots {
    /// The input a JSON field path (`parties[1].birth_date`, `measures[0].party`) was typed
    /// into, if the path names one.
    fn input_for(&self, path: &str) -> Option<String> {
        let (head, rest) = path.split_once('.').unwrap_or((path, ""));
        let (name, index) = match head.split_once('[') {
            Some((name, index)) => (name, index.trim_end_matches(']').parse::<usize>().ok()),
            None => (head, None),
        };
        // The first segment of the rest (`names[0]` → `names`).
        let member = rest.split(['.', '[']).next().unwrap_or("");
        match name {
            "reference" | "kind" | "requesting_state" | "received_on" => Some(name.to_owned()),
            "offences" if member == "category" => Some("offence_category".into()),
            "offences" => Some("offence_description".into()),
            "eio" => Some("eio_authority".into()),
            "parties" if self.parties_from_file => Some("file".into()),
            "parties" => {
                let number = index
                    .and_then(|i| self.parties.get(i))
                    .copied()
                    .unwrap_or(1);
                let input = match member {
                    "role" | "birth_date" | "nationalities" => member,
                    _ => "names",
                };
                Some(format!("party{number}_{input}"))
            }
            "measures" => {
                let number = index.and_then(|i| self.measures.get(i)).copied()?;
                let input = if member == "party" { "party" } else { "kind" };
                Some(format!("measure{number}_{input}"))
            }
            _ => None,
        }
    }
}

/// The field a parse error is about: its path, or for a missing field the field's name.
fn error_path(error: &RecordError) -> Option<String> {
    if let Some(field) = error.field_name() {
        return Some(field.to_owned());
    }
    let RecordError::Record(message) = error else {
        return None;
    };
    let rest = message.strip_prefix("missing field `")?;
    rest.split_once('`').map(|(field, _)| field.to_owned())
}

/// The error as shown next to its input: the message without the path the input stands for
/// (first letter capitalised), or whole where the input holds the whole request.
fn field_message(error: &RecordError) -> String {
    let message = match error {
        RecordError::Field { message, .. } | RecordError::Record(message) => message.clone(),
        other => other.to_string(),
    };
    let mut chars = message.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[derive(Template)]
#[template(path = "intake.html")]
struct IntakePage {
    frame: Frame,
    form: RequestForm,
    /// How many inputs have an error (the page says so first, then each error at its input).
    errors: usize,
}

/// `GET /requests/new`.
pub(crate) async fn form(
    State(state): State<WebState>,
    signed: Signed,
) -> Result<Response, PageError> {
    let frame = signed.frame("/requests/new");
    signed.require(&state, Action::SubmitRequest, &frame)?;
    Ok(render(&IntakePage {
        frame,
        form: RequestForm::new(None),
        errors: 0,
    }))
}

/// `POST /requests`: checks the CSRF token, builds and parses the request, and on success
/// records the case and goes to it; on an error shows the form again with the error next to
/// its input (422), nothing stored.
pub(crate) async fn submit(
    State(state): State<WebState>,
    signed: Signed,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let multipart = multipart.map_err(|_| not_multipart(&signed))?;
    let upload = Upload::read_checked(&signed, multipart).await?;
    let frame = signed.frame("/requests/new");
    signed.require(&state, Action::SubmitRequest, &frame)?;
    let mut form = RequestForm::new(Some(&upload));
    let request = match read_request(&mut form, &upload) {
        Some(request) => request,
        None => {
            let errors = form.fields_mut().filter(|f| f.error.is_some()).count();
            let page = IntakePage {
                frame,
                form,
                errors,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
        }
    };
    let principal = signed.session.principal.clone();
    let assessed = blocking(&state, move |service| {
        Ok(service.assess(&principal, &request, true)?)
    })
    .await
    .map_err(|error| error.in_frame(frame.clone()))?;
    let Some(case) = assessed.case else {
        // `assess` with `record: true` returns the case it recorded; without one nothing was
        // stored, which the person must not be told otherwise.
        tracing::error!("an assessment asked to record returned no case");
        return Err(PageError::internal().in_frame(frame));
    };
    Ok(Redirect::to(&format!("/cases/{case}")).into_response())
}

/// The request the form describes, or `None` with the errors set in `form`.
fn read_request(form: &mut RequestForm, upload: &Upload) -> Option<Request> {
    let pasted = upload.field("request");
    let file = upload.file("file");
    if !pasted.trim().is_empty() {
        if file.is_some() {
            form.set_error(
                "request",
                "Give the request either as a file or pasted here, not both.".into(),
            );
            return None;
        }
        return parse_request(pasted)
            .map_err(|error| form.set_error("request", error.to_string()))
            .ok();
    }
    let mut parties = None;
    if let Some(file) = file {
        let Ok(text) = std::str::from_utf8(&file.bytes) else {
            form.set_error("file", "The file is not UTF-8 text.".into());
            return None;
        };
        let first = text.lines().find(|line| !line.trim().is_empty());
        if first.map(detect_format) != Some(Format::FollowTheMoney) {
            // A JSON request: the whole request, the form's fields are not used.
            return parse_request(text)
                .map_err(|error| form.set_error("file", error.to_string()))
                .ok();
        }
        if form.parties.iter().any(PartyFields::is_filled) {
            form.set_error(
                "file",
                "A FollowTheMoney file gives the parties: leave the party fields empty, or send \
                 no file."
                    .into(),
            );
            return None;
        }
        match ftm_parties(text) {
            Ok(found) => parties = Some(found),
            Err(message) => {
                form.set_error("file", message);
                return None;
            }
        }
    }
    let (json, slots) = form.to_json(parties);
    match parse_request(&json.to_string()) {
        Ok(request) => Some(request),
        Err(error) => {
            match error_path(&error).and_then(|path| slots.input_for(&path)) {
                Some(input) if input == "file" => form.set_error(&input, error.to_string()),
                Some(input) => form.set_error(&input, field_message(&error)),
                None => form.set_error("request", error.to_string()),
            }
            if !form.has_errors() {
                form.set_error("request", error.to_string());
            }
            None
        }
    }
}

/// The parties of a FollowTheMoney file: every `Person` entity, the first as the subject and
/// the others as `other` (the file cannot say who is what to the request). A line that is not
/// a valid entity refuses the file, naming the line.
fn ftm_parties(text: &str) -> Result<Vec<Value>, String> {
    let mut converter = Converter::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        converter
            .push(index + 1, line)
            .map_err(|error| format!("Line {}: {error}", index + 1))?;
    }
    let converted = converter.finish();
    if let Some(reject) = converted.rejects.first() {
        return Err(format!("Line {}: {}", reject.line, reject.value));
    }
    if converted.persons.is_empty() {
        return Err("The FollowTheMoney file holds no Person entity, so no party.".into());
    }
    Ok(converted
        .persons
        .iter()
        .enumerate()
        .map(|(index, numbered)| {
            let person = &numbered.value;
            let mut party = Map::new();
            party.insert(
                "role".into(),
                json!(if index == 0 { "subject" } else { "other" }),
            );
            party.insert("names".into(), json!(person.names));
            if let Some(date) = &person.birth_date {
                party.insert("birth_date".into(), json!(date.to_string()));
            }
            party.insert("nationalities".into(), json!(person.nationalities));
            if let Some(gender) = person.gender {
                party.insert("gender".into(), json!(gender));
            }
            Value::Object(party)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_map_back_to_their_inputs() {
        let slots = Slots {
            parties: vec![1, 3],
            measures: vec![2],
            parties_from_file: false,
        };
        for (path, input) in [
            ("reference", Some("reference")),
            ("received_on", Some("received_on")),
            ("offences[0].category", Some("offence_category")),
            ("offences[0].description", Some("offence_description")),
            ("parties[1].birth_date", Some("party3_birth_date")),
            ("parties[0].names[0]", Some("party1_names")),
            ("parties[1].nationalities[2]", Some("party3_nationalities")),
            ("parties", Some("party1_names")),
            ("measures[0].party", Some("measure2_party")),
            ("measures[0].kind", Some("measure2_kind")),
            ("measures[3].kind", None),
            ("eio", Some("eio_authority")),
            ("colour", None),
        ] {
            assert_eq!(slots.input_for(path).as_deref(), input, "{path}");
        }
        let from_file = Slots {
            parties_from_file: true,
            ..Slots::default()
        };
        assert_eq!(
            from_file.input_for("parties[4].names").as_deref(),
            Some("file")
        );
    }

    fn upload(fields: &[(&str, &str)]) -> Upload {
        let mut upload = Upload::default();
        for (name, value) in fields {
            upload.set_field(name, value);
        }
        upload
    }

    #[test]
    fn a_bad_birth_date_is_shown_at_its_party_and_the_input_is_kept() {
        let sent = upload(&[
            ("reference", "MLA/1"),
            ("kind", "mla"),
            ("requesting_state", "kz"),
            ("received_on", "2024-01-02"),
            ("party2_role", "witness"),
            ("party2_names", "Aigerim Bekova\nБекова Айгерим"),
            ("party2_birth_date", "1971-13-02"),
        ]);
        let mut form = RequestForm::new(Some(&sent));
        assert!(read_request(&mut form, &sent).is_none());
        let party = &form.parties[1];
        let error = party
            .birth_date
            .error
            .as_deref()
            .expect("error at the date");
        assert!(error.contains("1971-13-02"), "{error}");
        assert_eq!(party.birth_date.value, "1971-13-02");
        assert_eq!(party.names.value, "Aigerim Bekova\nБекова Айгерим");
        assert!(
            party
                .role
                .options
                .iter()
                .any(|o| o.selected && o.value == "witness")
        );
    }

    #[test]
    fn a_complete_form_parses_with_parties_numbered_as_sent() {
        let sent = upload(&[
            ("reference", "MLA/1"),
            ("kind", "mla"),
            ("requesting_state", "KZ"),
            ("received_on", "2024-01-02"),
            ("offence_description", "fraud"),
            ("offence_category", "fraud"),
            ("party1_role", "subject"),
            ("party1_names", "Aigerim Bekova"),
            ("party1_nationalities", "kz, ru"),
            ("measure1_kind", "search_premises"),
            ("measure1_party", "0"),
        ]);
        let mut form = RequestForm::new(Some(&sent));
        let request = read_request(&mut form, &sent);
        let errors: Vec<(String, String)> = form
            .fields_mut()
            .filter_map(|f| f.error.clone().map(|e| (f.id.clone(), e)))
            .collect();
        let request = request.unwrap_or_else(|| panic!("valid, but {errors:?}"));
        assert_eq!(request.parties.len(), 1);
        assert_eq!(request.parties[0].nationalities.len(), 2);
        assert_eq!(request.measures[0].party, Some(0));
    }

    #[test]
    fn a_missing_reference_is_shown_at_the_reference() {
        let sent = upload(&[
            ("kind", "mla"),
            ("requesting_state", "kz"),
            ("received_on", "2024-01-02"),
            ("party1_names", "A B"),
        ]);
        let mut form = RequestForm::new(Some(&sent));
        assert!(read_request(&mut form, &sent).is_none());
        assert!(form.reference.error.is_some(), "{:?}", form.reference);
    }

    #[test]
    fn followthemoney_persons_become_parties() {
        let text = concat!(
            r#"{"id": "p1", "schema": "Person", "properties": {"name": ["Aigerim Bekova"], "birthDate": ["1971-03-02"], "nationality": ["kz"]}}"#,
            "\n",
            r#"{"id": "p2", "schema": "Person", "properties": {"name": ["Timur Bekov"]}}"#,
            "\n",
            r#"{"id": "o1", "schema": "Organization", "properties": {"name": ["Acme"]}}"#,
            "\n"
        );
        let parties = ftm_parties(text).expect("converts");
        assert_eq!(parties.len(), 2);
        assert_eq!(parties[0]["role"], "subject");
        assert_eq!(parties[1]["role"], "other");
        assert_eq!(parties[0]["birth_date"], "1971-03-02");
        assert!(ftm_parties("{\"id\": \"x\"}\n").is_err());
    }
}
