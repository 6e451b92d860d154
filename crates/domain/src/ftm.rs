//! FollowTheMoney entities (one JSON entity per line, `{"id", "schema", "properties"}`, as
//! OpenSanctions exports them) converted to context persons.
//!
//! FtM data goes into the context knowledge base only: it carries no protection status, and a
//! registry record without one would be a false statement about a person (see
//! [`REGISTRY_UNSUPPORTED`]). Relationship entities (`Family`, `Associate`, `Membership`,
//! `Representation`) become [`Relation`]s on the person they name, so a file converts as a whole:
//! feed every line to a [`Converter`], then [`Converter::finish`].
//!
//! Unlike Haven's own format, FtM is open by design: envelope fields (`caption`, `datasets`,
//! `first_seen`, …) and properties Haven does not use are ignored, not rejected. Country values
//! that are not ISO 3166-1 alpha-2 (FtM also has historical and regional codes such as `suhh`)
//! are dropped, not rejected.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;

use crate::context::ContextPerson;
use crate::country::CountryCode;
use crate::date::PartialDate;
use crate::error::RecordError;
use crate::id::PersonId;
use crate::jsonl::{Numbered, object};
use crate::person::{Gender, PersonName, PersonRole, Relation, RelationKind};

/// Why `haven import registry` refuses FollowTheMoney input.
pub const REGISTRY_UNSUPPORTED: &str = "FollowTheMoney entities carry no protection status \
     (status, granting state, date, states protected against), which every registry record \
     needs; import FollowTheMoney data into the context knowledge base with `haven import \
     context`, and registry data as Haven JSON lines (DESIGN §5.2)";

/// The result of converting a whole FtM file.
#[derive(Debug, Default)]
pub struct Converted {
    /// One context person per `Person` entity, with the relations that name it, each numbered
    /// with the entity's line.
    pub persons: Vec<Numbered<ContextPerson>>,
    /// Relationship entities that could not be attached (their line, why).
    pub rejects: Vec<Numbered<RecordError>>,
    /// Entities not imported, counted by schema (`Organization`, `Company`, …) or, for a
    /// relationship to such an entity, by `"Membership (to a non-person)"` and the like.
    pub skipped: BTreeMap<String, usize>,
}

/// A relationship entity waiting for the whole file to be read.
#[derive(Debug)]
struct Pending {
    line: usize,
    schema: &'static str,
    from: PersonId,
    relation: Relation,
}

/// Converts the lines of one FtM file.
#[derive(Debug, Default)]
pub struct Converter {
    persons: Vec<Numbered<ContextPerson>>,
    by_id: HashMap<PersonId, usize>,
    pending: Vec<Pending>,
    /// Ids of entities skipped (organisations…), so links to them are skipped, not rejected.
    other_ids: HashSet<String>,
    skipped: BTreeMap<String, usize>,
}

impl Converter {
    /// An empty converter.
    pub fn new() -> Converter {
        Converter::default()
    }

    /// Reads one entity. An error rejects this line only.
    pub fn push(&mut self, line: usize, text: &str) -> Result<(), RecordError> {
        let mut map = object(text)?;
        let id = match map.remove("id") {
            Some(Value::String(id)) => {
                PersonId::parse(id).map_err(|e| RecordError::field("id", e.to_string()))?
            }
            Some(_) => return Err(RecordError::field("id", "expected a string")),
            None => return Err(RecordError::field("id", "missing")),
        };
        let schema = match map.remove("schema") {
            Some(Value::String(schema)) => schema,
            Some(_) => return Err(RecordError::field("schema", "expected a string")),
            None => return Err(RecordError::field("schema", "missing")),
        };
        let properties = match map.remove("properties") {
            Some(Value::Object(props)) => props,
            None | Some(Value::Null) => serde_json::Map::new(),
            Some(_) => return Err(RecordError::field("properties", "expected an object")),
        };
        let props = Props(&properties);
        match schema.as_str() {
            "Person" => {
                if self.by_id.contains_key(&id) {
                    return Err(RecordError::field(
                        "id",
                        format!(
                            "{:?} is already the id of the Person on line {}",
                            id.as_str(),
                            self.persons[self.by_id[&id]].line
                        ),
                    ));
                }
                let person = person(id.clone(), &props)?;
                self.by_id.insert(id, self.persons.len());
                self.persons.push(Numbered {
                    line,
                    value: person,
                });
            }
            "Family" => {
                let kind = props
                    .first("relationship")?
                    .map_or(RelationKind::Relative, |r| family_kind(&r));
                self.link(line, "Family", &props, "person", "relative", kind)?;
            }
            "Associate" => {
                self.link(
                    line,
                    "Associate",
                    &props,
                    "person",
                    "associate",
                    RelationKind::Associate,
                )?;
            }
            "Membership" => {
                self.link(
                    line,
                    "Membership",
                    &props,
                    "member",
                    "organization",
                    RelationKind::MemberOf,
                )?;
            }
            "Representation" => {
                // The agent represents the client: on the client, the agent is counsel.
                self.link(
                    line,
                    "Representation",
                    &props,
                    "client",
                    "agent",
                    RelationKind::Counsel,
                )?;
            }
            _ => {
                self.other_ids.insert(id.as_str().to_owned());
                *self.skipped.entry(schema).or_default() += 1;
            }
        }
        Ok(())
    }

    fn link(
        &mut self,
        line: usize,
        schema: &'static str,
        props: &Props<'_>,
        from: &str,
        to: &str,
        kind: RelationKind,
    ) -> Result<(), RecordError> {
        let from_id = props.required_id(from)?;
        let to_id = props.required_id(to)?;
        self.pending.push(Pending {
            line,
            schema,
            from: from_id,
            relation: Relation { kind, to: to_id },
        });
        Ok(())
    }

    /// Attaches every relationship to its person and returns the persons.
    pub fn finish(mut self) -> Converted {
        let mut rejects = Vec::new();
        for p in std::mem::take(&mut self.pending) {
            if self.other_ids.contains(p.from.as_str())
                || self.other_ids.contains(p.relation.to.as_str())
            {
                *self
                    .skipped
                    .entry(format!("{} (to a non-person entity)", p.schema))
                    .or_default() += 1;
                continue;
            }
            if p.from == p.relation.to {
                continue;
            }
            let Some(&i) = self.by_id.get(&p.from) else {
                rejects.push(Numbered {
                    line: p.line,
                    value: RecordError::field(
                        "properties",
                        format!(
                            "{}: {:?} is not a Person entity in this file",
                            p.schema,
                            p.from.as_str()
                        ),
                    ),
                });
                continue;
            };
            let relations = &mut self.persons[i].value.relations;
            if !relations.contains(&p.relation) {
                relations.push(p.relation);
            }
        }
        Converted {
            persons: self.persons,
            rejects,
            skipped: self.skipped,
        }
    }
}

/// Maps FtM's free-text `relationship` (the relative as seen from the person: "son" means the
/// relative is the person's son) to a kind; anything unrecognised is a `relative`.
fn family_kind(relationship: &str) -> RelationKind {
    let r = relationship.trim().to_lowercase();
    let r = r.trim_start_matches("step").trim_start_matches("step-");
    match r {
        "son" | "daughter" | "child" | "children" | "son-in-law" | "daughter-in-law" => {
            if r.ends_with("in-law") {
                RelationKind::Relative
            } else {
                RelationKind::Child
            }
        }
        "father" | "mother" | "parent" => RelationKind::Parent,
        "brother" | "sister" | "sibling" | "half-brother" | "half-sister" => RelationKind::Sibling,
        "husband" | "wife" | "spouse" | "partner" | "former spouse" | "ex-wife" | "ex-husband" => {
            RelationKind::Spouse
        }
        _ => RelationKind::Relative,
    }
}

/// The `properties` of an entity: each a list of strings (or of nested entities, whose id is
/// taken).
struct Props<'a>(&'a serde_json::Map<String, Value>);

impl Props<'_> {
    fn values(&self, name: &str) -> Result<Vec<String>, RecordError> {
        let field = || format!("properties.{name}");
        let one = |v: &Value| match v {
            Value::String(s) => Ok(s.clone()),
            Value::Object(o) => match o.get("id") {
                Some(Value::String(id)) => Ok(id.clone()),
                _ => Err(RecordError::field(field(), "a nested entity without an id")),
            },
            _ => Err(RecordError::field(field(), "expected a list of strings")),
        };
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items.iter().map(one).collect(),
            Some(v) => Ok(vec![one(v)?]),
        }
    }

    fn first(&self, name: &str) -> Result<Option<String>, RecordError> {
        Ok(self.values(name)?.into_iter().next())
    }

    fn required_id(&self, name: &str) -> Result<PersonId, RecordError> {
        let field = format!("properties.{name}");
        let value = self
            .first(name)?
            .ok_or_else(|| RecordError::field(&field, "missing"))?;
        PersonId::parse(value).map_err(|e| RecordError::field(field, e.to_string()))
    }
}

fn person(id: PersonId, props: &Props<'_>) -> Result<ContextPerson, RecordError> {
    let mut raw = Vec::new();
    for prop in ["name", "alias", "weakAlias"] {
        raw.extend(props.values(prop)?);
    }
    // A name composed of its parts, when the parts say more than the full names do.
    let part = |p: &str| props.first(p);
    let composed: Vec<String> = [
        part("firstName")?,
        part("secondName")?,
        part("middleName")?,
        part("fatherName")?,
        part("lastName")?,
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.trim().is_empty())
    .collect();
    if !composed.is_empty() {
        raw.push(composed.join(" "));
    }
    let mut names: Vec<PersonName> = Vec::new();
    for name in raw {
        // Empty strings occur in real exports; they are not names, and not an error.
        if let Ok(name) = PersonName::parse(&name)
            && !names.contains(&name)
        {
            names.push(name);
        }
    }
    if names.is_empty() {
        return Err(RecordError::field(
            "properties.name",
            "a Person needs a name (name, alias, weakAlias or firstName/lastName)",
        ));
    }
    // FtM may list several birth dates; the first is kept (the registry holds one).
    let birth_date = match props.first("birthDate")? {
        Some(date) => Some(
            PartialDate::parse_date_prefix(&date)
                .map_err(|e| RecordError::field("properties.birthDate", e.to_string()))?,
        ),
        None => None,
    };
    let mut nationalities = Vec::new();
    for prop in ["nationality", "citizenship"] {
        for value in props.values(prop)? {
            if let Ok(code) = CountryCode::parse(&value)
                && !nationalities.contains(&code)
            {
                nationalities.push(code);
            }
        }
    }
    let gender = match props.first("gender")?.as_deref() {
        Some("female") => Some(Gender::Female),
        Some("male") => Some(Gender::Male),
        Some("other") => Some(Gender::Other),
        _ => None,
    };
    let mut roles = Vec::new();
    for topic in props.values("topics")? {
        let role = match topic.as_str() {
            "role.lawyer" => Some(PersonRole::Lawyer),
            "role.journo" | "role.journalist" => Some(PersonRole::Journalist),
            _ => None,
        };
        if let Some(role) = role
            && !roles.contains(&role)
        {
            roles.push(role);
        }
    }
    Ok(ContextPerson {
        id,
        names,
        birth_date,
        nationalities,
        gender,
        roles,
        relations: Vec::new(),
    })
}
