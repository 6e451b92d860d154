//! The domain's persons and parties as the index sees them. One place for the mapping, so that
//! what is indexed and what is queried always agree.

use haven_domain::{
    ContextPerson, CountryCode, Gender, PartialDate, Party, PersonId, PersonName, RegistryPerson,
};
use haven_index::{BirthDate, IndexRecord, Query, Source};

/// A registry person as an index record.
pub fn registry_record(person: &RegistryPerson) -> IndexRecord {
    record(
        Source::Registry,
        &person.id,
        &person.names,
        person.birth_date.as_ref(),
        &person.nationalities,
        person.gender,
    )
}

/// A context person as an index record.
pub fn context_record(person: &ContextPerson) -> IndexRecord {
    record(
        Source::Context,
        &person.id,
        &person.names,
        person.birth_date.as_ref(),
        &person.nationalities,
        person.gender,
    )
}

fn record(
    source: Source,
    id: &PersonId,
    names: &[PersonName],
    birth: Option<&PartialDate>,
    nationalities: &[CountryCode],
    sex: Option<Gender>,
) -> IndexRecord {
    IndexRecord {
        id: id.to_string(),
        source,
        names: names.iter().map(ToString::to_string).collect(),
        birth_date: birth.map(birth_date),
        nationalities: nationalities
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
        gender: sex.map(gender),
    }
}

/// A party as a screening query.
pub fn query(party: &Party) -> Query {
    Query {
        names: party.names.iter().map(ToString::to_string).collect(),
        birth_date: party.birth_date.as_ref().map(birth_date),
        nationalities: party
            .nationalities
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
        gender: party.gender.map(gender),
    }
}

fn birth_date(date: &PartialDate) -> BirthDate {
    BirthDate {
        year: date.year(),
        month: date.month(),
        day: date.day(),
    }
}

fn gender(gender: Gender) -> haven_index::Gender {
    match gender {
        Gender::Female => haven_index::Gender::Female,
        Gender::Male => haven_index::Gender::Male,
        Gender::Other => haven_index::Gender::Other,
    }
}
